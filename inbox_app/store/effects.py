"""The optimistic local effects of user intents, and their exact undo.

An intent (see `outbox`) changes the cache at once, so the window shows an action before
the vendor has seen it. Each effect is planned as a `Change`: the thread columns it sets,
with their values before and after, the channel count deltas, and for a send the local
message and the draft it replaced. That record is also the outbox row's `undo`:

- `apply_effect` writes `after`, shifts the counts, inserts the local message;
- `undo_effect` writes `before` back only while the thread still holds `after` (a sync
  that changed the thread since knows better than our memory of it), reverses the counts
  with it, removes the local message and gives the agent their text back as a draft.

While an intent is under way, a sync rewriting its thread from the vendor's list would
undo the effect early; `reapply_open` re-asserts it after such a rewrite.

A send's local message has vendor id `local:<outbox id>` and status `pending`. Once the
vendor accepts it, `settle_sent` gives that row the vendor's id and status, so the next
sync updates the same row instead of adding a second bubble (and if a sync already
brought the vendor's own row, the local one is dropped).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from inbox_app.core.models import ThreadStatus
from inbox_app.store import outbox
from inbox_app.store.codec import dump_json, now_ms, opt_to_ms
from inbox_app.store.errors import OutboxStateError, StoreError
from inbox_app.store.outbox import JSONDict, OutboxItem
from inbox_app.store.queries import ThreadRow

LOCAL_PREFIX = "local:"
PENDING_STATUS = "pending"
SENT_STATUS = "sent"
"""A local message's status once the vendor took it without naming a status."""
_PREVIEW_CHARS = 200
_THREAD_FIELDS = frozenset(
    {
        "unread",
        "status",
        "channel_key",
        "assigned_agent",
        "vendor_ref",
        "preview",
        "last_message_at",
    }
)
"""The thread columns an effect may set: every column name in the SQL below comes from
here, never from the stored JSON as such."""


class IntentKind(StrEnum):
    SEND = "send"
    SET_READ = "set_read"
    MOVE = "move_to_inbox"
    TRANSFER = "transfer"
    RESOLVE = "resolve"
    SCHEDULE = "schedule"


class IntentRefused(StoreError):
    """An action the app will not queue; `str()` is a sentence to show the agent."""


def local_id(item_id: int) -> str:
    """The vendor id of the optimistic message of outbox item `item_id`."""
    return f"{LOCAL_PREFIX}{item_id}"


def _preview(body: str) -> str:
    """A thread-list preview of a message, as sync writes them."""
    return " ".join(body.split())[:_PREVIEW_CHARS]


@dataclass(frozen=True, slots=True)
class LocalMessage:
    body: str
    at: int
    """Epoch milliseconds."""
    our_number: str
    customer_number: str


@dataclass(frozen=True, slots=True)
class Change:
    """One intent's optimistic effect as exact values; `before` and `after` name the same
    thread columns (as stored: ints, JSON text). `counts` holds (channel key, unread
    delta, total delta); `draft` is the draft a send replaced."""

    before: dict[str, Any]
    after: dict[str, Any]
    counts: tuple[tuple[str, int, int], ...] = ()
    message: LocalMessage | None = None
    draft: str | None = None

    def __post_init__(self) -> None:
        if set(self.before) != set(self.after) or not set(self.after) <= _THREAD_FIELDS:
            raise ValueError(f"not a thread change: {sorted(self.before)} -> {sorted(self.after)}")

    def to_json(self) -> JSONDict:
        return {
            "before": self.before,
            "after": self.after,
            "counts": [list(c) for c in self.counts],
            "message": None if self.message is None else asdict(self.message),
            "draft": self.draft,
        }

    @classmethod
    def from_json(cls, data: JSONDict) -> Change:
        message = data.get("message")
        return cls(
            before=dict(data["before"]),
            after=dict(data["after"]),
            counts=tuple((str(k), int(u), int(t)) for k, u, t in data.get("counts", ())),
            message=None if message is None else LocalMessage(**message),
            draft=data.get("draft"),
        )


# --- planning: pure functions of the stored thread --------------------------------------


def plan_send(thread: ThreadRow, body: str, sender: str, draft: str | None, at_ms: int) -> Change:
    """A local outbound message at `at_ms`, the thread's preview and time moved to it
    (never back in time), and the draft cleared."""
    before_at = opt_to_ms(thread.last_message_at)
    return Change(
        before={"last_message_at": before_at, "preview": thread.preview},
        after={
            "last_message_at": at_ms if before_at is None else max(before_at, at_ms),
            "preview": _preview(body),
        },
        message=LocalMessage(body, at_ms, sender or thread.our_number, thread.customer_number),
        draft=draft,
    )


