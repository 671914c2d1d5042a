"""Pure write functions of a connection, run through the Writer inside its transaction.

All are idempotent: applying the same input twice leaves identical rows, and the second
application reports no change and writes nothing (so `updated_at` stays put too). Each
compares against what is stored and returns what changed, which is what sync turns into
change events for the UI. Call `ensure_account` first: every table references accounts.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from inbox_app.core.models import (
    Agent,
    Channel,
    Message,
    ProviderKind,
    SenderId,
    Template,
    TermCode,
    Thread,
)
from inbox_app.store.codec import dump_attachments, dump_json, now_ms, opt_to_ms, to_ms
from inbox_app.store.errors import UnknownThreadError

_PREVIEW_CHARS = 200
_NUMBER_DIGITS = 15  # E.164 maximum; also caps the suffix list for odd long "numbers"
_NON_DIGITS = re.compile(r"[^0-9]+")

Row = tuple[Any, ...]


def ensure_account(conn: sqlite3.Connection, account: str, provider: ProviderKind) -> None:
    conn.execute(
        "INSERT INTO accounts (name, provider) VALUES (?, ?) ON CONFLICT (name) DO UPDATE"
        " SET provider = excluded.provider WHERE provider IS NOT excluded.provider",
        (account, str(provider)),
    )


def forget_account(conn: sqlite3.Connection, account: str) -> None:
    """The user removed the account: its cache goes too (every table cascades)."""
    conn.execute("DELETE FROM accounts WHERE name = ?", (account,))


# --- channels ---------------------------------------------------------------------------

_CHANNEL_COLS = ("name", "kind", "personal", "unread", "total", "vendor_id", "position")


def replace_channels(
    conn: sqlite3.Connection, account: str, channels: Sequence[Channel]
) -> set[str]:
    """Make the account's channels exactly `channels`, in that order (`position`).
    Returns keys whose row changed (counts included), appeared or vanished."""
    wanted = {
        c.key: (c.name, c.kind, int(c.personal), c.unread, c.total, c.vendor_id, position)
        for position, c in enumerate(channels)
    }
    return _sync_rows(
        conn,
        "channels",
        {"account": account},
        ("key",),
        _CHANNEL_COLS,
        {(k,): v for k, v in wanted.items()},
    )


# --- threads ----------------------------------------------------------------------------

_THREAD_COLS = (
    "channel_key",
    "customer_number",
    "customer_name",
    "our_number",
    "unread",
    "status",
    "last_message_at",
    "preview",
    "fingerprint",
    "customer_account",
    "do_not_contact",
    "opted_out",
    "assigned_agent",
    "vendor_ref",
)
_THREAD_STAGE = "temp.thread_stage"
"""Changed rows are staged, then moved in one statement, as messages are (see
`_MESSAGE_BATCH`): upserted one by one, each wrote its own contacts_fts segment, and a
page of 100 threads took a quarter of the writer's time in a cold sync."""
_THREAD_STAGE_CREATE = (
    "CREATE TEMP TABLE IF NOT EXISTS thread_stage"
    f" (account, key, {', '.join(_THREAD_COLS)}, number_digits, updated_at)"
)
_THREAD_STAGE_INSERT = (
    f"INSERT INTO {_THREAD_STAGE} VALUES ({', '.join('?' * (len(_THREAD_COLS) + 4))})"
)
_THREAD_UPSERT = (
    "INSERT INTO threads (account, key, {cols}, number_digits, updated_at)"
    " SELECT * FROM {stage} WHERE true ORDER BY rowid"
    " ON CONFLICT (account, key) DO UPDATE SET {sets},"
    " number_digits = excluded.number_digits, updated_at = excluded.updated_at"
).format(
    cols=", ".join(_THREAD_COLS),
    stage=_THREAD_STAGE,
    sets=", ".join(f"{c} = excluded.{c}" for c in _THREAD_COLS),
)


def _thread_values(t: Thread) -> Row:
    return (
        t.channel_key,
        t.customer_number,
        t.customer_name,
        t.our_number,
        int(t.unread),
        str(t.status),
        opt_to_ms(t.last_message_at),
        t.preview,
        t.fingerprint,
        t.customer_account,
        int(t.do_not_contact),
        int(t.opted_out),
        t.assigned_agent,
        dump_json(t.vendor_ref),
    )


def number_digits(number: str) -> str:
    """Every suffix of the number's digits, for contacts_fts: a prefix query on these finds
    any run of digits in the number, so "4155550123" or "0123" finds "+14155550123"."""
    digits = _NON_DIGITS.sub("", number)[-_NUMBER_DIGITS:]
    return " ".join(digits[i:] for i in range(len(digits)))


