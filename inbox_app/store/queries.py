"""Reads for the UI and CLI, on a reader connection (`db.open_reader`). Each is one short,
indexed query; every list is bounded (LIMIT/OFFSET), so the UI can page and never holds
a whole table. Rows come back as core types with aware UTC datetimes."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Generator, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from inbox_app.core.models import (
    Agent,
    Direction,
    Message,
    ProviderKind,
    SenderId,
    Template,
    TermCode,
    Thread,
    ThreadStatus,
)
from inbox_app.core.timeparse import iso_utc
from inbox_app.store.codec import from_ms, load_attachments, opt_from_ms

Statuses = Collection[ThreadStatus | str]


@dataclass(frozen=True, slots=True)
class AccountRow:
    name: str
    provider: ProviderKind


@dataclass(frozen=True, slots=True)
class ChannelRow:
    account: str
    key: str
    name: str
    kind: str
    personal: bool
    unread: int
    total: int
    vendor_id: str
    position: int


@dataclass(frozen=True, slots=True)
class ThreadRow:
    """A stored thread: the db `id` (stable for the UI's model rows), its account and
    provider, every Thread field, and the fingerprint its messages were fetched for."""

    id: int
    account: str
    provider: ProviderKind
    key: str
    channel_key: str
    customer_number: str
    customer_name: str
    our_number: str
    unread: bool
    status: ThreadStatus
    last_message_at: datetime | None
    preview: str
    fingerprint: str
    customer_account: str
    do_not_contact: bool
    opted_out: bool
    assigned_agent: str
    vendor_ref: dict[str, str]
    messages_fingerprint: str | None
    updated_at: datetime

    def to_thread(self) -> Thread:
        return Thread(
            key=self.key,
            channel_key=self.channel_key,
            customer_number=self.customer_number,
            customer_name=self.customer_name,
            our_number=self.our_number,
            unread=self.unread,
            status=self.status,
            last_message_at=self.last_message_at,
            preview=self.preview,
            fingerprint=self.fingerprint,
            customer_account=self.customer_account,
            do_not_contact=self.do_not_contact,
            opted_out=self.opted_out,
            assigned_agent=self.assigned_agent,
            vendor_ref=self.vendor_ref,
        )


@dataclass(frozen=True, slots=True)
class SyncState:
    account: str
    scope: str
    cursor: str | None
    last_ok_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None


def _rows(conn: sqlite3.Connection, sql: str, params: Any = ()) -> list[sqlite3.Row]:
    """Named-column rows whatever the connection's row_factory is."""
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    return cur.execute(sql, params).fetchall()


def _stream(conn: sqlite3.Connection, sql: str, params: Any = ()) -> Iterator[dict[str, Any]]:
    """Rows as dicts, fetched lazily, for the exports, which must not hold 200k rows in
    memory: sqlite-utils' query() does exactly that. Imported here, not at the top: its
    imports (numpy among them) would cost the window's cold start about a second."""
    import sqlite_utils

    return sqlite_utils.Database(conn).query(sql, params)


# --- accounts and channels --------------------------------------------------------------


def list_accounts(conn: sqlite3.Connection, limit: int = 100) -> list[AccountRow]:
    return [
        AccountRow(r["name"], ProviderKind(r["provider"]))
        for r in _rows(conn, "SELECT name, provider FROM accounts ORDER BY name LIMIT ?", (limit,))
    ]


def list_channels(
    conn: sqlite3.Connection, account: str | None = None, limit: int = 1000
) -> list[ChannelRow]:
    """Channels in the vendor's order, accounts by name."""
    return [
        ChannelRow(
            account=r["account"],
            key=r["key"],
            name=r["name"],
            kind=r["kind"],
            personal=bool(r["personal"]),
            unread=r["unread"],
            total=r["total"],
            vendor_id=r["vendor_id"],
            position=r["position"],
        )
        for r in _rows(
            conn,
            "SELECT * FROM channels WHERE ?1 IS NULL OR account = ?1"
            " ORDER BY account, position LIMIT ?2",
            (account, limit),
        )
    ]


# --- threads ----------------------------------------------------------------------------

_THREAD_SELECT = (
    "SELECT t.id, t.account, a.provider, t.key, t.channel_key, t.customer_number,"
    " t.customer_name, t.our_number, t.unread, t.status, t.last_message_at, t.preview,"
    " t.fingerprint, t.customer_account, t.do_not_contact, t.opted_out, t.assigned_agent,"
    " t.vendor_ref, t.messages_fingerprint, t.updated_at"
    " FROM threads AS t JOIN accounts AS a ON a.name = t.account"
)


def _thread_filter(
    account: str | None, channel_key: str | None, unread_only: bool, statuses: Statuses
) -> tuple[str, list[Any]]:
    """WHERE clause naming only the filters in use, so the planner can pick the matching
    index (an `?1 IS NULL OR account = ?1` form would defeat every index)."""
    terms: list[str] = []
    params: list[Any] = []
    if account is not None:
        terms.append("t.account = ?")
        params.append(account)
    if channel_key is not None:
        terms.append("t.channel_key = ?")
        params.append(channel_key)
    wanted = [str(s) for s in statuses]
    terms.append(f"t.status IN ({', '.join('?' for _ in wanted)})" if wanted else "0")
    params.extend(wanted)
    if unread_only:
        terms.append("t.unread")
    return " WHERE " + " AND ".join(terms), params


def _thread_row(r: sqlite3.Row) -> ThreadRow:
    return ThreadRow(
        id=r["id"],
        account=r["account"],
        provider=ProviderKind(r["provider"]),
        key=r["key"],
        channel_key=r["channel_key"],
        customer_number=r["customer_number"],
        customer_name=r["customer_name"],
        our_number=r["our_number"],
        unread=bool(r["unread"]),
        status=ThreadStatus(r["status"]),
        last_message_at=opt_from_ms(r["last_message_at"]),
        preview=r["preview"],
        fingerprint=r["fingerprint"],
        customer_account=r["customer_account"],
        do_not_contact=bool(r["do_not_contact"]),
        opted_out=bool(r["opted_out"]),
        assigned_agent=r["assigned_agent"],
        vendor_ref=json.loads(r["vendor_ref"]),
        messages_fingerprint=r["messages_fingerprint"],
        updated_at=from_ms(r["updated_at"]),
    )


def count_threads(
    conn: sqlite3.Connection,
    account: str | None = None,
    channel_key: str | None = None,
    *,
    unread_only: bool = False,
    statuses: Statuses = (ThreadStatus.ACTIVE,),
) -> int:
    """What `list_threads` would page through with the same filters, from the counts
    kept in `thread_counts` (no walk over the threads, however many)."""
    where, params = _thread_filter(account, channel_key, False, statuses)
    column = "t.unread" if unread_only else "t.total"
    count: int = conn.execute(
        f"SELECT coalesce(sum({column}), 0) FROM thread_counts AS t" + where, params
    ).fetchone()[0]
    return count


def list_threads(
    conn: sqlite3.Connection,
    account: str | None = None,
    channel_key: str | None = None,
    *,
    unread_only: bool = False,
    statuses: Statuses = (ThreadStatus.ACTIVE,),
    limit: int = 200,
    offset: int = 0,
) -> list[ThreadRow]:
    """Newest first (threads without messages last, then by id for a stable order)."""
    where, params = _thread_filter(account, channel_key, unread_only, statuses)
    return [
        _thread_row(r)
        for r in _rows(
            conn,
            _THREAD_SELECT + where + " ORDER BY t.last_message_at DESC, t.id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
    ]


def get_thread(conn: sqlite3.Connection, account: str, key: str) -> ThreadRow | None:
    rows = _rows(conn, _THREAD_SELECT + " WHERE t.account = ? AND t.key = ?", (account, key))
    return _thread_row(rows[0]) if rows else None


def threads_needing_messages(
    conn: sqlite3.Connection, account: str, limit: int = 1000
) -> list[Thread]:
    """Threads whose messages were never fetched or were fetched for an older fingerprint,
    newest first so recent conversations fill in first. Page by calling again after
    `mark_messages_synced`."""
    return [
        _thread_row(r).to_thread()
        for r in _rows(
            conn,
            _THREAD_SELECT + " WHERE t.account = ? AND t.messages_fingerprint IS NOT t.fingerprint"
            " ORDER BY t.last_message_at DESC, t.id DESC LIMIT ?",
            (account, limit),
        )
    ]


def keys_needing_messages(conn: sqlite3.Connection, account: str, keys: list[str]) -> set[str]:
    """Which of these threads need their messages fetched (as `threads_needing_messages`
    decides): asked of each thread-list page as it is stored."""
    return {
        key
        for (key,) in conn.execute(
            "SELECT key FROM threads WHERE account = ? AND messages_fingerprint IS NOT"
            " fingerprint AND key IN (SELECT value FROM json_each(?))",
            (account, json.dumps(keys)),
        )
    }


# --- messages ---------------------------------------------------------------------------


def _message(r: sqlite3.Row, thread_key: str) -> Message:
    return Message(
        id=r["vendor_id"],
        thread_key=thread_key,
        direction=Direction(r["direction"]),
        body=r["body"],
        at=from_ms(r["at"]),
        status=r["status"],
        status_detail=r["status_detail"],
        our_number=r["our_number"],
        customer_number=r["customer_number"],
        attachments=load_attachments(r["attachments"]),
        body_stored=bool(r["body_stored"]),
    )


def list_messages(
    conn: sqlite3.Connection, account: str, thread_key: str, limit: int | None = None
) -> list[Message]:
    """Oldest first; with `limit`, the newest `limit` messages (what a chat pane shows)."""
    rows = _rows(
        conn,
        "SELECT m.* FROM messages AS m JOIN threads AS t ON t.id = m.thread_id"
        " WHERE t.account = ? AND t.key = ? ORDER BY m.at DESC, m.id DESC LIMIT ?",
        (account, thread_key, -1 if limit is None else limit),
    )
    return [_message(r, thread_key) for r in reversed(rows)]


# --- reference data, sync state, drafts -------------------------------------------------


def list_agents(conn: sqlite3.Connection, account: str, limit: int = 1000) -> list[Agent]:
    return [
        Agent(id=r["id"], login=r["login"], name=r["name"], status=r["status"])
        for r in _rows(
            conn,
            "SELECT * FROM agents WHERE account = ? ORDER BY name, id LIMIT ?",
            (account, limit),
        )
    ]


def list_templates(conn: sqlite3.Connection, account: str, limit: int = 1000) -> list[Template]:
    return [
        Template(id=r["id"], name=r["name"], body=r["body"], sender=r["sender"])
        for r in _rows(
            conn,
            "SELECT * FROM templates WHERE account = ? ORDER BY name, id LIMIT ?",
            (account, limit),
        )
    ]


def list_sender_ids(conn: sqlite3.Connection, account: str, limit: int = 1000) -> list[SenderId]:
    return [
        SenderId(code=r["code"], description=r["description"])
        for r in _rows(
            conn,
            "SELECT * FROM sender_ids WHERE account = ? ORDER BY code LIMIT ?",
            (account, limit),
        )
    ]


def list_term_codes(
    conn: sqlite3.Connection, account: str, scope: str, limit: int = 1000
) -> list[TermCode]:
    return [
        TermCode(id=r["id"], name=r["name"], category=r["category"])
        for r in _rows(
            conn,
            "SELECT * FROM term_codes WHERE account = ? AND scope = ?"
            " ORDER BY category, name, id LIMIT ?",
            (account, scope, limit),
        )
    ]


def sync_states(
    conn: sqlite3.Connection, account: str | None = None, limit: int = 1000
) -> list[SyncState]:
    return [
        SyncState(
            account=r["account"],
            scope=r["scope"],
            cursor=r["cursor"],
            last_ok_at=opt_from_ms(r["last_ok_at"]),
            last_error=r["last_error"],
            last_error_at=opt_from_ms(r["last_error_at"]),
        )
        for r in _rows(
            conn,
            "SELECT * FROM sync_state WHERE ?1 IS NULL OR account = ?1"
            " ORDER BY account, scope LIMIT ?2",
            (account, limit),
        )
    ]


def get_draft(conn: sqlite3.Connection, account: str, thread_key: str) -> str | None:
    row = conn.execute(
        "SELECT body FROM drafts WHERE account = ? AND thread_key = ?", (account, thread_key)
    ).fetchone()
    return None if row is None else str(row[0])


# --- export -----------------------------------------------------------------------------


def export_threads(
    conn: sqlite3.Connection, account: str | None = None
) -> Generator[dict[str, Any], None, None]:
    """Every thread as a JSON-ready dict, streamed (the CLI's export, not for the UI)."""
    for r in _stream(
        conn,
        _THREAD_SELECT + " WHERE ?1 IS NULL OR t.account = ?1 ORDER BY t.account, t.id",
        (account,),
    ):
        last = r["last_message_at"]
        yield {
            "id": r["key"],
            "account": r["account"],
            "provider": r["provider"],
            "channel": r["channel_key"],
            "customer_number": r["customer_number"],
            "customer_name": r["customer_name"],
            "customer_account": r["customer_account"],
            "our_number": r["our_number"],
            "unread": bool(r["unread"]),
            "status": r["status"],
            "last_message_at": None if last is None else iso_utc(from_ms(last)),
            "preview": r["preview"],
            "assigned_agent": r["assigned_agent"],
            "do_not_contact": bool(r["do_not_contact"]),
            "opted_out": bool(r["opted_out"]),
        }


def export_messages(
    conn: sqlite3.Connection, account: str | None = None
) -> Generator[dict[str, Any], None, None]:
    """Every message as a JSON-ready dict, streamed thread by thread, oldest first."""
    for r in _stream(
        conn,
        "SELECT m.*, t.key AS thread_key FROM messages AS m"
        " JOIN threads AS t ON t.id = m.thread_id"
        " WHERE ?1 IS NULL OR m.account = ?1 ORDER BY m.thread_id, m.at, m.id",
        (account,),
    ):
        yield {
            "id": r["vendor_id"],
            "thread_id": r["thread_key"],
            "account": r["account"],
            "direction": r["direction"],
            "body": r["body"],
            "at": iso_utc(from_ms(r["at"])),
            "status": r["status"],
            "status_detail": r["status_detail"],
            "our_number": r["our_number"],
            "customer_number": r["customer_number"],
            "attachments": json.loads(r["attachments"]),
            "body_stored": bool(r["body_stored"]),
        }
