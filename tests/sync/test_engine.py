"""The sync engine against the simulator over loopback: change sets, incremental passes,
threads leaving the inbox elsewhere, and isolation between accounts."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import ProviderKind
from inbox_app.demo import simulator_accounts
from inbox_app.providers.base import Provider
from inbox_app.providers.registry import create_provider
from inbox_app.simulator import RunningServer, SimConfig, Simulator, serve_in_thread
from inbox_app.store import queries, time_index, writes
from inbox_app.store.db import open_reader
from inbox_app.store.writer import Writer
from inbox_app.sync import account_sync
from inbox_app.sync.account_sync import SyncTuning
from inbox_app.sync.changes import AccountStatus, ChangeSet, SyncPhase
from inbox_app.sync.engine import SyncEngine
from tests.store.store_helpers import make_message, make_thread


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts requests per account on the way to the real loopback server."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.counts: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        vendor = request.url.path.split("/")[1]
        self.counts[vendor] += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def sim() -> Simulator:
    return Simulator(SimConfig(seed=3, frozen_clock=True))


@pytest.fixture
def running(sim: Simulator) -> Iterator[RunningServer]:
    with serve_in_thread(sim) as server:
        yield server


@pytest.fixture
def accounts(sim: Simulator, running: RunningServer) -> list[AccountConfig]:
    return simulator_accounts(running, sim.credentials)


@pytest.fixture
async def writer(tmp_path: Path) -> AsyncIterator[Writer]:
    w = Writer(tmp_path / "inbox.sqlite3")
    yield w
    w.close()


def make_engine(
    accounts: list[AccountConfig],
    writer: Writer,
    changes: list[ChangeSet],
    transport: httpx.AsyncBaseTransport | None = None,
    tuning: SyncTuning | None = None,
) -> SyncEngine:
    def factory(account: AccountConfig) -> Provider:
        return create_provider(account, transport=transport)

    return SyncEngine(
        accounts, writer, provider_factory=factory, on_change=changes.append, tuning=tuning
    )


async def test_first_pass_reports_everything_second_pass_nothing(
    accounts: list[AccountConfig], writer: Writer
) -> None:
    changes: list[ChangeSet] = []
    engine = make_engine(accounts, writer, changes)
    statuses = await engine.run_once()
    assert {s.phase for s in statuses.values()} == {SyncPhase.IDLE}
    assert {c.account for c in changes} == {
        "LiveVox demo",
        "Zoho demo",
        "Voximplant demo",
        "Zoom demo",
    }
    assert all(c.channels and c.threads for c in changes)
    # Zoom's engagement rows carry no message text, so it never has messages to report.
    assert all(bool(c.messages) == (c.account != "Zoom demo") for c in changes)

    changes.clear()
    await engine.run_once()
    assert changes == []
    await engine.aclose()


async def test_one_pass_fetches_every_thread_however_many_pages_they_take(
    accounts: list[AccountConfig], writer: Writer
) -> None:
    engine = make_engine(accounts, writer, [], tuning=SyncTuning(message_threads_page=7))
    statuses = await engine.run_once()
    assert {s.phase for s in statuses.values()} == {SyncPhase.IDLE}
    conn = open_reader(writer.path)
    threads = conn.execute("SELECT count(*) FROM threads").fetchone()[0]
    assert threads > 3 * 7
    for account in ("LiveVox demo", "Zoho demo"):
        assert queries.threads_needing_messages(conn, account) == []
    conn.close()
    await engine.aclose()


async def test_incremental_pass_costs_at_most_one_request_per_channel_plus_two(
    accounts: list[AccountConfig], writer: Writer
) -> None:
    transport = CountingTransport()
    engine = make_engine(accounts, writer, [], transport)
    await engine.run_once()
    conn = open_reader(writer.path)
    channels = Counter(c.account for c in queries.list_channels(conn))
    conn.close()

    transport.counts.clear()
    await engine.run_once()
    assert transport.counts["livevox"] <= channels["LiveVox demo"] + 2
    assert transport.counts["zoho"] <= channels["Zoho demo"] + 2
    assert transport.counts["zoom"] == 1  # the last day's engagements, one page
    # Both histories from an hour before their newest row, each one page.
    assert transport.counts["voximplant"] == 2
    await engine.aclose()


async def test_new_inbound_message_is_reported_and_stored(
    sim: Simulator, accounts: list[AccountConfig], writer: Writer
) -> None:
    changes: list[ChangeSet] = []
    engine = make_engine(accounts, writer, changes)
    await engine.run_once()
    agent = sim.world.livevox.default_agent
    thread = sim.world.livevox.personal_inbox(agent.agent_id)[-1]
    sim.world.livevox.receive("Is my payment through? 🙏", thread_id=thread.thread_id)

    changes.clear()
    await engine.run_once()
    await engine.aclose()
    (change,) = changes
    assert change.account == "LiveVox demo"
    assert thread.thread_id in change.messages
    conn = open_reader(writer.path)
    stored = queries.list_messages(conn, "LiveVox demo", thread.thread_id)
    row = queries.get_thread(conn, "LiveVox demo", thread.thread_id)
    conn.close()
    assert stored[-1].body == "Is my payment through? 🙏"
    assert row is not None and row.unread


async def test_thread_moved_away_elsewhere_leaves_the_inbox(
    sim: Simulator, accounts: list[AccountConfig], writer: Writer
) -> None:
    engine = make_engine(accounts, writer, [])
    await engine.run_once()
    lv = sim.world.livevox
    agent = lv.default_agent
    oldest = lv.personal_inbox(agent.agent_id)[-1]
    other = next(a for a in lv.agent_list() if a.agent_id != agent.agent_id)
    lv.supervisor_move(oldest.thread_id, other.agent_id)

    await engine.run_once()
    await engine.aclose()
    conn = open_reader(writer.path)
    row = queries.get_thread(conn, "LiveVox demo", oldest.thread_id)
    active = {t.key for t in queries.list_threads(conn, "LiveVox demo", limit=1000)}
    conn.close()
    assert row is not None and row.status == "closed"
    assert oldest.thread_id not in active


async def test_one_account_failing_never_stops_the_other(
    accounts: list[AccountConfig], writer: Writer
) -> None:
    livevox, zoho = accounts[:2]
    broken = dataclasses.replace(livevox, values={**livevox.values, "password": "nope-nope"})
    engine = make_engine([broken, zoho], writer, [])
    statuses = await engine.run_once()
    assert statuses["LiveVox demo"].phase is SyncPhase.AUTH_FAILED
    assert "LiveVox" in statuses["LiveVox demo"].error
    assert statuses["Zoho demo"].phase is SyncPhase.IDLE
    conn = open_reader(writer.path)
    states = {s.account: s for s in queries.sync_states(conn)}
    conn.close()
    assert states["LiveVox demo"].last_error
    assert states["Zoho demo"].last_ok_at is not None
    await engine.aclose()


async def test_unreachable_vendor_is_offline_not_an_error(
    accounts: list[AccountConfig], writer: Writer
) -> None:
    livevox = dataclasses.replace(accounts[0], base_url="http://127.0.0.1:9/livevox")
    engine = make_engine([livevox], writer, [])
    statuses = await engine.run_once()
    assert statuses["LiveVox demo"].phase is SyncPhase.OFFLINE
    assert "127.0.0.1" in statuses["LiveVox demo"].error
    await engine.aclose()


class RecordingTransport(httpx.AsyncBaseTransport):
    """Notes the path of every request, in the order they are sent."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_a_cold_pass_fetches_messages_while_it_still_walks_thread_lists(
    sim: Simulator, running: RunningServer, writer: Writer
) -> None:
    transport = RecordingTransport()
    (account,) = simulator_accounts(running, sim.credentials, [ProviderKind.LIVEVOX])
    engine = SyncEngine(
        [account],
        writer,
        provider_factory=lambda a: create_provider(a, transport=transport),
    )
    statuses = await engine.run_once()
    await engine.aclose()
    assert statuses[account.name].phase is SyncPhase.IDLE
    lists = [n for n, path in enumerate(transport.paths) if path.endswith("/thread/details")]
    histories = [n for n, path in enumerate(transport.paths) if path.endswith("/messages")]
    assert len(lists) >= 3 and histories
    assert histories[0] < lists[-1], "messages waited for the last thread-list page"
    conn = open_reader(writer.path)
    try:
        assert queries.threads_needing_messages(conn, account.name) == []
    finally:
        conn.close()


