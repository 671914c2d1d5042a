"""The simulated Voximplant Management API as the document describes it: auth,
count/offset paging, filters, both sends with their limits, ControlSms, live traffic."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
import pytest

from inbox_app.simulator import Simulator
from inbox_app.simulator.voximplant_jwt import private_key_pem
from inbox_app.simulator.voximplant_model import wire_date

API = "/voximplant/platform_api"


@pytest.fixture
def creds(sim: Simulator) -> dict[str, str]:
    return sim.credentials["voximplant"]


async def call(client: httpx.AsyncClient, creds: dict[str, str], method: str, **params: Any) -> Any:
    form = {**creds, **{k: str(v) for k, v in params.items()}}
    response = await client.post(f"{API}/{method}/", data=form)
    assert response.status_code == 200, response.text
    return response.json()


def numbers(sim: Simulator) -> tuple[str, str]:
    """An SMS number of ours and the A2P sender."""
    state = sim.world.voximplant
    return state.sms_numbers()[0].number, next(n for n in state.numbers.values() if n.a2p).number


async def test_seeded_history_has_both_kinds_and_rows_without_text(sim: Simulator) -> None:
    records = sim.world.voximplant.records
    assert {r.direction for r in records if r.kind == "sms"} == {"IN", "OUT"}
    assert {r.direction for r in records if r.kind == "a2p"} == {"OUT"}
    assert any(r.text is None for r in records) and any(r.text for r in records)
    a2p = next(r for r in records if r.kind == "a2p").row(0)
    assert {"processing_date", "delivery_status"} <= set(a2p) and "processed_date" not in a2p
    plain = next(r for r in records if r.kind == "sms").row(0)
    assert {"processed_date", "direction", "status_id", "fragments", "cost"} <= set(plain)


async def test_wrong_or_missing_credentials_get_the_error_envelope(
    client: httpx.AsyncClient, creds: dict[str, str]
) -> None:
    for form in ({}, {**creds, "api_key": "nope"}, {"api_key": creds["api_key"]}):
        response = await client.post(f"{API}/GetSmsHistory/", data=form)
        assert response.status_code == 200
        assert response.json() == {"error": {"code": 100, "msg": "Invalid account_id or api_key"}}


async def test_both_path_forms_and_query_parameters_are_served(
    client: httpx.AsyncClient, creds: dict[str, str]
) -> None:
    for path in (f"{API}/GetSmsHistory/", f"{API}/GetSmsHistory"):
        response = await client.get(path, params={**creds, "count": "1"})
        assert len(response.json()["result"]) == 1
    unknown = await client.post(f"{API}/GetWeather/", data=creds)
    assert unknown.json()["error"]["code"] == 103


async def test_count_offset_paging_covers_every_row_once(
    sim: Simulator, client: httpx.AsyncClient, creds: dict[str, str]
) -> None:
    seen: list[int] = []
    offset = 0
    while True:
        page = await call(client, creds, "GetSmsHistory", count=17, offset=offset)
        if not page["result"]:
            break
        seen += [row["message_id"] for row in page["result"]]
        offset += len(page["result"])
    expected = [r.message_id for r in sim.world.voximplant.records if r.kind == "sms"]
    assert seen == expected and page["total_count"] == len(expected)
    everything = await call(client, creds, "GetSmsHistory")
    assert len(everything["result"]) == min(1000, len(expected))
    for bad in ({"count": 1001}, {"count": 0}, {"offset": -1}, {"count": "x"}):
        refused = await call(client, creds, "GetSmsHistory", **bad)
        assert refused["error"]["code"] == 125


async def test_history_filters(
    sim: Simulator, client: httpx.AsyncClient, creds: dict[str, str]
) -> None:
    records = [r for r in sim.world.voximplant.records if r.kind == "sms"]
    inbound = await call(client, creds, "GetSmsHistory", direction="in")
    assert {row["direction"] for row in inbound["result"]} == {"IN"}
    assert inbound["total_count"] == sum(r.direction == "IN" for r in records)

    pivot = records[len(records) // 2]
    stamp = wire_date(pivot.at_ms)
    since = await call(client, creds, "GetSmsHistory", from_date=stamp)
    until = await call(client, creds, "GetSmsHistory", to_date=stamp)
    assert since["result"][0]["processed_date"] == stamp, "from_date is inclusive"
    assert until["result"][-1]["processed_date"] == stamp, "to_date is inclusive"
    assert since["total_count"] + until["total_count"] >= len(records)

    pair = await call(
        client,
        creds,
        "GetSmsHistory",
        source_number=pivot.source,
        destination_number="+" + pivot.destination,
    )
    assert {(row["source_number"], row["destination_number"]) for row in pair["result"]} == {
        (pivot.source, pivot.destination)
    }
    delivered = await call(client, creds, "A2PGetSmsHistory", delivery_status=5)
    assert {row["delivery_status"] for row in delivered["result"]} == {5}
    assert (await call(client, creds, "GetSmsHistory", direction="up"))["error"]["code"] == 125
    bad_date = await call(client, creds, "GetSmsHistory", from_date="yesterday")
    assert bad_date["error"]["code"] == 125


async def test_csv_output(client: httpx.AsyncClient, creds: dict[str, str]) -> None:
    response = await client.post(
        f"{API}/A2PGetSmsHistory/", data={**creds, "output": "csv", "count": "2"}
    )
    assert response.headers["content-type"].startswith("text/csv")
    header = response.text.splitlines()[0].split(";")
    assert "processing_date" in header and "delivery_status" in header


async def test_send_sms_limit_fragments_and_stored_text(
    sim: Simulator, client: httpx.AsyncClient, creds: dict[str, str]
) -> None:
    ours, _ = numbers(sim)
    customer = "14155550123"
    long = await call(
        client, creds, "SendSmsMessage", source=ours, destination=customer, sms_body="a" * 766
    )
    assert long["error"]["code"] == 304
    sent = await call(
        client,
        creds,
        "SendSmsMessage",
        source=ours,
        destination=customer,
        sms_body="a" * 765,
        store_body="true",
    )
    assert sent["result"] == 1 and sent["fragments_count"] == 5
    unicode = await call(
        client, creds, "SendSmsMessage", source=ours, destination=customer, sms_body="é" + "ж" * 70
    )
    assert unicode["fragments_count"] == 2
    rows = (await call(client, creds, "GetSmsHistory", destination_number=customer))["result"]
    assert [row["message_id"] for row in rows] == [sent["message_id"], unicode["message_id"]]
    assert rows[0]["text"] == "a" * 765 and "text" not in rows[1], "store_body defaults to false"
    assert rows[0]["status_id"] == "2", "dispatched until the carrier reports"
    sim.world.clock.advance(10)
    later = (await call(client, creds, "GetSmsHistory", destination_number=customer))["result"]
    assert later[0]["status_id"] != "2"
    assert [s.endpoint for s in sim.world.sends("voximplant")] == ["voximplant.send_sms"] * 2


async def test_a2p_send_several_destinations_and_limits(
    sim: Simulator, client: httpx.AsyncClient, creds: dict[str, str]
) -> None:
    ours, sender = numbers(sim)
    answer = await call(
        client,
        creds,
        "A2PSendSms",
        src_number=sender,
        dst_numbers="14155550101;4155550102;99",
        text="Your code is 1234",
        store_body="true",
    )
    assert [r["destination_number"] for r in answer["result"]] == ["14155550101", "14155550102"]
    assert [f["destination_number"] for f in answer["failed"]] == ["99"]
    assert answer["fragments_count"] == 1
    history = await call(client, creds, "A2PGetSmsHistory", source_number=sender, count=1000)
    ids = {row["transaction_id"] for row in history["result"]}
    assert {r["transaction_id"] for r in answer["result"]} <= ids

    too_long = await call(
        client, creds, "A2PSendSms", src_number=sender, dst_numbers="14155550101", text="x" * 1601
    )
    assert too_long["error"]["code"] == 304
    too_many = ";".join(f"1415555{n:04d}" for n in range(101))
    crowd = await call(
        client, creds, "A2PSendSms", src_number=sender, dst_numbers=too_many, text="x"
    )
    assert crowd["error"]["code"] == 304
    not_a2p = await call(
        client, creds, "A2PSendSms", src_number=ours, dst_numbers="14155550101", text="x"
    )
    assert not_a2p["error"]["code"] == 305
    assert len(sim.world.sends("voximplant")) == 2


async def test_control_sms(
    sim: Simulator, client: httpx.AsyncClient, creds: dict[str, str]
) -> None:
    ours, _ = numbers(sim)
    assert (await call(client, creds, "ControlSms", phone_number=ours, command="disable")) == {
        "result": 1
    }
    refused = await call(
        client, creds, "SendSmsMessage", source=ours, destination="14155550123", sms_body="hi"
    )
    assert refused["error"]["code"] == 303
    assert sim.world.voximplant.receive("14155550123", "hello?", ours) is None
    await call(client, creds, "ControlSms", phone_number=ours, command="enable")
    assert sim.world.voximplant.receive("14155550123", "hello?", ours) is not None
    bad = await call(client, creds, "ControlSms", phone_number=ours, command="toggle")
    assert bad["error"]["code"] == 125
    unknown = await call(client, creds, "ControlSms", phone_number="18005550000", command="enable")
    assert unknown["error"]["code"] == 302


async def test_live_traffic_and_admin_inbound_reach_voximplant(
    sim: Simulator, client: httpx.AsyncClient
) -> None:
    before = len(sim.world.voximplant.records)
    for _ in range(20):
        sim.world.tick()
    assert len(sim.world.voximplant.records) > before
    response = await client.post(
        "/_sim/inbound", json={"vendor": "voximplant", "from": "4155550177", "message": "hi"}
    )
    assert sim.world.voximplant.records[-1].message_id == response.json()["message_id"]
    state = (await client.get("/_sim/state")).json()
    assert state["voximplant"]["records"] == len(sim.world.voximplant.records)


def token(sim: Simulator, **overrides: Any) -> str:
    service = sim.world.voximplant.service_account
    now = int(time.time())
    claims = {"iss": service.account_id, "iat": now, "exp": now + 3600, **overrides}
    kid = claims.pop("kid", service.key_id)
    return jwt.encode(claims, private_key_pem(), algorithm="RS256", headers={"kid": kid})


async def test_service_account_jwt(sim: Simulator, client: httpx.AsyncClient) -> None:
    async def with_token(value: str) -> Any:
        headers = {"Authorization": f"Bearer {value}"}
        response = await client.post(f"{API}/GetSmsHistory/", data={"count": "1"}, headers=headers)
        return response.json()

    good = token(sim)
    assert len((await with_token(good))["result"]) == 1
    now = int(time.time())
    for bad in (
        token(sim, kid="another-key"),
        token(sim, iss="1"),
        token(sim, iat=now - 7200, exp=now - 3600),
        token(sim, exp=now + 7200),
        good[:-4] + "AAAA",
    ):
        assert (await with_token(bad))["error"]["code"] == 100
    sim.world.voximplant.service_account.revoke(good)
    assert (await with_token(good))["error"]["code"] == 100
