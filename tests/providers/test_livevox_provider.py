"""LiveVoxProvider against an in-test server serving the document's example payloads."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from inbox_app.core.models import Capability, Channel, Direction
from inbox_app.providers.errors import (
    AuthError,
    BadResponse,
    OutcomeUnknown,
    RateLimited,
    ServerError,
    VendorRefused,
)
from inbox_app.providers.livevox import LiveVoxProvider
from inbox_app.providers.livevox_parse import parse_thread
from tests.providers import docs_payloads as docs
from tests.providers.provider_helpers import (
    LV_SECRETS,
    FakeServer,
    Sleeps,
    body_of,
    drop,
    json_response,
    livevox_account,
)

SMS_CHANNELS = [
    *json.loads(docs.LV_CHANNELS),
    {
        "channel": "SMS",
        "channelId": "645836",
        "channelName": "Personal SMS",
        "unreadCount": 1,
        "totalCount": 3,
        "personal": True,
    },
    {
        "channel": "SMS",
        "channelId": "94874",
        "channelName": "Group - Service 94874",
        "unreadCount": 0,
        "totalCount": 3,
        "personal": False,
    },
]


class LiveVox(FakeServer):
    """Sessions that can be killed; a thread list paged by `pagination`."""

    def __init__(self) -> None:
        super().__init__()
        self.logins = 0
        self.valid: set[str] = set()
        self.routes[("POST", "/session/login")] = self.login
        self.thread_pages = [json.loads(docs.LV_THREADS), []]
        self.history_pages = [json.loads(docs.LV_HISTORY), []]
        self.routes.update(
            {
                ("GET", "/sms/agent/channel"): self.authed(lambda r: SMS_CHANNELS),
                ("GET", "/sms/agent/thread/details"): self.authed(self.paged(self.thread_pages)),
                ("GET", "/sms/agent/messages"): self.authed(self.paged(self.history_pages)),
                ("GET", "/sms/templates"): self.authed(lambda r: json.loads(docs.LV_TEMPLATES)),
                ("GET", "/sms/codes"): self.authed(lambda r: json.loads(docs.LV_SMS_CODES)),
                ("GET", "/sms/agent/search"): self.authed(
                    lambda r: json.loads(docs.LV_TRANSFER_AGENTS)
                ),
                ("GET", "/sms/agent/thread/transfer"): self.authed(
                    lambda r: json.loads(docs.LV_TRANSFER)
                ),
                ("POST", "/sms/agent/message/send"): self.authed(
                    lambda r: json.loads(docs.LV_AGENT_SEND)
                ),
                ("POST", "/sms/agent/thread/resolve"): self.authed(lambda r: None),
                ("PUT", "/sms/agent/message/markAsRead"): self.authed(lambda r: None),
                ("PUT", "/sms/agent/message/markAsUnread"): self.authed(lambda r: None),
                ("PUT", "/sms/agent/thread/switchGroup/public"): self.authed(lambda r: None),
                ("PUT", "/sms/agent/thread/switchGroup/private"): self.authed(lambda r: None),
                ("GET", "/callControl/agent/termCode"): self.authed(
                    lambda r: {
                        "termCodeCategories": [
                            {"name": "Done", "termCodes": [{"id": 5, "name": "Paid"}]}
                        ]
                    }
                ),
            }
        )

    def login(self, request: httpx.Request) -> httpx.Response:
        body = body_of(request)
        if (
            request.headers.get("LV-Access") != LV_SECRETS["access_token"]
            or body.get("password") != LV_SECRETS["password"]
            or body != {**body, "clientName": "ACME", "userName": "agent7", "agent": True}
        ):
            return json_response({"code": 401, "message": "Invalid credentials"}, 401)
        self.logins += 1
        session = f"sess-{self.logins}-0a1b2c3d"
        self.valid.add(session)
        return json_response(
            {"sessionId": session, "userId": 645836, "clientId": 1, "daysUntilPasswordExpires": 30}
        )

    def authed(self, make: Any) -> Any:
        def handler(request: httpx.Request) -> httpx.Response:
            if request.headers.get("LV-Access") != LV_SECRETS["access_token"]:
                return json_response({"message": "bad token"}, 403)
            if request.headers.get("LV-Session") not in self.valid:
                return json_response({"code": 201, "message": "Session is invalid or expired"}, 401)
            payload = make(request)
            if isinstance(payload, httpx.Response):
                return payload
            return httpx.Response(204) if payload is None else json_response(payload)

        return handler

    @staticmethod
    def paged(pages: list[Any]) -> Any:
        def page(request: httpx.Request) -> Any:
            number = int(request.url.params.get("pagination", "1"))
            return pages[number - 1] if number <= len(pages) else []

        return page

    def expire_sessions(self) -> None:
        self.valid.clear()


@pytest.fixture
def server() -> LiveVox:
    return LiveVox()


@pytest.fixture
async def provider(server: LiveVox) -> Any:
    async with LiveVoxProvider(
        livevox_account(), transport=server.transport, retry=Sleeps().policy()
    ) as p:
        yield p


GROUP = Channel("group:SMS:94874", "Group - Service 94874", "SMS", False, 0, 3, "94874")


def a_thread() -> Any:
    thread = parse_thread(json.loads(docs.LV_THREADS)[0], GROUP)
    assert thread is not None
    return thread


async def test_login_once_and_reuse_session(provider: LiveVoxProvider, server: LiveVox) -> None:
    await provider.login()
    await provider.login()
    channels = await provider.list_channels()
    await provider.list_templates()
    assert server.logins == 1
    assert provider.agent_id == "645836"
    login = server.calls("POST", "/session/login")[0]
    assert body_of(login) == {
        "clientName": "ACME",
        "userName": "agent7",
        "password": LV_SECRETS["password"],
        "agent": True,
    }
    assert all(r.headers["LV-Session"] == "sess-1-0a1b2c3d" for r in server.requests[1:])
    assert [c.key for c in channels] == ["personal:SMS:645836", "group:SMS:94874"]
    assert provider.capabilities == frozenset(Capability) - {Capability.SCHEDULE}


async def test_expired_session_relogs_once_and_repeats(
    provider: LiveVoxProvider, server: LiveVox
) -> None:
    await provider.list_channels()
    server.expire_sessions()
    channels = await provider.list_channels()
    assert len(channels) == 2 and server.logins == 2
    assert server.requests[-1].headers["LV-Session"] == "sess-2-0a1b2c3d"


async def test_session_invalid_body_with_other_status_counts_as_auth(
    provider: LiveVoxProvider, server: LiveVox
) -> None:
    await provider.login()
    calls = 0

    def flaky(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return json_response({"code": 500, "message": "Session not valid"}, 500)
        return json_response(json.loads(docs.LV_TEMPLATES))

    server.routes[("GET", "/sms/templates")] = flaky
    assert len(await provider.list_templates()) == 2
    assert server.logins == 2 and calls == 2


async def test_refused_again_after_relogin_is_transient_not_auth(
    provider: LiveVoxProvider, server: LiveVox
) -> None:
    server.routes[("GET", "/sms/agent/channel")] = json_response({"message": "Expired"}, 401)
    with pytest.raises(ServerError, match="even after a fresh login"):
        await provider.list_channels()
    assert server.logins == 2
    assert len(server.calls("GET", "/sms/agent/channel")) == 2


async def test_forbidden_after_relogin_is_a_refusal_not_auth(
    provider: LiveVoxProvider, server: LiveVox
) -> None:
    server.routes[("GET", "/sms/agent/thread/details")] = json_response(
        {"code": 1005, "message": "Agent is not in service 94874"}, 403
    )
    with pytest.raises(VendorRefused, match="Agent is not in service 94874") as caught:
        _ = [page async for page in provider.thread_pages(GROUP)]
    assert caught.value.status == 403
    assert server.logins == 2


async def test_wrong_password_is_readable_auth_error(
    server: LiveVox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    account = livevox_account(password="wrong-password-123")
    async with LiveVoxProvider(account, transport=server.transport) as provider:
        with pytest.raises(AuthError) as caught:
            await provider.list_channels()
    assert str(caught.value) == (
        "LiveVox refused the login: wrong client name, user name, password or access token "
        "(account 'Acme LiveVox')"
    )
    assert "wrong-password-123" not in caplog.text


async def test_relogin_for_a_refused_post_repeats_it(
    provider: LiveVoxProvider, server: LiveVox
) -> None:
    await provider.login()
    server.expire_sessions()
    result = await provider.send_message(a_thread(), "hi", "+13345094836")
    assert result.message_id == "56284272387"
    assert len(server.calls("POST", "/sms/agent/message/send")) == 2
    assert server.logins == 2


async def test_threads_page_to_the_empty_page(provider: LiveVoxProvider, server: LiveVox) -> None:
    pages = [page async for page in provider.thread_pages(GROUP)]
    assert [[t.key for t in p] for p in pages] == [["56061444434", "56047165976", "56047127816"]]
    calls = server.calls("GET", "/sms/agent/thread/details")
    assert [dict(c.url.params) for c in calls] == [
        {"channelId": "94874", "personal": "false", "channel": "SMS", "pagination": str(n)}
        for n in (1, 2)
    ]


async def test_thread_pages_stop_on_a_repeated_page(
    provider: LiveVoxProvider, server: LiveVox
) -> None:
    server.routes[("GET", "/sms/agent/thread/details")] = server.authed(
        lambda r: json.loads(docs.LV_THREADS)
    )
    pages = [page async for page in provider.thread_pages(GROUP)]
    assert len(pages) == 1
    assert len(server.calls("GET", "/sms/agent/thread/details")) == 2


async def test_multi_page_threads(provider: LiveVoxProvider, server: LiveVox) -> None:
    server.thread_pages[:] = [
        [
            {"threadId": str(n), "to": "14154164061", "serviceId": 94874}
            for n in range(p * 3, p * 3 + 3)
        ]
        for p in range(4)
    ] + [[]]
    pages = [page async for page in provider.thread_pages(GROUP)]
    assert [t.key for p in pages for t in p] == [str(n) for n in range(12)]


async def test_history_pages_and_since(provider: LiveVoxProvider, server: LiveVox) -> None:
    rows = json.loads(docs.LV_HISTORY)
    server.history_pages[:] = [rows[:4], rows[4:8], rows[8:], []]
    thread = a_thread()
    messages = await provider.list_messages(thread)
    assert len(messages) == 10
    assert messages[0].id == "56061451206" and messages[-1].direction is Direction.OUT
    calls = server.calls("GET", "/sms/agent/messages")
    assert dict(calls[0].url.params) == {
        "threadId": "56061444434",
        "account": "1213",
        "pagination": "1",
    }
    assert len(calls) == 4

    before = len(server.requests)
    recent = await provider.list_messages(thread, since=datetime.fromtimestamp(1666263120, UTC))
    assert len(server.requests) - before == 1  # page 1 already reaches back before `since`
    assert {m.body for m in recent} >= {"Okay"}


async def test_history_repeat_guard(provider: LiveVoxProvider, server: LiveVox) -> None:
    server.routes[("GET", "/sms/agent/messages")] = server.authed(
        lambda r: json.loads(docs.LV_HISTORY)
    )
    messages = await provider.list_messages(a_thread())
    assert len(messages) == 10
    assert len(server.calls("GET", "/sms/agent/messages")) == 2


async def test_reference_lists(provider: LiveVoxProvider, server: LiveVox) -> None:
    thread = a_thread()
    assert [t.id for t in await provider.list_templates()] == ["75870", "75959"]
    assert [s.code for s in await provider.list_sender_ids()] == ["+14159174458"]
    codes = await provider.list_term_codes(thread)
    assert [(c.id, c.name, c.category) for c in codes] == [("5", "Paid", "Done")]
    assert server.calls("GET", "/callControl/agent/termCode")[0].url.params["serviceId"] == "94874"
    agents = await provider.list_transfer_agents(thread)
    assert [a.id for a in agents] == ["645835", "795963", "689581", "689579"]


async def test_transfer_search_falls_back_to_post_on_405(
    provider: LiveVoxProvider, server: LiveVox
) -> None:
    server.routes[("GET", "/sms/agent/search")] = json_response(
        {"message": "Method Not Allowed"}, 405
    )
    server.routes[("POST", "/sms/agent/search")] = server.authed(
        lambda r: json.loads(docs.LV_TRANSFER_AGENTS)
    )
    agents = await provider.list_transfer_agents(a_thread())
    assert len(agents) == 4
    assert server.calls("POST", "/sms/agent/search")[0].url.params["threadId"] == "56061444434"


async def test_actions_send_what_the_document_shows(
    provider: LiveVoxProvider, server: LiveVox
) -> None:
    thread = a_thread()
    result = await provider.send_message(
        thread, "API SMS Test", "+13345094836", template_id="74257"
    )
    assert result.message_id == "56284272387"
    assert body_of(server.calls("POST", "/sms/agent/message/send")[0]) == {
        "fromNumber": "13345094836",
        "toNumber": "14154164061",
        "message": "API SMS Test",
        "account": "1213",
        "threadId": 56061444434,
        "templateId": 74257,
    }
    await provider.set_read(thread, True)
    await provider.set_read(thread, False)
    for path in ("/sms/agent/message/markAsRead", "/sms/agent/message/markAsUnread"):
        assert dict(server.calls("PUT", path)[0].url.params) == {
            "threadId": "56061444434",
            "channelId": "94874",
        }
    await provider.transfer(thread, "645835")
    assert dict(server.calls("GET", "/sms/agent/thread/transfer")[0].url.params) == {
        "threadId": "56061444434",
        "type": "SMS",
        "agentId": "645835",
    }
    await provider.resolve(thread, "5")
    await provider.resolve(thread, None)
    resolves = server.calls("POST", "/sms/agent/thread/resolve")
    assert body_of(resolves[0]) == {
        "threadId": "56061444434",
        "termCodeId": 5,
        "account": "1213",
        "agentEnteredAccount": "1213",
    }
    assert "termCodeId" not in body_of(resolves[1])
    await provider.move_to_inbox(thread, personal=True)
    await provider.move_to_inbox(thread, personal=False)
    assert dict(server.calls("PUT", "/sms/agent/thread/switchGroup/private")[0].url.params) == {
        "threadId": "56061444434",
        "channelId": "645836",
    }
    assert dict(server.calls("PUT", "/sms/agent/thread/switchGroup/public")[0].url.params) == {
        "threadId": "56061444434"
    }


async def test_dropped_send_is_outcome_unknown_and_not_retried(
    provider: LiveVoxProvider, server: LiveVox
) -> None:
    await provider.login()
    server.routes[("POST", "/sms/agent/message/send")] = drop
    with pytest.raises(OutcomeUnknown):
        await provider.send_message(a_thread(), "hello", "")
    assert len(server.calls("POST", "/sms/agent/message/send")) == 1


async def test_dropped_transfer_and_resolve_are_not_retried(
    provider: LiveVoxProvider, server: LiveVox
) -> None:
    await provider.login()
    server.routes[("GET", "/sms/agent/thread/transfer")] = drop
    server.routes[("POST", "/sms/agent/thread/resolve")] = drop
    with pytest.raises(OutcomeUnknown):
        await provider.transfer(a_thread(), "1")
    with pytest.raises(OutcomeUnknown):
        await provider.resolve(a_thread(), None)
    assert len(server.calls("GET", "/sms/agent/thread/transfer")) == 1
    assert len(server.calls("POST", "/sms/agent/thread/resolve")) == 1


@pytest.mark.parametrize("body", ['{"id": "562842', "", '{"status": "ok"}'])
async def test_unreadable_send_answer_is_outcome_unknown(
    provider: LiveVoxProvider, server: LiveVox, body: str
) -> None:
    server.routes[("POST", "/sms/agent/message/send")] = server.authed(
        lambda r: httpx.Response(200, content=body)
    )
    with pytest.raises(OutcomeUnknown):
        await provider.send_message(a_thread(), "hello", "")


async def test_truncated_list_is_bad_response(provider: LiveVoxProvider, server: LiveVox) -> None:
    server.routes[("GET", "/sms/agent/channel")] = server.authed(
        lambda r: httpx.Response(200, content=docs.LV_CHANNELS[:200])
    )
    with pytest.raises(BadResponse, match="LiveVox sent an unreadable answer to the inbox list"):
        await provider.list_channels()


async def test_unknown_shape_is_bad_response(provider: LiveVoxProvider, server: LiveVox) -> None:
    server.routes[("GET", "/sms/templates")] = server.authed(lambda r: {"weird": 1})
    with pytest.raises(BadResponse, match="shape"):
        await provider.list_templates()


async def test_reads_retry_429_with_retry_after(server: LiveVox) -> None:
    sleeps = Sleeps()
    calls = 0

    def limited(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls < 3:
            return json_response({}, 429, **{"Retry-After": "2"})
        return json_response(SMS_CHANNELS)

    server.routes[("GET", "/sms/agent/channel")] = server.authed(limited)
    async with LiveVoxProvider(
        livevox_account(), transport=server.transport, retry=sleeps.policy()
    ) as provider:
        assert len(await provider.list_channels()) == 2
    assert sleeps.delays == [2.0, 2.0]


async def test_send_429_is_not_retried(provider: LiveVoxProvider, server: LiveVox) -> None:
    server.routes[("POST", "/sms/agent/message/send")] = server.authed(
        lambda r: json_response({}, 429, **{"Retry-After": "2"})
    )
    with pytest.raises(RateLimited):
        await provider.send_message(a_thread(), "hello", "")
    assert len(server.calls("POST", "/sms/agent/message/send")) == 1


async def test_vendor_refusal_on_action(provider: LiveVoxProvider, server: LiveVox) -> None:
    server.routes[("GET", "/sms/agent/thread/transfer")] = server.authed(
        lambda r: json_response({"message": "Agent not available"}, 400)
    )
    with pytest.raises(VendorRefused, match="Agent not available") as caught:
        await provider.transfer(a_thread(), "1")
    assert caught.value.status == 400


async def test_api_versions_go_after_the_category(server: LiveVox) -> None:
    versioned = FakeServer()

    def strip_version(request: httpx.Request) -> httpx.Response:
        parts = request.url.path.split("/")
        assert parts[2] in ("v17.0", "v5.0", "v2.0"), request.url.path
        versioned.requests.append(request)
        url = request.url.copy_with(path="/".join(parts[:2] + parts[3:]))
        return server(
            httpx.Request(request.method, url, headers=request.headers, content=request.content)
        )

    account = livevox_account(
        api_version="v17.0", session_api_version="v5.0", callcontrol_api_version="v2.0"
    )
    async with LiveVoxProvider(account, transport=httpx.MockTransport(strip_version)) as provider:
        await provider.list_channels()
        await provider.list_term_codes(a_thread())
    assert [r.url.path for r in versioned.requests] == [
        "/session/v5.0/login",
        "/sms/v17.0/agent/channel",
        "/callControl/v2.0/agent/termCode",
    ]


async def test_find_sent_reconciles_against_history(provider: LiveVoxProvider) -> None:
    thread = a_thread()
    found = await provider.find_sent(thread, "Okay", datetime(2022, 1, 1, tzinfo=UTC))
    assert found is None  # "Okay" was inbound
    body = "API SMS Test Hi Kavita 2022-10-20T04:16:08.108Z"
    found = await provider.find_sent(thread, body, datetime.fromtimestamp(1666263700, UTC))
    assert found is not None and found.id == "56061451356"


async def test_secrets_never_in_logs_or_errors(
    server: LiveVox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[str] = []
    server.routes[("GET", "/sms/codes")] = server.authed(
        lambda r: json_response(
            {"message": f"echo {r.headers['LV-Session']} {r.headers['LV-Access']}"}, 400
        )
    )
    async with LiveVoxProvider(livevox_account(), transport=server.transport) as provider:
        await provider.list_channels()
        server.expire_sessions()
        await provider.list_channels()
        try:
            await provider.list_sender_ids()
        except VendorRefused as error:
            errors.append(str(error))
    secrets = [*LV_SECRETS.values(), "sess-1-0a1b2c3d", "sess-2-0a1b2c3d"]
    assert errors and "echo *** ***" in errors[0]
    for secret in secrets:
        assert secret not in caplog.text
        assert secret not in errors[0]


async def test_thread_list_falls_back_to_the_method_line_path(
    provider: LiveVoxProvider, server: LiveVox
) -> None:
    route = server.routes.pop(("GET", "/sms/agent/thread/details"))
    server.routes[("GET", "/agent/thread/details")] = route
    pages = [page async for page in provider.thread_pages(GROUP)]
    assert len(pages) == 1
    pages = [page async for page in provider.thread_pages(GROUP)]
    assert len(server.calls("GET", "/sms/agent/thread/details")) == 1  # remembered
    assert len(server.calls("GET", "/agent/thread/details")) == 4


async def test_mark_unread_falls_back_to_get_on_405(
    provider: LiveVoxProvider, server: LiveVox
) -> None:
    route = server.routes.pop(("PUT", "/sms/agent/message/markAsUnread"))
    server.routes[("GET", "/sms/agent/message/markAsUnread")] = route
    server.routes[("PUT", "/sms/agent/message/markAsUnread")] = json_response({}, 405)
    await provider.set_read(a_thread(), False)
    assert len(server.calls("GET", "/sms/agent/message/markAsUnread")) == 1


async def test_same_host_trailing_slash_redirect_is_followed(
    provider: LiveVoxProvider, server: LiveVox
) -> None:
    route = server.routes.pop(("GET", "/sms/agent/messages"))
    server.routes[("GET", "/sms/agent/messages/")] = route
    server.routes[("GET", "/sms/agent/messages")] = lambda r: httpx.Response(
        307, headers={"Location": str(r.url.copy_with(path="/sms/agent/messages/"))}
    )
    assert len(await provider.list_messages(a_thread())) == 10
    follow = server.calls("GET", "/sms/agent/messages/")[0]
    assert follow.headers["LV-Session"] == "sess-1-0a1b2c3d"


async def test_redirect_to_another_host_is_not_followed(
    provider: LiveVoxProvider, server: LiveVox
) -> None:
    server.routes[("GET", "/sms/templates")] = httpx.Response(
        302, headers={"Location": "https://evil.example.com/steal"}
    )
    with pytest.raises(VendorRefused, match="HTTP 302"):
        await provider.list_templates()
    assert all(r.url.host == "api.livevox.com" for r in server.requests)
