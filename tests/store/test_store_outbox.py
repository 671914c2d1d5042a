"""Outbox state machine and per-thread ordering."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
from store_helpers import ACCOUNT

from inbox_app.store import outbox
from inbox_app.store.errors import OutboxStateError
from inbox_app.store.outbox import OutboxState

Write = Callable[..., Any]


def _enqueue(write: Write, thread_key: str, text: str) -> int:
    item_id: int = write(
        outbox.enqueue, ACCOUNT, thread_key, "send", {"body": text}, {"delete_local": text}
    )
    return item_id


def test_happy_path(write: Write, reader: sqlite3.Connection) -> None:
    item_id = _enqueue(write, "t1", "hi")
    [item] = outbox.pending(reader)
    assert (item.id, item.state, item.attempts, item.payload, item.undo) == (
        item_id,
        OutboxState.QUEUED,
        0,
        {"body": "hi"},
        {"delete_local": "hi"},
    )
    assert item.created_at.tzinfo is not None

    claimed = write(outbox.claim_next, ACCOUNT)
    assert (claimed.id, claimed.state, claimed.attempts) == (item_id, OutboxState.IN_FLIGHT, 1)
    assert write(outbox.claim_next, ACCOUNT) is None

    done = write(outbox.complete, item_id, {"message_id": "v-1"})
    assert (done.state, done.result) == (OutboxState.DONE, {"message_id": "v-1"})
    assert outbox.pending(reader) == []
    assert outbox.get(reader, item_id) == done


def test_items_of_one_thread_run_in_order(write: Write) -> None:
    first = _enqueue(write, "t1", "one")
    second = _enqueue(write, "t1", "two")
    other = _enqueue(write, "t2", "elsewhere")
    assert write(outbox.claim_next, ACCOUNT).id == first
    assert write(outbox.claim_next, ACCOUNT).id == other  # t1 waits for `first`
    assert write(outbox.claim_next, ACCOUNT) is None
    write(outbox.fail, first, "unknown outcome", True)
    assert write(outbox.claim_next, ACCOUNT) is None  # still blocked: needs a person
    write(outbox.fail, first, "user discarded it")
    assert write(outbox.claim_next, ACCOUNT).id == second
    assert write(outbox.claim_next, "someone-else") is None


def test_retry_and_failure_transitions(write: Write, reader: sqlite3.Connection) -> None:
    item_id = _enqueue(write, "t1", "hi")
    write(outbox.claim_next, ACCOUNT)
    assert write(outbox.requeue, item_id).state == OutboxState.QUEUED
    again = write(outbox.claim_next, ACCOUNT)
    assert again.attempts == 2
    parked = write(outbox.fail, item_id, "timeout after POST", True)
    assert (parked.state, parked.last_error) == (OutboxState.NEEDS_ATTENTION, "timeout after POST")
    assert [i.id for i in outbox.pending(reader, ACCOUNT)] == [item_id]
    failed = write(outbox.fail, item_id, "refused: opted out")
    assert (failed.state, failed.last_error, failed.undo) == (
        OutboxState.FAILED,
        "refused: opted out",
        {"delete_local": "hi"},
    )
    assert outbox.pending(reader) == []
    assert write(outbox.requeue, item_id).state == OutboxState.QUEUED  # the user's retry


@pytest.mark.parametrize(
    ("setup", "action"),
    [
        ([], lambda c, i: outbox.complete(c, i, None)),  # queued cannot complete
        (["claim", "complete"], lambda c, i: outbox.fail(c, i, "late")),
        (["claim", "complete"], outbox.requeue),
        ([], outbox.requeue),
    ],
)
def test_invalid_transitions_raise(
    write: Write, setup: list[str], action: Callable[[sqlite3.Connection, int], Any]
) -> None:
    item_id = _enqueue(write, "t1", "hi")
    for step in setup:
        if step == "claim":
            write(outbox.claim_next, ACCOUNT)
        else:
            write(outbox.complete, item_id, {})
    with pytest.raises(OutboxStateError, match=f"outbox item {item_id} is"):
        write(action, item_id)


def test_unknown_item(write: Write) -> None:
    with pytest.raises(OutboxStateError, match="no outbox item 99"):
        write(outbox.requeue, 99)


def test_enqueue_with_optimistic_effect_is_atomic(write: Write, reader: sqlite3.Connection) -> None:
    def send_then_crash(conn: sqlite3.Connection) -> None:
        outbox.enqueue(conn, ACCOUNT, "t1", "send", {"body": "x"}, None)
        conn.execute("UPDATE threads SET preview = 'x'")
        raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError):
        write(send_then_crash)
    assert outbox.pending(reader) == []