def upsert_threads(conn: sqlite3.Connection, account: str, threads: Sequence[Thread]) -> set[str]:
    """Insert or update threads; returns the keys that are new or changed in any column.
    Unchanged rows are not written, and `messages_fingerprint` is never touched here, so a
    changed `fingerprint` is what marks a thread as needing its messages fetched.
    last_message_at and preview never move back to an older message."""
    incoming = {t.key: _thread_values(t) for t in threads}
    if not incoming:
        return set()
    stored = {
        row[0]: tuple(row[1:])
        for row in conn.execute(
            f"SELECT key, {', '.join(_THREAD_COLS)} FROM threads"
            " WHERE account = ? AND key IN (SELECT value FROM json_each(?))",
            (account, json.dumps(list(incoming))),
        )
    }
    wanted = {
        key: _keep_newer_last_message(values, stored.get(key)) for key, values in incoming.items()
    }
    changed = [key for key, values in wanted.items() if stored.get(key) != values]
    if changed:
        now = now_ms()
        conn.execute(_THREAD_STAGE_CREATE)
        conn.executemany(
            _THREAD_STAGE_INSERT,
            (
                (account, key, *wanted[key], number_digits(wanted[key][_NUMBER]), now)
                for key in changed
            ),
        )
        conn.execute(_THREAD_UPSERT)
        conn.execute(f"DELETE FROM {_THREAD_STAGE}")
    return set(changed)


_NUMBER = _THREAD_COLS.index("customer_number")
_LAST_AT = _THREAD_COLS.index("last_message_at")
_PREVIEW = _THREAD_COLS.index("preview")


def _keep_newer_last_message(incoming: Row, stored: Row | None) -> Row:
    """A vendor list row can lag behind messages we already stored (their newest message
    moved preview/last_message_at forward), and LiveVox rows carry no message text at
    all: keep ours rather than step back in time or blank the preview."""
    if stored is None or stored[_LAST_AT] is None:
        return incoming
    if incoming[_LAST_AT] is not None and incoming[_LAST_AT] > stored[_LAST_AT]:
        return incoming
    if incoming[_LAST_AT] == stored[_LAST_AT] and incoming[_PREVIEW]:
        return incoming
    merged = list(incoming)
    merged[_LAST_AT], merged[_PREVIEW] = stored[_LAST_AT], stored[_PREVIEW]
    return tuple(merged)


def close_missing_threads(
    conn: sqlite3.Connection, account: str, channel_key: str, seen_keys: Collection[str]
) -> set[str]:
    """Active threads of the channel that the vendor's full list no longer shows become
    'closed' (they left our inboxes); returns their keys. Call only after a complete listing."""
    rows = conn.execute(
        "UPDATE threads SET status = 'closed', updated_at = ?"
        " WHERE account = ? AND channel_key = ? AND status = 'active'"
        " AND key NOT IN (SELECT value FROM json_each(?)) RETURNING key",
        (now_ms(), account, channel_key, json.dumps(list(seen_keys))),
    ).fetchall()
    return {row[0] for row in rows}


def mark_messages_synced(
    conn: sqlite3.Connection, account: str, thread_key: str, fingerprint: str
) -> None:
    """Record that the thread's messages were fetched for `fingerprint`."""
    cur = conn.execute(
        "UPDATE threads SET messages_fingerprint = ? WHERE account = ? AND key = ?",
        (fingerprint, account, thread_key),
    )
    if cur.rowcount == 0:
        raise UnknownThreadError(f"no thread {thread_key!r} in account {account!r}")


# --- messages ---------------------------------------------------------------------------

_MESSAGE_COLS = (
    "thread_id",
    "direction",
    "body",
    "at",
    "status",
    "status_detail",
    "our_number",
    "customer_number",
    "attachments",
    "body_stored",
)
_ROW_BODY, _ROW_AT = 2 + _MESSAGE_COLS.index("body"), 2 + _MESSAGE_COLS.index("at")
"""Positions in a staged row, which is (account, vendor_id, *_MESSAGE_COLS)."""
_MESSAGE_BATCH = 20_000
"""Rows per INSERT ... SELECT. Rows are staged in a TEMP table (plain executemany, no
triggers, no indexes) and moved in one statement: FTS5 flushes its pending index data at
every statement that fires its trigger, so per-row upserts write one tiny index segment
per message and run several times slower. They are moved in time order (vendor order
within a millisecond): the time-ordered search index is keyed by time, and FTS5 starts
a new index segment whenever a key is lower than the last (a cold sync's store: 0.44 ->
0.36 s for 17,048 messages)."""
_STAGE = "temp.message_stage"
_STAGE_CREATE = (
    "CREATE TEMP TABLE IF NOT EXISTS message_stage"
    f" (account, vendor_id, {', '.join(_MESSAGE_COLS)})"
)
_STAGE_INSERT = f"INSERT INTO {_STAGE} VALUES ({', '.join('?' * (len(_MESSAGE_COLS) + 2))})"
_MESSAGE_UPSERT = (
    "INSERT INTO messages (account, vendor_id, {cols}) SELECT * FROM {stage} WHERE true"
    " ORDER BY at, rowid"
    " ON CONFLICT (account, vendor_id) DO UPDATE SET {sets}"
    " WHERE ({old}) IS NOT ({new}) RETURNING thread_id"
).format(
    cols=", ".join(_MESSAGE_COLS),
    stage=_STAGE,
    sets=", ".join(f"{c} = excluded.{c}" for c in _MESSAGE_COLS),
    old=", ".join(f"messages.{c}" for c in _MESSAGE_COLS),
    new=", ".join(f"excluded.{c}" for c in _MESSAGE_COLS),
)


