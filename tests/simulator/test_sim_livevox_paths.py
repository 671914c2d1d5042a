"""Every LiveVox path in every form the document shows: method line and example,
with and without a version segment, with and without the trailing slash."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from inbox_app.simulator import Simulator
from tests.simulator.sim_helpers import LiveVoxSession

VERSIONS = ("", "/v17.0", "/v5")

# (method, path with {v} for the version, query, JSON body, expected status)
CASES: list[tuple[str, str, dict[str, str] | None, dict[str, Any] | None, int]] = [
    ("GET", "/sms{v}/templates", None, None, 200),
    ("POST", "/sms{v}/", None, {"from": "{code}", "to": "{phone}", "account": "{account}",
                               "serviceId": "{service}", "body": {"templateId": "{template}"}},
     200),
    ("POST", "/sms{v}", None, {"from": "{code}", "to": "{phone}", "account": "{account}",
                              "body": {"message": "hello"}}, 200),
    ("GET", "/sms{v}/codes", None, None, 200),
    ("GET", "/sms{v}/agent/channel", None, None, 200),
    ("GET", "/sms{v}/agent/interaction/counts/{agent}", None, None, 200),
    ("GET", "/agent{v}/thread/details",
     {"channelId": "{agent}", "personal": "true", "channel": "SMS", "pagination": "1"}, None, 200),
    ("GET", "/sms{v}/agent/thread/details",
     {"channelId": "{service}", "personal": "false", "channel": "SMS"}, None, 200),
    ("PUT", "/sms{v}/agent/thread/switchGroup/public", {"threadId": "{thread}"}, None, 204),
    ("PUT", "/sms{v}/agent/thread/switchGroup/private",
     {"threadId": "{group_thread}", "channelId": "{agent}"}, None, 204),
    ("GET", "/sms{v}/agent/thread/transfer",
     {"threadId": "{thread}", "type": "SMS", "agentId": "{other}"}, None, 200),
    ("GET", "/sms{v}/agent/search", {"threadId": "{thread}"}, None, 200),
    ("POST", "/sms{v}/agent/search", {"threadId": "{thread}"}, None, 200),
    ("POST", "/sms{v}/agent/thread/resolve", None,
     {"threadId": "{thread}", "account": "{account}", "agentEnteredAccount": "{account}"}, 204),
    ("POST", "/sms{v}/agent/message/send", None,
     {"fromNumber": "{code}", "toNumber": "{phone}", "message": "hi", "threadId": "{thread}"}, 200),
    ("PUT", "/sms{v}/agent/message/markAsRead", {"threadId": "{thread}", "channelId": "{service}"},
     None, 204),
    ("PUT", "/sms{v}/agent/message/markAsUnread",
     {"threadId": "{thread}", "channelId": "{service}"}, None, 204),
    ("GET", "/sms{v}/agent/message/markAsUnread",
     {"threadId": "{thread}", "channelId": "{service}"}, None, 204),
    ("GET", "/sms{v}/agent/messages", {"account": "{account}", "threadId": "{thread}"}, None, 200),
    ("GET", "/sms{v}/agent/messages/", {"threadId": "{thread}", "pagination": "1"}, None, 200),
    ("GET", "/callControl{v}/agent/termCode", {"serviceId": "{service}"}, None, 200),
]  # fmt: skip


def _fill(value: Any, context: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, context) for k, v in value.items()}
    return value.format_map(context)


def _context(sim: Simulator) -> dict[str, str]:
    livevox = sim.world.livevox
    agent = livevox.default_agent
    personal = next(t for t in livevox.personal_inbox(agent.agent_id) if t.contact.reachable)
    service = personal.service_id
    group = livevox.group_inbox(agent.service_ids[0])[0]
    other = next(a for a in livevox.agent_list()[1:] if service in a.service_ids)
    return {
        "agent": str(agent.agent_id),
        "thread": personal.thread_id,
        "group_thread": group.thread_id,
        "service": str(service),
        "other": str(other.agent_id),
        "account": personal.contact.account,
        "phone": personal.contact.phone,
        "code": personal.sms_code,
        "template": str(next(iter(livevox.templates))),
    }


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("method", "path", "query", "body", "status"), CASES, ids=[f"{c[0]} {c[1]}" for c in CASES]
)
async def test_path_form_is_served(
    client: httpx.AsyncClient,
    sim: Simulator,
    lv: LiveVoxSession,
    version: str,
    method: str,
    path: str,
    query: dict[str, str] | None,
    body: dict[str, Any] | None,
    status: int,
) -> None:
    context = _context(sim)
    response = await client.request(
        method,
        "/livevox" + path.replace("{v}", version).format_map(context),
        params=_fill(query, context) if query else None,
        json=_fill(body, context) if body else None,
        headers=lv.headers,
    )
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json() is not None


async def test_unknown_version_form_is_not_a_route(
    client: httpx.AsyncClient, lv: LiveVoxSession
) -> None:
    response = await client.get("/livevox/sms/latest/agent/channel", headers=lv.headers)
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message"}
