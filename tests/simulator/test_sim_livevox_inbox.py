"""LiveVox inbox behaviour: counts, paging, read flags, moves, resolves and sends, checked
against what the API reports and against the world's own truth."""

from __future__ import annotations

from typing import Any

import httpx

from inbox_app.simulator import Simulator
from tests.simulator.sim_helpers import LiveVoxSession

Rows = list[dict[str, Any]]


async def _get(client: httpx.AsyncClient, lv: LiveVoxSession, path: str, **params: Any) -> Any:
    response = await client.get("/livevox" + path, params=params, headers=lv.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _all_threads(
    client: httpx.AsyncClient, lv: LiveVoxSession, channel_id: int, personal: bool
) -> Rows:
    rows: Rows = []
    page = 1
    while True:
        batch = await _get(
            client,
            lv,
            "/sms/agent/thread/details",
            channelId=channel_id,
            personal=str(personal).lower(),
            channel="SMS",
            pagination=page,
        )
        if not batch:
            return rows
        rows += batch
        page += 1


async def _channels(client: httpx.AsyncClient, lv: LiveVoxSession) -> dict[str, dict[str, Any]]:
    rows = await _get(client, lv, "/sms/agent/channel")
    return {f"{r['channel']}:{r['channelId']}": r for r in rows}


async def test_channel_list_has_every_inbox_of_the_agent(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    channels = await _channels(client, lv)
    agent = sim.world.livevox.default_agent
    personal = channels[f"SMS:{agent.agent_id}"]
    assert personal["personal"] is True and personal["channelName"] == "Personal SMS"
    for service_id in agent.service_ids:
        group = channels[f"SMS:{service_id}"]
        assert group["personal"] is False and group["channelName"].startswith("Group - ")
    assert {r["channel"] for r in channels.values()} >= {"Email", "Voicemail", "SMS"}


async def test_counts_match_channels_thread_flags_and_world(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    channels = await _channels(client, lv)
    counts = await _get(client, lv, f"/sms/agent/interaction/counts/{lv.agent_id}")
    personal_rows = await _all_threads(client, lv, lv.agent_id, personal=True)
    unread = sum(not r["read"] for r in personal_rows)
    assert unread > 0 and len(personal_rows) > unread
    assert channels[f"SMS:{lv.agent_id}"]["unreadCount"] == unread
    assert channels[f"SMS:{lv.agent_id}"]["totalCount"] == len(personal_rows)
    assert counts["countOfUnreadSMSThreadsInPersonalInbox"] == unread
    assert counts["countOfReadSMSThreadsInPersonalInbox"] == len(personal_rows) - unread
    assert all(r["status"] == ("READ" if r["read"] else "UNREAD") for r in personal_rows)
    truth = sim.world.livevox.personal_inbox(lv.agent_id)
    assert [r["threadId"] for r in personal_rows] == [t.thread_id for t in truth]
    for service_id in sim.world.livevox.default_agent.service_ids:
        group_rows = await _all_threads(client, lv, service_id, personal=False)
        assert channels[f"SMS:{service_id}"]["totalCount"] == len(group_rows) > 0
        assert channels[f"SMS:{service_id}"]["unreadCount"] == sum(
            not r["read"] for r in group_rows
        )


async def test_thread_pages_newest_first_to_an_empty_page(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    rows = await _all_threads(client, lv, lv.agent_id, personal=True)
    assert len(rows) > sim.config.page_size  # more than one page
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates, reverse=True)
    assert len({r["threadId"] for r in rows}) == len(rows)
    first = await _get(client, lv, "/agent/thread/details", channelId=lv.agent_id, channel="SMS")
    assert len(first) == sim.config.page_size  # pagination defaults to 1, personal inferred
    bad = await client.get(
        "/livevox/sms/agent/thread/details",
        params={"channelId": lv.agent_id, "channel": "SMS", "pagination": 0},
        headers=lv.headers,
    )
    assert bad.status_code == 400 and isinstance(bad.json()["code"], int)


async def test_thread_rows_have_the_documented_shape(
    client: httpx.AsyncClient, lv: LiveVoxSession
) -> None:
    rows = await _all_threads(client, lv, lv.agent_id, personal=True)
    for row in rows:
        assert isinstance(row["threadId"], str) and isinstance(row["serviceId"], int)
        assert row["direction"] in (0, 1) and row["channel"] == "SMS"
        assert row["replied"] == (row["direction"] == 0)
        assert isinstance(row["contactInfo"]["phoneDetails"], list)
        assert row["interactionTimestamp"] == row["date"]
    spellings = {row["contactInfo"]["phoneDetails"][0]["number"] for row in rows}
    assert any(not number.isdigit() for number in spellings)  # dashes, spaces, brackets


async def test_other_agents_inbox_is_refused(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    other = sim.world.livevox.agent_list()[1]
    response = await client.get(
        "/livevox/sms/agent/thread/details",
        params={"channelId": other.agent_id, "personal": "true", "channel": "SMS"},
        headers=lv.headers,
    )
    assert response.status_code == 403


async def test_mark_read_and_unread_change_flags_and_counts(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    thread = next(t for t in sim.world.livevox.personal_inbox(lv.agent_id) if not t.read)
    before = (await _channels(client, lv))[f"SMS:{lv.agent_id}"]["unreadCount"]
    params = {"threadId": thread.thread_id, "channelId": thread.service_id}
    read = await client.put(
        "/livevox/sms/agent/message/markAsRead", params=params, headers=lv.headers
    )
    assert read.status_code == 204 and read.content == b""
    assert (await _channels(client, lv))[f"SMS:{lv.agent_id}"]["unreadCount"] == before - 1
    assert sim.world.livevox.thread(thread.thread_id).read
    unread = await client.get(
        "/livevox/sms/agent/message/markAsUnread", params=params, headers=lv.headers
    )
    assert unread.status_code == 204
    counts = await _get(client, lv, f"/sms/agent/interaction/counts/{lv.agent_id}")
    assert counts["countOfUnreadSMSThreadsInPersonalInbox"] == before
    assert [a.kind for a in sim.world.actions()] == ["mark_read", "mark_unread"]


async def test_transfer_moves_thread_to_the_other_agent(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    thread = sim.world.livevox.personal_inbox(lv.agent_id)[0]
    candidates = await _get(client, lv, "/sms/agent/search", threadId=thread.thread_id)
    assert candidates and all(c["agentId"] != lv.agent_id for c in candidates)
    assert all(isinstance(c["agentId"], int) and c["loginId"] and c["status"] for c in candidates)
    target = candidates[0]["agentId"]
    answer = await _get(
        client,
        lv,
        "/sms/agent/thread/transfer",
        threadId=thread.thread_id,
        type="SMS",
        agentId=target,
    )
    assert answer == {"id": thread.thread_id}
    mine = await _all_threads(client, lv, lv.agent_id, personal=True)
    assert thread.thread_id not in {r["threadId"] for r in mine}
    assert thread.thread_id in {t.thread_id for t in sim.world.livevox.personal_inbox(target)}
    assert sim.world.actions("transfer")[0].detail == str(target)


async def test_transfer_to_unknown_agent_or_thread_is_refused(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    thread = sim.world.livevox.personal_inbox(lv.agent_id)[0]
    for thread_id, agent_id in ((thread.thread_id, 1), ("999", lv.agent_id)):
        response = await client.get(
            "/livevox/sms/agent/thread/transfer",
            params={"threadId": thread_id, "type": "SMS", "agentId": agent_id},
            headers=lv.headers,
        )
        assert response.status_code == 404 and response.json()["message"]


async def test_switch_group_moves_between_personal_and_group(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    livevox = sim.world.livevox
    thread = livevox.personal_inbox(lv.agent_id)[0]
    public = await client.put(
        "/livevox/sms/agent/thread/switchGroup/public",
        params={"threadId": thread.thread_id},
        headers=lv.headers,
    )
    assert public.status_code == 204
    assert thread.thread_id in {t.thread_id for t in livevox.group_inbox(thread.service_id)}
    private = await client.put(
        "/livevox/sms/agent/thread/switchGroup/private",
        params={"threadId": thread.thread_id, "channelId": lv.agent_id},
        headers=lv.headers,
    )
    assert private.status_code == 204
    assert thread.thread_id in {t.thread_id for t in livevox.personal_inbox(lv.agent_id)}


async def test_resolve_removes_thread_from_active_lists(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    thread = sim.world.livevox.group_inbox(sim.world.livevox.default_agent.service_ids[0])[0]
    codes = await _get(client, lv, "/callControl/agent/termCode", serviceId=thread.service_id)
    term = codes["termCodeCategories"][0]["termCodes"][0]
    assert isinstance(term["id"], int) and term["name"]
    before = (await _channels(client, lv))[f"SMS:{thread.service_id}"]["totalCount"]
    body = {
        "threadId": thread.thread_id,
        "termCodeId": term["id"],
        "account": thread.contact.account,
        "agentEnteredAccount": thread.contact.account,
    }
    bad = await client.post(
        "/livevox/sms/agent/thread/resolve", json={**body, "termCodeId": 1}, headers=lv.headers
    )
    assert bad.status_code == 400
    done = await client.post("/livevox/sms/agent/thread/resolve", json=body, headers=lv.headers)
    assert done.status_code == 204
    rows = await _all_threads(client, lv, thread.service_id, personal=False)
    assert thread.thread_id not in {r["threadId"] for r in rows}
    assert (await _channels(client, lv))[f"SMS:{thread.service_id}"]["totalCount"] == before - 1
    assert sim.world.livevox.thread(thread.thread_id).resolved
    again = await client.post("/livevox/sms/agent/thread/resolve", json=body, headers=lv.headers)
    assert again.status_code == 404


async def test_agent_send_shows_in_history_and_moves_thread_to_top(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    livevox = sim.world.livevox
    thread = [t for t in livevox.personal_inbox(lv.agent_id) if t.contact.reachable][-1]
    sim.world.clock.advance(1)
    response = await client.post(
        "/livevox/sms/agent/message/send",
        json={
            "fromNumber": thread.sms_code,
            "toNumber": thread.contact.phone,
            "message": "Your refund was issued today.",
            "account": thread.contact.account,
            "threadId": thread.thread_id,
        },
        headers=lv.headers,
    )
    assert response.status_code == 200
    message_id = response.json()["id"]
    assert isinstance(message_id, str)
    history = await _get(client, lv, "/sms/agent/messages", threadId=thread.thread_id)
    assert history[0]["id"] == message_id
    assert history[0]["direction"] == "2" and history[0]["status"] == "SMS MT Queued"
    assert [h["date"] for h in history] == sorted((h["date"] for h in history), reverse=True)
    sim.world.clock.advance(10)
    history = await _get(client, lv, "/sms/agent/messages/", threadId=thread.thread_id)
    assert history[0]["status"] == "SMS MT Delivered"
    top = (await _all_threads(client, lv, lv.agent_id, personal=True))[0]
    assert top["threadId"] == thread.thread_id and top["direction"] == 0
    assert [(s.endpoint, s.message_id) for s in sim.world.sends()] == [
        ("livevox.agent_send", message_id)
    ]


async def test_send_to_a_new_number_opens_a_personal_thread(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    code = sim.world.livevox.personal_inbox(lv.agent_id)[0].sms_code
    response = await client.post(
        "/livevox/sms/agent/message/send",
        json={"fromNumber": code, "toNumber": "(999) 555-0100", "message": "Hello!"},
        headers=lv.headers,
    )
    assert response.status_code == 200
    newest = sim.world.livevox.personal_inbox(lv.agent_id)[0]
    assert newest.last.id == response.json()["id"] and len(newest.messages) == 1


async def test_send_to_opted_out_contact_is_refused(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    livevox = sim.world.livevox
    thread = livevox.personal_inbox(lv.agent_id)[0]
    livevox.receive("STOP", thread_id=thread.thread_id)
    assert livevox.thread(thread.thread_id).last.body.startswith("You have been unsubscribed")
    response = await client.post(
        "/livevox/sms/agent/message/send",
        json={
            "fromNumber": thread.sms_code,
            "toNumber": thread.contact.phone,
            "message": "hi",
            "threadId": thread.thread_id,
        },
        headers=lv.headers,
    )
    assert response.status_code == 400 and response.json()["code"] == 1002
    assert sim.world.sends() == []


async def test_transactional_send_needs_exactly_one_of_message_and_template(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    thread = sim.world.livevox.personal_inbox(lv.agent_id)[0]
    base = {"from": thread.sms_code, "to": "4155550100", "account": "A-1"}
    template = next(iter(sim.world.livevox.templates))
    for content in ({}, {"message": "x", "templateId": template}):
        refused = await client.post(
            "/livevox/sms/", json={**base, "body": content}, headers=lv.headers
        )
        assert refused.status_code == 400 and isinstance(refused.json()["code"], int)
    sent = await client.post(
        "/livevox/sms/", json={**base, "body": {"templateId": str(template)}}, headers=lv.headers
    )
    assert isinstance(sent.json()["transactionId"], int)
    history = await _get(client, lv, "/sms/agent/messages", account="A-1")
    assert history[0]["id"] == str(sent.json()["transactionId"])


async def test_history_needs_account_or_thread(
    client: httpx.AsyncClient, lv: LiveVoxSession
) -> None:
    response = await client.get("/livevox/sms/agent/messages", headers=lv.headers)
    assert response.status_code == 400


async def test_history_pages_match_world_messages(
    client: httpx.AsyncClient, sim: Simulator, lv: LiveVoxSession
) -> None:
    thread = max(sim.world.livevox.all_threads(), key=lambda t: len(t.messages))
    assert len(thread.messages) > sim.config.page_size
    rows: Rows = []
    page = 1
    while batch := await _get(
        client, lv, "/sms/agent/messages", threadId=thread.thread_id, pagination=page
    ):
        rows += batch
        page += 1
    assert [r["id"] for r in rows] == [m.id for m in reversed(thread.messages)]
    assert all(r["direction"] in ("1", "2") and r["threadId"] == thread.thread_id for r in rows)
