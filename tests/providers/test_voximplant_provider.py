"""VoximplantProvider against the simulator over real loopback HTTP: paging to the end,
filters, incremental passes, sends (several destinations, the limits), ControlSms,
refused credentials, broken bodies and the vendor's error envelope."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import Direction, ProviderKind, Thread, ThreadStatus
from inbox_app.core.phone import normalize_number
from inbox_app.providers.errors import (
    AuthError,
    BadResponse,
    OutcomeUnknown,
    VendorRefused,
)
from inbox_app.providers.voximplant import VoximplantProvider
from inbox_app.providers.voximplant_parse import A2P, SMS, TEXT_NOT_STORED
from inbox_app.simulator import FaultConfig, RunningServer, SimConfig, Simulator, serve_in_thread
from tests.providers.provider_helpers import FakeServer, Sleeps, json_response

START = 1_790_000_000.0
PAGE = 25


class CountingTransport(httpx.AsyncBaseTransport):
    """Real loopback HTTP, with every request's method name, form and bearer token kept."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.tokens: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        self.calls.append((request.url.path.rstrip("/").rsplit("/", 1)[1], form))
        self.tokens.append(request.headers.get("Authorization", "").removeprefix("Bearer "))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def methods(self) -> Counter[str]:
        return Counter(method for method, _ in self.calls)


@pytest.fixture
def sim() -> Simulator:
    return Simulator(SimConfig(seed=5, start_time=START, frozen_clock=True))


@pytest.fixture
def running(sim: Simulator) -> Iterator[RunningServer]:
    with serve_in_thread(sim) as server:
        yield server


@pytest.fixture
def transport() -> CountingTransport:
    return CountingTransport()


def account(running: RunningServer, sim: Simulator, **values: str) -> AccountConfig:
    return AccountConfig(
        name="Vox",
        provider=ProviderKind.VOXIMPLANT,
        base_url=running.voximplant_url,
        values={**sim.credentials["voximplant"], **values},
    )


@pytest.fixture
async def vox(
    sim: Simulator, running: RunningServer, transport: CountingTransport
) -> AsyncIterator[VoximplantProvider]:
    provider = VoximplantProvider(
        account(running, sim),
        transport=transport,
        page_size=PAGE,
        retry=Sleeps().policy(),
    )
    yield provider
    await provider.aclose()


def truth(sim: Simulator) -> dict[str, dict[str, tuple[Direction, str, bool]]]:
    return {
        f"{normalize_number(ours)}|{normalize_number(customer)}": {
            (f"a2p:{r.transaction_id}" if r.kind == "a2p" else f"sms:{r.message_id}"): (
                Direction(r.direction.lower()),
                r.text if r.text is not None else TEXT_NOT_STORED,
                r.text is not None,
            )
            for r in records
        }
        for (ours, customer), records in sim.world.voximplant.pairs().items()
    }


async def all_threads(vox: VoximplantProvider) -> list[Thread]:
    threads: list[Thread] = []
    for channel in await vox.list_channels():
        async for page in vox.thread_pages(channel):
            threads += page
    return threads


async def thread_for(vox: VoximplantProvider, route: str) -> Thread:
    threads = await all_threads(vox)
    return next(t for t in threads if t.vendor_ref["route"] == route)


async def test_full_read_pages_to_the_end_and_matches_the_vendor(
    sim: Simulator, vox: VoximplantProvider, transport: CountingTransport
) -> None:
    channels = await vox.list_channels()
    records = sim.world.voximplant.records
    plain = sum(r.kind == "sms" for r in records)
    a2p = len(records) - plain
    assert transport.methods() == {
        "GetSmsHistory": math.ceil(plain / PAGE),
        "A2PGetSmsHistory": math.ceil(a2p / PAGE),
    }
    offsets = [int(form["offset"]) for method, form in transport.calls if method == "GetSmsHistory"]
    assert offsets == list(range(0, plain, PAGE))

    expected = truth(sim)
    assert sum(c.total for c in channels) == len(expected)
    assert {c.kind for c in channels} == {"SMS", "A2P"}
    assert all(c.unread == 0 for c in channels)
    threads = await all_threads(vox)
    assert sorted(t.key for t in threads) == sorted(expected)
    for channel in channels:
        mine = [t for t in threads if t.channel_key == channel.key]
        times = [t.last_message_at for t in mine]
        assert times == sorted(times, reverse=True), "newest first"

    transport.calls.clear()
    for thread in threads:
        messages = await vox.list_messages(thread)
        assert {m.id: (m.direction, m.body, m.body_stored) for m in messages} == expected[
            thread.key
        ]
        assert [m.at for m in messages] == sorted(m.at for m in messages)
        assert thread.preview == messages[-1].body
    assert transport.calls == [], "messages come from the history already read"
    assert any(not m[2] for pair in expected.values() for m in pair.values())


