"""The single writer thread: transactions, serialisation, errors, shutdown, WAL readers."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from functools import partial
from pathlib import Path

import pytest
from store_helpers import ACCOUNT

from inbox_app.core.models import ProviderKind
from inbox_app.store import writes
from inbox_app.store.errors import WriterClosedError
from inbox_app.store.writer import Writer


def _count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM accounts").fetchone()[0])


class Boom(Exception):
    pass


async def test_concurrent_runs_serialise(writer: Writer) -> None:
    writer.run_blocking(lambda c: writes.record_sync_ok(c, ACCOUNT, "n", "0"))
    active = 0
    overlap = []

    def increment(conn: sqlite3.Connection) -> int:
        nonlocal active
        active += 1
        overlap.append(active)
        (cursor,) = conn.execute(
            "SELECT cursor FROM sync_state WHERE account = ? AND scope = 'n'", (ACCOUNT,)
        ).fetchone()
        writes.record_sync_ok(conn, ACCOUNT, "n", str(int(cursor) + 1))
        active -= 1
        return int(cursor) + 1

    results = await asyncio.gather(*(writer.run(increment) for _ in range(50)))
    assert sorted(results) == list(range(1, 51))
    assert max(overlap) == 1
    assert (
        writer.run_blocking(
            lambda c: c.execute("SELECT cursor FROM sync_state WHERE scope = 'n'").fetchone()[0]
        )
        == "50"
    )


async def test_exception_rolls_back_and_reaches_caller(
    writer: Writer, reader: sqlite3.Connection
) -> None:
    error = Boom("vendor said no")

    def half_done(conn: sqlite3.Connection) -> None:
        writes.ensure_account(conn, "ghost", ProviderKind.ZOHO)
        raise error

    with pytest.raises(Boom) as caught:
        await writer.run(half_done)
    assert caught.value is error
    assert _count(reader) == 1
    assert await writer.run(_count) == 1  # the writer carries on after a failure
    with pytest.raises(sqlite3.IntegrityError):
        await writer.run(lambda c: c.execute("INSERT INTO accounts VALUES (NULL, 'x')"))


def test_run_blocking_from_the_writer_thread_is_refused(writer: Writer) -> None:
    with pytest.raises(RuntimeError, match="deadlock"):
        writer.run_blocking(lambda c: writer.run_blocking(_count))


async def test_durable_runs_commit_with_full_sync(writer: Writer) -> None:
    def level(conn: sqlite3.Connection) -> int:
        return int(conn.execute("PRAGMA synchronous").fetchone()[0])

    assert await writer.run(level, durable=True) == 2
    assert await writer.run(level) == 1


async def test_close_drains_queued_work_then_joins(db_path: Path) -> None:
    writer = Writer(db_path)
    gate = threading.Event()
    # Tasks take their first step in creation order, so every job is queued before close().
    blocker = asyncio.ensure_future(writer.run(lambda c: gate.wait()))
    queued = [
        asyncio.ensure_future(
            writer.run(
                partial(writes.ensure_account, account=f"acct{i}", provider=ProviderKind.ZOOM)
            )
        )
        for i in range(5)
    ]
    closing = asyncio.ensure_future(asyncio.to_thread(writer.close))
    asyncio.get_running_loop().call_soon(gate.set)
    await closing
    await asyncio.gather(blocker, *queued)
    assert not writer._thread.is_alive()
    with pytest.raises(WriterClosedError):
        await writer.run(_count)
    writer.close()  # idempotent
    reopened = Writer(db_path)
    try:
        assert reopened.run_blocking(_count) == 5
    finally:
        reopened.close()


def test_result_for_a_closed_loop_is_dropped_safely(db_path: Path) -> None:
    writer = Writer(db_path)
    gate = threading.Event()
    loop = asyncio.new_event_loop()
    task = loop.create_task(writer.run(lambda c: gate.wait()))
    loop.call_soon(loop.stop)
    loop.run_forever()  # the task has submitted its job and is waiting on it
    task.cancel()
    loop.run_until_complete(asyncio.gather(task, return_exceptions=True))
    loop.close()
    gate.set()  # the writer now reports to a closed loop
    try:
        assert writer.run_blocking(_count) == 0
    finally:
        writer.close()


def test_readers_see_committed_snapshots_while_writer_works(
    writer: Writer, reader: sqlite3.Connection
) -> None:
    reader.execute("BEGIN")
    assert _count(reader) == 1
    writer.run_blocking(lambda c: writes.ensure_account(c, "second", ProviderKind.ZOHO))
    assert _count(reader) == 1  # its snapshot; the commit did not wait for it (WAL)
    reader.execute("COMMIT")
    assert _count(reader) == 2

    inside, release = threading.Event(), threading.Event()

    def slow(conn: sqlite3.Connection) -> None:
        writes.ensure_account(conn, "third", ProviderKind.ZOHO)
        inside.set()
        release.wait()

    worker = threading.Thread(target=writer.run_blocking, args=(slow,))
    worker.start()
    inside.wait()
    assert _count(reader) == 2  # uncommitted work is invisible and does not block reads
    release.set()
    worker.join()
    assert _count(reader) == 3
