"""Reads shaped for the window's item models, beside the general ones in `queries`.

Lists page by key (the sort key of the last row shown), not by OFFSET: the writer keeps
inserting while the user scrolls, and an offset would then repeat or skip rows at every
page boundary. Every read is bounded by a LIMIT or by a small, bounded set of ids.
Thread counts come from the threads themselves, because the vendors' own channel counts
lag behind the lists and the sidebar must agree with the thread list it opens.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from inbox_app.core.models import Attachment, Direction, ProviderKind, ThreadStatus
from inbox_app.store.codec import from_ms, load_attachments, opt_from_ms
from inbox_app.store.effects import LOCAL_PREFIX
from inbox_app.store.outbox import OutboxState
from inbox_app.store.search import matching_thread_ids

ThreadKey = tuple[int | None, int]
"""A thread's place in a newest-first list: (last_message_at in ms or None, db id)."""
MessageKey = tuple[int, int]
"""A message's place in a transcript: (at in ms, db id)."""
ThreadRef = tuple[str, str]
"""(account, thread key)."""

SEARCH_THREADS = 1000
"""How many threads, those with the newest matches, a searched thread list is drawn from."""
_OPEN_STATES = "('queued', 'in_flight', 'needs_attention')"
"""Spelled exactly as the `outbox_open` partial index, so the planner can use it."""


@dataclass(frozen=True, slots=True)
class ThreadScope:
    """Which threads a list shows; `ids` (search hits) further restricts it when set."""

    account: str | None = None
    channel_key: str | None = None
    unread_only: bool = False
    statuses: tuple[str, ...] = (ThreadStatus.ACTIVE,)
    ids: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class ThreadSummary:
    """What a thread-list row shows, and its `sort_key` for paging."""

    id: int
    account: str
    provider: ProviderKind
    key: str
    channel_key: str
    customer_number: str
    customer_name: str
    unread: bool
    status: ThreadStatus
    last_message_at: datetime | None
    preview: str
    do_not_contact: bool
    opted_out: bool
    sort_key: ThreadKey


@dataclass(frozen=True, slots=True)
class ChannelCount:
    account: str
    channel_key: str
    total: int
    unread: int


@dataclass(frozen=True, slots=True)
class Pending:
    """An outbox item as the window shows it next to a thread or an unconfirmed message."""

    id: int
    kind: str
    state: OutboxState
    last_error: str | None


@dataclass(frozen=True, slots=True)
class MessageRow:
    """A transcript row: `db_id` orders and pages it, `vendor_id` is the core Message.id."""

    db_id: int
    vendor_id: str
    direction: Direction
    body: str
    at: datetime
    status: str
    status_detail: str
    attachments: tuple[Attachment, ...]
    sort_key: MessageKey


# --- threads ----------------------------------------------------------------------------

_SUMMARY_SELECT = (
    "SELECT t.id, t.account, a.provider, t.key, t.channel_key, t.customer_number,"
    " t.customer_name, t.unread, t.status, t.last_message_at, t.preview, t.do_not_contact,"
    " t.opted_out FROM threads AS t JOIN accounts AS a ON a.name = t.account"
)


