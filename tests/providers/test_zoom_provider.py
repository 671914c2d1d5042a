"""ZoomContactCenterProvider against the simulator over real loopback HTTP: the full
history walk, incremental passes, window splitting, page-token expiry, filters, OAuth
and the vendor's error envelope."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import Capability, ProviderKind, ThreadStatus
from inbox_app.core.phone import normalize_number
from inbox_app.providers.errors import AuthError, BadResponse, ServerError, VendorRefused
from inbox_app.providers.registry import create_provider
from inbox_app.providers.zoom import WINDOW, ZoomContactCenterProvider, windows
from inbox_app.simulator import FaultConfig, SimConfig, Simulator, serve_in_thread
from inbox_app.simulator.server import RunningServer
from inbox_app.simulator.zoom_model import Engagement
from tests.providers.provider_helpers import FakeServer, Sleeps, json_response

START = 1_790_000_000.0
DAY_MS = 86_400_000


class Recorder(httpx.AsyncBaseTransport):
    """Real HTTP, with every request kept and an optional hook after each answer."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.requests: list[httpx.Request] = []
        self.after: Callable[[httpx.Request, httpx.Response], None] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = await self.inner.handle_async_request(request)
        if self.after is not None:
            await response.aread()
            self.after(request, response)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()

    def api_calls(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith("/contact_center/sms")]

    def token_calls(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.endswith("/oauth/token")]


@pytest.fixture
def sim() -> Simulator:
    return Simulator(
        SimConfig(seed=3, threads=2, messages_per_thread=1, zoho_conversations=0,
                  zoom_engagements=400, start_time=START, frozen_clock=True)
    )  # fmt: skip


@pytest.fixture
def running(sim: Simulator) -> Iterator[RunningServer]:
    with serve_in_thread(sim) as server:
        yield server


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def account(sim: Simulator, running: RunningServer, **values: str) -> AccountConfig:
    return AccountConfig(
        "Sim Zoom",
        ProviderKind.ZOOM,
        running.zoom_url,
        {**sim.credentials["zoom"], "oauth_url": running.zoom_oauth_url, **values},
    )


def make(
    sim: Simulator, running: RunningServer, recorder: Recorder, sleeps: Sleeps, **values: str
) -> ZoomContactCenterProvider:
    """A provider whose clocks are the world's, so advancing it moves both sides."""
    clock = sim.world.clock
    return ZoomContactCenterProvider(
        account(sim, running, **values),
        transport=recorder,
        retry=sleeps.policy(),
        clock=clock.now,
        now=lambda: datetime.fromtimestamp(clock.now(), UTC),
    )


@pytest.fixture
async def provider(
    sim: Simulator, running: RunningServer, recorder: Recorder, sleeps: Sleeps
) -> AsyncIterator[ZoomContactCenterProvider]:
    async with make(sim, running, recorder, sleeps) as zoom:
        yield zoom


def within(sim: Simulator, days: int) -> list[Engagement]:
    since = sim.world.clock.now_ms() - days * DAY_MS
    return [e for e in sim.world.zoom.engagements if e.start_ms >= since]


async def all_threads(zoom: ZoomContactCenterProvider) -> dict[str, str]:
    """engagement id -> channel key, over every channel."""
    found: dict[str, str] = {}
    for channel in await zoom.list_channels():
        async for page in zoom.thread_pages(channel):
            assert len(page) <= 100
            found.update((t.key, t.channel_key) for t in page)
    return found


