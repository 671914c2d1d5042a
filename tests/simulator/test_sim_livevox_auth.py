"""LiveVox sign-in: the access token, credentials and the session's idle lifetime."""

from __future__ import annotations

import httpx
import pytest

from inbox_app.simulator import Simulator
from tests.simulator.sim_helpers import LiveVoxSession, livevox_login


def _login_body(sim: Simulator, **changes: object) -> dict[str, object]:
    creds = sim.credentials["livevox"]
    body: dict[str, object] = {
        "clientName": creds["client_name"],
        "userName": creds["username"],
        "password": creds["password"],
        "agent": True,
    }
    body.update(changes)
    return body


@pytest.mark.parametrize("path", ["/livevox/session/login", "/livevox/session/v5.0/login"])
async def test_login_returns_session_and_agent_id(
    client: httpx.AsyncClient, sim: Simulator, path: str
) -> None:
    access = {"LV-Access": sim.credentials["livevox"]["access_token"]}
    response = await client.post(path, headers=access, json=_login_body(sim))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"sessionId", "userId", "clientId", "daysUntilPasswordExpires"}
    assert body["userId"] == sim.world.livevox.default_agent.agent_id


async def test_login_again_while_valid_returns_same_session(
    client: httpx.AsyncClient, sim: Simulator
) -> None:
    first = await livevox_login(client, sim)
    sim.world.clock.advance(3600)
    second = await livevox_login(client, sim)
    assert first.headers["LV-Session"] == second.headers["LV-Session"]


@pytest.mark.parametrize(
    "changes", [{"password": "wrong"}, {"userName": "NOBODY"}, {"clientName": "OTHER"}]
)
async def test_wrong_credentials_are_refused(
    client: httpx.AsyncClient, sim: Simulator, changes: dict[str, str]
) -> None:
    access = {"LV-Access": sim.credentials["livevox"]["access_token"]}
    response = await client.post(
        "/livevox/session/login", headers=access, json=_login_body(sim, **changes)
    )
    assert response.status_code == 401
    assert isinstance(response.json()["code"], int)
    assert response.json()["message"]


async def test_access_token_missing_or_wrong(client: httpx.AsyncClient, sim: Simulator) -> None:
    missing = await client.post("/livevox/session/login", json=_login_body(sim))
    wrong = await client.post(
        "/livevox/session/login", headers={"LV-Access": "nope"}, json=_login_body(sim)
    )
    assert missing.status_code == 401 and "message" in missing.json()
    assert wrong.status_code == 403 and "message" in wrong.json()


async def test_calls_need_access_token_and_session(
    client: httpx.AsyncClient, lv: LiveVoxSession
) -> None:
    no_access = await client.get(
        "/livevox/sms/agent/channel", headers={"LV-Session": lv.headers["LV-Session"]}
    )
    no_session = await client.get(
        "/livevox/sms/agent/channel", headers={"LV-Access": lv.headers["LV-Access"]}
    )
    assert no_access.status_code == 401
    assert no_session.status_code == 401
    assert set(no_session.json()) == {"code", "message"}


async def test_session_expires_after_idle_time_but_use_keeps_it(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    for _ in range(3):  # 3 x 1.5 h of use in between: still alive
        sim.world.clock.advance(5400)
        ok = await client.get("/livevox/sms/agent/channel", headers=lv.headers)
        assert ok.status_code == 200
    sim.world.clock.advance(7201)
    expired = await client.get("/livevox/sms/agent/channel", headers=lv.headers)
    assert expired.status_code == 401
    again = await livevox_login(client, sim)
    assert again.headers["LV-Session"] != lv.headers["LV-Session"]


async def test_expire_sessions_on_demand(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    sim.world.expire_sessions()
    response = await client.get("/livevox/sms/templates", headers=lv.headers)
    assert response.status_code == 401
