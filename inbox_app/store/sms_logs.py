"""The SMS log view's reads: an account's messages across all its threads, newest first,
with the filters Zoho Voice's logs endpoint takes (direction, customer number, our
number, date range, MMS only).

They read the store, not the vendor: Zoho's conversation history *is* its logs endpoint,
which sync already mirrors into `messages` one row per log id (every log belongs to a
conversation of the chatlist, keyed by our number and the customer's, which is why the
numbers are the thread's). Answering the same filters in SQL keeps the view working
offline, instant, and true to the window's one rule (it reads only the store), without a
second copy of the logs. Unconfirmed local sends are not in the vendor's logs and are
left out. Pages are keyed by (at, id) like the transcript, so rows arriving while the
agent scrolls never repeat or skip a row."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from inbox_app.core.models import Attachment, Direction
from inbox_app.store.codec import from_ms, load_attachments, to_ms
from inbox_app.store.effects import LOCAL_PREFIX

LogKey = tuple[int, int]
"""A row's place in the newest-first list: (at in ms, db id)."""


@dataclass(frozen=True, slots=True)
class LogFilter:
    account: str
    direction: Direction | None = None
    customer_number: str = ""
    """Normalised (E.164); matched exactly, as the vendor does."""
    our_number: str = ""
    since: datetime | None = None
    """Inclusive."""
    until: datetime | None = None
    """Exclusive."""
    mms_only: bool = False


@dataclass(frozen=True, slots=True)
class LogRow:
    db_id: int
    vendor_id: str
    thread_key: str
    direction: Direction
    body: str
    at: datetime
    status: str
    status_detail: str
    our_number: str
    customer_number: str
    attachments: tuple[Attachment, ...]

    @property
    def sort_key(self) -> LogKey:
        return (to_ms(self.at), self.db_id)


def _terms(log_filter: LogFilter) -> tuple[list[str], list[Any]]:
    # With a customer, unary + keeps the planner off messages_by_account_time (a walk of
    # every message of the account when the customer has few) for messages_by_thread.
    account_term = "+m.account = ?" if log_filter.customer_number else "m.account = ?"
    terms = [account_term, "m.vendor_id NOT LIKE ?"]
    params: list[Any] = [log_filter.account, LOCAL_PREFIX + "%"]
    if log_filter.direction is not None:
        terms.append("m.direction = ?")
        params.append(str(log_filter.direction))
    if log_filter.customer_number:
        terms.append(
            "m.thread_id IN (SELECT id FROM threads WHERE account = ? AND customer_number = ?)"
        )
        params.extend((log_filter.account, log_filter.customer_number))
    if log_filter.our_number:
        terms.append("t.our_number = ?")
        params.append(log_filter.our_number)
    if log_filter.since is not None:
        terms.append("m.at >= ?")
        params.append(to_ms(log_filter.since))
    if log_filter.until is not None:
        terms.append("m.at < ?")
        params.append(to_ms(log_filter.until))
    if log_filter.mms_only:
        terms.append("m.attachments != '[]'")  # spelled as messages_with_media's WHERE
    return terms, params


def log_page(
    conn: sqlite3.Connection,
    log_filter: LogFilter,
    *,
    older_than: LogKey | None = None,
    down_to: LogKey | None = None,
    limit: int = 200,
) -> list[LogRow]:
    """Up to `limit` matching messages, newest first: strictly older than `older_than`
    (the last row shown, for the next page), or at/after `down_to` (re-reading the rows
    shown, plus newer ones)."""
    terms, params = _terms(log_filter)
    if older_than is not None:
        terms.append("(m.at, m.id) < (?, ?)")
        params.extend(older_than)
    if down_to is not None:
        terms.append("(m.at, m.id) >= (?, ?)")
        params.extend(down_to)
    rows = conn.execute(
        "SELECT m.id, m.vendor_id, t.key, m.direction, m.body, m.at, m.status,"
        " m.status_detail, t.our_number, t.customer_number, m.attachments"
        " FROM messages AS m JOIN threads AS t ON t.id = m.thread_id"
        " WHERE " + " AND ".join(terms) + " ORDER BY m.at DESC, m.id DESC LIMIT ?",
        [*params, limit],
    ).fetchall()
    return [
        LogRow(
            db_id=r[0],
            vendor_id=r[1],
            thread_key=r[2],
            direction=Direction(r[3]),
            body=r[4],
            at=from_ms(r[5]),
            status=r[6],
            status_detail=r[7],
            our_number=r[8],
            customer_number=r[9],
            attachments=load_attachments(r[10]),
        )
        for r in rows
    ]


def our_numbers(conn: sqlite3.Connection, account: str, limit: int = 500) -> list[str]:
    """The numbers of ours the account's conversations use, for the log view's filter."""
    return [
        str(r[0])
        for r in conn.execute(
            "SELECT DISTINCT our_number FROM threads WHERE account = ? AND our_number != ''"
            " ORDER BY our_number LIMIT ?",
            (account, limit),
        )
    ]