async def test_full_walk_files_every_engagement_of_the_horizon_under_its_queue(
    provider: ZoomContactCenterProvider, sim: Simulator, recorder: Recorder
) -> None:
    assert provider.capabilities == frozenset()
    truth = within(sim, 90)
    assert 0 < len(truth) < len(sim.world.zoom.engagements)  # some lie beyond the horizon
    channels = await provider.list_channels()
    by_queue: dict[str, int] = {}
    for e in truth:
        by_queue[f"queue:{e.queues[0].queue_id}"] = (
            by_queue.get(f"queue:{e.queues[0].queue_id}", 0) + 1
        )
    assert {c.key: c.total for c in channels} == by_queue
    assert {c.name for c in channels} <= {q.name for q in sim.world.zoom.queues}
    assert all(c.unread == 0 and not c.personal for c in channels)

    threads = await all_threads(provider)
    assert threads == {e.engagement_id: f"queue:{e.queues[0].queue_id}" for e in truth}

    # One token, then per 28-day window one request per 100 rows (at least one).
    pieces = windows(
        datetime.fromtimestamp(START, UTC) - timedelta(days=90), datetime.fromtimestamp(START, UTC)
    )
    assert len(pieces) == 4
    expected = 0
    for low, high in pieces:
        count = sum(low.timestamp() * 1000 <= e.start_ms <= high.timestamp() * 1000 for e in truth)
        expected += max(1, -(-count // 100))
    assert len(recorder.api_calls()) == expected + 1  # all_threads lists once more: the last day
    assert len(recorder.token_calls()) == 1


async def test_thread_shows_customer_agents_counts_and_times(
    provider: ZoomContactCenterProvider, sim: Simulator
) -> None:
    channels = await provider.list_channels()
    engagement = next(e for e in reversed(sim.world.zoom.engagements) if len(e.agents) == 2)
    channel = next(c for c in channels if c.vendor_id == engagement.queues[0].queue_id)
    thread = None
    async for page in provider.thread_pages(channel):
        times = [t.last_message_at for t in page]
        assert times == sorted(times, reverse=True)  # type: ignore[type-var]
        thread = thread or next((t for t in page if t.key == engagement.engagement_id), None)
    assert thread is not None
    assert thread.customer_number == normalize_number(engagement.consumer_number)
    assert thread.our_number == normalize_number(engagement.contact_center_number)
    assert thread.status is ThreadStatus.ACTIVE and not thread.unread
    assert thread.last_message_at == datetime.fromtimestamp(engagement.end_ms // 1000, UTC)
    assert thread.assigned_agent == ", ".join(a.display_name for a in engagement.agents)
    assert f"{engagement.received} received, {engagement.sent} sent" in thread.preview
    assert thread.vendor_ref["agent_ids"] == ",".join(a.user_id for a in engagement.agents)
    assert await provider.list_messages(thread) == []  # no text to show, none invented


async def test_later_passes_list_only_the_recent_window(
    provider: ZoomContactCenterProvider, sim: Simulator, recorder: Recorder
) -> None:
    await all_threads(provider)
    before = len(recorder.api_calls())
    await provider.list_channels()
    assert len(recorder.api_calls()) == before + 1  # nothing new: one request
    recent = recorder.api_calls()[-1].url.params
    assert recent["from"] < recent["to"]

    sim.world.clock.advance(600)
    new = sim.world.zoom.complete_engagement()
    threads = await all_threads(provider)
    assert threads[new.engagement_id] == f"queue:{new.queues[0].queue_id}"
    assert len(threads) == len(within(sim, 90))

    sim.world.clock.advance(3600)  # a full walk again, once an hour
    before = len(recorder.api_calls())
    await provider.list_channels()
    assert len(recorder.api_calls()) - before >= 4


async def test_ranges_longer_than_a_month_are_split(
    provider: ZoomContactCenterProvider, sim: Simulator, recorder: Recorder
) -> None:
    now = datetime.fromtimestamp(START, UTC)
    found = await provider.list_engagements(now - timedelta(days=75), now)
    calls = recorder.api_calls()
    spans = {(c.url.params["from"], c.url.params["to"]) for c in calls}
    assert len(spans) == 3
    for low, high in spans:
        length = datetime.fromisoformat(high) - datetime.fromisoformat(low)
        assert timedelta(0) < length <= WINDOW
    assert {t.key for t in found} == {e.engagement_id for e in within(sim, 75)}
    assert len(found) == len({t.key for t in found})


async def test_history_days_sets_the_horizon(
    sim: Simulator, running: RunningServer, recorder: Recorder, sleeps: Sleeps
) -> None:
    async with make(sim, running, recorder, sleeps, history_days="20") as zoom:
        assert set(await all_threads(zoom)) == {e.engagement_id for e in within(sim, 20)}
    assert len({c.url.params["from"] for c in recorder.api_calls()}) == 1


async def test_expired_page_token_walks_the_window_again(
    provider: ZoomContactCenterProvider, sim: Simulator, recorder: Recorder
) -> None:
    now = datetime.fromtimestamp(START, UTC)
    big = max(windows(now - timedelta(days=90), now), key=lambda w: sum(
        w[0].timestamp() * 1000 <= e.start_ms <= w[1].timestamp() * 1000
        for e in sim.world.zoom.engagements
    ))  # fmt: skip
    stalled: list[bool] = []

    def stall(request: httpx.Request, response: httpx.Response) -> None:
        """The first page with a next token: the walk stalls longer than 15 minutes."""
        first_with_token = (
            not stalled
            and response.status_code == 200
            and bool(response.json().get("next_page_token"))
        )
        if first_with_token:
            stalled.append(True)
            sim.world.clock.advance(16 * 60)

    recorder.after = stall
    found = await provider.list_engagements(big[0], big[1])
    assert stalled
    refused = [c for c in recorder.api_calls() if "next_page_token" in c.url.params]
    assert refused, "the walk went on with the stale token first"
    truth = {
        e.engagement_id
        for e in sim.world.zoom.engagements
        if big[0].timestamp() * 1000 <= e.start_ms <= big[1].timestamp() * 1000
    }
    assert len(truth) > 100
    assert {t.key for t in found} == truth


async def test_documented_filters_reach_zoom(
    provider: ZoomContactCenterProvider, sim: Simulator
) -> None:
    now = datetime.fromtimestamp(START, UTC)
    start = now - timedelta(days=60)
    truth = within(sim, 60)
    sample = next(e for e in reversed(truth) if e.agents)
    agent = sample.agents[0].user_id

    outbound = await provider.list_engagements(start, now, direction="outbound")
    assert {t.key for t in outbound} == {
        e.engagement_id for e in truth if e.direction == "outbound"
    }
    by_agent = await provider.list_engagements(start, now, user_id=agent)
    assert {t.key for t in by_agent} == {
        e.engagement_id for e in truth if agent in [a.user_id for a in e.agents]
    }
    by_customer = await provider.list_engagements(
        start, now, consumer_number=sample.consumer_number[1:]
    )
    assert sample.engagement_id in {t.key for t in by_customer}
    assert {t.customer_number for t in by_customer} == {normalize_number(sample.consumer_number)}
    one = await provider.list_engagements(start, now, engagement_id=sample.engagement_id)
    assert [t.key for t in one] == [sample.engagement_id]
    canada = await provider.list_engagements(start, now, country_iso_codes=["CA", "MX"])
    assert {t.key for t in canada} == {e.engagement_id for e in truth if e.country_iso == "CA"}


async def test_expired_access_token_is_fetched_again_once(
    provider: ZoomContactCenterProvider, sim: Simulator, recorder: Recorder
) -> None:
    await provider.list_channels()
    sim.world.expire_tokens()
    await provider.list_channels()
    assert len(recorder.token_calls()) == 2
    sim.world.clock.advance(3600 - 200)  # within 5 minutes of expiry: renewed ahead
    await provider.list_channels()
    assert len(recorder.token_calls()) == 3


async def test_fault_expire_renews_and_completes(
    provider: ZoomContactCenterProvider, sim: Simulator
) -> None:
    sim.faults = FaultConfig(expire=0.1, rate_429=0.2, error_5xx=0.1, retry_after_s=0)
    threads = await all_threads(provider)
    assert set(threads) == {e.engagement_id for e in within(sim, 90)}


async def test_wrong_credentials_are_an_auth_error_without_secrets(
    sim: Simulator,
    running: RunningServer,
    recorder: Recorder,
    sleeps: Sleeps,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with make(sim, running, recorder, sleeps, client_secret="wrong-SECRET-123") as zoom:
        with pytest.raises(AuthError, match="Invalid client_id or client_secret") as error:
            await zoom.list_channels()
    assert "wrong-SECRET-123" not in str(error.value) + caplog.text
    assert not recorder.api_calls()
    async with make(sim, running, recorder, sleeps, account_id="someone-else") as zoom:
        with pytest.raises(AuthError, match="Invalid account_id"):
            await zoom.login()


async def test_malformed_answers_are_retried_then_bad_response(
    provider: ZoomContactCenterProvider, sim: Simulator, sleeps: Sleeps
) -> None:
    await provider.login()
    sim.faults = FaultConfig(malformed=1.0)
    with pytest.raises(BadResponse, match="not valid JSON"):
        await provider.list_channels()
    assert len(sleeps.delays) == 3


async def test_registry_builds_the_zoom_provider(sim: Simulator, running: RunningServer) -> None:
    async with create_provider(account(sim, running)) as zoom:
        assert isinstance(zoom, ZoomContactCenterProvider)
        assert Capability.SEND not in zoom.capabilities


# -- an in-test server for answers the simulator never gives ------------------------


def fake_account() -> AccountConfig:
    return AccountConfig(
        "Acme Zoom",
        ProviderKind.ZOOM,
        "https://api.zoom.us/v2",
        {"account_id": "acct", "client_id": "cid", "client_secret": "zoom-SECRET-77",
         "oauth_url": "https://zoom.us"},
    )  # fmt: skip


TOKEN = {"access_token": "tok-abcdef", "token_type": "bearer", "expires_in": 3599}


async def test_error_envelope_and_scope_refusal(sleeps: Sleeps) -> None:
    server = FakeServer(
        {
            ("POST", "/oauth/token"): TOKEN,
            ("GET", "/v2/contact_center/sms"): [
                json_response({"code": 300, "message": "Invalid parameter: direction."}, 400),
                json_response({"code": 429, "message": "Too many requests"}, 429),
                json_response({"code": 4700, "message": "Invalid access token, no scopes."}, 400),
            ],
        }
    )
    async with ZoomContactCenterProvider(
        fake_account(), transport=server.transport, retry=sleeps.policy()
    ) as zoom:
        with pytest.raises(VendorRefused, match="Invalid parameter: direction") as refused:
            await zoom.list_channels()
        assert refused.value.code == "300" and refused.value.status == 400
        # 429 without Retry-After: backed off and retried; then 4700 twice -> AuthError.
        with pytest.raises(AuthError, match="contact_center_sms:read:admin"):
            await zoom.list_channels()
    assert sleeps.delays == [0.25]
    assert len(server.calls("POST", "/oauth/token")) == 2
    token_call = server.calls("POST", "/oauth/token")[0]
    assert token_call.url.params["grant_type"] == "account_credentials"
    assert token_call.url.params["account_id"] == "acct"
    assert token_call.headers["Authorization"].startswith("Basic ")
    assert "zoom-SECRET-77" not in str(token_call.url)


async def test_next_page_token_paging_stops_on_empty_or_repeated_token(sleeps: Sleeps) -> None:
    row = {"engagement_id": "e1", "start_time": "2026-01-01T00:00:00Z", "queues": []}
    pages = [
        {"sms": [row], "next_page_token": "t1"},
        {"sms": [{**row, "engagement_id": "e2"}], "next_page_token": "t1"},
    ]
    server = FakeServer({("POST", "/oauth/token"): TOKEN, ("GET", "/v2/contact_center/sms"): [
        json_response(pages[0]), json_response(pages[1])]})  # fmt: skip
    async with ZoomContactCenterProvider(
        fake_account(), transport=server.transport, retry=sleeps.policy()
    ) as zoom:
        end = datetime(2026, 1, 10, tzinfo=UTC)
        found = await zoom.list_engagements(end - timedelta(days=5), end)
    assert {t.key for t in found} == {"e1", "e2"}
    assert len(server.calls("GET", "/v2/contact_center/sms")) == 2


async def test_fresh_token_refused_again_is_tried_later_not_an_auth_failure(
    sleeps: Sleeps,
) -> None:
    expired = json_response({"code": 124, "message": "Access token is expired."}, 401)
    server = FakeServer(
        {("POST", "/oauth/token"): TOKEN, ("GET", "/v2/contact_center/sms"): [expired, expired]}
    )
    async with ZoomContactCenterProvider(
        fake_account(), transport=server.transport, retry=sleeps.policy()
    ) as zoom:
        with pytest.raises(ServerError, match="freshly issued access token"):
            await zoom.list_channels()
    assert len(server.calls("POST", "/oauth/token")) == 2