def upsert_messages(
    conn: sqlite3.Connection, account: str, thread_key: str, messages: Sequence[Message]
) -> int:
    """Insert or update one thread's messages; returns how many were new or changed.
    Also moves the thread's preview/last_message_at forward to the newest message (and
    fills the preview in when the list row gave the time but no text).
    Raises UnknownThreadError if the thread was never upserted."""
    return upsert_messages_bulk(conn, account, {thread_key: messages})[thread_key]


def upsert_messages_bulk(
    conn: sqlite3.Connection, account: str, by_thread: Mapping[str, Sequence[Message]]
) -> dict[str, int]:
    """`upsert_messages` for many threads at once (the history import path), in a few
    statements of many rows each. Returns new-or-changed counts per thread key.
    Times are stored to the millisecond."""
    threads: dict[str, int] = dict(
        conn.execute(
            "SELECT key, id FROM threads"
            " WHERE account = ? AND key IN (SELECT value FROM json_each(?))",
            (account, json.dumps(list(by_thread))),
        ).fetchall()
    )
    missing = [key for key in by_thread if key not in threads]
    if missing:
        raise UnknownThreadError(
            f"messages for {len(missing)} unknown thread(s) in account {account!r}, "
            f"e.g. {missing[:3]!r}: upsert the threads first"
        )
    rows: list[Row] = []
    newest: dict[int, Row] = {}
    for thread_key, messages in by_thread.items():
        thread_id = threads[thread_key]
        for row in _message_rows(account, thread_key, thread_id, messages):
            rows.append(row)
            if thread_id not in newest or row[_ROW_AT] > newest[thread_id][_ROW_AT]:
                newest[thread_id] = row
    changed: Counter[int] = Counter()
    conn.execute(_STAGE_CREATE)
    for start in range(0, len(rows), _MESSAGE_BATCH):
        conn.executemany(_STAGE_INSERT, rows[start : start + _MESSAGE_BATCH])
        changed.update(r[0] for r in conn.execute(_MESSAGE_UPSERT))
        conn.execute(f"DELETE FROM {_STAGE}")
    now = now_ms()
    conn.executemany(
        "UPDATE threads SET last_message_at = ?1, preview = ?2, updated_at = ?3"
        " WHERE id = ?4 AND (last_message_at IS NULL OR last_message_at < ?1"
        " OR (last_message_at = ?1 AND preview IS NOT ?2))",
        (
            (row[_ROW_AT], _preview(row[_ROW_BODY]), now, thread_id)
            for thread_id, row in newest.items()
        ),
    )
    return {key: changed[threads[key]] for key in by_thread}


def _preview(body: str) -> str:
    return " ".join(body.split())[:_PREVIEW_CHARS]


def _message_rows(
    account: str, thread_key: str, thread_id: int, messages: Iterable[Message]
) -> Iterable[Row]:
    for m in messages:
        if m.thread_key != thread_key:
            raise ValueError(
                f"message {m.id!r} belongs to thread {m.thread_key!r}, not {thread_key!r}"
            )
        yield (
            account,
            m.id,
            thread_id,
            str(m.direction),
            m.body,
            to_ms(m.at),
            m.status,
            m.status_detail,
            m.our_number,
            m.customer_number,
            dump_attachments(m.attachments),
            int(m.body_stored),
        )


# --- reference data ---------------------------------------------------------------------


def replace_agents(conn: sqlite3.Connection, account: str, items: Sequence[Agent]) -> bool:
    """Make the account's agents exactly `items`; True if anything changed."""
    rows = {(a.id,): (a.login, a.name, a.status) for a in items}
    return bool(
        _sync_rows(conn, "agents", {"account": account}, ("id",), ("login", "name", "status"), rows)
    )