async def test_fetching_waits_for_the_store_when_too_much_is_waiting(
    accounts: list[AccountConfig], writer: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fetched messages wait for the store within a bound (here: any at all), so a
    cold sync's backlog never grows past the fetches already under way (four here;
    Zoom's threads carry no messages and are not held back)."""
    batches: list[int] = []
    store = account_sync.store_histories

    def counting(conn: Any, account: str, batch: list[Any]) -> dict[str, int]:
        batches.append(sum(1 for _, _, history in batch if history.rows))
        return store(conn, account=account, batch=batch)

    monkeypatch.setattr(account_sync, "store_histories", counting)
    # The counting wrapper cannot travel to the helper process: no helper here.
    tuning = SyncTuning(
        unstored_messages=1, message_fetch_concurrency=4, helper_after_threads=10**9
    )
    engine = make_engine(accounts, writer, [], tuning=tuning)
    statuses = await engine.run_once()
    await engine.aclose()
    assert {s.phase for s in statuses.values()} == {SyncPhase.IDLE}
    conn = open_reader(writer.path)
    for account in ("LiveVox demo", "Zoho demo"):
        assert queries.threads_needing_messages(conn, account) == []
    conn.close()
    assert sum(batches) > 20 and max(batches) <= 4


def _stored(path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    conn = open_reader(path)
    try:
        messages = conn.execute(
            "SELECT t.account, t.key, m.vendor_id, m.direction, m.body, m.at, m.status"
            " FROM messages m JOIN threads t ON t.id = m.thread_id ORDER BY 1, 2, 3"
        ).fetchall()
        threads = conn.execute(
            "SELECT account, key, messages_fingerprint, last_message_at, preview"
            " FROM threads ORDER BY 1, 2"
        ).fetchall()
        return messages, threads
    finally:
        conn.close()


async def test_the_helper_process_stores_what_the_writer_would(
    accounts: list[AccountConfig], writer: Writer, tmp_path: Path
) -> None:
    """Every vendor's thread-list pages and histories, stored by the helper process in a
    bulk pass, land exactly as the writer stores them itself, with the same changes told."""
    alone = Writer(tmp_path / "alone.sqlite3")
    told_alone: list[ChangeSet] = []
    try:
        engine = make_engine(
            accounts, alone, told_alone, tuning=SyncTuning(helper_after_threads=10**9)
        )
        await engine.run_once()
        await engine.aclose()
        assert alone.helper_pid is None
    finally:
        alone.close()
    writer.start_helper(wait=True).result()
    told: list[ChangeSet] = []
    engine = make_engine(accounts, writer, told, tuning=SyncTuning(helper_after_threads=1))
    statuses = await engine.run_once()
    await engine.aclose()
    assert {s.phase for s in statuses.values()} == {SyncPhase.IDLE}
    assert writer.helper_jobs >= 8
    messages, threads = _stored(writer.path)
    assert len(messages) > 100
    assert (messages, threads) == _stored(alone.path)
    assert sorted(told, key=lambda c: c.account) == sorted(told_alone, key=lambda c: c.account)


@pytest.mark.parametrize(("after", "started"), [(5, True), (10**9, False)])
async def test_a_pass_with_many_threads_to_fetch_starts_the_helper(
    accounts: list[AccountConfig], writer: Writer, after: int, started: bool
) -> None:
    engine = make_engine(accounts, writer, [], tuning=SyncTuning(helper_after_threads=after))
    await engine.run_once()
    await engine.aclose()
    assert (writer.helper_pid is not None) is started


async def test_stored_messages_join_the_time_index_after_the_passes(
    accounts: list[AccountConfig], writer: Writer
) -> None:
    """The passes leave their messages to the search index's backlog; once none runs,
    the helper process indexes them all (its job pickles and runs there)."""
    writer.start_helper(wait=True).result()
    engine = make_engine(accounts, writer, [])
    await engine.run_once()
    await engine.search_index_caught_up()
    jobs = writer.helper_jobs
    await engine.aclose()
    conn = open_reader(writer.path)
    try:
        (count, newest) = conn.execute("SELECT count(*), max(id) FROM messages").fetchone()
        assert count > 100
        assert time_index.backlog_after(conn) is None
        assert time_index.index_backlog(conn) == 0
        (indexed,) = conn.execute(
            "SELECT count(*) FROM messages_fts_by_time WHERE messages_fts_by_time MATCH 'a* OR e*'"
        ).fetchone()
        (expected,) = conn.execute(
            "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'a* OR e*'"
        ).fetchone()
        assert indexed == expected > 0
    finally:
        conn.close()
    assert jobs > 4 and newest > 0


async def test_messages_left_out_of_the_index_are_indexed_without_a_pass(
    writer: Writer,
) -> None:
    """After the upgrade that rebuilds the index, every message is left out of it; an
    engine with no account to sync, which never runs a pass, indexes them all the same."""
    messages = [make_message(f"m{n}", "t1", n, body=f"parcel {n}") for n in range(30)]

    def store(conn: sqlite3.Connection) -> None:
        writes.ensure_account(conn, "A", ProviderKind.LIVEVOX)
        writes.upsert_threads(conn, "A", [make_thread("t1")])
        writes.upsert_messages(conn, "A", "t1", messages)

    await writer.run(store)
    assert await writer.run(time_index.backlog_after) == 0
    engine = SyncEngine([], writer)
    await engine.run_forever(60.0)
    await engine.search_index_caught_up()
    assert await writer.run(time_index.backlog_after) is None
    await engine.aclose()


@pytest.mark.parametrize("bulk", [True, False])
async def test_a_bulk_pass_holds_the_search_index_back_until_it_ends(
    accounts: list[AccountConfig], writer: Writer, monkeypatch: pytest.MonkeyPatch, bulk: bool
) -> None:
    """Another account's pass ending during a bulk pass leaves its messages in the
    backlog (search reads them there); the index takes them all once the bulk pass is
    over. A pass that is not bulk holds nothing back."""
    livevox, zoho = accounts[:2]
    release = asyncio.Event()
    zoho_synced = asyncio.Event()
    run_once = account_sync.AccountSync.run_once

    async def held(self: account_sync.AccountSync) -> ChangeSet:
        if self.name == livevox.name:
            self.bulk = bulk
            await release.wait()
        return await run_once(self)

    def on_status(status: AccountStatus) -> None:
        if status.account == zoho.name and status.phase is SyncPhase.IDLE:
            zoho_synced.set()

    def zoho_messages(conn: sqlite3.Connection) -> int:
        return int(
            conn.execute(
                "SELECT count(*) FROM messages WHERE account = ?", (zoho.name,)
            ).fetchone()[0]
        )

    monkeypatch.setattr(account_sync.AccountSync, "run_once", held)
    engine = SyncEngine([livevox, zoho], writer, on_status=on_status)
    task = asyncio.create_task(engine.run_once())
    await zoho_synced.wait()
    await engine.search_index_caught_up()
    assert await writer.run(zoho_messages) > 0
    assert (await writer.run(time_index.backlog_after) is not None) is bulk
    release.set()
    await task
    await engine.search_index_caught_up()
    assert await writer.run(time_index.backlog_after) is None
    await engine.aclose()
