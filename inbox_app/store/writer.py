"""The single writer: one thread owns the only write connection and runs submitted
functions one at a time, each in its own transaction. Serialising writes here means no
`database is locked` between our own writers, and keeps SQL work off the event loop."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from inbox_app.store.db import connect
from inbox_app.store.errors import WriterClosedError
from inbox_app.store.migrations import migrate

T = TypeVar("T")


@dataclass(slots=True)
class _Job(Generic[T]):
    fn: Callable[[sqlite3.Connection], T]
    durable: bool
    outcome: concurrent.futures.Future[T]
    notify: Callable[[], None] | None = None
    """Called on the writer thread once `outcome` is set (hands it to an event loop)."""


class Writer:
    """Owns the write connection. Open it once per database, before any reader: opening
    migrates the schema (and raises SchemaTooNewError for a newer database) right here,
    in the caller, rather than inside the thread."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._conn = connect(path)
        try:
            migrate(self._conn)
        except BaseException:
            self._conn.close()
            raise
        self._queue: queue.SimpleQueue[_Job[Any] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name="store-writer", daemon=True)
        self._thread.start()

    async def run(self, fn: Callable[[sqlite3.Connection], T], *, durable: bool = False) -> T:
        """Run `fn(conn)` in one transaction on the writer thread and return its result.

        An exception rolls the transaction back and is raised here. `durable=True` commits
        with synchronous=FULL (the outbox: a user's action must survive a power cut).
        Cancelling the await does not cancel the write: once submitted it runs.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        outcome: concurrent.futures.Future[T] = concurrent.futures.Future()

        def notify() -> None:
            # RuntimeError: the loop closed meanwhile, nobody is left to tell.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, future, outcome)

        self._submit(_Job(fn, durable, outcome, notify))
        return await future

    def run_blocking(self, fn: Callable[[sqlite3.Connection], T], *, durable: bool = False) -> T:
        """`run` for code without an event loop (CLI, tests); blocks the calling thread."""
        if threading.current_thread() is self._thread:
            raise RuntimeError("run_blocking called from the writer thread would deadlock")
        outcome: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._submit(_Job(fn, durable, outcome))
        return outcome.result()

    def close(self) -> None:
        """Run everything already submitted, then stop the thread and close the connection.
        Idempotent; blocks until the queue is drained."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(None)
        self._thread.join()
        try:
            self._conn.execute("PRAGMA optimize")
        finally:
            self._conn.close()

    def _submit(self, job: _Job[Any]) -> None:
        with self._lock:
            if self._closed:
                raise WriterClosedError("the store writer is closed")
            self._queue.put(job)

    def _serve(self) -> None:
        while (job := self._queue.get()) is not None:
            self._execute(job)
            if job.notify is not None:
                job.notify()

    def _execute(self, job: _Job[T]) -> None:
        conn = self._conn
        try:
            if job.durable:
                conn.execute("PRAGMA synchronous = FULL")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = job.fn(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            finally:
                if job.durable:
                    conn.execute("PRAGMA synchronous = NORMAL")
        except BaseException as error:  # the thread must survive any job
            job.outcome.set_exception(error)
        else:
            job.outcome.set_result(result)


def _settle(future: asyncio.Future[T], outcome: concurrent.futures.Future[T]) -> None:
    if future.done():  # the awaiting task was cancelled
        return
    error = outcome.exception()
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(outcome.result())
