"""Reads for supervisor review: every cached thread of every account and vendor, narrowed
by a `ReviewFilter`, as paged thread rows, counts, per-day volumes and the messages an
export writes.

A filter has two halves. Thread terms (accounts, inbox, agent, status, customer number,
one thread) pick threads. Message terms (direction, date range) pick messages, and a
thread is in the set only if it has at least one such message. Search text picks threads
with a message (within the message terms) or a contact that matches. The messages of the
set are the message-term matches of its threads: a search exports whole transcripts,
not just the matching lines.

Every clause names only the filters in use, so the planner keeps to the indexes; the
message terms are probed per thread through `messages_by_thread` (thread_id, at, id).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from inbox_app.core.models import Attachment, Direction, ProviderKind, ThreadStatus
from inbox_app.store.codec import from_ms, load_attachments, to_ms
from inbox_app.store.search import contacts_query, fts_query
from inbox_app.store.views import ThreadKey, ThreadSummary, newest_summaries

_NON_DIGITS = re.compile(r"[^0-9]+")
EXPORT_BATCH = 500
"""Messages per batch handed to an export writer (and per progress report)."""
_THREAD_PAGE = 200


@dataclass(frozen=True, slots=True)
class ReviewFilter:
    """Which conversations a review shows. Empty fields filter nothing. `since` is
    inclusive and `until` exclusive; `customer` matches any run of the number's digits;
    `agent` is an assigned agent's id, or the name or login the cache knows for it."""

    accounts: tuple[str, ...] = ()
    inboxes: tuple[tuple[str, str], ...] = ()
    """(account, channel key) pairs."""
    agent: str = ""
    direction: Direction | None = None
    statuses: tuple[ThreadStatus, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    customer: str = ""
    text: str = ""
    thread_key: str = ""

    @property
    def has_message_terms(self) -> bool:
        return self.direction is not None or self.since is not None or self.until is not None


@dataclass(frozen=True, slots=True)
class DayVolume:
    day: date
    """A local calendar day."""
    inbound: int
    outbound: int


@dataclass(frozen=True, slots=True)
class ReviewTotals:
    threads: int
    messages: int
    days: tuple[DayVolume, ...]


@dataclass(frozen=True, slots=True)
class TranscriptRow:
    """One exported message with the thread facts a transcript reader needs."""

    account: str
    vendor: ProviderKind
    inbox: str
    thread: str
    customer_number: str
    customer_name: str
    message_id: str
    direction: Direction
    at: datetime
    status: str
    body: str
    attachments: tuple[Attachment, ...]


@dataclass(frozen=True, slots=True)
class AgentOption:
    account: str
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class InboxOption:
    account: str
    key: str
    name: str


# --- the WHERE clause -------------------------------------------------------------------


def _message_terms(f: ReviewFilter) -> tuple[list[str], list[Any]]:
    terms: list[str] = []
    params: list[Any] = []
    if f.direction is not None:
        terms.append("m.direction = ?")
        params.append(str(f.direction))
    if f.since is not None:
        terms.append("m.at >= ?")
        params.append(to_ms(f.since))
    if f.until is not None:
        terms.append("m.at < ?")
        params.append(to_ms(f.until))
    return terms, params


def _thread_terms(f: ReviewFilter, *, require_message: bool) -> tuple[list[str], list[Any]]:
    """Terms on `threads AS t`; `require_message` adds the "has a message in the window"
    probe (not needed where the query joins the messages itself)."""
    terms: list[str] = []
    params: list[Any] = []
    if f.accounts:
        terms.append(f"t.account IN ({', '.join('?' for _ in f.accounts)})")
        params.extend(f.accounts)
    if f.inboxes:
        terms.append(
            f"(t.account, t.channel_key) IN (VALUES {', '.join('(?, ?)' for _ in f.inboxes)})"
        )
        params.extend(part for pair in f.inboxes for part in pair)
    if f.thread_key:
        terms.append("t.key = ?")
        params.append(f.thread_key)
    if f.agent:
        terms.append(
            "(t.assigned_agent = ? OR t.assigned_agent IN (SELECT g.id FROM agents AS g"
            " WHERE g.account = t.account AND (g.name = ? OR g.login = ?)))"
        )
        params.extend([f.agent] * 3)
    if f.statuses:
        terms.append(f"t.status IN ({', '.join('?' for _ in f.statuses)})")
        params.extend(str(s) for s in f.statuses)
    digits = _NON_DIGITS.sub("", f.customer)
    if f.customer.strip():
        # Digits only, so LIKE's wildcards cannot come from the user; no digits at all
        # matches nothing rather than everything.
        terms.append("instr(t.customer_number, ?) > 0" if digits else "0")
        if digits:
            params.append(digits)
    message_terms, message_params = _message_terms(f)
    if require_message and message_terms:
        terms.append(
            "EXISTS (SELECT 1 FROM messages AS m WHERE m.thread_id = t.id AND "
            + " AND ".join(message_terms)
            + ")"
        )
        params.extend(message_params)
    query = fts_query(f.text)
    contacts = contacts_query(f.text)
    if query is not None and contacts is not None:
        terms.append(
            "(t.id IN (SELECT m.thread_id FROM messages_fts JOIN messages AS m"
            " ON m.id = messages_fts.rowid WHERE messages_fts MATCH ?"
            + "".join(f" AND {term}" for term in message_terms)
            + ") OR t.id IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?))"
        )
        params.extend([query, *message_params, contacts])
    return terms, params


def _where(terms: list[str]) -> str:
    return " WHERE " + " AND ".join(terms) if terms else ""


# --- threads ----------------------------------------------------------------------------


def _after(key: ThreadKey) -> tuple[str, list[Any]]:
    """Rows after `key` in newest-first order (threads without messages last)."""
    at, row_id = key
    if at is None:
        return "(t.last_message_at IS NULL AND t.id < ?)", [row_id]
    return "((t.last_message_at, t.id) < (?, ?) OR t.last_message_at IS NULL)", [at, row_id]


def _down_to(key: ThreadKey) -> tuple[str, list[Any]]:
    at, row_id = key
    if at is None:
        return "(t.last_message_at IS NOT NULL OR t.id >= ?)", [row_id]
    return "(t.last_message_at, t.id) >= (?, ?)", [at, row_id]


def thread_page(
    conn: sqlite3.Connection,
    f: ReviewFilter,
    *,
    older_than: ThreadKey | None = None,
    down_to: ThreadKey | None = None,
    limit: int,
) -> list[ThreadSummary]:
    """Matching threads newest first, at most `limit`, paged by key as in
    `views.thread_summaries` (whose rows these are, so the thread list shows them as is)."""
    terms, params = _thread_terms(f, require_message=True)
    for bound, make in ((older_than, _after), (down_to, _down_to)):
        if bound is not None:
            term, values = make(bound)
            terms.append(term)
            params.extend(values)
    return newest_summaries(conn, terms, params, limit)


# --- counts and volumes -----------------------------------------------------------------


def _messages_from(f: ReviewFilter) -> tuple[str, list[Any]]:
    """FROM/WHERE over the messages of the set (`m`, with its thread `t`)."""
    terms, params = _thread_terms(f, require_message=False)
    message_terms, message_params = _message_terms(f)
    return (
        " FROM threads AS t JOIN messages AS m ON m.thread_id = t.id"
        + _where(terms + message_terms),
        params + message_params,
    )


def count_threads(conn: sqlite3.Connection, f: ReviewFilter) -> int:
    terms, params = _thread_terms(f, require_message=True)
    count: int = conn.execute(
        "SELECT count(*) FROM threads AS t" + _where(terms), params
    ).fetchone()[0]
    return count


def count_messages(conn: sqlite3.Connection, f: ReviewFilter) -> int:
    sql, params = _messages_from(f)
    count: int = conn.execute("SELECT count(*)" + sql, params).fetchone()[0]
    return count


def daily_volume(conn: sqlite3.Connection, f: ReviewFilter) -> list[DayVolume]:
    """Inbound and outbound messages of the set per local calendar day, oldest first;
    days without messages are left out."""
    sql, params = _messages_from(f)
    cur = conn.execute(
        "SELECT date(m.at / 1000, 'unixepoch', 'localtime') AS day,"
        " sum(m.direction = 'in'), sum(m.direction = 'out')" + sql + " GROUP BY day ORDER BY day",
        params,
    )
    return [DayVolume(date.fromisoformat(r[0]), r[1], r[2]) for r in cur.fetchall()]


def totals(conn: sqlite3.Connection, f: ReviewFilter) -> ReviewTotals:
    """What the review window shows beside the list: counts and the volume chart's data."""
    days = daily_volume(conn, f)
    return ReviewTotals(
        threads=count_threads(conn, f),
        messages=sum(d.inbound + d.outbound for d in days),
        days=tuple(days),
    )


# --- export -----------------------------------------------------------------------------


def transcript_batches(
    conn: sqlite3.Connection, f: ReviewFilter, batch_size: int = EXPORT_BATCH
) -> Iterator[list[TranscriptRow]]:
    """The set's messages, thread by thread in list order (newest thread first), each
    thread oldest message first, in batches of about `batch_size`. Reads threads a page at
    a time and each thread's messages through its index, so memory stays bounded and the
    connection holds no cursor open between batches."""
    inboxes = {(i.account, i.key): i.name for i in list_inboxes(conn)}
    message_terms, message_params = _message_terms(f)
    message_sql = (
        "SELECT m.vendor_id, m.direction, m.at, m.status, m.body, m.attachments"
        " FROM messages AS m WHERE "
        + " AND ".join(["m.thread_id = ?", *message_terms])
        + " ORDER BY m.at, m.id"
    )
    batch: list[TranscriptRow] = []
    last: ThreadKey | None = None
    while True:
        page = thread_page(conn, f, older_than=last, limit=_THREAD_PAGE)
        for t in page:
            inbox = inboxes.get((t.account, t.channel_key), t.channel_key)
            for r in conn.execute(message_sql, [t.id, *message_params]).fetchall():
                batch.append(
                    TranscriptRow(
                        account=t.account,
                        vendor=t.provider,
                        inbox=inbox,
                        thread=t.key,
                        customer_number=t.customer_number,
                        customer_name=t.customer_name,
                        message_id=r[0],
                        direction=Direction(r[1]),
                        at=from_ms(r[2]),
                        status=r[3],
                        body=r[4],
                        attachments=load_attachments(r[5]),
                    )
                )
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if len(page) < _THREAD_PAGE:
            break
        last = page[-1].sort_key
    if batch:
        yield batch


# --- what the filters can choose from ---------------------------------------------------


def list_inboxes(conn: sqlite3.Connection, limit: int = 10_000) -> list[InboxOption]:
    """Every inbox a thread is in, named as the vendor names it (the key where a channel
    has left the vendor's list)."""
    cur = conn.execute(
        "SELECT t.account, t.channel_key, coalesce(c.name, t.channel_key) FROM"
        " (SELECT DISTINCT account, channel_key FROM threads) AS t"
        " LEFT JOIN channels AS c ON c.account = t.account AND c.key = t.channel_key"
        " ORDER BY t.account, coalesce(c.position, 1 << 30), t.channel_key LIMIT ?",
        (limit,),
    )
    return [InboxOption(r[0], r[1], r[2]) for r in cur.fetchall()]


def list_agents(conn: sqlite3.Connection, limit: int = 10_000) -> list[AgentOption]:
    """Every agent a thread is assigned to, with the name the cache knows (else the id)."""
    cur = conn.execute(
        "SELECT t.account, t.assigned_agent, coalesce(nullif(g.name, ''), t.assigned_agent) FROM"
        " (SELECT DISTINCT account, assigned_agent FROM threads WHERE assigned_agent != '') AS t"
        " LEFT JOIN agents AS g ON g.account = t.account AND g.id = t.assigned_agent"
        " ORDER BY 3, 1 LIMIT ?",
        (limit,),
    )
    return [AgentOption(r[0], r[1], r[2]) for r in cur.fetchall()]


def resolve_inboxes(conn: sqlite3.Connection, text: str) -> tuple[tuple[str, str], ...]:
    """Inboxes whose key or name is `text` (case-insensitive), for the command line."""
    wanted = text.strip().casefold()
    return tuple(
        (i.account, i.key)
        for i in list_inboxes(conn)
        if wanted in (i.key.casefold(), i.name.casefold())
    )
