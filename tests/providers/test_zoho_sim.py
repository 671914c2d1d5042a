"""ZohoVoiceProvider against the simulator over real loopback HTTP: every endpoint,
checked against the simulator's world, OAuth renewal, and every fault kind."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import Direction, ProviderKind, Thread
from inbox_app.core.phone import normalize_number
from inbox_app.providers.errors import (
    AuthError,
    BadResponse,
    NetworkError,
    OutcomeUnknown,
    ProviderError,
    RateLimited,
    ServerError,
    VendorRefused,
)
from inbox_app.providers.registry import create_provider
from inbox_app.providers.zoho import ZohoVoiceProvider
from inbox_app.simulator import FaultConfig, SimConfig, Simulator, serve_in_thread
from inbox_app.simulator.server import RunningServer
from tests.providers.provider_helpers import Sleeps

CONFIG = SimConfig(seed=1, threads=2, messages_per_thread=1, zoho_conversations=30)


@pytest.fixture
def sim() -> Simulator:
    return Simulator(CONFIG)


@pytest.fixture
def running(sim: Simulator) -> Iterator[RunningServer]:
    with serve_in_thread(sim) as server:
        yield server


def account(sim: Simulator, running: RunningServer, **values: str) -> AccountConfig:
    return AccountConfig(
        "Sim Zoho",
        ProviderKind.ZOHO,
        running.zoho_url,
        {**sim.credentials["zoho"], "accounts_url": running.zoho_accounts_url, **values},
    )


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def provider(sim: Simulator, running: RunningServer, sleeps: Sleeps) -> AsyncIterator[Any]:
    async with ZohoVoiceProvider(account(sim, running), retry=sleeps.policy(), timeout=5) as p:
        yield p


async def all_threads(provider: ZohoVoiceProvider) -> list[Thread]:
    channel = (await provider.list_channels())[0]
    return [t async for page in provider.thread_pages(channel) for t in page]


async def a_thread(provider: ZohoVoiceProvider) -> Thread:
    return next(t for t in await all_threads(provider) if t.our_number)


async def test_conversations_and_messages_match_the_world(
    provider: ZohoVoiceProvider, sim: Simulator
) -> None:
    truth = sim.world.zoho.conversation_list()
    channels = await provider.list_channels()
    assert [(c.key, c.total) for c in channels] == [("conversations", len(truth))]
    threads = await all_threads(provider)
    assert len({t.key for t in threads}) == len(threads) == len(truth)
    by_key = {
        (normalize_number(c.sender) if c.sender else "", normalize_number(c.customer)): c
        for c in truth
    }
    assert {(t.our_number, t.customer_number) for t in threads} == set(by_key)
    assert any(not t.our_number for t in threads)  # a released number, senderId ""
    for thread in threads:
        real = by_key[(thread.our_number, thread.customer_number)]
        messages = await provider.list_messages(thread)
        assert [m.id for m in messages] == [e.logid for e in real.logs]
        assert [m.direction is Direction.IN for m in messages] == [
            e.direction == "INCOMING" for e in real.logs
        ]
        assert thread.last_message_at == messages[-1].at


async def test_since_stops_early(provider: ZohoVoiceProvider) -> None:
    threads = await all_threads(provider)
    thread = max(threads, key=lambda t: t.last_message_at or datetime.min.replace(tzinfo=UTC))
    messages = await provider.list_messages(thread)
    recent = await provider.list_messages(thread, since=messages[-1].at)
    assert recent[-1].id == messages[-1].id


async def test_mms_attachments_and_download(provider: ZohoVoiceProvider) -> None:
    logs = await provider.list_logs(mms_only=True)
    assert logs and all(m.attachments for m in logs)
    attachment = logs[0].attachments[0]
    content, content_type = await provider.fetch_mms(attachment.id, download=True)
    assert len(content) == attachment.size and content_type == attachment.content_type
    preview, _ = await provider.fetch_mms(attachment.id)
    assert preview == content
    with pytest.raises(ProviderError, match="not downloaded"):
        await provider.fetch_mms(attachment.id, max_bytes=len(content) - 1)
    with pytest.raises(VendorRefused, match="ZVSMS-4004"):
        await provider.fetch_mms("no-such-id")


async def test_list_logs_filters(sim: Simulator, running: RunningServer) -> None:
    config = account(sim, running, time_zone="America/New_York")  # the simulated org's zone
    async with create_provider(config) as provider:
        assert isinstance(provider, ZohoVoiceProvider)
        await check_log_filters(provider)


async def check_log_filters(provider: ZohoVoiceProvider) -> None:
    thread = await a_thread(provider)
    outgoing = await provider.list_logs(
        customer_number=thread.customer_number, message_type="Outgoing"
    )
    assert outgoing and all(m.direction is Direction.OUT for m in outgoing)
    assert all(m.customer_number == thread.customer_number for m in outgoing)
    newest = await provider.list_logs(limit=3)
    assert len(newest) == 3 and newest[0].at >= newest[-1].at
    window = await provider.list_logs(
        from_date=newest[-1].at, to_date=newest[0].at + timedelta(minutes=1)
    )
    assert {m.id for m in newest} <= {m.id for m in window}


async def test_send_then_history_and_find_sent(provider: ZohoVoiceProvider, sim: Simulator) -> None:
    thread = await a_thread(provider)
    before = datetime.now(UTC) - timedelta(seconds=5)
    result = await provider.send_message(thread, "See you Friday", "")
    assert sim.world.sends("zoho")[-1].message_id == result.message_id
    assert result.status == "IN_QUEUE"
    messages = await provider.list_messages(thread)
    assert messages[-1].id == result.message_id and messages[-1].direction is Direction.OUT
    found = await provider.find_sent(thread, "See you Friday", before)
    assert found is not None and found.id == result.message_id


async def test_send_template_id_reaches_zoho(provider: ZohoVoiceProvider) -> None:
    thread = await a_thread(provider)
    with pytest.raises(VendorRefused) as caught:
        await provider.send_message(thread, "hi", thread.our_number, template_id="404")
    assert caught.value.code == "ZVSMS-4030"


async def test_schedule_and_release(provider: ZohoVoiceProvider, sim: Simulator) -> None:
    thread = await a_thread(provider)
    when = datetime.fromtimestamp(sim.world.clock.now(), UTC) + timedelta(hours=2)
    result = await provider.schedule_message(thread, "Reminder", "", when, "Asia/Kolkata")
    scheduled = await provider.list_scheduled()
    job = next(s for s in scheduled if s.id == result.message_id)
    assert job.at == when.replace(microsecond=0) and job.time_zone == "Asia/Kolkata"
    assert job.customer_number == thread.customer_number
    sim.world.clock.advance(3 * 3600)
    messages = await provider.list_messages(thread)
    assert messages[-1].id == result.message_id and messages[-1].body == "Reminder"


async def test_vendor_refusals(provider: ZohoVoiceProvider) -> None:
    threads = await all_threads(provider)
    senderless = next(t for t in threads if not t.our_number)
    with pytest.raises(VendorRefused) as caught:
        await provider.send_message(senderless, "hello", "")
    assert caught.value.code == "ZVSMS-4027" and "senderId is required" in str(caught.value)
    thread = next(t for t in threads if t.our_number)
    with pytest.raises(VendorRefused) as caught:
        await provider.send_message(thread, "hello", "+19999999999")
    assert caught.value.code == "ZVSMS-4011"
    with pytest.raises(VendorRefused) as caught:
        await provider.schedule_message(
            thread, "past", "", datetime(2020, 1, 1, tzinfo=UTC), "Asia/Kolkata"
        )
    assert caught.value.code == "ZVSMS-4029"


async def test_token_renewal(provider: ZohoVoiceProvider, sim: Simulator) -> None:
    await provider.list_channels()
    sim.world.expire_tokens()
    assert await provider.list_channels()
    sim.world.clock.advance(CONFIG.token_lifetime_seconds + 1)
    assert await provider.list_scheduled() is not None
    assert sim.world.summary()["zoho"]["tokens"] == 3


async def test_bad_credentials(sim: Simulator, running: RunningServer) -> None:
    async with create_provider(account(sim, running, client_secret="nope-nope")) as provider:
        with pytest.raises(AuthError, match="wrong client id"):
            await provider.login()
    async with create_provider(account(sim, running, refresh_token="1000.bad.token")) as provider:
        with pytest.raises(AuthError, match="refresh token is invalid"):
            await provider.login()


async def test_access_token_only(sim: Simulator, running: RunningServer) -> None:
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            running.zoho_accounts_url + "/oauth/v2/token",
            data={"grant_type": "refresh_token", **sim.credentials["zoho"]},
        )
    token = answer.json()["access_token"]
    config = account(sim, running, refresh_token="", access_token=token)
    async with create_provider(config) as provider:
        assert await provider.list_channels()
        sim.world.expire_tokens()
        with pytest.raises(AuthError, match="configure a refresh token"):
            await provider.list_channels()


async def test_fault_expire_on_every_call(provider: ZohoVoiceProvider, sim: Simulator) -> None:
    await provider.login()
    sim.faults = FaultConfig(expire=1.0)
    with pytest.raises(ServerError, match="even with a fresh access token"):
        await provider.list_channels()


async def test_fault_drop_and_drop_after_commit(
    provider: ZohoVoiceProvider, sim: Simulator
) -> None:
    thread = await a_thread(provider)
    sends = len(sim.world.sends("zoho"))
    sim.faults = FaultConfig(drop=1.0)
    with pytest.raises(NetworkError):
        await provider.list_channels()
    with pytest.raises(OutcomeUnknown):
        await provider.send_message(thread, "lost", "")
    assert sim.fault_counts["drop"] == 5 and len(sim.world.sends("zoho")) == sends
    before = datetime.now(UTC) - timedelta(seconds=5)
    sim.faults = FaultConfig(drop_after_commit=1.0)
    with pytest.raises(OutcomeUnknown):
        await provider.send_message(thread, "committed", "")
    sim.faults = FaultConfig()
    found = await provider.find_sent(thread, "committed", before)
    assert found is not None and found.id == sim.world.sends("zoho")[-1].message_id


async def test_fault_timeout(sim: Simulator, running: RunningServer) -> None:
    config = account(sim, running)
    async with ZohoVoiceProvider(config, timeout=0.3, retry=Sleeps().policy(2)) as provider:
        thread = await a_thread(provider)
        sim.faults = FaultConfig(timeout=1.0, timeout_s=2)
        with pytest.raises(NetworkError, match=r"Zoho Voice did not answer .* within 0\.3 s"):
            await provider.list_scheduled()
        with pytest.raises(OutcomeUnknown):
            await provider.send_message(thread, "slow", "")


async def test_fault_5xx_and_429(
    provider: ZohoVoiceProvider, sim: Simulator, sleeps: Sleeps
) -> None:
    thread = await a_thread(provider)
    sim.faults = FaultConfig(error_5xx=1.0)
    with pytest.raises(ServerError):
        await provider.list_scheduled()
    with pytest.raises((ServerError, OutcomeUnknown)):
        await provider.send_message(thread, "x", "")
    assert sim.fault_counts["error_5xx"] == 5
    sim.faults = FaultConfig(rate_429=1.0, retry_after_s=3)
    with pytest.raises(RateLimited) as caught:
        await provider.list_scheduled()
    assert caught.value.retry_after == 3.0 and sleeps.delays[-3:] == [3.0, 3.0, 3.0]


@pytest.mark.parametrize("kind", ["malformed", "truncated"])
async def test_fault_broken_body(provider: ZohoVoiceProvider, sim: Simulator, kind: str) -> None:
    thread = await a_thread(provider)
    sim.faults = FaultConfig(**{kind: 1.0})
    with pytest.raises(BadResponse):
        await provider.list_channels()
    with pytest.raises(OutcomeUnknown):
        await provider.send_message(thread, "broken answer", "")
    assert sim.world.sends("zoho")[-1].body == "broken answer"


async def test_fault_on_token_refresh_is_retried(
    provider: ZohoVoiceProvider, sim: Simulator
) -> None:
    sim.faults = FaultConfig(error_5xx=0.5, drop=0.2)
    assert await provider.list_channels()


async def test_mixed_faults_still_sync(provider: ZohoVoiceProvider, sim: Simulator) -> None:
    sim.faults = FaultConfig(
        latency_ms=1, error_5xx=0.05, rate_429=0.02, malformed=0.02, truncated=0.02, drop=0.02,
        expire=0.01, retry_after_s=1,
    )  # fmt: skip
    for thread in await all_threads(provider):
        assert await provider.list_messages(thread)
    assert sum(sim.fault_counts.values()) > 3
