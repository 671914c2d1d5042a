"""The seeded world: deterministic, varied like real data, and live traffic that changes it."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from inbox_app.simulator import SimConfig, Simulator
from inbox_app.simulator.corpus import ODD_BODIES
from inbox_app.simulator.world import World

START = 1_700_000_000.0


def _fingerprint(world: World) -> list[object]:
    threads = [
        (
            t.thread_id,
            t.service_id,
            t.owner_agent_id,
            t.read,
            t.resolved,
            t.contact.phone,
            [(m.id, m.body, m.date_ms, m.direction) for m in t.messages],
        )
        for t in world.livevox.all_threads()
    ]
    conversations = [
        (c.sender, c.customer, c.customer_name, [(e.logid, e.body, e.submitted_ms) for e in c.logs])
        for c in world.zoho.conversation_list()
    ]
    agents = [
        (a.agent_id, a.login_id, a.password, a.service_ids) for a in world.livevox.agent_list()
    ]
    return [threads, conversations, agents, world.livevox.access_token]


def test_same_seed_same_world_other_seed_other_world() -> None:
    first = World(SimConfig(seed=3, start_time=START))
    again = World(SimConfig(seed=3, start_time=START))
    other = World(SimConfig(seed=4, start_time=START))
    assert _fingerprint(first) == _fingerprint(again)
    assert _fingerprint(first) != _fingerprint(other)
    assert (
        Simulator(SimConfig(seed=3, start_time=START)).credentials
        == Simulator(SimConfig(seed=3, start_time=START)).credentials
    )


def test_ticks_are_deterministic_too() -> None:
    worlds = [World(SimConfig(seed=5, start_time=START, frozen_clock=True)) for _ in range(2)]
    events = [[w.tick() for _ in range(30)] for w in worlds]
    assert events[0] == events[1]
    assert _fingerprint(worlds[0]) == _fingerprint(worlds[1])


def test_sizes_and_time_span() -> None:
    world = World(SimConfig(seed=1, threads=80, messages_per_thread=7, start_time=START))
    threads = world.livevox.all_threads()
    assert len(threads) == 80
    assert sum(len(t.messages) for t in threads) == 560
    assert sum(len(c.logs) for c in world.zoho.conversation_list()) == 300
    dates = [m.date_ms for t in threads for m in t.messages]
    assert min(dates) > START * 1000 - 92 * 86_400_000 and max(dates) < START * 1000
    agent = world.livevox.default_agent
    assert len(world.livevox.personal_inbox(agent.agent_id)) >= 15
    assert all(world.livevox.group_inbox(s) for s in agent.service_ids)


def test_world_looks_like_contact_center_data() -> None:
    world = World(SimConfig.for_size("medium", seed=2, start_time=START))
    threads = world.livevox.all_threads()
    bodies = {m.body for t in threads for m in t.messages}
    assert set(ODD_BODIES) <= bodies
    assert any(len(body) > 9_000 for body in bodies)
    blocked = sum(not t.contact.reachable for t in threads) / len(threads)
    assert 0.02 < blocked < 0.09
    assert any(t.contact.first_name is None for t in threads)
    assert Counter(t.read for t in threads)[False] > 50
    assert any(m.attachment_ids for t in threads for m in t.messages)
    logs = [e for c in world.zoho.conversation_list() for e in c.logs]
    assert {e.final_status for e in logs} >= {"DELIVERED", "UNDELIVERED", "EXPIRED", "SENT"}
    assert any(e.media for e in logs) and any(
        c.sender == "" for c in world.zoho.conversation_list()
    )


def test_tick_brings_inbound_moves_and_resolves() -> None:
    world = World(SimConfig(seed=9, start_time=START))
    kinds = Counter(event.kind for _ in range(200) for event in world.tick())
    assert {"inbound", "new_thread", "transfer", "resolve", "new_conversation"} <= set(kinds)
    assert {a.by for a in world.actions()} == {"traffic"}
    unread = [t for t in world.livevox.all_threads() if not t.read and not t.resolved]
    assert unread


def test_large_generation_time_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    world = World(SimConfig.for_size("large", start_time=START))
    elapsed = time.perf_counter() - started
    summary = world.summary()
    with capsys.disabled():
        print(
            f"\nsimulator size large: {summary['livevox']['messages']} LiveVox + "
            f"{summary['zoho']['logs']} Zoho messages generated in {elapsed:.2f} s"
        )
