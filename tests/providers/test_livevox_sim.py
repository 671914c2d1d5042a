"""LiveVoxProvider against the simulator over real loopback HTTP: every endpoint and
action, checked against the simulator's world, and every fault kind."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import Channel, Direction, ProviderKind, Thread
from inbox_app.core.phone import normalize_number
from inbox_app.providers.errors import (
    AuthError,
    BadResponse,
    NetworkError,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    VendorRefused,
)
from inbox_app.providers.livevox import LiveVoxProvider
from inbox_app.providers.registry import create_provider
from inbox_app.simulator import FaultConfig, SimConfig, Simulator, serve_in_thread
from inbox_app.simulator.server import RunningServer
from tests.providers.provider_helpers import Sleeps

CONFIG = SimConfig(
    seed=3, threads=30, messages_per_thread=6, page_size=10, zoho_conversations=2,
    zoho_messages_per_conversation=1,
)  # fmt: skip


@pytest.fixture
def sim() -> Simulator:
    return Simulator(CONFIG)


@pytest.fixture
def running(sim: Simulator) -> Iterator[RunningServer]:
    with serve_in_thread(sim) as server:
        yield server


def account(sim: Simulator, running: RunningServer, **values: str) -> AccountConfig:
    return AccountConfig(
        "Sim LiveVox", ProviderKind.LIVEVOX, running.livevox_url,
        {**sim.credentials["livevox"], **values},
    )  # fmt: skip


@pytest.fixture
async def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def provider(sim: Simulator, running: RunningServer, sleeps: Sleeps) -> AsyncIterator[Any]:
    async with LiveVoxProvider(account(sim, running), retry=sleeps.policy(), timeout=5) as p:
        yield p


async def all_threads(provider: LiveVoxProvider, channel: Channel) -> list[Thread]:
    return [t async for page in provider.thread_pages(channel) for t in page]


async def first_thread(provider: LiveVoxProvider, personal: bool = True) -> Thread:
    channel = next(c for c in await provider.list_channels() if c.personal is personal)
    return (await all_threads(provider, channel))[0]


async def test_channels_and_threads_match_the_world(
    provider: LiveVoxProvider, sim: Simulator
) -> None:
    channels = await provider.list_channels()
    agent = sim.world.livevox.default_agent
    assert {c.key for c in channels} == {f"personal:SMS:{agent.agent_id}"} | {
        f"group:SMS:{s}" for s in agent.service_ids
    }
    for channel in channels:
        truth = (
            sim.world.livevox.personal_inbox(agent.agent_id)
            if channel.personal
            else sim.world.livevox.group_inbox(int(channel.vendor_id))
        )
        threads = await all_threads(provider, channel)
        assert [t.key for t in threads] == [t.thread_id for t in truth]
        assert channel.total == len(truth)
        assert channel.unread == sum(not t.read for t in truth) == sum(t.unread for t in threads)
        for thread, real in zip(threads, truth, strict=True):
            assert thread.customer_number == normalize_number(real.contact.phone)
            assert thread.our_number == normalize_number(real.sms_code)
            assert thread.vendor_ref["serviceId"] == str(real.service_id)
            assert thread.opted_out is not real.contact.sms_opt_in
            assert thread.last_message_at == datetime.fromtimestamp(real.last.date_ms / 1000, UTC)


async def test_messages_match_history_across_pages(
    provider: LiveVoxProvider, sim: Simulator
) -> None:
    agent = sim.world.livevox.default_agent
    real = max(sim.world.livevox.personal_inbox(agent.agent_id), key=lambda t: len(t.messages))
    assert len(real.messages) > CONFIG.page_size  # so history really pages
    thread = next(
        t for t in await all_threads(provider, (await provider.list_channels())[0])
        if t.key == real.thread_id
    )  # fmt: skip
    messages = await provider.list_messages(thread)
    assert [m.id for m in messages] == [m.id for m in real.messages]
    assert [m.body for m in messages] == [m.body for m in real.messages]
    assert [m.direction is Direction.IN for m in messages] == [
        m.direction == 1 for m in real.messages
    ]
    recent = await provider.list_messages(thread, since=messages[-2].at)
    assert [m.id for m in recent][-2:] == [m.id for m in messages][-2:]


async def test_reference_lists(provider: LiveVoxProvider, sim: Simulator) -> None:
    thread = await first_thread(provider)
    templates = await provider.list_templates()
    assert templates and all(t.id and t.body for t in templates)
    codes = {s.code for s in await provider.list_sender_ids()}
    assert thread.our_number in codes
    assert await provider.list_term_codes(thread)
    agents = await provider.list_transfer_agents(thread)
    assert agents and str(sim.world.livevox.default_agent.agent_id) not in {a.id for a in agents}


async def test_send_and_find_sent(provider: LiveVoxProvider, sim: Simulator) -> None:
    thread = await first_thread(provider)
    before = datetime.now(UTC) - timedelta(seconds=5)
    result = await provider.send_message(thread, "Thanks, all sorted", thread.our_number)
    sends = sim.world.sends("livevox")
    assert [s.message_id for s in sends][-1] == result.message_id
    assert sends[-1].body == "Thanks, all sorted"
    found = await provider.find_sent(thread, "Thanks, all sorted", before)
    assert found is not None and found.id == result.message_id


async def test_send_with_template(provider: LiveVoxProvider, sim: Simulator) -> None:
    thread = await first_thread(provider)
    template = (await provider.list_templates())[0]
    await provider.send_message(thread, template.body, thread.our_number, template.id)
    assert sim.world.sends("livevox")[-1].body == template.body


async def test_thread_actions_reach_the_world(provider: LiveVoxProvider, sim: Simulator) -> None:
    thread = await first_thread(provider)
    await provider.set_read(thread, False)
    assert not sim.world.livevox.thread(thread.key).read
    await provider.set_read(thread, True)
    assert sim.world.livevox.thread(thread.key).read
    await provider.move_to_inbox(thread, personal=False)
    assert sim.world.livevox.thread(thread.key).owner_agent_id is None
    await provider.move_to_inbox(thread, personal=True)
    assert (
        sim.world.livevox.thread(thread.key).owner_agent_id
        == sim.world.livevox.default_agent.agent_id
    )
    code = (await provider.list_term_codes(thread))[0]
    await provider.resolve(thread, code.id)
    resolved = sim.world.livevox.thread(thread.key)
    assert resolved.resolved and str(resolved.term_code_id) == code.id
    kinds = [a.kind for a in sim.world.actions() if a.thread_id == thread.key]
    assert kinds == ["mark_unread", "mark_read", "switch_public", "switch_private", "resolve"]


async def test_transfer(provider: LiveVoxProvider, sim: Simulator) -> None:
    thread = await first_thread(provider)
    target = (await provider.list_transfer_agents(thread))[0]
    await provider.transfer(thread, target.id)
    assert str(sim.world.livevox.thread(thread.key).owner_agent_id) == target.id


async def test_refusal_is_vendor_refused(provider: LiveVoxProvider) -> None:
    thread = await first_thread(provider)
    with pytest.raises(VendorRefused, match="not an SMS code"):
        await provider.send_message(thread, "hi", "+19999999999")


async def test_versioned_paths_and_session_reuse(sim: Simulator, running: RunningServer) -> None:
    config = account(sim, running, api_version="v17.0", session_api_version="v5.0")
    async with create_provider(config) as provider:
        await provider.list_channels()
        await provider.list_templates()
    assert sim.world.summary()["livevox"]["sessions"] == 1


async def test_expired_session_is_renewed(provider: LiveVoxProvider, sim: Simulator) -> None:
    await provider.list_channels()
    sim.world.expire_sessions()
    assert await provider.list_channels()
    sim.world.clock.advance(CONFIG.session_idle_seconds + 60)
    assert await provider.list_templates()


async def test_wrong_password(sim: Simulator, running: RunningServer) -> None:
    async with create_provider(account(sim, running, password="not-it-123")) as provider:
        with pytest.raises(AuthError, match="refused the login"):
            await provider.login()


async def test_fault_expire_on_every_call_is_transient_not_auth(
    provider: LiveVoxProvider, sim: Simulator
) -> None:
    await provider.login()
    sim.faults = FaultConfig(expire=1.0)
    with pytest.raises(ServerError, match="even after a fresh login"):
        await provider.list_channels()


async def test_fault_drop(provider: LiveVoxProvider, sim: Simulator) -> None:
    thread = await first_thread(provider)
    sends = len(sim.world.sends())
    sim.faults = FaultConfig(drop=1.0)
    with pytest.raises(NetworkError):
        await provider.list_channels()
    assert sim.fault_counts["drop"] == 4  # retried
    with pytest.raises(OutcomeUnknown):
        await provider.send_message(thread, "dropped", thread.our_number)
    assert sim.fault_counts["drop"] == 5  # sent once
    assert len(sim.world.sends()) == sends


async def test_fault_drop_after_commit_then_reconcile(
    provider: LiveVoxProvider, sim: Simulator
) -> None:
    thread = await first_thread(provider)
    before = datetime.now(UTC) - timedelta(seconds=5)
    sim.faults = FaultConfig(drop_after_commit=1.0)
    with pytest.raises(OutcomeUnknown):
        await provider.send_message(thread, "did it go?", thread.our_number)
    assert sim.fault_counts["drop_after_commit"] == 1
    sim.faults = FaultConfig()
    found = await provider.find_sent(thread, "did it go?", before)
    assert found is not None and found.id == sim.world.sends("livevox")[-1].message_id


async def test_fault_timeout(sim: Simulator, running: RunningServer) -> None:
    async with LiveVoxProvider(
        account(sim, running), timeout=0.3, retry=Sleeps().policy(2)
    ) as provider:
        thread = await first_thread(provider)
        sim.faults = FaultConfig(timeout=1.0, timeout_s=2)
        with pytest.raises(NetworkError, match=r"did not answer the inbox list within 0.3 s"):
            await provider.list_channels()
        with pytest.raises(OutcomeUnknown):
            await provider.send_message(thread, "slow", thread.our_number)
    assert sim.fault_counts["timeout"] == 3


async def test_fault_5xx(provider: LiveVoxProvider, sim: Simulator, sleeps: Sleeps) -> None:
    thread = await first_thread(provider)
    sim.faults = FaultConfig(error_5xx=1.0)
    with pytest.raises(ServerError):
        await provider.list_templates()
    assert len(sleeps.delays) == 3
    with pytest.raises((ServerError, OutcomeUnknown)):
        await provider.send_message(thread, "x", thread.our_number)
    assert sim.fault_counts["error_5xx"] == 5


async def test_fault_429(provider: LiveVoxProvider, sim: Simulator, sleeps: Sleeps) -> None:
    await provider.login()
    sim.faults = FaultConfig(rate_429=1.0, retry_after_s=2)
    with pytest.raises(RateLimited) as caught:
        await provider.list_channels()
    assert caught.value.retry_after == 2.0
    assert sleeps.delays == [2.0, 2.0, 2.0]


@pytest.mark.parametrize("kind", ["malformed", "truncated"])
async def test_fault_broken_body(provider: LiveVoxProvider, sim: Simulator, kind: str) -> None:
    thread = await first_thread(provider)
    sim.faults = FaultConfig(**{kind: 1.0})
    with pytest.raises(BadResponse):
        await provider.list_channels()
    with pytest.raises(OutcomeUnknown):
        await provider.send_message(thread, "broken answer", thread.our_number)
    assert sim.world.sends("livevox")[-1].body == "broken answer"  # it did go out


async def test_mixed_faults_and_latency_still_sync(
    provider: LiveVoxProvider, sim: Simulator
) -> None:
    sim.faults = FaultConfig(
        latency_ms=1, error_5xx=0.05, rate_429=0.02, malformed=0.02, truncated=0.02, drop=0.02,
        expire=0.01, retry_after_s=1,
    )  # fmt: skip
    for channel in await provider.list_channels():
        for thread in await all_threads(provider, channel):
            assert await provider.list_messages(thread)
    assert sum(sim.fault_counts.values()) > 5
