"""Changing the accounts of a running app: the engine is swapped, a removed account
leaves the cache, and an account that cannot be set up leaves the old ones syncing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import ProviderKind
from inbox_app.demo import simulator_accounts
from inbox_app.providers.base import Provider
from inbox_app.providers.errors import NotSupported
from inbox_app.providers.registry import create_provider
from inbox_app.simulator import RunningServer, SimConfig, Simulator, serve_in_thread
from inbox_app.store import queries
from inbox_app.store.db import open_reader
from inbox_app.sync.runner import SyncRunner
from inbox_app.sync.service import InboxService


@pytest.fixture
def sim() -> Simulator:
    return Simulator(SimConfig(seed=5, frozen_clock=True))


@pytest.fixture
def running(sim: Simulator) -> Iterator[RunningServer]:
    with serve_in_thread(sim) as server:
        yield server


def factory(account: AccountConfig) -> Provider:
    if account.name == "unsupported":
        raise NotSupported(f"Account '{account.name}': not supported by this version")
    return create_provider(account)


async def test_restart_swaps_accounts_and_forgets_removed_ones(
    tmp_path: Path, sim: Simulator, running: RunningServer
) -> None:
    livevox, zoho, *_others = simulator_accounts(running, sim.credentials)
    service = InboxService([livevox, zoho], tmp_path / "inbox.sqlite3", provider_factory=factory)
    runner = SyncRunner(service, 60.0)
    try:
        await service.engine.run_once()
        runner.start()
        gone = await runner.restart([livevox], 30.0)
        assert gone == {"Zoho demo"} and runner.interval == 30.0
        conn = open_reader(tmp_path / "inbox.sqlite3")
        try:
            assert [a.name for a in queries.list_accounts(conn)] == ["LiveVox demo"]
            assert queries.count_threads(conn, "Zoho demo") == 0
        finally:
            conn.close()

        bad = AccountConfig("unsupported", livevox.provider, livevox.base_url, livevox.values)
        with pytest.raises(NotSupported):
            await runner.restart([livevox, bad], 30.0)
        assert set(service.engine.providers) == {"LiveVox demo"}
        assert runner._task is not None and not runner._task.done(), "still syncing"
    finally:
        await runner.stop()
        await service.aclose()


async def test_an_account_that_cannot_be_set_up_stops_the_engine_not_the_cache(
    tmp_path: Path,
) -> None:
    """The engine is built after the window's first paint: the cache opens, building the
    engine raises the reason, and closing the service closes its writer."""

    def writers() -> int:
        return sum(t.name == "store-writer" for t in threading.enumerate())

    account = AccountConfig("unsupported", ProviderKind.LIVEVOX, "http://127.0.0.1:9")
    before = writers()
    service = InboxService([account], tmp_path / "inbox.sqlite3", provider_factory=factory)
    assert writers() == before + 1
    with pytest.raises(NotSupported, match="not supported by this version"):
        await service.start_engine()
    await service.aclose()
    assert writers() == before
