"""Pure Zoom Contact Center row -> core type translation (the SMS engagement list).

Readings where the document is silent or contradicts itself:

- A row is one completed engagement and becomes one thread keyed by `engagement_id`
  (a row without one is skipped: nothing stable to key it by).
- Its channel is its first listed queue ("queue:<queue_id>"): the queue the engagement
  entered by; later queues of a transfer are named in the preview. No queue at all
  is channel "queue:" ("No queue").
- Counts (`total_*`) are "<long>" in the example: numbers or numeric strings.
- Times: ISO 8601 (`Z` or an offset); `last_message_at` is `end_time`, else
  `start_time`. `direction` is inbound/outbound in any casing.
- `consumer_display_name` that merely repeats a phone number is dropped.
- Status is `active` while Zoom lists the engagement (within the horizon): "active"
  is the app's word for "in an inbox we can see", and the window counts and shows
  active threads by default; `resolved` would hide every engagement and zero the
  queue counts. That the engagement itself is over is what the preview says. One that
  falls out of the horizon leaves the listing and so becomes `closed`, like any thread
  that left an inbox. Nothing is unread (Zoom keeps no read state for this history).
- `assigned_agent` holds the agents' display names (user ids when unnamed), comma
  separated; `vendor_ref` keeps the ids, times and counts as the vendor gave them.
- The preview is the summary a supervisor scans: direction, counts, files, agents,
  queue trail and duration, since rows carry no message text.
- Fingerprint: id, end time, counts, agents and queues.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from inbox_app.core.models import Direction, Message, Thread, ThreadStatus
from inbox_app.core.phone import normalize_number
from inbox_app.core.timeparse import parse_timestamp
from inbox_app.providers import fields
from inbox_app.providers.fields import first_text, integer, mappings, text, texts
from inbox_app.providers.zoho_parse import looks_like_number

QUEUE_PREFIX = "queue:"
NO_QUEUE_NAME = "No queue"


@dataclass(frozen=True, slots=True)
class QueueRef:
    queue_id: str
    name: str

    @property
    def channel_key(self) -> str:
        return QUEUE_PREFIX + self.queue_id


@dataclass(frozen=True, slots=True)
class Engagement:
    """One list row, read: the thread it shows as and the queue it is filed under."""

    thread: Thread
    queue: QueueRef
    started: datetime | None


def no_messages(rows: Sequence[Any], thread_key: str, default_at: datetime | None) -> list[Message]:
    """An engagement's history: its rows carry no message text, so none is invented."""
    return []


def queues_of(row: dict[str, Any]) -> list[QueueRef]:
    found = []
    for item in mappings(row.get("queues")):
        queue_id = first_text(item, "queue_id", "id")
        name = first_text(item, "queue_name", "name")
        if queue_id or name:
            found.append(QueueRef(queue_id or name, name or queue_id))
    return found


def _agents(row: dict[str, Any]) -> list[tuple[str, str]]:
    """(user id, display name) of each agent, in the vendor's order."""
    found = []
    for item in mappings(row.get("agents")):
        user_id = first_text(item, "user_id", "id")
        name = first_text(item, "display_name", "name")
        if user_id or name:
            found.append((user_id, name or user_id))
    return found


def _count(row: dict[str, Any], key: str) -> int:
    return max(0, integer(row.get(key)) or 0)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def summary(
    direction: Direction | None,
    counts: dict[str, int],
    agents: list[str],
    queues: list[QueueRef],
    started: datetime | None,
    ended: datetime | None,
) -> str:
    """ "Inbound · 4 received, 2 sent · 1 file · Priya Nair · Billing → Sales · 12 min"."""
    label = {Direction.IN: "Inbound", Direction.OUT: "Outbound"}
    parts = [label[direction] if direction else "SMS"]
    parts.append(f"{counts['received']} received, {counts['sent']} sent")
    files = counts["received_files"] + counts["sent_files"]
    if files:
        parts.append(_plural(files, "file"))
    parts.append(", ".join(agents) if agents else "no agent")
    if queues:
        parts.append(" → ".join(q.name for q in queues))
    if started and ended and ended >= started:
        minutes = round((ended - started).total_seconds() / 60)
        parts.append(f"{minutes} min" if minutes else "under a minute")
    return " · ".join(parts)


def parse_engagement(row: dict[str, Any]) -> Engagement | None:
    engagement_id = first_text(row, "engagement_id", "engagementId", "id")
    if not engagement_id:
        return None
    customer = normalize_number(first_text(row, "consumer_number"))
    name = first_text(row, "consumer_display_name")
    started = parse_timestamp(row.get("start_time"))
    ended = parse_timestamp(row.get("end_time"))
    direction = fields.direction(row.get("direction"))
    queues = queues_of(row)
    agents = _agents(row)
    counts = {
        "sent": _count(row, "total_sent_messages"),
        "received": _count(row, "total_received_messages"),
        "sent_files": _count(row, "total_sent_files"),
        "received_files": _count(row, "total_received_files"),
    }
    agent_names = [n for _, n in agents]
    queue = queues[0] if queues else QueueRef("", NO_QUEUE_NAME)
    thread = Thread(
        key=engagement_id,
        channel_key=queue.channel_key,
        customer_number=customer,
        customer_name="" if looks_like_number(name) else name,
        our_number=normalize_number(first_text(row, "contact_center_number")),
        unread=False,
        status=ThreadStatus.ACTIVE,
        last_message_at=ended or started,
        preview=summary(direction, counts, agent_names, queues, started, ended),
        fingerprint=fields.fingerprint(
            engagement_id,
            ended.isoformat() if ended else "",
            sorted(counts.items()),
            agents,
            [q.queue_id for q in queues],
        ),
        assigned_agent=", ".join(agent_names),
        vendor_ref={
            "engagement_id": engagement_id,
            "direction": direction.value if direction else text(row.get("direction")),
            "start_time": started.isoformat() if started else "",
            "end_time": ended.isoformat() if ended else "",
            "queue_ids": ",".join(q.queue_id for q in queues),
            "queue_names": " → ".join(q.name for q in queues),
            "agent_ids": ",".join(a for a, _ in agents if a),
            "country_name": first_text(row, "country_name"),
            "sms_types": ",".join(texts(row.get("sms_types"))),
            **{f"total_{key}": str(value) for key, value in counts.items()},
        },
    )
    return Engagement(thread, queue, started)
