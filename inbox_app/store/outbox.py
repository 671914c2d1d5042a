"""The outbox: user actions as durable intents. The UI enqueues an item together with its
optimistic local effect (in the same writer transaction, run with durable=True); sync
claims items, carries them out and completes or fails them, applying `undo` on failure.

States: queued -> in_flight -> done | failed | needs_attention; needs_attention means the
outcome is unknown or a person must decide (requeue or fail it). Items of one thread run
strictly in order: a thread's item is not claimed while an earlier one is queued, in flight
or needs attention, so a customer never gets messages out of order.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from inbox_app.store.codec import dump_json, from_ms, now_ms
from inbox_app.store.errors import OutboxStateError

JSONDict = dict[str, Any]


class OutboxState(StrEnum):
    QUEUED = "queued"
    IN_FLIGHT = "in_flight"
    DONE = "done"
    FAILED = "failed"
    NEEDS_ATTENTION = "needs_attention"


_OPEN = (OutboxState.QUEUED, OutboxState.IN_FLIGHT, OutboxState.NEEDS_ATTENTION)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    account: str
    thread_key: str
    kind: str
    payload: JSONDict
    state: OutboxState
    attempts: int
    created_at: datetime
    updated_at: datetime
    last_error: str | None
    result: JSONDict | None
    undo: JSONDict | None


_COLUMNS = (
    "id, account, thread_key, kind, payload, state, attempts, created_at, updated_at,"
    " last_error, result, undo"
)


def enqueue(
    conn: sqlite3.Connection,
    account: str,
    thread_key: str,
    kind: str,
    payload: JSONDict,
    undo: JSONDict | None,
) -> int:
    """Queue an action and return its id. `undo` is the inverse of the optimistic effect the
    caller applies in this same transaction, kept so a refusal can be rolled back later."""
    now = now_ms()
    row = conn.execute(
        "INSERT INTO outbox (account, thread_key, kind, payload, state, attempts, created_at,"
        " updated_at, undo) VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?) RETURNING id",
        (
            account,
            thread_key,
            kind,
            dump_json(payload),
            now,
            now,
            None if undo is None else dump_json(undo),
        ),
    ).fetchone()
    item_id: int = row[0]
    return item_id


def claim_next(conn: sqlite3.Connection, account: str) -> OutboxItem | None:
    """Move the oldest runnable queued item of the account to in_flight (attempts + 1) and
    return it; None if nothing is runnable."""
    row = conn.execute(
        f"UPDATE outbox SET state = 'in_flight', attempts = attempts + 1, updated_at = ?"
        f" WHERE id = (SELECT o.id FROM outbox AS o WHERE o.account = ? AND o.state = 'queued'"
        f" AND NOT EXISTS (SELECT 1 FROM outbox AS e WHERE e.account = o.account"
        f" AND e.thread_key = o.thread_key AND e.id < o.id"
        f" AND e.state IN ('queued', 'in_flight', 'needs_attention'))"
        f" ORDER BY o.id LIMIT 1) RETURNING {_COLUMNS}",
        (now_ms(), account),
    ).fetchone()
    return None if row is None else _item(row)


def complete(conn: sqlite3.Connection, id: int, result: JSONDict | None) -> OutboxItem:
    """The vendor accepted an in-flight item; `result` is what it said (ids, status)."""
    return _transition(
        conn,
        id,
        (OutboxState.IN_FLIGHT,),
        OutboxState.DONE,
        result=None if result is None else dump_json(result),
    )


def fail(
    conn: sqlite3.Connection, id: int, reason: str, needs_attention: bool = False
) -> OutboxItem:
    """Give up on an item (refused, or cancelled before it ran), or park it for a person.
    The caller applies the returned item's `undo` when the failure is final."""
    target = OutboxState.NEEDS_ATTENTION if needs_attention else OutboxState.FAILED
    return _transition(conn, id, _OPEN, target, last_error=reason)


def requeue(conn: sqlite3.Connection, id: int) -> OutboxItem:
    """Try again later: after a retryable error, a reconciled unknown outcome, or a retry
    the user asked for on a failed item."""
    return _transition(
        conn,
        id,
        (OutboxState.IN_FLIGHT, OutboxState.NEEDS_ATTENTION, OutboxState.FAILED),
        OutboxState.QUEUED,
    )


def pending(
    conn: sqlite3.Connection, account: str | None = None, limit: int = 500
) -> list[OutboxItem]:
    """Items not finished yet (queued, in flight, needing attention), oldest first. At
    start-up, in_flight ones were interrupted by a crash: their outcome is unknown."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM outbox WHERE state IN ('queued', 'in_flight', 'needs_attention')"
        " AND (?1 IS NULL OR account = ?1) ORDER BY id LIMIT ?2",
        (account, limit),
    ).fetchall()
    return [_item(row) for row in rows]


def get(conn: sqlite3.Connection, id: int) -> OutboxItem | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (id,)).fetchone()
    return None if row is None else _item(row)


def _transition(
    conn: sqlite3.Connection,
    id: int,
    allowed: tuple[OutboxState, ...],
    target: OutboxState,
    *,
    result: str | None = None,
    last_error: str | None = None,
) -> OutboxItem:
    row = conn.execute(
        f"UPDATE outbox SET state = ?, updated_at = ?, result = coalesce(?, result),"
        f" last_error = coalesce(?, last_error)"
        f" WHERE id = ? AND state IN (SELECT value FROM json_each(?)) RETURNING {_COLUMNS}",
        (str(target), now_ms(), result, last_error, id, json.dumps([str(s) for s in allowed])),
    ).fetchone()
    if row is None:
        current = conn.execute("SELECT state FROM outbox WHERE id = ?", (id,)).fetchone()
        if current is None:
            raise OutboxStateError(f"no outbox item {id}")
        raise OutboxStateError(f"outbox item {id} is {current[0]}, cannot become {target}")
    return _item(row)


def _item(row: sqlite3.Row | tuple[Any, ...]) -> OutboxItem:
    return OutboxItem(
        id=row[0],
        account=row[1],
        thread_key=row[2],
        kind=row[3],
        payload=json.loads(row[4]),
        state=OutboxState(row[5]),
        attempts=row[6],
        created_at=from_ms(row[7]),
        updated_at=from_ms(row[8]),
        last_error=row[9],
        result=None if row[10] is None else json.loads(row[10]),
        undo=None if row[11] is None else json.loads(row[11]),
    )
