"""Zoom Contact Center: server-to-server OAuth and the SMS engagement list (ranges,
next_page_token paging and its expiry, filters, live traffic)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from inbox_app.simulator import Simulator
from tests.simulator.conftest import START
from tests.simulator.sim_helpers import zoom_token

SMS = "/zoom/contact_center/sms"
NOW = datetime.fromtimestamp(START, UTC)


def day(delta_days: float) -> str:
    return (NOW + timedelta(days=delta_days)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
async def zoom(client: httpx.AsyncClient, sim: Simulator) -> dict[str, str]:
    return {"Authorization": f"Bearer {await zoom_token(client, sim)}"}


async def _list(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> Any:
    response = await client.get(SMS, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _walk(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[Any]:
    rows: list[Any] = []
    token = ""
    while True:
        page = await _list(
            client, headers, **params, **({"next_page_token": token} if token else {})
        )
        rows += page["sms"]
        token = page["next_page_token"]
        if not token:
            return rows


async def test_oauth_account_credentials_with_basic_auth(
    client: httpx.AsyncClient, sim: Simulator
) -> None:
    creds = sim.credentials["zoom"]
    grant = {"grant_type": "account_credentials", "account_id": creds["account_id"]}
    ok = await client.post(
        "/zoom-oauth/oauth/token", data=grant, auth=(creds["client_id"], creds["client_secret"])
    )
    assert ok.status_code == 200
    assert ok.json()["expires_in"] == 3600 and ok.json()["token_type"] == "bearer"
    assert "refresh_token" not in ok.json()

    wrong_secret = await client.post(
        "/zoom-oauth/oauth/token", params=grant, auth=(creds["client_id"], "nope")
    )
    assert wrong_secret.status_code == 401
    assert wrong_secret.json() == {
        "reason": "Invalid client_id or client_secret",
        "error": "invalid_client",
    }
    wrong_account = await client.post(
        "/zoom-oauth/oauth/token",
        params={**grant, "account_id": "other"},
        auth=(creds["client_id"], creds["client_secret"]),
    )
    assert wrong_account.status_code == 400
    no_basic = await client.post("/zoom-oauth/oauth/token", params=grant)
    assert no_basic.status_code == 401


async def test_tokens_live_one_hour_of_the_world_clock(
    client: httpx.AsyncClient, sim: Simulator, zoom: dict[str, str]
) -> None:
    assert (await client.get(SMS, headers=zoom)).status_code == 200
    sim.world.clock.advance(3599)
    assert (await client.get(SMS, headers=zoom)).status_code == 200
    sim.world.clock.advance(1)
    expired = await client.get(SMS, headers=zoom)
    assert expired.status_code == 401
    assert expired.json() == {"code": 124, "message": "Access token is expired."}
    missing = await client.get(SMS)
    assert missing.status_code == 401 and missing.json()["code"] == 124


async def test_pages_by_next_page_token_to_the_end(
    client: httpx.AsyncClient, sim: Simulator, zoom: dict[str, str]
) -> None:
    first = await _list(client, zoom, **{"from": day(-28), "to": day(0)})
    assert first["page_size"] == 10 and len(first["sms"]) == 10
    rows = await _walk(client, zoom, **{"from": day(-28), "to": day(0)})
    ids = [r["engagement_id"] for r in rows]
    assert len(ids) == len(set(ids)) == first["total_records"]
    starts = [r["start_time"] for r in rows]
    assert starts == sorted(starts, reverse=True)
    truth = [
        e
        for e in sim.world.zoom.engagements
        if START * 1000 - 28 * 86_400_000 <= e.start_ms <= START * 1000
    ]
    assert set(ids) == {e.engagement_id for e in truth}
    capped = await _list(client, zoom, page_size=500, **{"from": day(-28), "to": day(0)})
    assert capped["page_size"] == 100


async def test_page_tokens_expire_after_15_minutes(
    client: httpx.AsyncClient, sim: Simulator, zoom: dict[str, str]
) -> None:
    window = {"from": day(-28), "to": day(0)}
    token = (await _list(client, zoom, **window))["next_page_token"]
    sim.world.clock.advance(14 * 60)
    assert (
        await client.get(SMS, params={**window, "next_page_token": token}, headers=zoom)
    ).status_code == 200
    token = (await _list(client, zoom, **window))["next_page_token"]
    sim.world.clock.advance(15 * 60)
    expired = await client.get(SMS, params={**window, "next_page_token": token}, headers=zoom)
    assert expired.status_code == 400
    assert expired.json()["code"] == 300 and "expired" in expired.json()["message"]
    other_query = await client.get(
        SMS, params={**window, "direction": "outbound", "next_page_token": "x"}, headers=zoom
    )
    assert other_query.status_code == 400


async def test_range_rules(client: httpx.AsyncClient, zoom: dict[str, str]) -> None:
    no_to = await client.get(SMS, params={"from": day(-3)}, headers=zoom)
    assert no_to.status_code == 400 and no_to.json()["code"] == 300
    assert "to" in no_to.json()["message"]
    too_long = await client.get(
        SMS, params={"from": "2023-10-01", "to": "2023-11-02"}, headers=zoom
    )
    assert too_long.status_code == 400 and "month" in too_long.json()["message"]
    assert (
        await client.get(SMS, params={"from": "2023-02-01", "to": "2023-02-28"}, headers=zoom)
    ).status_code == 200
    assert (
        await client.get(
            SMS, params={"from": "2023-01-31T00:00:00Z", "to": "2023-02-28T00:00:00Z"}, headers=zoom
        )
    ).status_code == 200
    assert (
        await client.get(
            SMS, params={"from": "2023-01-31T00:00:00Z", "to": "2023-03-01T00:00:00Z"}, headers=zoom
        )
    ).status_code == 400
    bad = await client.get(SMS, params={"from": "yesterday", "to": "today"}, headers=zoom)
    assert bad.status_code == 400


async def test_without_a_range_the_last_24_hours(
    client: httpx.AsyncClient, sim: Simulator, zoom: dict[str, str]
) -> None:
    rows = await _walk(client, zoom, page_size=100)
    since = START * 1000 - 86_400_000
    assert {r["engagement_id"] for r in rows} == {
        e.engagement_id for e in sim.world.zoom.engagements if e.start_ms >= since
    }


async def test_documented_filters(
    client: httpx.AsyncClient, sim: Simulator, zoom: dict[str, str]
) -> None:
    window = {"from": day(-28), "to": day(0), "page_size": 100}
    everything = await _walk(client, zoom, **window)
    sample = next(r for r in everything if r["agents"])
    agent = sample["agents"][0]["user_id"]

    outbound = await _walk(client, zoom, **window, direction="outbound")
    assert outbound and all(r["direction"] == "outbound" for r in outbound)
    by_agent = await _walk(client, zoom, **window, user_id=agent)
    assert sample in by_agent
    assert all(agent in [a["user_id"] for a in r["agents"]] for r in by_agent)
    one = await _walk(client, zoom, **window, engagement_id=sample["engagement_id"])
    assert one == [sample]
    digits = sample["consumer_number"].lstrip("+")
    spelled = f"({digits[1:4]}) {digits[4:7]}-{digits[7:]}"
    by_number = await _walk(client, zoom, **window, consumer_number=spelled)
    assert sample in by_number
    assert all(r["consumer_number"] == sample["consumer_number"] for r in by_number)
    response = await client.get(
        SMS,
        params=[*window.items(), ("country_iso_codes", "CA"), ("country_iso_codes", "MX")],
        headers=zoom,
    )
    canada = response.json()["sms"]
    assert all(r["country_name"] == "Canada" for r in canada)
    assert len(canada) == sum(r["country_name"] == "Canada" for r in everything)
    bad = await client.get(SMS, params={**window, "direction": "sideways"}, headers=zoom)
    assert bad.status_code == 400


async def test_rows_have_the_documented_shape_and_no_text(
    client: httpx.AsyncClient, zoom: dict[str, str]
) -> None:
    row = (await _list(client, zoom, **{"from": day(-28), "to": day(0)}))["sms"][0]
    assert set(row) == {
        "direction", "engagement_id", "contact_center_number", "start_time", "end_time",
        "consumer_number", "consumer_display_name", "queues", "agents", "country_name",
        "sms_types", "total_sent_messages", "total_received_messages", "total_sent_files",
        "total_received_files",
    }  # fmt: skip
    assert row["end_time"] >= row["start_time"]
    assert row["queues"][0].keys() == {"queue_id", "queue_name"}


async def test_live_traffic_completes_engagements(
    client: httpx.AsyncClient, sim: Simulator, zoom: dict[str, str]
) -> None:
    before = len(sim.world.zoom.engagements)
    events = [e for _ in range(30) for e in sim.world.tick() if e.vendor == "zoom"]
    assert events and len(sim.world.zoom.engagements) == before + len(events)
    recent = await _walk(client, zoom, page_size=100)
    assert {e.ref for e in events} <= {r["engagement_id"] for r in recent}
    assert sim.world.summary()["zoom"]["engagements"] == before + len(events)


async def test_state_summary_counts_zoom(client: httpx.AsyncClient, sim: Simulator) -> None:
    state = (await client.get("/_sim/state")).json()
    assert state["zoom"] == {
        "queues": len(sim.world.zoom.queues),
        "agents": len(sim.world.zoom.agents),
        "engagements": 120,
        "tokens": 0,
    }
