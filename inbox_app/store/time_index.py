"""The backlog of the time-ordered search index (`messages_fts_by_time`, schema V6 and V8).

Messages are stored without it; search reads the backlog through `messages_fts`, so a
message is found either way, and `index_backlog` moves the backlog into the index in
bulk between sync passes. Every message with an id at or below `indexed_through` is in
the index; the rest are the backlog."""

from __future__ import annotations

import sqlite3

KEY_ID_BITS = 20
"""A message's key in the index is its time in ms shifted left by this many bits, with
the low bits of its id (schema V6; the triggers spell it out too). The index
`messages_by_time_thread` (V9) finds a message back, with its thread, from the key."""
KEY_ID_MASK = (1 << KEY_ID_BITS) - 1
_KEY = f"(at << {KEY_ID_BITS}) | (id & {KEY_ID_MASK})"

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
        f" SELECT {_KEY}, body FROM messages WHERE id > ? AND id <= ?",
        (through, upto),
    )
    conn.execute("UPDATE time_index_state SET indexed_through = ?", (upto,))
    return int(count)