def replace_templates(conn: sqlite3.Connection, account: str, items: Sequence[Template]) -> bool:
    """Make the account's templates exactly `items`; True if anything changed."""
    rows = {(t.id,): (t.name, t.body, t.sender) for t in items}
    return bool(
        _sync_rows(
            conn, "templates", {"account": account}, ("id",), ("name", "body", "sender"), rows
        )
    )


def replace_sender_ids(conn: sqlite3.Connection, account: str, items: Sequence[SenderId]) -> bool:
    """Make the account's sender ids exactly `items`; True if anything changed."""
    rows = {(s.code,): (s.description,) for s in items}
    return bool(
        _sync_rows(conn, "sender_ids", {"account": account}, ("code",), ("description",), rows)
    )


def replace_term_codes(
    conn: sqlite3.Connection, account: str, scope: str, items: Sequence[TermCode]
) -> bool:
    """Make the term codes of (account, scope) exactly `items`; True if anything changed.
    `scope` is whatever the vendor keys codes by (a service, a queue, "" for global)."""
    rows = {(t.id,): (t.name, t.category) for t in items}
    return bool(
        _sync_rows(
            conn,
            "term_codes",
            {"account": account, "scope": scope},
            ("id",),
            ("name", "category"),
            rows,
        )
    )


def _sync_rows(
    conn: sqlite3.Connection,
    table: str,
    scope: Mapping[str, str],
    key_cols: tuple[str, ...],
    cols: tuple[str, ...],
    wanted: Mapping[Row, Row],
) -> set[str]:
    """Write only the rows of `wanted` that differ from storage, delete stored rows of the
    scope that are not wanted; returns the first key column of every touched row. `table`
    and column names are module constants, never input."""
    where = " AND ".join(f"{c} = ?" for c in scope)
    scope_values = tuple(scope.values())
    nkeys = len(key_cols)
    stored = {
        tuple(row[:nkeys]): tuple(row[nkeys:])
        for row in conn.execute(
            f"SELECT {', '.join(key_cols + cols)} FROM {table} WHERE {where}", scope_values
        )
    }
    changed = [key for key, values in wanted.items() if stored.get(key) != values]
    vanished = [key for key in stored if key not in wanted]
    if vanished:
        conn.executemany(
            f"DELETE FROM {table} WHERE {where} AND " + " AND ".join(f"{c} = ?" for c in key_cols),
            (scope_values + key for key in vanished),
        )
    if changed:
        all_cols = (*scope, *key_cols, *cols)
        conn.executemany(
            f"INSERT INTO {table} ({', '.join(all_cols)})"
            f" VALUES ({', '.join('?' for _ in all_cols)})"
            f" ON CONFLICT ({', '.join((*scope, *key_cols))}) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in cols),
            (scope_values + key + wanted[key] for key in changed),
        )
    return {str(key[0]) for key in (*changed, *vanished)}


# --- sync bookkeeping and drafts --------------------------------------------------------


def record_sync_ok(
    conn: sqlite3.Connection, account: str, scope: str, cursor: str | None = None
) -> None:
    """A sync pass of `scope` succeeded: clears the error; a None cursor keeps the stored one."""
    conn.execute(
        "INSERT INTO sync_state (account, scope, cursor, last_ok_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (account, scope) DO UPDATE SET"
        " cursor = coalesce(excluded.cursor, cursor), last_ok_at = excluded.last_ok_at,"
        " last_error = NULL, last_error_at = NULL",
        (account, scope, cursor, now_ms()),
    )


def record_sync_error(conn: sqlite3.Connection, account: str, scope: str, error: str) -> None:
    """A sync pass of `scope` failed; cursor and last success stay, so the UI can say since when."""
    conn.execute(
        "INSERT INTO sync_state (account, scope, last_error, last_error_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (account, scope) DO UPDATE SET"
        " last_error = excluded.last_error, last_error_at = excluded.last_error_at",
        (account, scope, error, now_ms()),
    )


def save_draft(conn: sqlite3.Connection, account: str, thread_key: str, body: str) -> None:
    """Keep the composer's text; an empty body removes the draft (an empty composer has none)."""
    if not body:
        delete_draft(conn, account, thread_key)
        return
    conn.execute(
        "INSERT INTO drafts (account, thread_key, body, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (account, thread_key) DO UPDATE SET body = excluded.body,"
        " updated_at = excluded.updated_at WHERE body IS NOT excluded.body",
        (account, thread_key, body, now_ms()),
    )


def delete_draft(conn: sqlite3.Connection, account: str, thread_key: str) -> None:
    conn.execute("DELETE FROM drafts WHERE account = ? AND thread_key = ?", (account, thread_key))
