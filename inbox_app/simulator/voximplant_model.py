"""The Voximplant side of the world: our numbers and the account's SMS history.

Numbers are held as bare digits ("18335550170"), the way Voximplant prints them. A
history record is either a plain SMS (GetSmsHistory: IN or OUT) or an A2P message
(A2PGetSmsHistory: always OUT, with a delivery status). `text` is None when the body
was not stored (an outgoing send without `store_body`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

SMS = "sms"
A2P = "a2p"
IN = "IN"
OUT = "OUT"

QUEUED, DISPATCHED, ABORTED, REJECTED, DELIVERED, FAILED, EXPIRED, UNKNOWN = range(1, 9)
"""Delivery status ids, as A2PGetSmsHistory documents them; plain SMS use them too."""

SMS_BODY_LIMIT = 765
A2P_TEXT_LIMIT = 1600
A2P_MAX_DESTINATIONS = 100
HISTORY_MAX_COUNT = 1000
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def wire_date(at_ms: int) -> str:
    return datetime.fromtimestamp(at_ms / 1000, tz=UTC).strftime(DATE_FORMAT)


@dataclass
class OurNumber:
    """A number the account owns; `a2p` ones are registered A2P sender ids."""

    number: str
    a2p: bool
    sms_enabled: bool = True


@dataclass(frozen=True, slots=True)
class SmsRecord:
    """One history row; `final_status` applies once the clock passes `queued_until_ms`."""

    message_id: int
    transaction_id: int
    kind: str
    source: str
    destination: str
    direction: str
    text: str | None
    fragments: int
    at_ms: int
    final_status: int
    error_message: str = ""
    queued_until_ms: int = 0

    def status_at(self, now_ms: int) -> int:
        return DISPATCHED if now_ms < self.queued_until_ms else self.final_status

    @property
    def ours(self) -> str:
        return self.source if self.direction == OUT else self.destination

    @property
    def customer(self) -> str:
        return self.destination if self.direction == OUT else self.source

    @property
    def order_key(self) -> tuple[int, int]:
        return (self.at_ms, self.message_id)

    def row(self, now_ms: int) -> dict[str, object]:
        """The record as the history methods print it."""
        status = self.status_at(now_ms)
        row: dict[str, object] = {
            "message_id": self.message_id,
            "source_number": self.source,
            "destination_number": self.destination,
            "fragments": self.fragments,
            "cost": round(0.0075 * self.fragments, 4),
            "status_id": str(status),
            "transaction_id": self.transaction_id,
        }
        if self.kind == A2P:
            row["processing_date"] = wire_date(self.at_ms)
            row["delivery_status"] = status
        else:
            row["direction"] = self.direction
            row["processed_date"] = wire_date(self.at_ms)
        if status in (ABORTED, REJECTED, FAILED, EXPIRED) and self.error_message:
            row["error_message"] = self.error_message
        if self.text is not None:
            row["text"] = self.text
        return row
