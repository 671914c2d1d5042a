"""The comparison every fault run ends with counts what it must: an empty cache has lost
every message, and an intent whose row is gone is lost."""

from __future__ import annotations

from pathlib import Path

from inbox_app.simulator import SimConfig, Simulator
from inbox_app.store.effects import IntentKind
from inbox_app.store.writer import Writer
from tests.faults.reckoning import LV, Planned, reckon


def test_an_empty_cache_and_a_missing_row_are_counted(tmp_path: Path) -> None:
    sim = Simulator(SimConfig(seed=3, threads=6, zoho_conversations=2, frozen_clock=True))
    writer = Writer(tmp_path / "cache.sqlite3")
    try:
        lost = Planned(999, LV, "t", IntentKind.SEND, "never queued")
        tally = writer.run_blocking(lambda c: reckon(sim, c, [lost]))
    finally:
        writer.close()
    assert tally.messages_checked > 0
    assert tally.messages_lost == tally.messages_checked
    assert tally.threads_lost > 0
    assert (tally.intents, tally.intents_lost, tally.duplicate_sends) == (1, 1, 0)
