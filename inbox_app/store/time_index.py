"""The time-ordered search index (`messages_fts_by_time`, schema V6, V8 and V10): its keys
and its backlog.

Messages are stored without it; search reads the backlog through `messages_fts`, so a
message is found either way, and `index_backlog` moves the backlog into the index in
bulk when the sync engine starts and between its passes. Every message with an id at or
below `indexed_through` is in the index; the rest are the backlog."""

from __future__ import annotations

import sqlite3

ID_BITS = 11
THREAD_BITS = 20
SECONDS_MAX = (1 << 32) - 1
"""A message's key in the index (schema V10; the triggers spell it out too): its time in
seconds, clamped to 0..SECONDS_MAX, then the low THREAD_BITS of its thread id, then the
low ID_BITS of its own id. Newest first is highest key first, and the key names its
thread outright while no thread id needs more than THREAD_BITS bits."""
_THREAD_SHIFT = ID_BITS
_SECONDS_SHIFT = ID_BITS + THREAD_BITS
THREAD_MASK = (1 << THREAD_BITS) - 1
ID_MASK = (1 << ID_BITS) - 1
_AT_MIN = -(1 << 63)
_AT_MAX = (1 << 63) - 1


def key_sql(prefix: str = "") -> str:
    """The key of a `messages` row as SQL; `prefix` qualifies its columns ("m.")."""
    return (
        f"(max(0, min({prefix}at / 1000, {SECONDS_MAX})) << {_SECONDS_SHIFT})"
        f" | (({prefix}thread_id & {THREAD_MASK}) << {_THREAD_SHIFT}) | ({prefix}id & {ID_MASK})"
    )


def seconds_of(at: int) -> int:
    """A time in ms as the seconds of a key."""
    return max(0, min(at // 1000, SECONDS_MAX))


def key_seconds(key: int) -> int:
    return key >> _SECONDS_SHIFT


def thread_bits(key: int) -> int:
    """The low bits of the key's thread id: the id itself while no id passes THREAD_MASK."""
    return (key >> _THREAD_SHIFT) & THREAD_MASK


def at_range(key: int) -> tuple[int, int]:
    """The ms range the key's message time lies in (open-ended for a clamped time)."""
    seconds = key_seconds(key)
    return (
        _AT_MIN if seconds == 0 else seconds * 1000,
        _AT_MAX if seconds == SECONDS_MAX else seconds * 1000 + 999,
    )


def newest_thread_id(conn: sqlite3.Connection) -> int:
    (newest,) = conn.execute("SELECT coalesce(max(id), 0) FROM threads").fetchone()
    return int(newest)


CHUNK = 20_000
"""Messages indexed per transaction: about 0.15 s of work, so a user's action queued
behind one waits little, while each insert is still large enough to be cheap."""


def backlog_after(conn: sqlite3.Connection) -> int | None:
    """The id past which messages are not in the index yet; None when every one is."""
    through, newest = conn.execute(
        "SELECT indexed_through, (SELECT max(id) FROM messages) FROM time_index_state"
    ).fetchone()
    return None if newest is None or newest <= through else int(through)


def index_backlog(conn: sqlite3.Connection, limit: int = CHUNK) -> int:
    """Index the oldest `limit` messages of the backlog; returns how many (0: none left).
    Safe to run twice: the second run starts where the first one's commit left off."""
    (through,) = conn.execute("SELECT indexed_through FROM time_index_state").fetchone()
    (upto, count) = conn.execute(
        "SELECT max(id), count(*) FROM (SELECT id FROM messages WHERE id > ? ORDER BY id LIMIT ?)",
        (through, limit),
    ).fetchone()
    if not count:
        return 0
    conn.execute(
        "INSERT INTO messages_fts_by_time (rowid, body)"
        f" SELECT {key_sql()}, body FROM messages WHERE id > ? AND id <= ?",
        (through, upto),
    )
    conn.execute("UPDATE time_index_state SET indexed_through = ?", (upto,))
    return int(count)
