"""The LiveVox side of the world: client, services, agents, contacts, threads, messages.

A thread lives in exactly one inbox: the personal inbox of `owner_agent_id`, or, when
that is None, the group inbox of its service (visible to every agent of the service).
Resolved threads leave both but keep their history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

INBOUND = 1
OUTBOUND = 2
"""Message directions as transaction history reports them (sent as strings "1"/"2")."""

THREAD_DIRECTION = {OUTBOUND: 0, INBOUND: 1}
"""Thread rows report the last message's direction as 0 = outbound, 1 = inbound (the
documented example shows 0 on threads whose last message went to the customer)."""

DELIVERED = "SMS MT Delivered"
QUEUED = "SMS MT Queued"
FAILED = "SMS MT Failed"
RECEIVED = "Operator Transfer"
"""Inbound messages carry the status the documented history example shows for them."""

AGENT_STATUSES = ("READY", "NOTREADY", "INCALL", "WRAPUP", "LOGGEDOFF")


@dataclass(frozen=True)
class Service:
    service_id: int
    name: str
    sms_code: str
    voicemail_channel_id: str

    @property
    def group_name(self) -> str:
        return f"Group - {self.name}"


@dataclass
class Agent:
    agent_id: int
    login_id: str
    first_name: str
    last_name: str
    password: str
    status: str
    service_ids: tuple[int, ...]
    voicemail_channel_id: str
    emails_read: int
    emails_unread: int

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class Contact:
    """A customer record; `phone` is spelled as the record holds it (see phones.py)."""

    account: str
    original_account: str
    first_name: str | None
    last_name: str | None
    phone: str
    wireless: bool
    dnc: bool
    sms_opt_in: bool
    city: str
    state: str
    zip_code: str
    balance: float

    @property
    def reachable(self) -> bool:
        return self.sms_opt_in and not self.dnc


@dataclass(frozen=True, slots=True)
class Message:
    """One SMS. `final_status` applies once the clock passes `queued_until_ms`."""

    id: str
    thread_id: str | None
    account: str
    body: str
    direction: int
    date_ms: int
    sms_code: str
    phone: str
    final_status: str
    queued_until_ms: int = 0
    attachment_ids: tuple[int, ...] = ()
    attachment_size: int = 0
    agent_id: int | None = None
    template_id: int | None = None

    def status_at(self, now_ms: int) -> str:
        return QUEUED if now_ms < self.queued_until_ms else self.final_status

    @property
    def order_key(self) -> tuple[int, int]:
        """Chronological order; ids grow with time, so they break ties in the same ms."""
        return (self.date_ms, int(self.id))


@dataclass
class Thread:
    thread_id: str
    service_id: int
    owner_agent_id: int | None
    contact: Contact
    sms_code: str
    object_id: str
    created_ms: int
    messages: list[Message] = field(default_factory=list)
    read: bool = True
    resolved: bool = False
    term_code_id: int | None = None

    @property
    def last(self) -> Message:
        return self.messages[-1]

    @property
    def replied(self) -> bool:
        return self.last.direction == OUTBOUND

    @property
    def order_key(self) -> tuple[int, int]:
        return self.last.order_key


@dataclass(frozen=True)
class Template:
    template_id: int
    description: str | None
    message: str
    sms_code: str


@dataclass(frozen=True)
class TermCode:
    term_code_id: int
    name: str
    category: str


@dataclass
class Session:
    session_id: str
    agent_id: int
    last_used: float
    expired: bool = False
