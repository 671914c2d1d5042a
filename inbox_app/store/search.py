"""Full-text search over message bodies and contacts (name, number, account), across all
history at once. User input never reaches FTS5 syntax: every term is a quoted phrase
(so `AND`, `NEAR`, `-`, `*`, `(` and stray quotes are just text) and only the last term
gets a prefix match, because that is the one still being typed."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

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


def fts_query(text: str) -> str | None:
    """The FTS5 MATCH expression for free text typed by a user, or None if there is nothing
    to search. Each whitespace-separated term becomes a double-quoted phrase with inner
    quotes doubled; NUL is dropped (FTS5 reads the query as a C string). Terms without any
    token characters become empty phrases, which FTS5 ignores. Repeated terms are dropped
    and at most `MAX_TERMS` kept: each phrase multiplies the work of `snippet()`, and a
    pasted page of text would otherwise hold the search for minutes."""
    terms = list(dict.fromkeys(text.replace("\x00", " ").split()))[:MAX_TERMS]
    if not terms:
        return None
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
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
    where, params = _account_filter("m.account", account)
    hits: list[tuple[int, int | None]] = conn.execute(
        "SELECT m.thread_id, m.at FROM messages_fts JOIN messages AS m"
        " ON m.id = messages_fts.rowid WHERE messages_fts MATCH :query"
        + where
        + " ORDER BY m.at DESC, m.id DESC LIMIT :limit",
        {"query": message_query, "limit": limit, **params},
    ).fetchall()
    where, params = _account_filter("t.account", account)
    hits += conn.execute(
        "SELECT t.id, t.last_message_at FROM contacts_fts JOIN threads AS t"
        " ON t.id = contacts_fts.rowid WHERE contacts_fts MATCH :query"
        + where
        + " ORDER BY t.last_message_at DESC, t.id DESC LIMIT :limit",
        {"query": contact_query, "limit": limit, **params},
    ).fetchall()
    hits.sort(key=lambda h: (h[1] is not None, h[1]), reverse=True)
    return list(dict.fromkeys(thread_id for thread_id, _at in hits[:limit]))


def _account_filter(column: str, account: str | None) -> tuple[str, dict[str, Any]]:
    return ("", {}) if account is None else (f" AND {column} = :account", {"account": account})


def _messages(
    conn: sqlite3.Connection, query: str, account: str | None, limit: int
) -> list[SearchHit]:
    # The newest ids first, snippets only for them: in one flat query SQLite would build a
    # snippet for every match before sorting (5x slower for a common word).
    where, params = _account_filter("m.account", account)
    rows = conn.execute(
        "WITH top AS MATERIALIZED (SELECT m.id, m.at FROM messages_fts"
        " JOIN messages AS m ON m.id = messages_fts.rowid"
        " WHERE messages_fts MATCH :query" + where + " ORDER BY m.at DESC, m.id DESC LIMIT :limit)"
        " SELECT m.account, t.key, t.id, m.vendor_id, t.customer_name, t.customer_number,"
        " snippet(messages_fts, 0, :start, :end, :ellipsis, :tokens), m.at"
        " FROM top JOIN messages_fts ON messages_fts.rowid = top.id"
        " JOIN messages AS m ON m.id = top.id JOIN threads AS t ON t.id = m.thread_id"
        " WHERE messages_fts MATCH :query ORDER BY top.at DESC, top.id DESC",
        {
            "query": query,
            "limit": limit,
            "start": MARK_START,
            "end": MARK_END,
            "ellipsis": ELLIPSIS,
            "tokens": _SNIPPET_TOKENS,
            **params,
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
        " JOIN threads AS t ON t.id = contacts_fts.rowid"
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
