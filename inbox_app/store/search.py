"""Full-text search over message bodies and contacts (name, number, account), across all
history at once. User input never reaches FTS5 syntax: every term is a quoted phrase
(so `AND`, `NEAR`, `-`, `*`, `(` and stray quotes are just text) and only the last term
gets a prefix match, because that is the one still being typed."""

from __future__ import annotations

import heapq
import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import chain, groupby, islice
from typing import Any

from inbox_app.store import time_index
from inbox_app.store.codec import opt_from_ms

MARK_START = "\x02"
"""Opens a matched span in `SearchHit.snippet` (a control character, so plain-text
rendering can style it without parsing markup out of untrusted text)."""
MARK_END = "\x03"
ELLIPSIS = "…"

_SNIPPET_TOKENS = 12
_PHONE_LIKE = re.compile(r"[0-9\s().+-]+")
_NON_DIGITS = re.compile(r"[^0-9]+")
_MIN_PHONE_DIGITS = 3


class HitKind(StrEnum):
    MESSAGE = "message"
    CONTACT = "contact"


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A message or a thread's contact that matched. `thread_id` is the db id the thread list
    uses; `message_id` is the vendor id (None for contact hits); `at` is the message time or
    the thread's last message time."""

    kind: HitKind
    account: str
    thread_key: str
    thread_id: int
    message_id: str | None
    customer_name: str
    customer_number: str
    snippet: str
    at: datetime | None


MAX_TERMS = 16
"""Terms of a search that count; words past these narrow a match too little to matter."""


MIN_PREFIX = 2
"""Letters or digits the last term needs to match as a prefix; a single one is matched as
a whole word: "p" begins most messages, so ranking its matches took a quarter second
(with "p" alone still finding a word "p", and "pl" everything that begins with it)."""


def fts_query(text: str) -> str | None:
    """The FTS5 MATCH expression for free text typed by a user, or None if there is nothing
    to search. Each whitespace-separated term becomes a double-quoted phrase with inner
    quotes doubled, the last one a prefix (see `MIN_PREFIX`); NUL is dropped (FTS5 reads
    the query as a C string). Terms without any token characters become empty phrases,
    which FTS5 ignores. Repeated terms are dropped and at most `MAX_TERMS` kept: each
    phrase multiplies the work of `snippet()`, and a pasted page of text would otherwise
    hold the search for minutes."""
    terms = list(dict.fromkeys(text.replace("\x00", " ").split()))[:MAX_TERMS]
    if not terms:
        return None
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    if sum(ch.isalnum() for ch in terms[-1]) >= MIN_PREFIX:
        quoted[-1] += "*"
    return " ".join(quoted)


def contacts_query(text: str) -> str | None:
    """A typed phone number in any punctuation ("(415) 555-0123", "+1 415 555 0123") is also
    searched as one digit run against the number's digit suffixes, not only as separate terms."""
    terms = fts_query(text)
    if terms is not None and _PHONE_LIKE.fullmatch(text):
        digits = _NON_DIGITS.sub("", text)
        if len(digits) >= _MIN_PHONE_DIGITS:
            return f'number_digits : "{digits}"* OR ({terms})'
    return terms


def search(
    conn: sqlite3.Connection, text: str, *, account: str | None = None, limit: int = 50
) -> list[SearchHit]:
    """Messages and contacts matching `text`, newest first, at most `limit`. Never raises
    for any user input."""
    message_query = fts_query(text)
    contact_query = contacts_query(text)
    if message_query is None or contact_query is None:
        return []
    hits = _messages(conn, message_query, account, limit) + _contacts(
        conn, contact_query, account, limit
    )
    hits.sort(key=lambda h: (h.at is not None, h.at), reverse=True)
    return hits[:limit]


def matching_thread_ids(
    conn: sqlite3.Connection, text: str, *, account: str | None = None, limit: int = 50
) -> list[int]:
    """The `limit` threads with the newest matches of `text` in their messages or contact,
    newest first by the second of that match (a contact counts at the thread's last
    message), each once. Reads no message row while every thread id fits the time-ordered
    index's keys: all a filtered thread list needs."""
    message_query = fts_query(text)
    contact_query = contacts_query(text)
    if message_query is None or contact_query is None:
        return []
    hits: list[tuple[int | None, int]] = [
        (time_index.key_seconds(key), thread_id)
        for thread_id, key in _newest_threads(conn, message_query, account, limit)
    ]
    hits += [
        (None if at is None else time_index.seconds_of(at), thread_id)
        for thread_id, at in _contact_threads(conn, contact_query, account, limit)
    ]
    hits.sort(key=lambda h: (h[0] is not None, h[0]), reverse=True)
    return list(dict.fromkeys(thread_id for _at, thread_id in hits))[:limit]


def _account_filter(column: str, account: str | None) -> tuple[str, dict[str, Any]]:
    return ("", {}) if account is None else (f" AND {column} = :account", {"account": account})