def plan_read(thread: ThreadRow, read: bool) -> Change:
    delta = int(not read) - int(thread.unread)
    return Change(
        before={"unread": int(thread.unread)},
        after={"unread": int(not read)},
        counts=((thread.channel_key, delta, 0),) if delta else (),
    )


def plan_move(
    thread: ThreadRow, channel_key: str, vendor_ref: dict[str, str], assigned_agent: str
) -> Change:
    """The thread changes inbox: its unread flag and its place in the totals go along."""
    unread = int(thread.unread)
    return Change(
        before={
            "channel_key": thread.channel_key,
            "vendor_ref": dump_json(thread.vendor_ref),
            "assigned_agent": thread.assigned_agent,
        },
        after={
            "channel_key": channel_key,
            "vendor_ref": dump_json(vendor_ref),
            "assigned_agent": assigned_agent,
        },
        counts=((thread.channel_key, -unread, -1), (channel_key, unread, 1)),
    )


def plan_leave(thread: ThreadRow, status: ThreadStatus) -> Change:
    """The thread leaves the inbox (`closed` for a transfer, `resolved` for a resolve)."""
    return Change(
        before={"status": str(thread.status)},
        after={"status": str(status)},
        counts=((thread.channel_key, -int(thread.unread), -1),),
    )


# --- applying and undoing ---------------------------------------------------------------


def apply_effect(
    conn: sqlite3.Connection, item_id: int, account: str, thread_key: str, change: Change
) -> None:
    """Write the effect of outbox item `item_id`, in the transaction that queued it."""
    _set_thread(conn, account, thread_key, change.after, expect=None)
    _shift_counts(conn, account, change.counts, 1)
    message = change.message
    if message is None:
        return
    conn.execute(
        "INSERT INTO messages (account, vendor_id, thread_id, direction, body, at, status,"
        " status_detail, our_number, customer_number, attachments, body_stored)"
        " SELECT ?, ?, id, 'out', ?, ?, ?, '', ?, ?, '[]', 1 FROM threads"
        " WHERE account = ? AND key = ?",
        (
            account,
            local_id(item_id),
            message.body,
            message.at,
            PENDING_STATUS,
            message.our_number,
            message.customer_number,
            account,
            thread_key,
        ),
    )
    conn.execute("DELETE FROM drafts WHERE account = ? AND thread_key = ?", (account, thread_key))


def undo_effect(conn: sqlite3.Connection, item: OutboxItem) -> set[str]:
    """Roll back the optimistic effect of a failed item; returns the channel keys whose
    counts moved back. A send's text returns as the thread's draft (the draft it
    replaced, if any) unless the agent has started a new one."""
    if item.undo is None:
        return set()
    change = Change.from_json(item.undo)
    channels: set[str] = set()
    if _set_thread(conn, item.account, item.thread_key, change.before, expect=change.after):
        channels = _shift_counts(conn, item.account, change.counts, -1)
    if change.message is not None:
        conn.execute(
            "DELETE FROM messages WHERE account = ? AND vendor_id = ?",
            (item.account, local_id(item.id)),
        )
        conn.execute(
            "INSERT INTO drafts (account, thread_key, body, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (account, thread_key) DO NOTHING",
            (item.account, item.thread_key, change.draft or change.message.body, now_ms()),
        )
    return channels


def _set_thread(
    conn: sqlite3.Connection,
    account: str,
    thread_key: str,
    values: dict[str, Any],
    *,
    expect: dict[str, Any] | None,
) -> bool:
    """Set thread columns (only while they hold `expect`, if given); True if written.
    Column names come from a `Change`, which admits only `_THREAD_FIELDS`."""
    columns = sorted(values)
    sql = (
        f"UPDATE threads SET {', '.join(f'{c} = ?' for c in columns)}, updated_at = ?"
        " WHERE account = ? AND key = ?"
    )
    params: list[Any] = [values[c] for c in columns] + [now_ms(), account, thread_key]
    if expect is not None:
        sql += "".join(f" AND {c} IS ?" for c in columns)
        params += [expect[c] for c in columns]
    return conn.execute(sql, params).rowcount > 0


