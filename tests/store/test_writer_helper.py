"""The writer's helper process: jobs lent to it, its errors, its death, its start
failing, and its life ending with the app's; the writer never loses a job to it."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import helper_jobs
import pytest
from pytestqt.qtbot import QtBot

from inbox_app.store.db import open_reader
from inbox_app.store.helper import NotTaken, WriterHelper
from inbox_app.store.writer import Writer

HERE = Path(__file__).resolve().parent


@pytest.fixture
def lending(tmp_path: Path) -> Iterator[Writer]:
    """A writer whose helper is up."""
    writer = Writer(tmp_path / "cache.sqlite3")
    writer.run_blocking(helper_jobs.make_table)
    writer.start_helper(wait=True).result()
    yield writer
    writer.close()


def notes(path: Path) -> list[tuple[str, int]]:
    conn = open_reader(path)
    try:
        return [tuple(row) for row in conn.execute("SELECT text, pid FROM notes ORDER BY rowid")]
    finally:
        conn.close()


def gone(pid: int) -> bool:
    """Exited: no such process, or a zombie nobody has reaped yet."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


async def test_a_portable_job_runs_in_the_helper_and_commits(lending: Writer) -> None:
    helper = await lending.run_portable(partial(helper_jobs.note, text="hello"))
    assert helper == lending.helper_pid and helper != os.getpid()
    assert notes(lending.path) == [("hello", helper)]
    assert lending.helper_jobs == 1
    # The writer's own connection sees the helper's commit at its next transaction.
    count = await lending.run(lambda c: c.execute("SELECT count(*) FROM notes").fetchone()[0])
    assert count == 1


async def test_without_a_helper_portable_jobs_run_in_the_writer(tmp_path: Path) -> None:
    writer = Writer(tmp_path / "cache.sqlite3")
    try:
        await writer.run(helper_jobs.make_table)
        assert await writer.run_portable(partial(helper_jobs.note, text="x")) == os.getpid()
        assert writer.helper_pid is None and writer.helper_jobs == 0
    finally:
        writer.close()


async def test_a_failing_job_raises_its_error_and_writes_nothing(lending: Writer) -> None:
    with pytest.raises(ValueError, match="refused lost"):
        await lending.run_portable(partial(helper_jobs.note_then_fail, text="lost"))
    assert notes(lending.path) == []
    # The helper is still there for the next job.
    assert await lending.run_portable(helper_jobs.pid) == lending.helper_pid


async def test_an_error_that_cannot_be_rebuilt_arrives_named(lending: Writer) -> None:
    with pytest.raises(RuntimeError, match="NeedsTwo: odd error"):
        await lending.run_portable(helper_jobs.fail_oddly)
    assert await lending.run_portable(helper_jobs.pid) == lending.helper_pid


async def test_a_job_that_cannot_be_pickled_is_refused_before_it_is_sent(
    lending: Writer,
) -> None:
    with pytest.raises(Exception, match="pickle"):
        await lending.run_portable(lambda c: 1)
    assert await lending.run_portable(helper_jobs.pid) == lending.helper_pid


async def test_a_helper_dying_mid_job_leaves_the_job_to_the_writer(
    lending: Writer, caplog: pytest.LogCaptureFixture
) -> None:
    job = partial(helper_jobs.note_unless_helper, text="once", parent=os.getpid())
    with caplog.at_level(logging.WARNING, "inbox_app.store.helper"):
        assert await lending.run_portable(job) == os.getpid()
    # The helper's half-done transaction was rolled back; the writer's committed.
    assert notes(lending.path) == [("once", os.getpid())]
    assert "store helper is gone" in caplog.text
    assert await lending.run_portable(helper_jobs.pid) == os.getpid()
    assert lending.helper_jobs == 0


async def test_a_helper_killed_between_jobs_is_not_missed(lending: Writer) -> None:
    pid = lending.helper_pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    assert await lending.run_portable(partial(helper_jobs.note, text="after")) == os.getpid()
    assert notes(lending.path) == [("after", os.getpid())]


async def test_ctrl_c_is_left_to_the_app(lending: Writer) -> None:
    pid = lending.helper_pid
    assert pid is not None
    os.kill(pid, signal.SIGINT)
    assert await lending.run_portable(helper_jobs.pid) == pid


