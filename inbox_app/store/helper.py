"""The writer's helper: a second process that runs the writer's heaviest jobs (a cold
sync's message batches, parsed and stored) on its own connection, with its own
interpreter lock. In one process, parsing and storing took the lock from the event loop
the window runs on, and a cold sync could not use the second core.

Writes stay serialised: the helper runs a job only while the writer thread waits for its
answer, so there is never more than one writer at a time. A helper that cannot start or
that dies is not needed for anything: the writer runs the job itself.

It is started as a plain `python -c` (or, in the bundle, the app itself with
HELPER_FLAG), not through multiprocessing: spawning re-imports the parent's main script,
which cost half a second of start-up under a busy sync and runs unguarded scripts twice."""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Sequence
from enum import Enum
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from inbox_app.store.db import connect, run_transaction

log = logging.getLogger(__name__)

_STOP_SECONDS = 5.0
JOB_SECONDS = 120.0
"""A job not answered in this long means a helper stuck for good: it is killed and the
writer runs the job itself (a cold sync's largest batch takes about a second)."""
HELPER_FLAG = "--store-helper"
"""The bundle's entry script starts `main` when its first argument is this."""
_BOOT = "import sys; from inbox_app.store.helper import main; main(sys.argv[1:])"


class _State(Enum):
    STARTING = "starting"
    UP = "up"
    DOWN = "down"


class NotTaken(Exception):
    """The helper is not up (still starting, or gone): the caller runs the job itself."""


class WriterHelper:
    """The parent's end. Used by the writer thread only; not thread-safe."""

    def __init__(self, path: Path, *, job_seconds: float = JOB_SECONDS) -> None:
        self._job_seconds = job_seconds
        ours, theirs = socket.socketpair()
        self._pipe = Connection(ours.detach())
        self._process: subprocess.Popen[bytes] | None = None
        self._state = _State.STARTING
        try:
            fd = theirs.fileno()
            self._process = subprocess.Popen(
                [*_command(), str(fd), str(path)],
                pass_fds=(fd,),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
            )
        except (OSError, ValueError):  # ValueError: no pass_fds (Windows)
            log.warning("the store helper could not start; storing in one process", exc_info=True)
            self._state = _State.DOWN
            self._pipe.close()
        finally:
            # The parent keeps only its own end: the helper's death then reads as EOF.
            theirs.close()

    @property
    def up(self) -> bool:
        return self._settle() is _State.UP

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def wait_up(self, timeout: float) -> bool:
        """Block until the helper is up (True) or has failed or timed out (False)."""
        if self._state is _State.STARTING:
            with contextlib.suppress(OSError):
                self._pipe.poll(timeout)
        return self.up

    def run(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        """`fn` (picklable: a module-level function or a partial of one) run by the
        helper in one transaction; its exception is raised here. NotTaken if the helper
        is not up, or died before answering (then `fn` may or may not have been
        committed: jobs sent here must be safe to run again)."""
        if self._settle() is not _State.UP:
            raise NotTaken
        try:
            # A job that cannot be pickled raises here, before anything is sent.
            self._pipe.send(fn)
            if not self._pipe.poll(self._job_seconds):
                self._gone(f"did not answer within {self._job_seconds:g} s")
                raise NotTaken
            outcome, value = self._pipe.recv()
        except (EOFError, OSError):
            self._gone("is gone")
            raise NotTaken from None
        if outcome == "error":
            raise value
        return value

    def close(self) -> None:
        """Let the helper finish its job and leave; one that does not is killed."""
        if self._state is not _State.DOWN:
            with contextlib.suppress(OSError, ValueError):
                self._pipe.send(None)
        self._state = _State.DOWN
        self._pipe.close()
        if self._process is None:
            return
        try:
            self._process.wait(_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            log.warning("the store helper did not stop; killing it")
            self._process.kill()
            self._process.wait()

    def _settle(self) -> _State:
        if self._state is _State.STARTING:
            try:
                if self._pipe.poll():
                    outcome, value = self._pipe.recv()
                    if outcome == "ready":
                        self._state = _State.UP
                    else:
                        self._gone(f"could not open the cache: {value}")
            except (EOFError, OSError):
                self._gone("exited while starting")
        return self._state

    def _gone(self, why: str) -> None:
        log.warning("the store helper %s; storing in one process", why)
        self._state = _State.DOWN
        self._pipe.close()
        if self._process is not None and self._process.poll() is None:
            self._process.kill()


def _command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, HELPER_FLAG]
    return [sys.executable, "-c", _BOOT]


def main(argv: Sequence[str]) -> None:
    """The helper process: `<fd of its end of the pipe> <cache path>`."""
    # Ctrl+C in a terminal reaches the whole process group; the parent decides.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    fd, path = argv
    with Connection(int(fd)) as pipe, contextlib.suppress(OSError):
        serve(pipe, path)


def serve(pipe: Connection, path: str) -> None:
    """Open the cache, then run jobs until told to stop or until the parent is gone
    (its end of the pipe reads as EOF, or writing to it fails)."""
    try:
        conn = connect(path)
    except Exception as exc:
        pipe.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    pipe.send(("ready", None))
    try:
        while True:
            try:
                job = pipe.recv()
            except EOFError:
                return
            except Exception as exc:  # a job this process cannot unpickle
                pipe.send(("error", _portable(exc)))
                continue
            if job is None:
                return
            try:
                reply = pickle.dumps(("ok", run_transaction(conn, job)))
            except Exception as exc:
                reply = pickle.dumps(("error", _portable(exc)))
            pipe.send_bytes(reply)
    finally:
        conn.close()


def _portable(error: Exception) -> Exception:
    """The error itself if it survives the trip to the parent, else a RuntimeError that
    names it (an exception class whose constructor wants other arguments pickles but
    does not unpickle)."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error
