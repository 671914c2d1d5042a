"""Over real loopback HTTP: serve_in_thread, dropped connections, timeouts, live traffic,
the admin API; and the `inbox-app simulate` command line."""

from __future__ import annotations

import logging
import socket
import threading
import time
import tomllib

import httpx
import pytest

from inbox_app.simulator import FaultConfig, SimConfig, Simulator, serve_in_thread
from inbox_app.simulator.cli import _config, accounts_toml, banner, build_parser, run
from inbox_app.simulator.server import RunningServer, bind
from tests.simulator.sim_helpers import livevox_login, zoho_token

START = 1_700_000_000.0


def _server_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "inbox-app-simulator"]


async def test_serves_both_vendors_over_loopback(caplog: pytest.LogCaptureFixture) -> None:
    sim = Simulator(SimConfig(seed=2, start_time=START))
    with serve_in_thread(sim) as running:
        assert running.livevox_url == running.base_url + "/livevox"
        async with httpx.AsyncClient(base_url=running.base_url) as client:
            lv = await livevox_login(client, sim)
            channels = await client.get(
                f"{running.livevox_url}/sms/agent/channel", headers=lv.headers
            )
            assert channels.status_code == 200
            token = await zoho_token(client, sim)
            chat = await client.get(
                f"{running.zoho_url}/rest/json/v1/sms/chatlist",
                headers={"Authorization": f"Zoho-oauthtoken {token}"},
            )
            assert chat.json()["meta"]["total"] == 30
            auth = await client.post(
                f"{running.zoho_accounts_url}/oauth/v2/token",
                data={"grant_type": "refresh_token", **sim.credentials["zoho"]},
            )
            assert auth.json()["api_domain"] == running.zoho_url
    assert _server_threads() == []
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_listener_lets_asyncio_turn_off_nagle() -> None:
    """Accepted sockets inherit the listener's proto; asyncio sets TCP_NODELAY only on
    IPPROTO_TCP ones, and keep-alive requests would otherwise stall on delayed ACKs."""
    with bind("127.0.0.1", 0) as sock:
        assert sock.proto == socket.IPPROTO_TCP


async def test_dropped_connections_are_real(caplog: pytest.LogCaptureFixture) -> None:
    sim = Simulator(SimConfig(seed=2, start_time=START))
    with serve_in_thread(sim) as running:
        async with httpx.AsyncClient(base_url=running.base_url) as client:
            lv = await livevox_login(client, sim)
            thread = next(
                t for t in sim.world.livevox.personal_inbox(lv.agent_id) if t.contact.reachable
            )
            body = {
                "fromNumber": thread.sms_code,
                "toNumber": thread.contact.phone,
                "message": "sent once?",
                "threadId": thread.thread_id,
            }
            for kind, applied in (("drop", 0), ("drop_after_commit", 1)):
                sim.faults = FaultConfig(**{kind: 1.0})
                with pytest.raises(httpx.RemoteProtocolError):
                    await client.post(
                        "/livevox/sms/agent/message/send", json=body, headers=lv.headers
                    )
                assert len(sim.world.sends()) == applied
            sim.faults = FaultConfig()
            assert (await client.get("/livevox/sms/codes", headers=lv.headers)).status_code == 200
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_timeout_fault_times_the_client_out_and_server_still_stops_fast() -> None:
    sim = Simulator(SimConfig(seed=2, start_time=START))
    with serve_in_thread(sim) as running:
        async with httpx.AsyncClient(base_url=running.base_url, timeout=0.3) as client:
            lv = await livevox_login(client, sim)
            sim.faults = FaultConfig(timeout=1.0, timeout_s=60)
            with pytest.raises(httpx.ReadTimeout):
                await client.get("/livevox/sms/codes", headers=lv.headers)
        stopping = time.perf_counter()
    assert time.perf_counter() - stopping < 5
    assert _server_threads() == []


async def test_live_traffic_runs_in_the_background() -> None:
    sim = Simulator(SimConfig(seed=2, start_time=START, live=True, live_interval=0.01))
    before = sim.world.summary()["livevox"]["messages"] + len(sim.world.zoho.logs)
    with serve_in_thread(sim) as running:
        deadline = time.monotonic() + 10
        async with httpx.AsyncClient(base_url=running.base_url) as client:
            while time.monotonic() < deadline:
                state = (await client.get("/_sim/state")).json()
                if state["livevox"]["messages"] + state["zoho"]["logs"] > before + 3:
                    break
        assert state["livevox"]["messages"] + state["zoho"]["logs"] > before + 3


