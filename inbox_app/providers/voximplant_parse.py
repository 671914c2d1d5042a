"""Pure Voximplant history row -> core type translation (GetSmsHistory, A2PGetSmsHistory,
the send answers).

Readings where the documents are silent:

- A row's time is `processed_date` (plain SMS) or `processing_date` (A2P), both
  "yyyy-MM-dd HH:mm:ss" UTC; either spelling is read on either kind of row.
- Direction: `direction` IN/OUT in any casing. A2P rows carry none and are outbound;
  a plain row with no readable direction is read as inbound, so reconciling a send
  never mistakes it for ours.
- Our side of a row is `source_number` when outbound, `destination_number` when
  inbound; a conversation is keyed "<our number>|<customer number>", both normalised,
  across plain and A2P rows alike.
- Ids: a plain row is "sms:<message_id>"; an A2P row is "a2p:<transaction_id>", because
  A2PSendSms answers with transaction ids only and a sent message must match its
  history row (`message_id` when a row has no transaction id). Ids may be numbers or
  strings.
- Status: `delivery_status` (A2P) or `status_id`, as the A2P delivery table names them
  (1 queued … 8 unknown); a name is taken as given, lower-cased. An inbound row is
  "received". `error_message` becomes the status detail.
- A row without `text` had its body not stored: the message says so in its body
  (`TEXT_NOT_STORED`) and carries `body_stored=False`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from inbox_app.core.models import Direction, Message, SendResult, Thread, ThreadStatus
from inbox_app.core.phone import normalize_number
from inbox_app.core.timeparse import parse_timestamp
from inbox_app.providers import fields
from inbox_app.providers.fields import first_text, integer, mapping, mappings, text

SMS = "sms"
A2P = "a2p"
TEXT_NOT_STORED = "[text not stored by Voximplant]"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
STATUS_NAMES = {
    1: "queued",
    2: "dispatched",
    3: "aborted",
    4: "rejected",
    5: "delivered",
    6: "failed",
    7: "expired",
    8: "unknown",
}
_NON_DIGITS = re.compile(r"\D+")


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One history row in our terms; `text` is None when Voximplant did not store it."""

    id: str
    route: str
    direction: Direction
    our_number: str
    customer_number: str
    at: datetime | None
    text: str | None
    status: str
    error: str
    fragments: int | None
    sequence: int

    @property
    def thread_key(self) -> str:
        return thread_key(self.our_number, self.customer_number)


@dataclass(frozen=True, slots=True)
class A2PFailure:
    destination: str
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class A2PSent:
    """What A2PSendSms said: a message id per accepted destination (normalised number),
    the refused destinations, and the fragment count the text costs each."""

    sent: dict[str, str]
    failed: list[A2PFailure]
    fragments: int | None


@functools.lru_cache(maxsize=4096)
def _number(raw: str) -> str:
    """`normalize_number`, remembered: a history repeats a few thousand numbers at most,
    and parsing each of its rows' two numbers afresh dominated a large first sync."""
    return normalize_number(raw)


def thread_key(ours: str, customer: str) -> str:
    return f"{ours}|{customer}"


def wire_number(number: str) -> str:
    """Voximplant's spelling: bare digits ("14155550123"); a sender name stays as is."""
    digits = _NON_DIGITS.sub("", number)
    return digits if digits and not any(ch.isalpha() for ch in number) else number


def wire_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def status_name(value: object) -> str:
    code = integer(value)
    if code is not None:
        return STATUS_NAMES.get(code, f"status {code}")
    return text(value).lower()


