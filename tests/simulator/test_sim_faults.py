"""Each fault kind as a client sees it, in-process (httpx.ASGITransport)."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from starlette.types import Message

from inbox_app.simulator import FaultConfig, SimConfig, Simulator, parse_fault_spec
from tests.simulator.sim_helpers import LiveVoxSession

CHANNELS = "/livevox/sms/agent/channel"


def _send_body(sim: Simulator, lv: LiveVoxSession) -> dict[str, str]:
    thread = next(t for t in sim.world.livevox.personal_inbox(lv.agent_id) if t.contact.reachable)
    return {
        "fromNumber": thread.sms_code,
        "toNumber": thread.contact.phone,
        "message": "exactly once, please",
        "threadId": thread.thread_id,
    }


async def test_5xx(client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession) -> None:
    sim.faults = FaultConfig(error_5xx=1.0)
    statuses = {(await client.get(CHANNELS, headers=lv.headers)).status_code for _ in range(20)}
    assert statuses <= {500, 502, 503, 504} and len(statuses) > 1
    assert sim.fault_counts == {"error_5xx": 20}


async def test_429_with_retry_after(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    sim.faults = FaultConfig(rate_429=1.0, retry_after_s=7)
    response = await client.get(CHANNELS, headers=lv.headers)
    assert response.status_code == 429 and response.headers["Retry-After"] == "7"
    assert set(response.json()) == {"code", "message"}


@pytest.mark.parametrize("kind", ["malformed", "truncated"])
async def test_broken_200_body(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession, kind: str
) -> None:
    sim.faults = FaultConfig(**{kind: 1.0})
    response = await client.get(CHANNELS, headers=lv.headers)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert int(response.headers["content-length"]) == len(response.content)


async def test_drop_applies_nothing(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    sim.faults = FaultConfig(drop=1.0)
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post(
            "/livevox/sms/agent/message/send", json=_send_body(sim, lv), headers=lv.headers
        )
    assert sim.world.sends() == []


async def test_drop_after_commit_applies_then_hangs_up(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    sim.faults = FaultConfig(drop_after_commit=1.0)
    body = _send_body(sim, lv)
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post("/livevox/sms/agent/message/send", json=body, headers=lv.headers)
    (sent,) = sim.world.sends()
    assert sent.body == body["message"]
    assert sim.world.livevox.thread(body["threadId"]).last.id == sent.message_id


async def test_timeout_holds_the_answer_back(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    sim.faults = FaultConfig(timeout=1.0, timeout_s=5.0)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(client.get(CHANNELS, headers=lv.headers), 0.05)
    sim.faults = FaultConfig(timeout=1.0, timeout_s=0.02)
    started = time.perf_counter()
    response = await client.get(CHANNELS, headers=lv.headers)
    assert response.status_code == 200 and time.perf_counter() - started >= 0.02


async def test_expire_kills_the_presented_session_and_token(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession, zoho: dict[str, str]
) -> None:
    sim.faults = FaultConfig(expire=1.0)
    assert (await client.get(CHANNELS, headers=lv.headers)).status_code == 401
    logs = await client.get("/zoho/rest/json/v1/sms/logs", headers=zoho)
    assert logs.status_code == 401 and logs.json()["code"] == "INVALID_OAUTHTOKEN"
    sim.faults = FaultConfig()
    assert (await client.get(CHANNELS, headers=lv.headers)).status_code == 401


async def test_latency(client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession) -> None:
    sim.faults = FaultConfig(latency_ms=30)
    started = time.perf_counter()
    await client.get(CHANNELS, headers=lv.headers)
    assert time.perf_counter() - started >= 0.03


async def test_admin_is_never_faulted_and_switches_faults(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    sim.faults = FaultConfig(error_5xx=1.0)
    assert (await client.get("/_sim/state")).status_code == 200
    switched = await client.post("/_sim/faults", json={"rate_429": 0.5, "latency_ms": 1})
    assert switched.json()["rate_429"] == 0.5 and sim.faults.error_5xx == 0.0
    refused = await client.post("/_sim/faults", json={"rate_429": 2})
    assert refused.status_code == 400
    for _ in range(10):
        await client.get(CHANNELS, headers=lv.headers)
    state = (await client.get("/_sim/state")).json()
    assert state["fault_counts"] == sim.fault_counts
    assert 0 < state["fault_counts"]["rate_429"] < 10


async def test_faults_are_deterministic_per_seed() -> None:
    async def statuses() -> list[int]:
        sim = Simulator(SimConfig(seed=11, faults=FaultConfig(error_5xx=0.3, rate_429=0.3)))
        transport = httpx.ASGITransport(app=sim.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
            return [(await http.get("/livevox/sms/templates")).status_code for _ in range(30)]

    first, second = await statuses(), await statuses()
    assert first == second and {401, 429} <= set(first)


def test_fault_spec() -> None:
    config = parse_fault_spec(
        "latency=50ms,5xx=0.1,429=0.05,malformed=0.02,drop=0.02,timeout=0.01,expire=0.01,"
        "timeout_s=2s,retry_after=3s,truncated=0.01,drop_after_commit=0.01"
    )
    assert config == FaultConfig(
        latency_ms=50,
        error_5xx=0.1,
        rate_429=0.05,
        retry_after_s=3,
        malformed=0.02,
        truncated=0.01,
        drop=0.02,
        drop_after_commit=0.01,
        timeout=0.01,
        timeout_s=2.0,
        expire=0.01,
    )
    for bad in ("5xx=2", "bogus=1", "latency=fast", "5xx=0.6,429=0.6"):
        with pytest.raises(ValueError):
            parse_fault_spec(bad)


async def test_on_request_sees_every_vendor_request_but_not_the_admin_api(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    seen: list[int] = []
    sim.injector.on_request = lambda: seen.append(len(seen))
    await client.get(CHANNELS, headers=lv.headers)
    await client.get("/_sim/state")
    await client.get(CHANNELS, headers=lv.headers)
    assert seen == [0, 1]


async def test_a_client_hanging_up_mid_body_is_no_server_error() -> None:
    """A killed client leaves its POST half sent. The app must not raise: uvicorn would
    log it as "Exception in ASGI application" with a traceback."""
    sim = Simulator(SimConfig(seed=2))
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/livevox/session/login",
        "raw_path": b"/livevox/session/login",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", b"50"),
            (b"lv-access", sim.world.livevox.access_token.encode()),
        ],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("sim", 80),
    }
    await sim.app(scope, receive, send)
    assert sent[0]["status"] == 500  # to nobody: the client is gone
