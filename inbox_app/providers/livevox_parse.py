"""Pure LiveVox row -> core type translation, kept apart from I/O so every payload
shape the document shows can be tested directly.

Readings where the LiveVox document is silent or contradicts itself:

- Channels: only rows whose `channel` (or `channelType`) is SMS, any casing. Key
  "personal:SMS:<channelId>" or "group:SMS:<channelId>", because a personal inbox's
  channelId is the agent id and a group's is the service id, and the two id spaces
  may overlap.
- Thread rows: `from`/`to` describe the thread's last message, so the customer is
  `from` when that message was inbound (direction 1, or `smsInbound` true) and `to`
  otherwise; the document's own example has direction 0 (undocumented) and only a
  `to`, the customer's number. Failing both, `contactInfo.phoneDetails` (an object or
  a list) supplies it. Fields the table lists inside `contactInfo` but the example shows
  at the top level (`account`, `fileSize`, `interactionTimestamp`, ...) are read from
  either place, the row first.
- Thread time: `date`, else `interactionTimestamp`, else `startTime`. Preview: the
  row's `subject`/`details` (SMS rows leave them empty; the list carries no text).
- Unread: `read` false; failing a `read` field, `status` "UNREAD".
- Fingerprint: the last message's time, direction, from/to, `replied`, `status`,
  `attachmentIds`, `txnId` and `fileSize`; never the `read` flag, so marking a thread
  read doesn't refetch its messages. Rows without any time (as in the document's
  example) still change it through `replied`/direction/status.
- do-not-contact: `dnc` on the customer's phone entries (all entries when none
  matches the number), or `doNotDial`/`doNotDialDaily`. opted-out only when
  `smsOptInStatus` is present and false: absent means unknown.
- History direction: 1/2 as number or string, or a word; failing that, a status
  naming "MO" or "MT" (mobile originated/terminated); failing that, inbound, so an
  unknown row is never mistaken for something we sent when reconciling a send.
- Sender ids are normalised like every other number; `wire_number` turns one back
  into LiveVox's unsigned digits ("13345094836") for the send body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from inbox_app.core.models import (
    Agent,
    Attachment,
    Channel,
    Direction,
    Message,
    SenderId,
    Template,
    TermCode,
    Thread,
    ThreadStatus,
)
from inbox_app.core.phone import normalize_number
from inbox_app.core.timeparse import parse_timestamp
from inbox_app.providers import fields
from inbox_app.providers.fields import first_text, flag, mapping, mappings, text

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_THREAD_ID_KEYS = ("threadId", "interactionId")
_MESSAGE_ID_KEYS = ("id", "transactionId", "txnId")
_TIME_KEYS = ("date", "interactionTimestamp", "startTime")
_MO = re.compile(r"\bMO\b")
_MT = re.compile(r"\bMT\b")


def rows(payload: object, *keys: str) -> list[dict[str, Any]] | None:
    """The list of objects a list endpoint returned: a bare list, a list under one of
    `keys`, or nothing (an empty body). None means a shape no document shows."""
    if payload is None:
        return []
    if isinstance(payload, list):
        return mappings(payload)
    if isinstance(payload, dict):
        for key in keys:
            if key in payload:
                return mappings(payload[key]) if payload[key] is not None else []
    return None


def channel_key(personal: bool, channel_id: str) -> str:
    return f"{'personal' if personal else 'group'}:SMS:{channel_id}"


def parse_channels(items: Iterable[dict[str, Any]]) -> list[Channel]:
    channels: list[Channel] = []
    for row in items:
        if first_text(row, "channel", "channelType").upper() != "SMS":
            continue
        channel_id = first_text(row, "channelId")
        if not channel_id:
            continue
        personal = bool(flag(row.get("personal")))
        default_name = "Personal SMS" if personal else f"Group SMS {channel_id}"
        channels.append(
            Channel(
                key=channel_key(personal, channel_id),
                name=first_text(row, "channelName") or default_name,
                kind="SMS",
                personal=personal,
                unread=fields.integer(row.get("unreadCount")) or 0,
                total=fields.integer(row.get("totalCount")) or 0,
                vendor_id=channel_id,
            )
        )
    return channels


def parse_thread(row: dict[str, Any], channel: Channel) -> Thread | None:
    """One thread-list row; None for a row without a thread id (nothing can act on it)."""
    thread_id = first_text(row, *_THREAD_ID_KEYS)
    if not thread_id:
        return None
    contact = mapping(row.get("contactInfo"))

    def pick(*keys: str) -> Any:
        for key in keys:
            for source in (row, contact):
                value = source.get(key)
                if value not in (None, ""):
                    return value
        return None

    direction = fields.direction(row.get("direction"))
    if direction is None and flag(pick("smsInbound")):
        direction = Direction.IN
    sender = normalize_number(first_text(row, "from"))
    recipient = normalize_number(first_text(row, "to"))
    customer, ours = (sender, recipient) if direction is Direction.IN else (recipient, sender)

    phones = mappings(contact.get("phoneDetails")) + mappings(row.get("phoneDetails"))
    matching = [
        p for p in phones if customer and normalize_number(text(p.get("number"))) == customer
    ]
    relevant = matching or phones
    if not customer and relevant:
        customer = normalize_number(text(relevant[0].get("number")))
    do_not_contact = (
        any(flag(p.get("dnc")) for p in relevant)
        or bool(flag(pick("doNotDial")))
        or bool(flag(pick("doNotDialDaily")))
    )
    opted_out = flag(pick("smsOptInStatus")) is False

    name = " ".join(part for part in (text(pick("firstName")), text(pick("lastName"))) if part)
    last_at = next(
        (t for t in (parse_timestamp(pick(key)) for key in _TIME_KEYS) if t is not None), None
    )
    read = flag(row.get("read"))
    status_text = first_text(row, "status")
    unread = (not read) if read is not None else status_text.upper() == "UNREAD"
    account = text(pick("account", "interactionAccount", "originalAccountNumber"))
    personal = channel.personal
    service_id = first_text(row, "serviceId") or ("" if personal else channel.vendor_id)

    return Thread(
        key=thread_id,
        channel_key=channel.key,
        customer_number=customer,
        customer_name=name,
        our_number=ours,
        unread=unread,
        status=ThreadStatus.ACTIVE,
        last_message_at=last_at,
        preview=first_text(row, "message", "subject", "details"),
        fingerprint=fields.fingerprint(
            last_at.isoformat() if last_at else "",
            direction.value if direction else text(row.get("direction")),
            sender,
            recipient,
            flag(row.get("replied")),
            status_text.lower(),
            fields.texts(row.get("attachmentIds")),
            text(pick("txnId")),
            text(pick("fileSize")),
        ),
        customer_account=account,
        do_not_contact=do_not_contact,
        opted_out=opted_out,
        assigned_agent=channel.vendor_id if personal else "",
        vendor_ref={
            "threadId": thread_id,
            "serviceId": service_id,
            "channelId": channel.vendor_id,
            "account": account,
            "personal": "true" if personal else "false",
        },
    )


def page_times(items: Iterable[dict[str, Any]]) -> list[datetime]:
    """The dated rows' times on a history page, to decide when `since` is reached."""
    return [t for t in (parse_timestamp(row.get("date")) for row in items) if t is not None]


