"""Zoho Voice's schedule synced into the store over loopback: a scheduled SMS lands on
its thread, and leaves it when Zoho sends it (becoming a message) or it is cancelled."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from inbox_app.core.accounts import AccountConfig
from inbox_app.demo import simulator_accounts
from inbox_app.providers.zoho import ZohoVoiceProvider
from inbox_app.simulator import RunningServer, SimConfig, Simulator, serve_in_thread
from inbox_app.store import queries
from inbox_app.store.db import open_reader
from inbox_app.store.scheduled import scheduled_for_thread
from inbox_app.store.writer import Writer
from inbox_app.sync.changes import ChangeSet
from inbox_app.sync.engine import SyncEngine

ZOHO = "Zoho demo"
ODD = '<i>Your visit</i> is <a href="x">at 9</a> — موعدك 📅'


@pytest.fixture
def sim() -> Simulator:
    return Simulator(SimConfig(seed=5, frozen_clock=True))


@pytest.fixture
def running(sim: Simulator) -> Iterator[RunningServer]:
    with serve_in_thread(sim) as server:
        yield server


@pytest.fixture
async def engine(
    sim: Simulator, running: RunningServer, tmp_path: Path
) -> AsyncIterator[tuple[SyncEngine, list[ChangeSet], Writer]]:
    writer = Writer(tmp_path / "inbox.sqlite3")
    changes: list[ChangeSet] = []
    accounts: list[AccountConfig] = [
        a for a in simulator_accounts(running, sim.credentials) if a.name == ZOHO
    ]
    engine = SyncEngine(accounts, writer, on_change=changes.append)
    yield engine, changes, writer
    await engine.aclose()
    writer.close()


async def test_scheduled_sms_lands_then_leaves_when_sent_or_cancelled(
    sim: Simulator, engine: tuple[SyncEngine, list[ChangeSet], Writer]
) -> None:
    sync, changes, writer = engine
    await sync.run_once()
    conn = open_reader(writer.path)
    thread = next(t for t in queries.list_threads(conn, ZOHO) if t.our_number)
    provider = sync.providers[ZOHO]
    assert isinstance(provider, ZohoVoiceProvider)
    now = datetime.fromtimestamp(sim.world.clock.now(), UTC)
    soon = await provider.schedule_message(
        thread.to_thread(), ODD, "", now + timedelta(hours=1), "Asia/Kolkata"
    )
    later = await provider.schedule_message(
        thread.to_thread(), "See you tomorrow", "", now + timedelta(days=1), "America/Chicago"
    )

    changes.clear()
    await sync.run_once()
    assert changes == [], "an idle pass does not ask for the schedule"
    sync.sync_now()  # scheduled outside the app: seen on a full walk, or when asked
    await sync.run_once()
    assert [c.scheduled for c in changes] == [{thread.key}]
    shown = scheduled_for_thread(conn, ZOHO, thread.our_number, thread.customer_number)
    assert [(s.id, s.body, s.time_zone) for s in shown] == [
        (soon.message_id, ODD, "Asia/Kolkata"),
        (later.message_id, "See you tomorrow", "America/Chicago"),
    ]
    assert shown[0].at == (now + timedelta(hours=1)).replace(microsecond=0)

    changes.clear()
    await sync.run_once()
    assert changes == []  # nothing moved, nothing reported

    sim.world.clock.advance(2 * 3600)  # Zoho sends the first one
    job = next(j for j in sim.world.zoho.scheduled() if j.logid == later.message_id)
    assert sim.world.zoho.cancel_scheduled(job.job_id)  # and an agent cancels the other
    changes.clear()
    await sync.run_once()
    assert thread.key in changes[0].scheduled and thread.key in changes[0].messages
    assert scheduled_for_thread(conn, ZOHO, thread.our_number, thread.customer_number) == []
    sent = queries.list_messages(conn, ZOHO, thread.key)
    assert [m.body for m in sent if m.id == soon.message_id] == [ODD]
    assert later.message_id not in {m.id for m in sent}
    conn.close()
