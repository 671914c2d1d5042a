"""The Zoho Voice side of the world: org users, our numbers, conversations and their logs.

A conversation is one (our number, customer number) pair. A few legacy conversations
have `sender == ""`: their number was released, and Zoho prints their senderId as "".
Numbers are held as 11 digits; zoho_rows.py spells them the way Zoho prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .zoho_time import display_time

INCOMING = "INCOMING"
OUTGOING = "OUTGOING"

DELIVERED = "DELIVERED"
UNDELIVERED = "UNDELIVERED"
EXPIRED = "EXPIRED"
IN_QUEUE = "IN_QUEUE"
SENT = "SENT"
STATUS_DESCRIPTIONS = {
    UNDELIVERED: "Message was not delivered due to one of the possible errors reported by SMSC",
    EXPIRED: "Message was not delivered due to expiration of timer or validity period",
    SENT: "Message was submitted to the carrier; no delivery report was received",
}

_GSM_7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)


def multipart_count(body: str) -> int:
    """SMS segments: 160/153 characters in GSM-7, 70/67 in UCS-2."""
    single, part = (160, 153) if set(body) <= _GSM_7 else (70, 67)
    return 1 if len(body) <= single else -(-len(body) // part)


@dataclass(frozen=True)
class User:
    zuid: int
    name: str
    email: str


@dataclass(frozen=True)
class SenderNumber:
    number: str
    label: str
    user: User


@dataclass(frozen=True)
class Media:
    """An MMS file. `size_as_text` reproduces logs printing fileSize as a string."""

    mms_id: str
    file_name: str
    object_name: str
    bucket: str
    content_type: str
    data: bytes
    size_as_text: bool

    @property
    def extension(self) -> str:
        return self.file_name.rpartition(".")[2] if "." in self.file_name else ""


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One SMS log row; `final_status` applies once the clock passes `queued_until_ms`."""

    logid: str
    message_id: str
    sender: str
    customer: str
    direction: str
    body: str
    submitted_ms: int
    final_status: str
    user: User
    seq: int
    queued_until_ms: int = 0
    media: tuple[Media, ...] = ()
    sent_time: str = field(init=False, compare=False, repr=False)
    """`sentTime` as printed, and `multipartCount`: worked out once, not on every page
    that lists the row (a fifth of the simulator's time in a cold sync)."""
    parts: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sent_time", display_time(self.submitted_ms))
        object.__setattr__(self, "parts", multipart_count(self.body))

    def status_at(self, now_ms: int) -> str:
        return IN_QUEUE if now_ms < self.queued_until_ms else self.final_status

    @property
    def order_key(self) -> tuple[int, int]:
        return (self.submitted_ms, self.seq)


@dataclass
class Conversation:
    sender: str
    customer: str
    customer_name: str | None
    logs: list[LogEntry] = field(default_factory=list)
    opted_out: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.sender, self.customer)

    @property
    def last(self) -> LogEntry:
        return self.logs[-1]


@dataclass(frozen=True)
class Scheduled:
    job_id: str
    logid: str
    sender: str
    customer: str
    body: str
    scheduled_time: str
    time_zone: str
    due_ms: int
    user: User
    media: tuple[Media, ...] = ()


@dataclass
class Token:
    value: str
    expires_at: float
    expired: bool = False
