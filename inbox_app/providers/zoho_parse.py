"""Pure Zoho Voice row -> core type translation (chatlist, logs, schedule, send).

Readings where the Zoho documents are silent or contradict themselves:

- A conversation (chatlist row) is keyed "<our number>|<customer number>", both
  normalised. `senderId` may be "" (the document's own example): then `senderIdName`
  is used if it looks like a number, else our side stays empty ("|+1..."); the key is
  still stable because the same row yields it every time.
- `customerName` often repeats the number (masked, "+6XXXXXXXXX7"); a name that looks
  like a phone number is dropped rather than shown as a name.
- Time: `submittedTime` (epoch ms, authoritative); `sentTime` (a zone-less display
  string, read as UTC) only when it is missing.
- Direction: `messageType` INCOMING/OUTGOING in any casing; an unknown value is read
  as inbound, so reconciling a send never mistakes it for ours.
- MMS: `mmsMeta` entries become attachments with id `mmsId`; `fileSize` is a string in
  the logs example and a number in the send example; `contentType` when given, else a
  guess from `fileExtn`/`fileName`.
- Zoho has no read state: every conversation is read, and `status` is ACTIVE.
- Fingerprint: the last log id, its time, delivery status and direction.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from inbox_app.core.models import (
    Attachment,
    Direction,
    Message,
    ScheduledMessage,
    SendResult,
    Thread,
    ThreadStatus,
)
from inbox_app.core.phone import normalize_number
from inbox_app.core.timeparse import parse_timestamp
from inbox_app.providers import fields
from inbox_app.providers.fields import first_text, mappings, text

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NUMBERISH = re.compile(r"[+\d\sXx*().-]*\d[+\d\sXx*().-]*")
_ID_KEYS = ("logid", "logId", "messageId")
_SCHEDULE_FORMAT = "%Y-%m-%d %H:%M:%S"


def looks_like_number(value: str) -> bool:
    return bool(_NUMBERISH.fullmatch(value.strip()))


def our_number(row: dict[str, Any]) -> str:
    sender = first_text(row, "senderId")
    if sender:
        return normalize_number(sender)
    name = first_text(row, "senderIdName")
    return normalize_number(name) if name and looks_like_number(name) else ""


def conversation_key(ours: str, customer: str) -> str:
    return f"{ours}|{customer}"


def row_time(row: dict[str, Any]) -> datetime | None:
    return parse_timestamp(row.get("submittedTime")) or parse_timestamp(row.get("sentTime"))


def wire_number(number: str) -> str:
    """Zoho's spelling of a number in requests: digits without '+' ("18*******57")."""
    return number[1:] if number.startswith("+") and number[1:].isdigit() else number


def parse_conversation(row: dict[str, Any], channel_key: str) -> Thread | None:
    """One chatlist row; None when it names no customer (nothing to key it by)."""
    customer = normalize_number(first_text(row, "customerNumber"))
    if not customer:
        return None
    ours = our_number(row)
    name = first_text(row, "customerName")
    last_at = row_time(row)
    direction = fields.direction(row.get("messageType"))
    return Thread(
        key=conversation_key(ours, customer),
        channel_key=channel_key,
        customer_number=customer,
        customer_name="" if looks_like_number(name) else name,
        our_number=ours,
        unread=False,
        status=ThreadStatus.ACTIVE,
        last_message_at=last_at,
        preview=text(row.get("message")),
        fingerprint=fields.fingerprint(
            first_text(row, *_ID_KEYS),
            last_at.isoformat() if last_at else "",
            first_text(row, "status").upper(),
            direction.value if direction else "",
        ),
        vendor_ref={
            "customerNumber": first_text(row, "customerNumber"),
            "senderId": first_text(row, "senderId"),
            "senderIdName": first_text(row, "senderIdName"),
            "lastLogId": first_text(row, *_ID_KEYS),
        },
    )


def log_id(row: dict[str, Any]) -> str:
    return first_text(row, *_ID_KEYS)