def test_a_helper_that_cannot_open_the_cache_is_not_used(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    helper = WriterHelper(blocker / "cache.sqlite3")
    try:
        assert not helper.wait_up(10)
        with pytest.raises(NotTaken):
            helper.run(helper_jobs.pid)
    finally:
        helper.close()
    assert helper.pid is not None and gone(helper.pid)


def test_closing_the_writer_stops_the_helper(tmp_path: Path) -> None:
    writer = Writer(tmp_path / "cache.sqlite3")
    writer.start_helper(wait=True).result()
    pid = writer.helper_pid
    assert pid is not None and not gone(pid)
    writer.close()
    assert gone(pid)


_APP = textwrap.dedent(
    """
    import asyncio, sys
    from functools import partial
    import helper_jobs
    from inbox_app.store.writer import Writer

    writer = Writer(sys.argv[1])
    writer.run_blocking(helper_jobs.make_table)
    writer.start_helper(wait=True).result()
    print(writer.helper_pid, flush=True)
    job = partial(helper_jobs.notes_after_fifo, count=1000, fifo=sys.argv[2])
    asyncio.run(writer.run_portable(job))
    """
)


def test_a_killed_app_leaves_a_whole_batch_and_no_helper(tmp_path: Path, qtbot: QtBot) -> None:
    """The app dies while its helper is mid-batch: the helper finishes the batch (one
    transaction, committed whole) and leaves instead of living on as an orphan."""
    db, fifo = tmp_path / "cache.sqlite3", tmp_path / "go"
    os.mkfifo(fifo)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), *sys.path])}
    app = subprocess.Popen(
        [sys.executable, "-c", _APP, str(db), str(fifo)], stdout=subprocess.PIPE, env=env
    )
    try:
        assert app.stdout is not None
        helper = int(app.stdout.readline())
        qtbot.waitUntil(lambda: Path(f"{fifo}.started").exists(), timeout=10_000)
        app.kill()
        app.wait()
        fifo.write_text("go\n")
        qtbot.waitUntil(lambda: gone(helper), timeout=10_000)
    finally:
        app.kill()
        app.wait()
        if app.stdout is not None:
            app.stdout.close()
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT text, count(*) FROM notes GROUP BY text").fetchall() == [
            ("early", 500),
            ("late", 500),
        ]
    finally:
        conn.close()


def test_an_idle_helper_leaves_and_the_next_bulk_work_starts_another(
    tmp_path: Path, qtbot: QtBot
) -> None:
    writer = Writer(tmp_path / "cache.sqlite3", helper_idle_s=0.2)
    try:
        writer.run_blocking(helper_jobs.make_table)
        writer.start_helper(wait=True).result()
        first = writer.helper_pid
        assert first is not None
        qtbot.waitUntil(lambda: writer.helper_pid is None, timeout=10_000)
        assert gone(first)
        writer.start_helper(wait=True).result()
        second = writer.helper_pid
        assert second is not None and second != first
        job = partial(helper_jobs.note, text="again")
        assert asyncio.run(writer.run_portable(job)) == second
    finally:
        writer.close()


def test_a_helper_stuck_in_a_job_is_killed_and_the_job_left_to_the_writer(
    tmp_path: Path, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    fifo = tmp_path / "never"
    os.mkfifo(fifo)
    helper = WriterHelper(tmp_path / "cache.sqlite3", job_seconds=0.3)
    try:
        assert helper.wait_up(10)
        pid = helper.pid
        assert pid is not None
        with caplog.at_level(logging.WARNING), pytest.raises(NotTaken):
            helper.run(partial(helper_jobs.wait_for_fifo, fifo=str(fifo)))
        assert "did not answer within 0.3 s" in caplog.text
        qtbot.waitUntil(lambda: gone(pid), timeout=10_000)
        with pytest.raises(NotTaken):
            helper.run(helper_jobs.pid)
    finally:
        helper.close()


async def test_a_helper_that_cannot_be_started_leaves_the_jobs_to_the_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Where processes cannot be handed a pipe (pass_fds: not on Windows), or Python
    cannot be started, the writer stores alone."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise ValueError("pass_fds not supported on this platform")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    writer = Writer(tmp_path / "cache.sqlite3")
    try:
        await writer.run(helper_jobs.make_table)
        with caplog.at_level(logging.WARNING):
            writer.start_helper(wait=True).result()
        assert "could not start" in caplog.text
        assert await writer.run_portable(partial(helper_jobs.note, text="x")) == os.getpid()
        assert writer.helper_jobs == 0
    finally:
        writer.close()