async def test_admin_api() -> None:
    sim = Simulator(SimConfig(seed=2, start_time=START, frozen_clock=True))
    transport = httpx.ASGITransport(app=sim.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        events = (await client.post("/_sim/tick", json={"count": 3})).json()["events"]
        assert len(events) >= 3 and {"vendor", "kind", "ref", "message_id"} <= set(events[0])
        thread = sim.world.livevox.personal_inbox(sim.world.livevox.default_agent.agent_id)[0]
        livevox = await client.post(
            "/_sim/inbound",
            json={"vendor": "livevox", "threadId": thread.thread_id, "message": "any update?"},
        )
        assert sim.world.livevox.thread(thread.thread_id).last.id == livevox.json()["id"]
        assert not sim.world.livevox.thread(thread.thread_id).read
        new = await client.post(
            "/_sim/inbound", json={"vendor": "livevox", "from": "4155550177", "message": "hi"}
        )
        assert new.json()["threadId"] in {
            t.thread_id for t in sim.world.livevox.all_threads() if t.owner_agent_id is None
        }
        zoho = await client.post(
            "/_sim/inbound",
            json={"vendor": "zoho", "customerNumber": "+1 415 555 0177", "message": "hello"},
        )
        assert sim.world.zoho.conversation_list()[0].last.logid == zoho.json()["logid"]
        bad = await client.post("/_sim/inbound", json={"vendor": "zoom", "message": "x"})
        assert bad.status_code == 400
        advanced = await client.post("/_sim/advance", json={"seconds": 60})
        assert advanced.json()["now_ms"] == int(START * 1000) + 60_000
    remote = httpx.ASGITransport(app=sim.app, client=("10.1.2.3", 5000))
    async with httpx.AsyncClient(transport=remote, base_url="http://sim") as client:
        assert (await client.get("/_sim/state")).status_code == 403


def test_cli_config_and_accounts_snippet() -> None:
    parser = build_parser()
    config = _config(parser.parse_args(["--size", "medium", "--seed", "4", "--faults", "5xx=0.1"]))
    assert (config.threads, config.seed, config.faults.error_5xx) == (1_000, 4, 0.1)
    custom = _config(parser.parse_args(["--threads", "12", "--messages-per-thread", "3", "--live"]))
    assert (custom.threads, custom.messages_per_thread, custom.live) == (12, 3, True)
    with pytest.raises(ValueError):
        _config(parser.parse_args(["--size", "large", "--threads", "5"]))
    sim = Simulator(SimConfig(seed=1, threads=5, zoho_conversations=2, start_time=START))
    running = RunningServer("127.0.0.1", 9999)
    accounts = tomllib.loads(accounts_toml(running, sim.credentials))["accounts"]
    assert [a["provider"] for a in accounts] == ["livevox", "zoho", "voximplant", "zoom"]
    assert accounts[0]["base_url"] == "http://127.0.0.1:9999/livevox"
    assert accounts[0]["password"] == sim.credentials["livevox"]["password"]
    assert accounts[1]["accounts_url"] == "http://127.0.0.1:9999/zoho-accounts"
    assert accounts[1]["refresh_token"] == sim.credentials["zoho"]["refresh_token"]
    assert accounts[2]["base_url"] == "http://127.0.0.1:9999/voximplant/platform_api"
    assert accounts[2]["api_key"] == sim.credentials["voximplant"]["api_key"]
    assert accounts[3]["base_url"] == "http://127.0.0.1:9999/zoom"
    assert accounts[3]["oauth_url"] == "http://127.0.0.1:9999/zoom-oauth"
    assert accounts[3]["client_secret"] == sim.credentials["zoom"]["client_secret"]
    text = banner(running, sim)
    assert accounts_toml(running, sim.credentials) in text and running.zoho_url in text
    assert running.zoom_url in text and running.zoom_oauth_url in text


def test_cli_reports_a_busy_port(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        assert run(["--port", str(port), "--threads", "3"]) == 1
    assert "cannot listen" in capsys.readouterr().err