def parse_row(row: dict[str, Any], route: str) -> HistoryRow | None:
    """A history row; None when it has no id or no numbers (nothing to key it by)."""
    message_id = first_text(row, "message_id")
    row_id = first_text(row, "transaction_id") if route == A2P else ""
    key = f"{route}:{row_id or message_id}"
    source = _number(first_text(row, "source_number"))
    destination = _number(first_text(row, "destination_number"))
    if key.endswith(":") or not source or not destination:
        return None
    if route == A2P:
        direction = fields.direction(row.get("direction")) or Direction.OUT
    else:
        direction = fields.direction(row.get("direction")) or Direction.IN
    outbound = direction is Direction.OUT
    body = row.get("text")
    stored = isinstance(body, str) or (body is not None and bool(text(body)))
    status = row.get("delivery_status") if route == A2P else None
    return HistoryRow(
        id=key,
        route=route,
        direction=direction,
        our_number=source if outbound else destination,
        customer_number=destination if outbound else source,
        at=parse_timestamp(row.get("processed_date") or row.get("processing_date")),
        text=(body if isinstance(body, str) else text(body)) if stored else None,
        status=status_name(status if status is not None else row.get("status_id"))
        if outbound
        else "received",
        error=first_text(row, "error_message"),
        fragments=integer(row.get("fragments")),
        sequence=integer(message_id) or 0,
    )


def parse_rows(rows: Iterable[dict[str, Any]], route: str) -> list[HistoryRow]:
    return [r for r in (parse_row(row, route) for row in rows) if r is not None]


def parse_history(
    rows: Sequence[HistoryRow], thread_key: str, default_at: datetime | None
) -> list[Message]:
    """`to_messages` as a `HistoryParser`: each row knows its thread already."""
    return to_messages(rows, default_at)


def to_messages(rows: Sequence[HistoryRow], default_at: datetime | None = None) -> list[Message]:
    """Messages oldest first; an undated row takes the time of the row before it in
    message-id order (see `fields.fill_times`), never 1970."""
    ordered = sorted(rows, key=lambda r: (r.sequence, r.id))
    times = fields.fill_times([r.at for r in ordered], default_at or EPOCH)
    messages = [_message(row, at) for row, at in zip(ordered, times, strict=True)]
    messages.sort(key=lambda m: m.at)
    return messages


def _message(row: HistoryRow, at: datetime) -> Message:
    return Message(
        id=row.id,
        thread_key=row.thread_key,
        direction=row.direction,
        body=row.text if row.text is not None else TEXT_NOT_STORED,
        at=at,
        status=row.status,
        status_detail=row.error,
        our_number=row.our_number,
        customer_number=row.customer_number,
        body_stored=row.text is not None,
    )


def build_thread(rows: Sequence[HistoryRow], channel_key: str, route: str) -> Thread:
    """A conversation from its rows (any order, at least one)."""
    messages = to_messages(rows)
    last = messages[-1]
    return Thread(
        key=last.thread_key,
        channel_key=channel_key,
        customer_number=last.customer_number,
        customer_name="",
        our_number=last.our_number,
        unread=False,
        status=ThreadStatus.ACTIVE,
        last_message_at=last.at,
        preview=last.body,
        fingerprint=fields.fingerprint(*((m.id, m.status, m.body_stored) for m in messages)),
        vendor_ref={"route": route},
    )


def parse_sms_send(payload: dict[str, Any]) -> tuple[str, int | None] | None:
    """SendSmsMessage's message id ("sms:<id>") and fragment count; None without an id."""
    message_id = first_text(payload, "message_id")
    if not message_id:
        return None
    return f"{SMS}:{message_id}", integer(payload.get("fragments_count"))


def parse_a2p_send(payload: dict[str, Any]) -> A2PSent:
    """A2PSendSms's answer. `result` is read as a list of {transaction_id,
    destination_number} objects (also a single object; one without a number is kept
    under ""); `failed` likewise with `error_code` and `error_description`."""
    sent: dict[str, str] = {}
    for item in mappings(payload.get("result")):
        transaction = first_text(item, "transaction_id", "message_id")
        destination = normalize_number(first_text(item, "destination_number", "phone_number"))
        if transaction:
            sent[destination] = f"{A2P}:{transaction}"
    failed = [
        A2PFailure(
            destination=normalize_number(first_text(item, "destination_number", "phone_number")),
            code=first_text(item, "error_code", "code"),
            reason=first_text(item, "error_description", "msg", "error_message")
            or "refused without a reason",
        )
        for item in mappings(payload.get("failed"))
    ]
    return A2PSent(sent, failed, integer(mapping(payload).get("fragments_count")))


def send_result(message_id: str) -> SendResult:
    return SendResult(message_id=message_id, status=STATUS_NAMES[2])