_MANY_CONTACTS = 2_000
"""Matching contacts past which walking the threads newest first beats sorting the
matches. "415", in every number of 100,000 threads, took 63 ms sorted and 12 walked;
"Maria" (2,591 threads) 97 ms sorted and 35 walked with the file on disk, while 76
matches took 9 ms sorted and 54 walked."""


def _contact_threads(
    conn: sqlite3.Connection, query: str, account: str | None, limit: int
) -> list[tuple[int, int | None]]:
    """(thread id, last message time) of the newest `limit` threads whose contact matches."""
    where, params = _account_filter("t.account", account)
    (many,) = conn.execute(
        "SELECT count(*) >= :many FROM (SELECT 1 FROM contacts_fts"
        " WHERE contacts_fts MATCH :query LIMIT :many)",
        {"query": query, "many": _MANY_CONTACTS},
    ).fetchone()
    if many:
        index = "threads_by_time" if account is None else "threads_by_account_time"
        sql = (
            f"SELECT t.id, t.last_message_at FROM threads AS t INDEXED BY {index}"
            " WHERE t.id IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH :query)"
        )
    else:
        sql = (
            "SELECT t.id, t.last_message_at FROM contacts_fts"
            " JOIN threads AS t INDEXED BY threads_scope_by_id ON t.id = contacts_fts.rowid"
            " WHERE contacts_fts MATCH :query"
        )
    rows = conn.execute(
        sql + where + " ORDER BY t.last_message_at DESC, t.id DESC LIMIT :limit",
        {"query": query, "limit": limit, **params},
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


_KEY_BATCH_MIN = 256
_KEY_BATCH_MAX = 8192
MAX_KEYS_WALKED = 100_000
"""Matches a thread search reads at most to find its threads: a word in every message of
a few very long threads would otherwise read all of them first."""


def _index_batches(conn: sqlite3.Connection, query: str) -> Iterator[list[int]]:
    """Keys of the time-ordered index matching `query`, newest first, in batches. The index
    is read backwards in growing batches, so a word in every message costs what a rare
    one does."""
    batch = _KEY_BATCH_MIN
    below: int | None = None
    while True:
        keys = [
            k
            for (k,) in conn.execute(
                "SELECT rowid FROM messages_fts_by_time WHERE messages_fts_by_time MATCH ?"
                + ("" if below is None else " AND rowid < ?")
                + " ORDER BY rowid DESC LIMIT ?",
                (query, batch) if below is None else (query, below, batch),
            )
        ]
        if keys:
            yield keys
        if len(keys) < batch:
            return
        below = keys[-1]
        batch = min(batch * 4, _KEY_BATCH_MAX)


def _matching_batches(conn: sqlite3.Connection, query: str) -> Iterator[list[int]]:
    """Keys of every message matching `query`, newest first, each once, in batches: the
    index's merged with those of its backlog (read through `messages_fts`). The mark is
    read before the index, so a message indexed meanwhile comes from both, and is given
    once."""
    after = time_index.backlog_after(conn)
    if after is None:
        yield from _index_batches(conn, query)
        return
    backlog = [
        key
        for (key,) in conn.execute(
            f"SELECT {time_index.key_sql('m.')} AS key FROM messages_fts"
            " JOIN messages AS m ON m.id = messages_fts.rowid"
            " WHERE messages_fts MATCH ? AND messages_fts.rowid > ? ORDER BY key DESC LIMIT ?",
            (query, after, MAX_KEYS_WALKED),
        )
    ]
    merged = heapq.merge(chain.from_iterable(_index_batches(conn, query)), backlog, reverse=True)
    unique = (key for key, _same in groupby(merged))
    while batch := list(islice(unique, _KEY_BATCH_MIN)):
        yield batch


def _newest_threads(
    conn: sqlite3.Connection, query: str, account: str | None, limit: int
) -> list[tuple[int, int]]:
    """(thread id, key of its newest match) of the `limit` threads with the newest matches
    of `query`, newest first."""
    newest = time_index.newest_thread_id(conn)
    fit = newest <= time_index.THREAD_MASK
    found: dict[int, int] = {}
    seen: set[int] = set()
    walked = 0
    for batch in _matching_batches(conn, query):
        if fit:
            pairs: Iterable[tuple[int, int]] = zip(
                map(time_index.thread_bits, batch), batch, strict=True
            )
        else:
            resolved = _resolve(conn, batch, query, newest)
            pairs = [(thread, key) for key, _id, _at, thread in resolved]
        fresh = {}
        for thread, key in pairs:
            if thread not in seen:
                seen.add(thread)
                fresh[thread] = key
        if account is not None:
            fresh = {t: fresh[t] for t in _threads_of_account(conn, list(fresh), account)}
        found.update(fresh)
        walked += len(batch)
        if len(found) >= limit or walked >= MAX_KEYS_WALKED:
            break
    return sorted(found.items(), key=lambda item: item[1], reverse=True)[:limit]


def _threads_of_account(conn: sqlite3.Connection, ids: list[int], account: str) -> list[int]:
    return [
        t
        for (t,) in conn.execute(
            "SELECT id FROM threads WHERE id IN (SELECT value FROM json_each(?)) AND account = ?",
            (json.dumps(ids), account),
        )
    ]


def _resolve(
    conn: sqlite3.Connection,
    keys: list[int],
    query: str,
    newest_thread: int,
    account: str | None = None,
) -> list[tuple[int, int, int, int]]:
    """(key, id, at, thread id) of the messages matching `query` behind `keys`: found by
    thread and time through `messages_by_thread`, each candidate thread up to
    `newest_thread` where thread ids outgrow the keys, and checked against `query`, since
    keys can collide."""
    step = time_index.THREAD_MASK + 1
    probes = [
        [key, thread, *time_index.at_range(key), key & time_index.ID_MASK]
        for key in keys
        for thread in range(time_index.thread_bits(key), newest_thread + 1, step)
    ]
    where, params = _account_filter("m.account", account)
    rows = conn.execute(
        "SELECT p.value ->> 0, m.id, m.at, m.thread_id FROM json_each(:probes) AS p"
        " JOIN messages AS m INDEXED BY messages_by_thread ON m.thread_id = p.value ->> 1"
        " AND m.at BETWEEN p.value ->> 2 AND p.value ->> 3 AND (m.id & :mask) = p.value ->> 4"
        " WHERE EXISTS (SELECT 1 FROM messages_fts WHERE messages_fts MATCH :query"
        " AND messages_fts.rowid = m.id)" + where,
        {"probes": json.dumps(probes), "mask": time_index.ID_MASK, "query": query, **params},
    ).fetchall()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def _newest_messages(
    conn: sqlite3.Connection, query: str, account: str | None, limit: int
) -> list[tuple[int, int]]:
    """(id, at) of the newest `limit` messages matching `query`, newest first by time and
    id. Keys order messages by the second only, so the whole of the last second read is
    resolved before the cut."""
    keys = chain.from_iterable(_matching_batches(conn, query))
    newest = time_index.newest_thread_id(conn)
    found: list[tuple[int, int]] = []
    while len(found) < limit:
        chunk = list(islice(keys, max(limit, _KEY_BATCH_MIN)))
        if not chunk:
            break
        found += [(r[1], r[2]) for r in _resolve(conn, chunk, query, newest, account)]
        if len(found) >= limit:
            last = time_index.key_seconds(chunk[-1])
            rest = []
            for key in keys:
                if time_index.key_seconds(key) != last:
                    break
                rest.append(key)
            found += [(r[1], r[2]) for r in _resolve(conn, rest, query, newest, account)]
    found.sort(key=lambda m: (m[1], m[0]), reverse=True)
    return found[:limit]


def _messages(
    conn: sqlite3.Connection, query: str, account: str | None, limit: int
) -> list[SearchHit]:
    # The newest ids first, snippets only for them: in one flat query SQLite would build a
    # snippet for every match before sorting (5x slower for a common word).
    top = _newest_messages(conn, query, account, limit)
    rows = conn.execute(
        "WITH top (id, at) AS MATERIALIZED (SELECT value ->> 0, value ->> 1 FROM json_each(:top))"
        " SELECT m.account, t.key, t.id, m.vendor_id, t.customer_name, t.customer_number,"
        " snippet(messages_fts, 0, :start, :end, :ellipsis, :tokens), m.at"
        " FROM top JOIN messages_fts ON messages_fts.rowid = top.id"
        " JOIN messages AS m ON m.id = top.id JOIN threads AS t ON t.id = m.thread_id"
        " WHERE messages_fts MATCH :query ORDER BY top.at DESC, top.id DESC",
        {
            "query": query,
            "top": json.dumps(top),
            "start": MARK_START,
            "end": MARK_END,
            "ellipsis": ELLIPSIS,
            "tokens": _SNIPPET_TOKENS,
        },
    ).fetchall()
    return [
        SearchHit(HitKind.MESSAGE, r[0], r[1], r[2], r[3], r[4], r[5], r[6], opt_from_ms(r[7]))
        for r in rows
    ]


def _contacts(
    conn: sqlite3.Connection, query: str, account: str | None, limit: int
) -> list[SearchHit]:
    top = _contact_threads(conn, query, account, limit)
    rows = conn.execute(
        "WITH top (id, at) AS MATERIALIZED (SELECT value ->> 0, value ->> 1 FROM json_each(:top))"
        " SELECT t.account, t.key, t.id, t.customer_name, t.customer_number,"
        " highlight(contacts_fts, 0, :start, :end), t.customer_account, t.last_message_at"
        " FROM top JOIN contacts_fts ON contacts_fts.rowid = top.id"
        " JOIN threads AS t ON t.id = top.id"
        " WHERE contacts_fts MATCH :query ORDER BY top.at DESC, top.id DESC",
        {"query": query, "top": json.dumps(top), "start": MARK_START, "end": MARK_END},
    ).fetchall()
    return [
        SearchHit(
            HitKind.CONTACT,
            r[0],
            r[1],
            r[2],
            None,
            r[3],
            r[4],
            " · ".join(part for part in (r[5], r[4], r[6]) if part),
            opt_from_ms(r[7]),
        )
        for r in rows
    ]
