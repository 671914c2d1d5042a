"""Scheduled messages: the vendor's schedule mirrored whole each sync pass (a message
leaves it when it is sent or cancelled, so what the vendor no longer lists is deleted),
and read per thread for the conversation pane."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from inbox_app.core.models import ScheduledMessage
from inbox_app.store.codec import opt_from_ms, opt_to_ms

_COLS = ("our_number", "customer_number", "body", "at", "time_zone", "status")


def _values(s: ScheduledMessage) -> tuple[Any, ...]:
    """In the order of _COLS."""
    return (s.our_number, s.customer_number, s.body, opt_to_ms(s.at), s.time_zone, s.status)


def replace_scheduled(
    conn: sqlite3.Connection, account: str, items: Sequence[ScheduledMessage]
) -> set[str]:
    """Make the account's scheduled messages exactly `items` (keyed by vendor id, the job
    id when there is none; rows with neither are skipped). Returns the keys of the stored
    threads whose scheduled messages changed, appeared or went away."""
    wanted = {s.id or s.job_id: _values(s) for s in items if s.id or s.job_id}
    stored = {
        row[0]: tuple(row[1:])
        for row in conn.execute(
            f"SELECT vendor_id, {', '.join(_COLS)} FROM scheduled_messages WHERE account = ?",
            (account,),
        )
    }
    changed = [key for key, values in wanted.items() if stored.get(key) != values]
    vanished = [key for key in stored if key not in wanted]
    conn.executemany(
        "DELETE FROM scheduled_messages WHERE account = ? AND vendor_id = ?",
        ((account, key) for key in vanished),
    )
    conn.executemany(
        f"INSERT INTO scheduled_messages (account, vendor_id, {', '.join(_COLS)})"
        f" VALUES (?, ?, {', '.join('?' for _ in _COLS)}) ON CONFLICT (account, vendor_id)"
        " DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in _COLS),
        ((account, key, *wanted[key]) for key in changed),
    )
    pairs = {wanted[key][:2] for key in changed} | {stored[key][:2] for key in vanished}
    keys: set[str] = set()
    for ours, customer in pairs:
        keys.update(
            row[0]
            for row in conn.execute(
                "SELECT key FROM threads WHERE account = ? AND customer_number = ?"
                " AND our_number = ?",
                (account, customer, ours),
            )
        )
    return keys


def add_scheduled(conn: sqlite3.Connection, account: str, item: ScheduledMessage) -> None:
    """Store one message the vendor has just accepted for its schedule (the next
    mirror of the whole schedule confirms or drops it)."""
    conn.execute(
        f"INSERT INTO scheduled_messages (account, vendor_id, {', '.join(_COLS)})"
        f" VALUES (?, ?, {', '.join('?' for _ in _COLS)}) ON CONFLICT (account, vendor_id)"
        " DO NOTHING",
        (account, item.id, *_values(item)),
    )


def scheduled_for_thread(
    conn: sqlite3.Connection,
    account: str,
    our_number: str,
    customer_number: str,
    limit: int = 50,
) -> list[ScheduledMessage]:
    """The thread's scheduled messages, soonest first (undated ones last); job ids are
    not kept, nothing here acts on them."""
    rows = conn.execute(
        f"SELECT vendor_id, {', '.join(_COLS)} FROM scheduled_messages"
        " WHERE account = ? AND customer_number = ? AND our_number = ?"
        " ORDER BY at IS NULL, at, vendor_id LIMIT ?",
        (account, customer_number, our_number, limit),
    ).fetchall()
    return [
        ScheduledMessage(
            id=r[0],
            job_id="",
            our_number=r[1],
            customer_number=r[2],
            body=r[3],
            at=opt_from_ms(r[4]),
            time_zone=r[5],
            status=r[6],
        )
        for r in rows
    ]
