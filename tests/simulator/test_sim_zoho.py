"""Zoho Voice: OAuth refresh, v1 and v2 sends (MMS, scheduled), logs, chatlist, MMS stream."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from inbox_app.simulator import Simulator
from tests.simulator.sim_helpers import zoho_token

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000000000400013e0a2c9b0000000049454e44ae426082"
)


def _sender(sim: Simulator) -> str:
    return next(iter(sim.world.zoho.numbers))


async def _logs(client: httpx.AsyncClient, zoho: dict[str, str], **params: Any) -> Any:
    response = await client.get("/zoho/rest/json/v1/sms/logs", params=params, headers=zoho)
    assert response.status_code == 200, response.text
    return response.json()


async def test_token_refresh_and_use(client: httpx.AsyncClient, sim: Simulator) -> None:
    response = await client.post(
        "/zoho-accounts/oauth/v2/token",
        data={"grant_type": "refresh_token", **sim.credentials["zoho"]},
    )
    body = response.json()
    assert body["expires_in"] == 3600 and body["token_type"] == "Bearer"
    assert body["api_domain"] == "http://sim/zoho"
    headers = {"Authorization": f"Zoho-oauthtoken {body['access_token']}"}
    assert (await client.get("/zoho/rest/json/v1/sms/schedule", headers=headers)).status_code == 200


@pytest.mark.parametrize(
    ("changes", "error"),
    [({"client_secret": "x"}, "invalid_client"), ({"refresh_token": "1000.x.y"}, "invalid_code")],
)
async def test_bad_credentials_answer_200_with_error(
    client: httpx.AsyncClient, sim: Simulator, changes: dict[str, str], error: str
) -> None:
    data = {"grant_type": "refresh_token", **sim.credentials["zoho"], **changes}
    response = await client.post("/zoho-accounts/oauth/v2/token", params=data)
    assert response.status_code == 200
    assert response.json() == {"error": error}


async def test_token_missing_expired_or_revoked_is_401(
    client: httpx.AsyncClient, sim: Simulator, zoho: dict[str, str]
) -> None:
    missing = await client.get("/zoho/rest/json/v1/sms/chatlist")
    assert missing.status_code == 401
    assert missing.json()["code"] == "INVALID_OAUTHTOKEN" and missing.json()["status"] == "ERROR"
    sim.world.clock.advance(3599)
    assert (await client.get("/zoho/rest/json/v1/sms/chatlist", headers=zoho)).status_code == 200
    sim.world.clock.advance(1)
    assert (await client.get("/zoho/rest/json/v1/sms/chatlist", headers=zoho)).status_code == 401


async def test_expire_tokens_on_demand(
    client: httpx.AsyncClient, sim: Simulator, zoho: dict[str, str]
) -> None:
    sim.world.expire_tokens()
    assert (await client.get("/zoho/rest/json/v1/sms/logs", headers=zoho)).status_code == 401


@pytest.mark.parametrize("as_json", [False, True])
async def test_v1_send_shows_in_logs_and_chatlist(
    client: httpx.AsyncClient, sim: Simulator, zoho: dict[str, str], as_json: bool
) -> None:
    fields = {"senderId": _sender(sim), "customerNumber": "+1 (415) 555-0199", "message": "Hi!"}
    sim.world.clock.advance(1)
    response = await client.post(
        "/zoho/rest/json/v1/sms/send",
        **({"json": fields} if as_json else {"data": fields}),  # type: ignore[arg-type]
        headers=zoho,
    )
    body = response.json()
    assert body["code"] == "ZVSMS-2000" and body["status"] == "SUCCESS"
    send = body["send"]
    assert send["status"] == "IN_QUEUE" and send["customerNumber"] == "+1 415 555 0199"
    newest = (await _logs(client, zoho, size=1))["smsLogQuery"][0]
    assert newest["logid"] == send["logid"] and newest["messageType"] == "OUTGOING"
    chat = (await client.get("/zoho/rest/json/v1/sms/chatlist", headers=zoho)).json()
    assert chat["chatlist"][0]["logid"] == send["logid"]
    sim.world.clock.advance(10)
    newest = (await _logs(client, zoho, size=1))["smsLogQuery"][0]
    assert newest["status"] in ("DELIVERED", "UNDELIVERED")
    assert [s.endpoint for s in sim.world.sends("zoho")] == ["zoho.send_v1"]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"customerNumber": "+44 20 7946 0958"}, "ZVSMS-4038"),
        ({"senderId": "+1 999 555 0100"}, "ZVSMS-4011"),
        ({"message": ""}, "ZVSMS-4027"),
    ],
)
async def test_v1_send_errors(
    client: httpx.AsyncClient,
    sim: Simulator,
    zoho: dict[str, str],
    fields: dict[str, str],
    code: str,
) -> None:
    data = {"senderId": _sender(sim), "customerNumber": "14155550199", "message": "x", **fields}
    response = await client.post("/zoho/rest/json/v1/sms/send", data=data, headers=zoho)
    assert response.status_code == 400
    assert response.json()["status"] == "ERROR" and response.json()["code"] == code
    assert response.json()["message"]


async def test_v2_multipart_mms_send_and_stream(
    client: httpx.AsyncClient, sim: Simulator, zoho: dict[str, str]
) -> None:
    sms_data = {
        "customerNumber": "14155550123",
        "message": "photo",
        "senderId": _sender(sim),
        "mms": True,
    }
    response = await client.post(
        "/zoho/rest/json/v2/sms/send",
        data={"sms_data": json.dumps(sms_data)},
        files={"mms_media": ("receipt.png", PNG_1PX, "image/png")},
        headers=zoho,
    )
    send = response.json()["send"]
    assert send["isMMS"] is True
    meta = send["mmsMeta"][0]
    assert meta["fileSize"] == len(PNG_1PX) and meta["fileExtn"] == "png"
    for mode, disposition in (("Preview", "inline"), ("Download", "attachment")):
        media = await client.get(
            "/zoho/rest/json/v2/sms/stream/mms",
            params={"id": meta["mmsId"], "mode": mode},
            headers=zoho,
        )
        assert media.content == PNG_1PX and media.headers["content-type"] == "image/png"
        assert media.headers["content-disposition"].startswith(disposition)
    missing = await client.get(
        "/zoho/rest/json/v2/sms/stream/mms", params={"id": "nope"}, headers=zoho
    )
    assert missing.status_code == 404 and missing.json()["status"] == "ERROR"


async def test_seeded_mms_streams_are_valid_images(
    client: httpx.AsyncClient, sim: Simulator, zoho: dict[str, str]
) -> None:
    rows = (await _logs(client, zoho, fetchMMS="true", size=100))["smsLogQuery"]
    assert rows and all(r["isMMS"] for r in rows)
    sizes = {type(r["mmsMeta"][0]["fileSize"]) for r in rows}
    assert sizes <= {str, int}
    for row in rows[:4]:
        meta = row["mmsMeta"][0]
        media = await client.get(
            "/zoho/rest/json/v2/sms/stream/mms", params={"id": meta["mmsId"]}, headers=zoho
        )
        magic = b"\x89PNG" if media.headers["content-type"] == "image/png" else b"\xff\xd8"
        assert media.content.startswith(magic) and len(media.content) == int(meta["fileSize"])


async def test_v2_template_replaces_message(
    client: httpx.AsyncClient, sim: Simulator, zoho: dict[str, str]
) -> None:
    template_id, text = next(iter(sim.world.zoho.templates.items()))
    sms_data = {"customerNumber": "14155550123", "message": "", "senderId": _sender(sim)}
    response = await client.post(
        "/zoho/rest/json/v2/sms/send",
        files={"sms_data": (None, json.dumps(sms_data)), "templateId": (None, str(template_id))},
        headers=zoho,
    )
    assert response.json()["send"]["message"] == text


async def test_v2_scheduled_send_goes_to_schedule_then_logs(
    client: httpx.AsyncClient, sim: Simulator, zoho: dict[str, str]
) -> None:
    sms_data = {"customerNumber": "14155550123", "message": "later", "senderId": _sender(sim)}
    total = (await _logs(client, zoho, size=1))["meta"]["total"]
    response = await client.post(
        "/zoho/rest/json/v2/sms/send",
        files={
            "sms_data": (None, json.dumps(sms_data)),
            "scheduledTime": (None, "2023-11-15 09:30:00"),  # START is 2023-11-14 22:13 UTC
            "timeZone": (None, "Asia/Kolkata"),
        },
        headers=zoho,
    )
    assert response.json()["code"] == "ZVSMS-2000"
    schedule = (await client.get("/zoho/rest/json/v1/sms/schedule", headers=zoho)).json()
    assert schedule["status"] == "SUCCESS" and schedule["code"] == "200"
    (job,) = schedule["schedule"]
    assert job["scheduledTime"] == "2023-11-15 09:30:00" and job["timeZone"] == "Asia/Kolkata"
    assert (await _logs(client, zoho, size=1))["meta"]["total"] == total
    sim.world.clock.advance(6 * 3600)  # 09:30 IST is 04:00 UTC
    zoho = {"Authorization": f"Zoho-oauthtoken {await zoho_token(client, sim)}"}
    schedule = (await client.get("/zoho/rest/json/v1/sms/schedule", headers=zoho)).json()
    assert schedule["schedule"] == []
    newest = (await _logs(client, zoho, size=1))["smsLogQuery"][0]
    assert newest["logid"] == job["logid"] and newest["message"] == "later"


async def test_v2_scheduled_in_the_past_or_bad_zone_is_refused(
    client: httpx.AsyncClient, sim: Simulator, zoho: dict[str, str]
) -> None:
    sms_data = json.dumps(
        {"customerNumber": "14155550123", "message": "x", "senderId": _sender(sim)}
    )
    for when, zone in (("2020-01-01 00:00:00", "UTC"), ("2030-01-01 00:00:00", "Mars/Base")):
        response = await client.post(
            "/zoho/rest/json/v2/sms/send",
            files={
                "sms_data": (None, sms_data),
                "scheduledTime": (None, when),
                "timeZone": (None, zone),
            },
            headers=zoho,
        )
        assert response.status_code == 400 and response.json()["code"].startswith("ZVSMS-4")


async def test_logs_page_to_the_end_newest_first(
    client: httpx.AsyncClient, sim: Simulator, zoho: dict[str, str]
) -> None:
    total = (await _logs(client, zoho, size=1))["meta"]["total"]
    assert total == sum(len(c.logs) for c in sim.world.zoho.conversation_list())
    rows: list[dict[str, Any]] = []
    while batch := (await _logs(client, zoho, **{"from": len(rows), "size": 70}))["smsLogQuery"]:
        rows += batch
    assert len(rows) == total == len({r["logid"] for r in rows})
    times = [r["submittedTime"] for r in rows]
    assert times == sorted(times, reverse=True)
    capped = await _logs(client, zoho, size=500)
    assert len(capped["smsLogQuery"]) == 100


async def test_logs_filters(
    client: httpx.AsyncClient, sim: Simulator, zoho: dict[str, str]
) -> None:
    conversation = sim.world.zoho.conversation_list()[0]
    incoming = await _logs(client, zoho, messageType="Incoming")
    assert {r["messageType"] for r in incoming["smsLogQuery"]} == {"INCOMING"}
    mine = await _logs(client, zoho, customerNumber=conversation.customer)
    assert {r["customerNumber"].replace(" ", "") for r in mine["smsLogQuery"]} == {
        f"+{conversation.customer}"
    }
    last = conversation.last.submitted_ms
    window = await _logs(client, zoho, fromDate=str(last), toDate=str(last))
    assert [r["logid"] for r in window["smsLogQuery"]] == [conversation.last.logid]
    by_number = await _logs(client, zoho, longCode=_sender(sim), country="US")
    assert by_number["meta"]["total"] == sum(
        len(c.logs) for c in sim.world.zoho.conversation_list() if c.sender == _sender(sim)
    )
    bad = await client.get(
        "/zoho/rest/json/v1/sms/logs", params={"messageType": "Sideways"}, headers=zoho
    )
    assert bad.status_code == 400 and bad.json()["code"] == "ZVSMS-4027"


async def test_chatlist_pages_and_meta(
    client: httpx.AsyncClient, sim: Simulator, zoho: dict[str, str]
) -> None:
    conversations = sim.world.zoho.conversation_list()
    seen: list[str] = []
    page = 1
    while True:
        body = (
            await client.get(
                "/zoho/rest/json/v1/sms/chatlist", params={"page": page, "size": 7}, headers=zoho
            )
        ).json()
        assert body["meta"] == {
            "total": len(conversations),
            "totalPages": -(-len(conversations) // 7),
        }
        if not body["chatlist"]:
            break
        seen += [row["logid"] for row in body["chatlist"]]
        page += 1
    assert seen == [c.last.logid for c in conversations]
    assert page == body["meta"]["totalPages"] + 1
    named = next(c for c in conversations if c.customer_name)
    found = (
        await client.get(
            "/zoho/rest/json/v1/sms/chatlist",
            params={"search": named.customer_name.split()[0].lower()},
            headers=zoho,
        )
    ).json()
    assert named.last.logid in {row["logid"] for row in found["chatlist"]}


async def test_inbound_traffic_appears_in_logs(
    client: httpx.AsyncClient, sim: Simulator, zoho: dict[str, str]
) -> None:
    sim.world.clock.advance(1)
    entry = sim.world.zoho.receive("+1 415 555 0142", "New here, hi!", _sender(sim))
    newest = (await _logs(client, zoho, size=1))["smsLogQuery"][0]
    assert newest["logid"] == entry.logid and newest["messageType"] == "INCOMING"
    assert newest["customerName"] == "+1 4155550142"  # no contact name: the number
