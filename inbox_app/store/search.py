"""Full-text search over message bodies and contacts (name, number, account), across all
history at once. User input never reaches FTS5 syntax: every term is a quoted phrase
(so `AND`, `NEAR`, `-`, `*`, `(` and stray quotes are just text) and only the last term
gets a prefix match, because that is the one still being typed."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
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
    """The threads of `search(conn, text, account=account, limit=limit)`'s hits, in hit
    order, each once, without building a snippet per hit (a third of the time of a
    search for a common word): all a filtered thread list needs."""
    message_query = fts_query(text)
    contact_query = contacts_query(text)
    if message_query is None or contact_query is None:
        return []
    hits: list[tuple[int, int | None]] = [
        (thread_id, at)
        for _id, at, thread_id in _newest_messages(conn, message_query, account, limit)
    ]
    where, params = _account_filter("t.account", account)
    hits += conn.execute(
        "SELECT t.id, t.last_message_at FROM contacts_fts"
        " JOIN threads AS t INDEXED BY threads_time_by_id"
        " ON t.id = contacts_fts.rowid WHERE contacts_fts MATCH :query"
        + where
        + " ORDER BY t.last_message_at DESC, t.id DESC LIMIT :limit",
        {"query": contact_query, "limit": limit, **params},
    ).fetchall()
    hits.sort(key=lambda h: (h[1] is not None, h[1]), reverse=True)
    return list(dict.fromkeys(thread_id for thread_id, _at in hits[:limit]))


def _account_filter(column: str, account: str | None) -> tuple[str, dict[str, Any]]:
    return ("", {}) if account is None else (f" AND {column} = :account", {"account": account})


_KEY_BATCH_MIN = 256


def _newest_messages(
    conn: sqlite3.Connection, query: str, account: str | None, limit: int
) -> list[tuple[int, int, int]]:
    """(id, at, thread_id) of the newest `limit` messages matching `query`, newest first.

    The time-keyed index is read backwards and stops after a batch, so a word in every
    message costs what a rare one does; each key is looked up back by its time. With an
    account given, other accounts' matches are skipped, and the batch grows until enough
    are found or the index runs out."""
    backlog_after = time_index.backlog_after(conn)
    batch = max(limit, _KEY_BATCH_MIN)
    below: int | None = None
    found: list[tuple[int, int, int]] = []
    while len(found) < limit:
        keys = [
            k
            for (k,) in conn.execute(
                "SELECT rowid FROM messages_fts_by_time WHERE messages_fts_by_time MATCH ?"
                + ("" if below is None else " AND rowid < ?")
                + " ORDER BY rowid DESC LIMIT ?",
                (query, batch) if below is None else (query, below, batch),
            )
        ]
        if not keys:
            break
        found += _messages_at_keys(conn, keys, account)
        if len(keys) < batch:
            break
        below = keys[-1]
        batch *= 4
    if backlog_after is not None:
        # The mark was read before the index: messages indexed meanwhile come twice (the set
        # drops one), never not at all.
        found = list(set(found + _newest_in_backlog(conn, query, account, limit, backlog_after)))
    found.sort(key=lambda m: (m[1], m[0]), reverse=True)
    return found[:limit]


def _newest_in_backlog(
    conn: sqlite3.Connection, query: str, account: str | None, limit: int, after: int
) -> list[tuple[int, int, int]]:
    """`_newest_messages` among the messages not yet in the time-ordered index."""
    where, params = _account_filter("m.account", account)
    return conn.execute(
        "SELECT m.id, m.at, m.thread_id FROM messages_fts JOIN messages AS m"
        " ON m.id = messages_fts.rowid WHERE messages_fts MATCH :query"
        " AND messages_fts.rowid > :after" + where + " ORDER BY m.at DESC, m.id DESC LIMIT :limit",
        {"query": query, "after": after, "limit": limit, **params},
    ).fetchall()


def _messages_at_keys(
    conn: sqlite3.Connection, keys: list[int], account: str | None
) -> list[tuple[int, int, int]]:
    where, params = _account_filter("m.account", account)
    return conn.execute(
        "SELECT m.id, m.at, m.thread_id FROM json_each(:keys) AS k"
        " JOIN messages AS m INDEXED BY messages_by_time_thread ON m.at = k.value >> :bits"
        " AND (m.id & :mask) = (k.value & :mask)"
        " WHERE 1" + where,
        {
            "keys": json.dumps(keys),
            "bits": time_index.KEY_ID_BITS,
            "mask": time_index.KEY_ID_MASK,
            **params,
        },
    ).fetchall()


def _messages(
    conn: sqlite3.Connection, query: str, account: str | None, limit: int
) -> list[SearchHit]:
    # The newest ids first, snippets only for them: in one flat query SQLite would build a
    # snippet for every match before sorting (5x slower for a common word).
    top = [
        (message_id, at)
        for message_id, at, _thread in _newest_messages(conn, query, account, limit)
    ]
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
    where, params = _account_filter("t.account", account)
    rows = conn.execute(
        "WITH top AS MATERIALIZED (SELECT t.id, t.last_message_at AS at FROM contacts_fts"
        " JOIN threads AS t INDEXED BY threads_time_by_id ON t.id = contacts_fts.rowid"
        " WHERE contacts_fts MATCH :query" + where + " ORDER BY t.last_message_at DESC, t.id DESC"
        " LIMIT :limit)"
        " SELECT t.account, t.key, t.id, t.customer_name, t.customer_number,"
        " highlight(contacts_fts, 0, :start, :end), t.customer_account, t.last_message_at"
        " FROM top JOIN contacts_fts ON contacts_fts.rowid = top.id"
        " JOIN threads AS t ON t.id = top.id"
        " WHERE contacts_fts MATCH :query ORDER BY top.at DESC, top.id DESC",
        {"query": query, "limit": limit, "start": MARK_START, "end": MARK_END, **params},
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
