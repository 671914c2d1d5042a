"""The product's own vocabulary. Providers translate vendor payloads into these once,
at the edge, so nothing above them ever sees a vendor's spelling of a field."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ProviderKind(StrEnum):
    LIVEVOX = "livevox"
    ZOHO = "zoho"
    VOXIMPLANT = "voximplant"
    ZOOM = "zoom"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class ThreadStatus(StrEnum):
    """`closed` is a thread that left every inbox we can see without our resolving it
    (resolved or transferred elsewhere): the vendor list no longer shows it, but its
    history stays searchable."""

    ACTIVE = "active"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Capability(StrEnum):
    """What a provider can do besides reading; the window disables the rest."""

    SEND = "send"
    MARK_READ = "mark_read"
    TRANSFER = "transfer"
    RESOLVE = "resolve"
    MOVE_INBOX = "move_inbox"
    SCHEDULE = "schedule"


@dataclass(frozen=True, slots=True)
class Channel:
    """An inbox as the vendor groups threads (LiveVox personal/group SMS, a Zoho number)."""

    key: str
    name: str
    kind: str
    personal: bool
    unread: int
    total: int
    vendor_id: str


@dataclass(frozen=True, slots=True)
class Attachment:
    id: str
    name: str
    content_type: str
    size: int | None


@dataclass(frozen=True, slots=True)
class Thread:
    """One conversation with one customer. `key` is unique within an account and stable
    across syncs; `fingerprint` changes whenever the vendor's list row suggests its
    messages changed (a newer last message, a new status), which is what lets sync fetch
    messages only for threads that changed. `vendor_ref` keeps the vendor ids an action
    needs (service id, channel id, account) without widening this type per vendor."""

    key: str
    channel_key: str
    customer_number: str
    customer_name: str
    our_number: str
    unread: bool
    status: ThreadStatus
    last_message_at: datetime | None
    preview: str
    fingerprint: str
    customer_account: str = ""
    do_not_contact: bool = False
    opted_out: bool = False
    assigned_agent: str = ""
    vendor_ref: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    thread_key: str
    direction: Direction
    body: str
    at: datetime
    status: str
    status_detail: str = ""
    our_number: str = ""
    customer_number: str = ""
    attachments: tuple[Attachment, ...] = ()
    body_stored: bool = True


@dataclass(frozen=True, slots=True)
class Agent:
    id: str
    login: str
    name: str
    status: str


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    name: str
    body: str
    sender: str


@dataclass(frozen=True, slots=True)
class SenderId:
    """A number or short code the account may send from."""

    code: str
    description: str


@dataclass(frozen=True, slots=True)
class TermCode:
    id: str
    name: str
    category: str = ""


@dataclass(frozen=True, slots=True)
class SendResult:
    """What the vendor said about an accepted send; `message_id` matches history rows."""

    message_id: str
    status: str
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ScheduledMessage:
    """An SMS waiting in the vendor's schedule (Zoho Voice); `at` is its UTC moment,
    `time_zone` the zone it was scheduled in (the vendor states the time as a wall-clock
    time there). It belongs to the thread of (`our_number`, `customer_number`)."""

    id: str
    job_id: str
    customer_number: str
    our_number: str
    body: str
    at: datetime | None
    time_zone: str
    status: str