def _shift_counts(
    conn: sqlite3.Connection, account: str, counts: tuple[tuple[str, int, int], ...], sign: int
) -> set[str]:
    """Move channel counts by the deltas (never below zero: every sync resets them to
    the vendor's own figures anyway); returns the keys of channels that exist."""
    touched: set[str] = set()
    for key, unread, total in counts:
        cur = conn.execute(
            "UPDATE channels SET unread = max(0, unread + ?), total = max(0, total + ?)"
            " WHERE account = ? AND key = ?",
            (sign * unread, sign * total, account, key),
        )
        if cur.rowcount:
            touched.add(key)
    return touched


# --- carrying out: what the drain records -----------------------------------------------


def settle_sent(
    conn: sqlite3.Connection,
    account: str,
    thread_key: str,
    item_id: int,
    message_id: str,
    status: str,
    at: datetime | None,
) -> None:
    """The vendor took the send of `item_id` as `message_id`: the local message becomes
    that message (or goes, if a sync already stored the vendor's row), and the thread's
    messages are marked stale so the next sync fetches the vendor's view of them."""
    taken = conn.execute(
        "SELECT 1 FROM messages WHERE account = ? AND vendor_id = ?", (account, message_id)
    ).fetchone()
    if taken:
        conn.execute(
            "DELETE FROM messages WHERE account = ? AND vendor_id = ?",
            (account, local_id(item_id)),
        )
    else:
        conn.execute(
            "UPDATE messages SET vendor_id = ?, status = ?, at = coalesce(?, at)"
            " WHERE account = ? AND vendor_id = ?",
            (message_id, status or SENT_STATUS, opt_to_ms(at), account, local_id(item_id)),
        )
    conn.execute(
        "UPDATE threads SET messages_fingerprint = NULL WHERE account = ? AND key = ?",
        (account, thread_key),
    )


def reapply_open(conn: sqlite3.Connection, account: str, thread_keys: Collection[str]) -> set[str]:
    """Re-assert the thread effects of intents still under way on threads a sync has just
    rewritten from the vendor's list (which cannot know them yet), so a thread the agent
    resolved does not reappear while its resolve waits out a 429. Sends are left out:
    their local message stays anyway, and the thread's time and preview must follow
    newer messages. Counts are not touched: the vendor's own figures just replaced them.
    Returns the keys of threads written."""
    rows = conn.execute(
        "SELECT thread_key, undo FROM outbox WHERE account = ? AND kind != ?"
        " AND state IN ('queued', 'in_flight', 'needs_attention') AND undo IS NOT NULL"
        " AND thread_key IN (SELECT value FROM json_each(?)) ORDER BY id",
        (account, str(IntentKind.SEND), json.dumps(list(thread_keys))),
    ).fetchall()
    for thread_key, undo in rows:
        _set_thread(
            conn, account, thread_key, Change.from_json(json.loads(undo)).after, expect=None
        )
    return {thread_key for thread_key, _ in rows}


def in_flight(conn: sqlite3.Connection, account: str) -> list[OutboxItem]:
    """The account's items left in flight: by a crash, or by a send whose outcome could
    not be checked yet. Their outcome is unknown."""
    ids = conn.execute(
        "SELECT id FROM outbox WHERE account = ? AND state = 'in_flight' ORDER BY id", (account,)
    ).fetchall()
    return [item for (item_id,) in ids if (item := outbox.get(conn, item_id)) is not None]


def note_problem(conn: sqlite3.Connection, item_id: int, reason: str) -> OutboxItem:
    """Record why an open item is still waiting (shown by the UI) without changing its
    state; `updated_at` moves too, so an unanswered send is checked only after the
    vendor's history has had time to catch up."""
    conn.execute(
        "UPDATE outbox SET last_error = ?, updated_at = ? WHERE id = ?",
        (reason, now_ms(), item_id),
    )
    item = outbox.get(conn, item_id)
    if item is None:
        raise OutboxStateError(f"no outbox item {item_id}")
    return item


def message_claimed(conn: sqlite3.Connection, account: str, message_id: str, item_id: int) -> bool:
    """Whether another finished send of the account already owns vendor message
    `message_id`: then it cannot be the proof that `item_id` went out too."""
    row = conn.execute(
        "SELECT 1 FROM outbox WHERE account = ? AND id != ? AND state = 'done' AND kind = ?"
        " AND json_extract(result, '$.message_id') = ? LIMIT 1",
        (account, item_id, str(IntentKind.SEND), message_id),
    ).fetchone()
    return row is not None
