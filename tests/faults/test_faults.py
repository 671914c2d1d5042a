"""The fault suite, fast version: one seed of every scenario against the simulator over
real loopback HTTP, each ending in a full comparison of the simulator with the cache and
the outbox. `tests/faults/many_seeds.py` runs the same scenarios over many seeds."""

from __future__ import annotations

import pytest

from tests.faults.crash import run_kills
from tests.faults.scenarios import SCENARIOS, run_scenario

SEED = 11


@pytest.mark.parametrize("scenario", list(SCENARIOS))
async def test_nothing_lost_or_sent_twice_under_faults(scenario: str) -> None:
    figures = await run_scenario(scenario, SEED)
    tally = figures.tally
    assert sum(figures.faults.values()) >= 10, figures.faults
    # Enough work to mean something; how much arrives during the run varies with timing.
    assert tally.intents >= 10 and tally.messages_checked >= 30
    assert tally.details == []
    assert (tally.messages_lost, tally.duplicate_sends, tally.intents_lost) == (0, 0, 0)
    assert (tally.out_of_order, tally.threads_lost) == (0, 0)


async def test_killed_mid_sync_and_mid_drain_the_cache_stays_whole() -> None:
    figures, killed = await run_kills(SEED, kills=3, warm=True)
    assert killed.kills + killed.finished == 3 and killed.kills >= 1
    assert killed.problems == []
    assert figures.tally.details == []
    assert figures.tally.intents >= 10 and figures.tally.sends >= 8


async def test_killed_mid_cold_sync_with_the_helper_the_cache_stays_whole() -> None:
    """A first sync big enough for the writer's helper process, killed as it stores."""
    figures, killed = await run_kills(SEED, kills=3, threads=200, kill_at=(80, 300))
    assert killed.kills >= 1
    assert killed.problems == []
    assert figures.tally.details == []
    assert figures.tally.messages_checked >= 500