def parse_log(row: dict[str, Any], thread_key: str, at: datetime) -> Message:
    """One log row; `thread_key` "" means "derive it from the row's own numbers"."""
    customer = normalize_number(first_text(row, "customerNumber"))
    ours = our_number(row)
    body = row.get("message")
    return Message(
        id=log_id(row),
        thread_key=thread_key or conversation_key(ours, customer),
        direction=fields.direction(row.get("messageType")) or Direction.IN,
        body=body if isinstance(body, str) else text(body),
        at=at,
        status=first_text(row, "status"),
        status_detail=first_text(row, "statusDescription"),
        our_number=ours,
        customer_number=customer,
        attachments=tuple(parse_attachment(meta) for meta in mappings(row.get("mmsMeta"))),
    )


def parse_history(
    rows: Sequence[dict[str, Any]], thread_key: str, default_at: datetime | None
) -> list[Message]:
    """A conversation's log rows (newest first, as the vendor lists them) as messages,
    oldest first."""
    messages = parse_logs(rows, thread_key, default_at)
    messages.reverse()
    messages.sort(key=lambda m: m.at)
    return messages


def parse_logs(
    rows: Iterable[dict[str, Any]], thread_key: str, default_at: datetime | None
) -> list[Message]:
    """Log rows in vendor order, one per log id, undated rows placed next to their
    neighbours (see `fields.fill_times`)."""
    seen: set[str] = set()
    unique: list[dict[str, Any]] = []
    for row in rows:
        row_id = log_id(row)
        if row_id and row_id not in seen:
            seen.add(row_id)
            unique.append(row)
    # fill_times works oldest-first; logs come newest-first.
    times = fields.fill_times([row_time(r) for r in reversed(unique)], default_at or EPOCH)
    times.reverse()
    return [parse_log(row, thread_key, at) for row, at in zip(unique, times, strict=True)]


def parse_attachment(meta: dict[str, Any]) -> Attachment:
    name = first_text(meta, "fileName", "objectName")
    content_type = first_text(meta, "contentType")
    if not content_type:
        extension = first_text(meta, "fileExtn")
        guess_from = f"file.{extension}" if extension else name
        content_type = mimetypes.guess_type(guess_from)[0] or ""
    return Attachment(
        id=first_text(meta, "mmsId", "id"),
        name=name,
        content_type=content_type,
        size=fields.integer(meta.get("fileSize")),
    )


def parse_send(payload: dict[str, Any]) -> SendResult | None:
    """The accepted send's log id, or None if the envelope carries none."""
    sent = fields.mapping(payload.get("send"))
    message_id = log_id(sent) or log_id(payload)
    if not message_id:
        return None
    return SendResult(
        message_id=message_id,
        status=first_text(sent, "status") or first_text(payload, "status"),
        at=parse_timestamp(sent.get("submittedTime")),
    )


def parse_scheduled(row: dict[str, Any]) -> ScheduledMessage:
    zone_name = first_text(row, "timeZone")
    wall = first_text(row, "scheduledTime")
    return ScheduledMessage(
        id=log_id(row),
        job_id=first_text(row, "jobId"),
        customer_number=normalize_number(first_text(row, "customerNumber")),
        our_number=our_number(row),
        body=text(row.get("message")),
        at=_in_zone(wall, zone_name),
        time_zone=zone_name,
        status=first_text(row, "status"),
    )


def _in_zone(wall: str, zone_name: str) -> datetime | None:
    """A zone-less "yyyy-mm-dd HH:MM:ss" in the named zone as UTC (UTC if the zone is
    unknown; epoch numbers pass through `parse_timestamp`)."""
    try:
        naive = datetime.strptime(wall, _SCHEDULE_FORMAT)
    except ValueError:
        return parse_timestamp(wall)
    try:
        zone = ZoneInfo(zone_name) if zone_name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    return naive.replace(tzinfo=zone).astimezone(UTC)


def schedule_fields(when: datetime, zone_name: str) -> dict[str, str]:
    """`scheduledTime` + `timeZone` for a send: an aware `when` is converted into the
    zone; a naive one is taken as wall-clock time there already. Raises ValueError for
    an unknown zone."""
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {zone_name!r}") from None
    local = when.astimezone(zone) if when.tzinfo else when
    return {"scheduledTime": local.strftime(_SCHEDULE_FORMAT), "timeZone": zone_name}
