"""The single writer: one thread owns the write connection and runs submitted functions
one at a time, each in its own transaction. Serialising writes here means no `database is
locked` between our own writers, and keeps SQL work off the event loop. The heaviest jobs
may be lent to the writer's helper process (see helper.py), still one job at a time."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import os
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from inbox_app.store.db import connect, run_transaction
from inbox_app.store.errors import WriterClosedError
from inbox_app.store.migrations import migrate

if TYPE_CHECKING:
    from inbox_app.store.helper import WriterHelper

T = TypeVar("T")

HELPER_START_SECONDS = 10.0
HELPER_IDLE_SECONDS = 60.0
"""A helper with no job for this long leaves (its 40 MB or more are not kept all day
for the next first sync); the next bulk pass starts another."""


@dataclass(slots=True)
class _Job(Generic[T]):
    fn: Callable[[sqlite3.Connection], T]
    durable: bool
    outcome: concurrent.futures.Future[T]
    notify: Callable[[], None] | None = None
    """Called on the writer thread once `outcome` is set (hands it to an event loop)."""
    portable: bool = False
    """May run in the helper process."""
    bare: bool = False
    """Runs outside any transaction (managing the writer itself)."""


class Writer:
    """Owns the write connection. Open it once per database, before any reader: opening
    migrates the schema (and raises SchemaTooNewError for a newer database) right here,
    in the caller, rather than inside the thread."""

    def __init__(
        self, path: str | os.PathLike[str], *, helper_idle_s: float = HELPER_IDLE_SECONDS
    ) -> None:
        self.path = Path(path)
        self._helper_idle_s = helper_idle_s
        self._conn = connect(path)
        try:
            migrate(self._conn)
        except BaseException:
            self._conn.close()
            raise
        self._queue: queue.SimpleQueue[_Job[Any] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._helper: WriterHelper | None = None
        """Created, used and closed on the writer thread only."""
        self.helper_jobs = 0
        """Jobs the helper process has run (for diagnostics and tests)."""
        self._thread = threading.Thread(target=self._serve, name="store-writer", daemon=True)
        self._thread.start()

    async def run(self, fn: Callable[[sqlite3.Connection], T], *, durable: bool = False) -> T:
        """Run `fn(conn)` in one transaction on the writer thread and return its result.

        An exception rolls the transaction back and is raised here. `durable=True` commits
        with synchronous=FULL (the outbox: a user's action must survive a power cut).
        Cancelling the await does not cancel the write: once submitted it runs.
        """
        return await self._run(_Job(fn, durable, concurrent.futures.Future()))

    async def run_portable(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """`run` for a heavy job that the helper process may run instead, once it is up
        (see `start_helper`). `fn` must pickle (a module-level function, or a partial of
        one over picklable arguments), and be safe to run twice: a helper that dies
        before answering may have committed it, and the writer then runs it itself."""
        return await self._run(_Job(fn, False, concurrent.futures.Future(), portable=True))

    def start_helper(self, *, wait: bool = False) -> concurrent.futures.Future[None]:
        """Start the helper process in the background if it is not running; jobs are
        run here until it is up (`wait`: the writer waits for it first, up to
        HELPER_START_SECONDS). Worth it for bulk work only: starting a process costs
        a tenth of a second of CPU or so. The future is done once the writer got here."""
        done: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._submit(_Job(functools.partial(self._start_helper, wait=wait), False, done, bare=True))
        return done

    @property
    def helper_pid(self) -> int | None:
        """The helper's process id while the writer keeps one (up, starting, or found
        gone at its last job)."""
        helper = self._helper
        return helper.pid if helper is not None else None

    async def _run(self, job: _Job[T]) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        outcome = job.outcome

        def notify() -> None:
            # RuntimeError: the loop closed meanwhile, nobody is left to tell.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, future, outcome)

        job.notify = notify
        self._submit(job)
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
        while True:
            idle_s = self._helper_idle_s if self._helper is not None else None
            try:
                job = self._queue.get(timeout=idle_s)
            except queue.Empty:
                self._stop_helper()
                continue
            if job is None:
                break
            self._execute(job)
            if job.notify is not None:
                job.notify()
        self._stop_helper()

    def _execute(self, job: _Job[T]) -> None:
        try:
            if job.bare:
                result = job.fn(self._conn)
            elif job.portable:
                result = self._lend(job)
            else:
                result = self._own(job)
        except BaseException as error:  # the thread must survive any job
            job.outcome.set_exception(error)
        else:
            job.outcome.set_result(result)

    def _own(self, job: _Job[T]) -> T:
        return run_transaction(self._conn, job.fn, durable=job.durable)

    def _lend(self, job: _Job[T]) -> T:
        if self._helper is not None:
            from inbox_app.store.helper import NotTaken

            try:
                result: T = self._helper.run(job.fn)
            except NotTaken:
                pass
            else:
                self.helper_jobs += 1
                return result
        return self._own(job)

    def _stop_helper(self) -> None:
        if self._helper is not None:
            self._helper.close()
            self._helper = None

    def _start_helper(self, _conn: sqlite3.Connection, *, wait: bool) -> None:
        if self._helper is None:
            # Imported here: the window opens the writer before its first paint, and
            # only a bulk sync needs a helper (multiprocessing's pipes and all).
            from inbox_app.store.helper import WriterHelper

            self._helper = WriterHelper(self.path)
        if wait:
            self._helper.wait_up(HELPER_START_SECONDS)


def _settle(future: asyncio.Future[T], outcome: concurrent.futures.Future[T]) -> None:
    if future.done():  # the awaiting task was cancelled
        return
    error = outcome.exception()
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(outcome.result())
