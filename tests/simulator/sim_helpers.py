"""Helpers for the simulator tests: sign in to each simulated vendor over httpx."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from inbox_app.simulator import Simulator


@dataclass
class LiveVoxSession:
    """A signed-in LiveVox agent: headers to send and the agent's id."""

    headers: dict[str, str]
    agent_id: int


async def livevox_login(client: httpx.AsyncClient, sim: Simulator) -> LiveVoxSession:
    creds = sim.credentials["livevox"]
    response = await client.post(
        "/livevox/session/login",
        headers={"LV-Access": creds["access_token"]},
        json={
            "clientName": creds["client_name"],
            "userName": creds["username"],
            "password": creds["password"],
            "agent": True,
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    headers = {"LV-Access": creds["access_token"], "LV-Session": body["sessionId"]}
    return LiveVoxSession(headers, body["userId"])


async def zoho_token(client: httpx.AsyncClient, sim: Simulator) -> str:
    response = await client.post(
        "/zoho-accounts/oauth/v2/token",
        data={"grant_type": "refresh_token", **sim.credentials["zoho"]},
    )
    assert response.status_code == 200
    token: str = response.json()["access_token"]
    return token


async def zoom_token(client: httpx.AsyncClient, sim: Simulator) -> str:
    creds = sim.credentials["zoom"]
    response = await client.post(
        "/zoom-oauth/oauth/token",
        params={"grant_type": "account_credentials", "account_id": creds["account_id"]},
        auth=(creds["client_id"], creds["client_secret"]),
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token
