"""Each outbox test gets its own simulator on loopback and a store holding one sync of
the LiveVox account (tests that need Zoho sync it themselves). Two threads of the
agent's personal inbox have an unread question from the customer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from inbox_app.demo import simulator_accounts
from inbox_app.simulator import Simulator, serve_in_thread
from inbox_app.store.writer import Writer
from tests.outbox.harness import CONFIG, Harness


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    sim = Simulator(CONFIG)
    lv = sim.world.livevox
    for thread in lv.personal_inbox(lv.default_agent.agent_id)[-2:]:
        lv.receive("Any news on my account?", thread_id=thread.thread_id)
    with serve_in_thread(sim) as running:
        accounts = {a.name: a for a in simulator_accounts(running, sim.credentials)}
        writer = Writer(tmp_path / "inbox.sqlite3")
        harness = Harness(sim, accounts, writer)
        try:
            await harness.sync()
            harness.changes.clear()
            yield harness
        finally:
            await harness.aclose()
            writer.close()