def parse_history(
    newest_first: Iterable[dict[str, Any]], thread_key: str, default_at: datetime | None
) -> list[Message]:
    """Transaction-history rows (newest first, possibly overlapping between pages)
    as oldest-first messages, one per transaction id."""
    seen: set[str] = set()
    unique: list[dict[str, Any]] = []
    for row in newest_first:
        message_id = first_text(row, *_MESSAGE_ID_KEYS)
        if message_id and message_id not in seen:
            seen.add(message_id)
            unique.append(row)
    unique.reverse()
    times = fields.fill_times(
        [parse_timestamp(row.get("date")) for row in unique], default_at or EPOCH
    )
    messages = [_message(row, thread_key, at) for row, at in zip(unique, times, strict=True)]
    messages.sort(key=lambda m: m.at)
    return messages


def _message(row: dict[str, Any], thread_key: str, at: datetime) -> Message:
    status = first_text(row, "status")
    direction = fields.direction(row.get("direction"))
    if direction is None:
        direction = Direction.OUT if _MT.search(status) and not _MO.search(status) else Direction.IN
    body = row.get("message")
    return Message(
        id=first_text(row, *_MESSAGE_ID_KEYS),
        thread_key=first_text(row, "threadId") or thread_key,
        direction=direction,
        body=body if isinstance(body, str) else text(body),
        at=at,
        status=status,
        our_number=normalize_number(first_text(row, "smsCode")),
        customer_number=normalize_number(first_text(row, "phone")),
        attachments=tuple(
            Attachment(id=attachment_id, name="", content_type="", size=None)
            for attachment_id in fields.texts(row.get("attachmentIds"))
        ),
    )


def parse_templates(items: Iterable[dict[str, Any]]) -> list[Template]:
    return [
        Template(
            id=first_text(row, "id"),
            name=first_text(row, "description", "message"),
            body=text(row.get("message")),
            sender=normalize_number(first_text(row, "smsCode")),
        )
        for row in items
        if first_text(row, "id")
    ]


def parse_sender_ids(items: Iterable[dict[str, Any]]) -> list[SenderId]:
    return [
        SenderId(
            code=normalize_number(first_text(row, "code")),
            description=first_text(row, "description"),
        )
        for row in items
        if first_text(row, "code")
    ]


def parse_term_codes(payload: object) -> list[TermCode]:
    """Term codes from any of the shapes seen: categories holding codes, a flat
    `termCodes` list, or a bare list (of codes or of categories)."""
    found: list[TermCode] = []

    def walk(items: list[dict[str, Any]], category: str) -> None:
        for item in items:
            if "termCodes" in item:
                walk(
                    mappings(item["termCodes"]),
                    first_text(item, "name", "categoryName", "description"),
                )
                continue
            code_id = first_text(item, "id", "termCodeId", "code")
            if code_id:
                name = first_text(item, "name", "description", "label") or code_id
                found.append(TermCode(id=code_id, name=name, category=category))

    if isinstance(payload, dict):
        walk(mappings(payload.get("termCodeCategories")) + mappings(payload.get("termCodes")), "")
    else:
        walk(mappings(payload), "")
    return found


def parse_agents(items: Iterable[dict[str, Any]]) -> list[Agent]:
    return [
        Agent(
            id=first_text(row, "agentId", "id"),
            login=first_text(row, "loginId", "login"),
            name=first_text(row, "name"),
            status=first_text(row, "status"),
        )
        for row in items
        if first_text(row, "agentId", "id")
    ]


def wire_number(number: str) -> str:
    """LiveVox's spelling of a number: digits without '+' ("14154164061")."""
    return number[1:] if number.startswith("+") and number[1:].isdigit() else number