async def test_later_passes_read_only_recent_history(
    sim: Simulator, vox: VoximplantProvider, transport: CountingTransport
) -> None:
    await vox.list_channels()
    sim.world.clock.advance(60)
    customer = next(iter(sim.world.voximplant.pairs()))[1]
    record = sim.world.voximplant.receive(customer, "Is it shipped yet?")
    assert record is not None

    transport.calls.clear()
    threads = await all_threads(vox)
    assert transport.methods() == {"GetSmsHistory": 1, "A2PGetSmsHistory": 1}
    assert all("from_date" in form for _, form in transport.calls)
    ours = normalize_number(record.destination)
    thread = next(t for t in threads if t.key == f"{ours}|{normalize_number(customer)}")
    messages = await vox.list_messages(thread)
    assert messages[-1].id == f"sms:{record.message_id}"
    assert messages[-1].body == "Is it shipped yet?"
    assert len(messages) == len(truth(sim)[thread.key])


async def test_history_filters(sim: Simulator, vox: VoximplantProvider) -> None:
    records = sim.world.voximplant.records
    inbound = await vox.history(SMS, direction=Direction.IN)
    assert len(inbound) == sum(r.direction == "IN" for r in records)
    assert {m.direction for m in inbound} == {Direction.IN}

    middle = sorted(r.at_ms for r in records)[len(records) // 2]
    start = datetime.fromtimestamp(middle // 1000, tz=UTC)
    end = start + timedelta(days=7)
    window = await vox.history(SMS, from_date=start, to_date=end)
    assert window and all(start <= m.at < end + timedelta(seconds=1) for m in window)
    low, high = int(start.timestamp() * 1000), int(end.timestamp() * 1000) + 999
    assert len(window) == sum(r.kind == "sms" and low <= r.at_ms <= high for r in records)

    a2p = [r for r in records if r.kind == "a2p"]
    first = a2p[0]
    pair = await vox.history(
        A2P, source_number="+" + first.source, destination_number="+" + first.destination
    )
    assert {m.id for m in pair} == {
        f"a2p:{r.transaction_id}"
        for r in a2p
        if (r.source, r.destination) == (first.source, first.destination)
    }
    failed = await vox.history(A2P, delivery_status=6)
    assert {m.status for m in failed} <= {"failed"}
    assert len(failed) == sum(r.final_status == 6 for r in a2p)


async def test_send_sms_lands_in_history_and_is_found_again(
    sim: Simulator, vox: VoximplantProvider
) -> None:
    thread = await thread_for(vox, SMS)
    before = datetime.fromtimestamp(sim.world.clock.now(), tz=UTC)
    result = await vox.send_message(thread, "We shipped it today.", "")
    (sent,) = sim.world.sends("voximplant")
    assert (sent.endpoint, sent.body) == ("voximplant.send_sms", "We shipped it today.")
    assert result.message_id == f"sms:{sent.message_id}"

    await vox.list_channels()
    messages = await vox.list_messages(thread)
    assert messages[-1].id == result.message_id
    assert messages[-1].body_stored, "sent with store_body, so the transcript has the text"
    found = await vox.find_sent(thread, " We shipped it today. ", before)
    assert found is not None and found.id == result.message_id
    assert await vox.find_sent(thread, "something else", before) is None

    a2p_sender = (await thread_for(vox, A2P)).our_number
    outcome = await vox.send_a2p(a2p_sender, [thread.customer_number], "From the other line")
    other = await vox.find_sent(thread, "From the other line", before)
    assert other is not None and other.id == outcome.sent[thread.customer_number]


async def test_a2p_thread_sends_through_a2p_and_several_destinations_at_once(
    sim: Simulator, vox: VoximplantProvider
) -> None:
    thread = await thread_for(vox, A2P)
    result = await vox.send_message(thread, "Your parcel is out for delivery.", "")
    assert result.message_id.startswith("a2p:")
    assert sim.world.sends("voximplant")[-1].endpoint == "voximplant.a2p_send"

    text = "Service notice: " + "x" * 200
    outcome = await vox.send_a2p(
        thread.our_number, ["+14155550101", "+1 415 555 0102", "12345"], text
    )
    assert set(outcome.sent) == {"+14155550101", "+14155550102"}
    assert [f.destination for f in outcome.failed] == ["12345"]
    assert outcome.failed[0].reason
    assert outcome.fragments == 2
    assert len(sim.world.sends("voximplant")) == 3
    found = await vox.history(A2P, destination_number="+14155550102")
    assert [m.id for m in found] == [outcome.sent["+14155550102"]]


async def test_limits_are_refused_before_anything_is_sent(
    sim: Simulator, vox: VoximplantProvider, transport: CountingTransport
) -> None:
    sms_thread = await thread_for(vox, SMS)
    a2p_thread = await thread_for(vox, A2P)
    transport.calls.clear()
    with pytest.raises(VendorRefused, match="765 characters; this one has 766"):
        await vox.send_message(sms_thread, "a" * 766, "")
    with pytest.raises(VendorRefused, match="1600 characters"):
        await vox.send_message(a2p_thread, "a" * 1601, "")
    with pytest.raises(VendorRefused, match="1 to 100 numbers"):
        await vox.send_a2p(a2p_thread.our_number, [f"+1415555{n:04d}" for n in range(101)], "hi")
    assert transport.calls == [] and sim.world.sends() == []

    await vox.send_message(sms_thread, "b" * 765, "")
    _, fragments = await vox.send_sms(sms_thread.our_number, sms_thread.customer_number, "c" * 161)
    assert fragments == 2


async def test_control_sms_disables_and_enables_a_number(
    sim: Simulator, vox: VoximplantProvider
) -> None:
    thread = await thread_for(vox, SMS)
    await vox.control_sms(thread.our_number, enable=False)
    with pytest.raises(VendorRefused, match="not enabled") as refused:
        await vox.send_message(thread, "hello", "")
    assert refused.value.code == "303"
    await vox.control_sms(thread.our_number, enable=True)
    await vox.send_message(thread, "hello", "")
    assert len(sim.world.sends("voximplant")) == 1


async def test_wrong_api_key_is_an_auth_error_without_the_key(
    sim: Simulator, running: RunningServer
) -> None:
    provider = VoximplantProvider(account(running, sim, api_key="wrong-key-123456"))
    try:
        with pytest.raises(AuthError) as refused:
            await provider.list_channels()
    finally:
        await provider.aclose()
    assert "wrong-key-123456" not in str(refused.value)
    assert "refused the account's credentials" in str(refused.value)


async def test_service_account_token_is_used_reused_and_renewed_once_refused(
    sim: Simulator, running: RunningServer, transport: CountingTransport
) -> None:
    service = sim.world.voximplant.service_account
    config = AccountConfig(
        "Vox", ProviderKind.VOXIMPLANT, running.voximplant_url, service.credentials()
    )
    async with VoximplantProvider(config, transport=transport, page_size=PAGE) as provider:
        await provider.list_channels()
        assert all(form.keys().isdisjoint({"api_key", "account_id"}) for _, form in transport.calls)
        (token,) = set(transport.tokens)
        claims = jwt.decode(token, options={"verify_signature": False})
        assert str(claims["iss"]) == service.account_id
        assert claims["exp"] - claims["iat"] == 3600
        assert jwt.get_unverified_header(token)["kid"] == service.key_id

        service.revoke(token)
        transport.tokens.clear()
        thread = await thread_for(provider, SMS)
        await provider.send_message(thread, "Sent with a fresh token", "")
        assert transport.tokens[0] == token and len(set(transport.tokens)) == 2
    assert [s.body for s in sim.world.sends("voximplant")] == ["Sent with a fresh token"]


async def test_service_account_with_a_foreign_or_broken_key_is_refused(
    sim: Simulator, running: RunningServer
) -> None:
    service = sim.world.voximplant.service_account
    foreign = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = foreign.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    for private_key, problem in (
        (pem, "refused the account's credentials"),
        ("-----BEGIN x", "PEM"),
    ):
        values = {**service.credentials(), "private_key": private_key}
        config = AccountConfig("Vox", ProviderKind.VOXIMPLANT, running.voximplant_url, values)
        async with VoximplantProvider(config) as provider:
            with pytest.raises(AuthError, match=problem) as refused:
                await provider.list_channels()
        assert "BEGIN" not in str(refused.value)


async def test_no_key_at_all_is_refused_clearly(running: RunningServer) -> None:
    config = AccountConfig(
        "Vox", ProviderKind.VOXIMPLANT, running.voximplant_url, {"account_id": "1"}
    )
    async with VoximplantProvider(config) as provider:
        with pytest.raises(AuthError, match="needs the account's api_key"):
            await provider.login()


async def test_broken_bodies_are_retried_then_bad_response(
    sim: Simulator, vox: VoximplantProvider
) -> None:
    sim.faults = FaultConfig(malformed=1.0)
    with pytest.raises(BadResponse, match="not valid JSON"):
        await vox.list_channels()


async def test_send_whose_answer_is_lost_is_outcome_unknown_not_resent(
    sim: Simulator, vox: VoximplantProvider
) -> None:
    thread = await thread_for(vox, SMS)
    for faults in (FaultConfig(truncated=1.0), FaultConfig(drop_after_commit=1.0)):
        sim.faults = faults
        with pytest.raises(OutcomeUnknown):
            await vox.send_message(thread, "Lost answer", "")
    assert len(sim.world.sends("voximplant")) == 2, "each sent once, never retried"
    sim.faults = FaultConfig()
    after = datetime.fromtimestamp(START, tz=UTC)
    assert await vox.find_sent(thread, "Lost answer", after) is not None


async def test_error_envelope_with_any_status() -> None:
    server = FakeServer(
        {
            ("POST", "/platform_api/GetSmsHistory/"): [
                json_response({"error": {"code": 125, "msg": "Invalid parameter: count"}}, 400),
                json_response({"error": {"code": "100", "msg": "Authorization failed"}}),
                json_response({"error": {"code": 999, "msg": "Invalid api_key=abc12345"}}),
            ]
        }
    )
    config = AccountConfig(
        "Vox",
        ProviderKind.VOXIMPLANT,
        "https://api.voximplant.com/platform_api",
        {"account_id": "42", "api_key": "abc12345"},
    )
    async with VoximplantProvider(config, transport=server.transport) as provider:
        with pytest.raises(VendorRefused, match="Invalid parameter: count") as refused:
            await provider.history()
        assert (refused.value.code, refused.value.status) == ("125", 400)
        with pytest.raises(AuthError):
            await provider.history()
        with pytest.raises(AuthError) as auth:
            await provider.history()
        assert "abc12345" not in str(auth.value)
    request = server.requests[0]
    assert request.url.query == b"", "credentials travel in the body, not the URL"
    assert parse_qs(request.content.decode())["account_id"] == ["42"]


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        ({"result": [{"transaction_id": 77}], "fragments_count": 1}, "a2p:77"),
        (
            {
                "result": [],
                "failed": [
                    {
                        "destination_number": "14155550123",
                        "error_code": 4,
                        "error_description": "Blocked by the carrier",
                    }
                ],
            },
            VendorRefused,
        ),
        ({"result": [], "failed": []}, OutcomeUnknown),
        ({"something": "else"}, OutcomeUnknown),
    ],
    ids=["id-without-number", "refused", "neither", "unknown-shape"],
)
async def test_a2p_answers_a_reply_depends_on(
    answer: dict[str, object], outcome: str | type[Exception]
) -> None:
    server = FakeServer({("POST", "/platform_api/A2PSendSms/"): answer})
    config = AccountConfig(
        "Vox",
        ProviderKind.VOXIMPLANT,
        "https://api.voximplant.com/platform_api",
        {"account_id": "42", "api_key": "abc12345"},
    )
    thread = Thread(
        key="+18445550172|+14155550123",
        channel_key="number:+18445550172",
        customer_number="+14155550123",
        customer_name="",
        our_number="+18445550172",
        unread=False,
        status=ThreadStatus.ACTIVE,
        last_message_at=None,
        preview="",
        fingerprint="",
        vendor_ref={"route": "a2p"},
    )
    async with VoximplantProvider(config, transport=server.transport) as provider:
        if isinstance(outcome, str):
            assert (await provider.send_message(thread, "Hello", "")).message_id == outcome
        else:
            with pytest.raises(outcome, match=r"Blocked by the carrier|may have been sent"):
                await provider.send_message(thread, "Hello", "")
    assert len(server.requests) == 1