def _scope_terms(scope: ThreadScope) -> tuple[list[str], list[Any]]:
    """Only the filters in use, so the planner can pick the matching index."""
    terms: list[str] = []
    params: list[Any] = []
    if scope.account is not None:
        terms.append("t.account = ?")
        params.append(scope.account)
    if scope.channel_key is not None:
        terms.append("t.channel_key = ?")
        params.append(scope.channel_key)
    if scope.statuses:
        terms.append(f"t.status IN ({', '.join('?' for _ in scope.statuses)})")
        params.extend(str(s) for s in scope.statuses)
    else:
        terms.append("0")
    if scope.unread_only:
        terms.append("t.unread")
    if scope.ids is not None:
        terms.append("t.id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(scope.ids))
    return terms, params


def _down_to(key: ThreadKey) -> tuple[str, list[Any]]:
    """Rows at or before `key` in newest-first order."""
    at, row_id = key
    if at is None:
        return "(t.last_message_at IS NOT NULL OR t.id >= ?)", [row_id]
    return "(t.last_message_at, t.id) >= (?, ?)", [at, row_id]


def thread_summaries(
    conn: sqlite3.Connection,
    scope: ThreadScope,
    *,
    older_than: ThreadKey | None = None,
    down_to: ThreadKey | None = None,
    limit: int,
) -> list[ThreadSummary]:
    """Newest first, at most `limit`: a next page with `older_than` (the last row shown),
    or the rows already shown, re-read, with `down_to` (that same last row).

    A next page is read as two plain ranges, the older timed threads and then threads
    without messages (which sort last), rather than one OR: the OR hides the bound from
    the planner, which would then walk the index from the newest row to the page, and
    scrolling a 100,000-thread list to its end would cost quadratic time."""
    terms, params = _scope_terms(scope)
    if down_to is not None:
        term, values = _down_to(down_to)
        terms.append(term)
        params.extend(values)
    read = partial(newest_summaries, conn, ids_first=scope.ids is not None)
    if older_than is None:
        return read(terms, params, limit)
    at, row_id = older_than
    untimed = ["t.last_message_at IS NULL"]
    if at is None:
        return read([*terms, *untimed, "t.id < ?"], [*params, row_id], limit)
    timed = ["t.last_message_at <= ?", "(t.last_message_at, t.id) < (?, ?)"]
    rows = read([*terms, *timed], [*params, at, at, row_id], limit)
    if len(rows) < limit:
        rows += read([*terms, *untimed], params, limit - len(rows))
    return rows


def newest_summaries(
    conn: sqlite3.Connection,
    terms: list[str],
    params: list[Any],
    limit: int,
    *,
    ids_first: bool = False,
) -> list[ThreadSummary]:
    """Threads matching every SQL term (on `t`, the threads table), newest first: the
    one read behind the agent's list and the supervisor's review. `ids_first` (terms on
    the columns of `threads_scope_by_id` only) orders the threads through that index and
    then reads only the rows of the page: a searched list's up to 1,000 candidates cost
    a row read each otherwise."""
    where = " WHERE " + " AND ".join(terms) if terms else ""
    order = " ORDER BY t.last_message_at DESC, t.id DESC"
    if ids_first:
        sql = (
            "WITH page AS MATERIALIZED (SELECT t.id FROM threads AS t"
            f" INDEXED BY threads_scope_by_id{where}{order} LIMIT ?)"
            f"{_SUMMARY_SELECT} JOIN page ON t.id = page.id{order}"
        )
    else:
        sql = f"{_SUMMARY_SELECT}{where}{order} LIMIT ?"
    cur = conn.execute(sql, [*params, limit])
    return [
        ThreadSummary(
            id=r[0],
            account=sys.intern(r[1]),  # one copy per account, not per row read
            provider=ProviderKind(r[2]),
            key=r[3],
            channel_key=sys.intern(r[4]),
            customer_number=r[5],
            customer_name=r[6],
            unread=bool(r[7]),
            status=ThreadStatus(r[8]),
            last_message_at=opt_from_ms(r[9]),
            preview=r[10],
            do_not_contact=bool(r[11]),
            opted_out=bool(r[12]),
            sort_key=(r[9], r[0]),
        )
        for r in cur.fetchall()
    ]


def search_thread_ids(
    conn: sqlite3.Connection, text: str, *, account: str | None = None, limit: int = SEARCH_THREADS
) -> tuple[int, ...]:
    """The `limit` threads with the newest messages or contacts matching `text`, newest
    match first. Any user input is safe (see `search.search`)."""
    return tuple(matching_thread_ids(conn, text, account=account, limit=limit))


def channel_counts(
    conn: sqlite3.Connection,
    statuses: tuple[str, ...] = (ThreadStatus.ACTIVE,),
    limit: int = 10_000,
) -> list[ChannelCount]:
    """Threads and unread threads per (account, channel) over `statuses`: the same numbers
    `queries.count_threads` gives for one channel, for every channel in one read of the
    `thread_counts` table (schema version 7)."""
    marks = ", ".join("?" for _ in statuses)
    cur = conn.execute(
        "SELECT account, channel_key, sum(total), sum(unread) FROM thread_counts"
        f" WHERE status IN ({marks}) AND total > 0 GROUP BY account, channel_key"
        " ORDER BY account, channel_key LIMIT ?",
        [*(str(s) for s in statuses), limit],
    )
    return [ChannelCount(r[0], r[1], r[2], r[3]) for r in cur.fetchall()]


# --- outbox -----------------------------------------------------------------------------


def open_outbox_by_thread(
    conn: sqlite3.Connection, refs: Collection[ThreadRef]
) -> dict[ThreadRef, Pending]:
    """What to mark each thread with: its newest intent unless that one is done, so a
    failure (with the vendor's reason) stays visible until the agent's next action on
    the thread; an item needing attention always wins, as it holds back the rest. The
    same rule as `sync.intents.pending_actions`."""
    if not refs:
        return {}
    cur = conn.execute(
        "SELECT account, thread_key, id, kind, state, last_error FROM ("
        " SELECT *, row_number() OVER (PARTITION BY account, thread_key"
        "  ORDER BY state = 'needs_attention' DESC, id DESC) AS rank FROM outbox"
        " WHERE (account, thread_key) IN (SELECT json_extract(value, '$[0]'),"
        "  json_extract(value, '$[1]') FROM json_each(?))"
        ") WHERE rank = 1 AND state != 'done'",
        (json.dumps([list(ref) for ref in refs]),),
    )
    return {(r[0], r[1]): Pending(r[2], r[3], OutboxState(r[4]), r[5]) for r in cur.fetchall()}


def outbox_items(conn: sqlite3.Connection, ids: Collection[int]) -> dict[int, Pending]:
    """Outbox items by id, in any state (for unconfirmed local messages)."""
    if not ids:
        return {}
    cur = conn.execute(
        "SELECT id, kind, state, last_error FROM outbox"
        " WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(ids)),),
    )
    return {r[0]: Pending(r[0], r[1], OutboxState(r[2]), r[3]) for r in cur.fetchall()}


def local_outbox_id(vendor_id: str) -> int | None:
    """The outbox item behind an unconfirmed local message (`effects.local_id`), None for
    a vendor's message."""
    if not vendor_id.startswith(LOCAL_PREFIX):
        return None
    digits = vendor_id[len(LOCAL_PREFIX) :]
    return int(digits) if digits.isascii() and digits.isdigit() else None


# --- messages ---------------------------------------------------------------------------


def thread_id(conn: sqlite3.Connection, account: str, key: str) -> int | None:
    row = conn.execute(
        "SELECT id FROM threads WHERE account = ? AND key = ?", (account, key)
    ).fetchone()
    return None if row is None else int(row[0])


def message_page(
    conn: sqlite3.Connection,
    thread_db_id: int,
    *,
    older_than: MessageKey | None = None,
    down_to: MessageKey | None = None,
    limit: int,
) -> list[MessageRow]:
    """The newest `limit` messages of a thread, oldest first: strictly before `older_than`
    (the top row shown, for the page above it), or at/after `down_to` (re-reading the rows
    shown, plus newer ones). Walks the (thread_id, at, id) index backwards."""
    terms = ["thread_id = ?"]
    params: list[Any] = [thread_db_id]
    if older_than is not None:
        terms.append("(at, id) < (?, ?)")
        params.extend(older_than)
    if down_to is not None:
        terms.append("(at, id) >= (?, ?)")
        params.extend(down_to)
    cur = conn.execute(
        "SELECT id, vendor_id, direction, body, at, status, status_detail, attachments"
        " FROM messages WHERE " + " AND ".join(terms) + " ORDER BY at DESC, id DESC LIMIT ?",
        [*params, limit],
    )
    return list(_message_rows(reversed(cur.fetchall())))


def _message_rows(rows: Iterable[tuple[Any, ...]]) -> Iterable[MessageRow]:
    for r in rows:
        yield MessageRow(
            db_id=r[0],
            vendor_id=r[1],
            direction=Direction(r[2]),
            body=r[3],
            at=from_ms(r[4]),
            status=r[5],
            status_detail=r[6],
            attachments=load_attachments(r[7]),
            sort_key=(r[4], r[0]),
        )
