"""ZohoVoiceProvider against an in-test server serving the documents' example payloads."""

from __future__ import annotations

import email
import json
import logging
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from inbox_app.core.models import Capability, Direction
from inbox_app.providers.errors import (
    AuthError,
    BadResponse,
    NotSupported,
    OutcomeUnknown,
    ProviderError,
    ServerError,
    VendorRefused,
)
from inbox_app.providers.zoho import ZohoVoiceProvider
from inbox_app.providers.zoho_parse import parse_conversation
from tests.providers import docs_payloads as docs
from tests.providers.provider_helpers import (
    ZOHO_SECRETS,
    FakeServer,
    Sleeps,
    drop,
    json_response,
    read_timeout,
    zoho_account,
)

TOKEN_PATH = "/oauth/v2/token"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Zoho(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.issued = 0
        self.valid: set[str] = set()
        self.chat_pages = [
            json.loads(docs.ZOHO_CHATLIST),
            {"chatlist": [], "meta": {"total": 2, "totalPages": 2}},
        ]
        self.log_rows: list[dict[str, Any]] = json.loads(docs.ZOHO_LOGS)["smsLogQuery"]
        self.log_total: int | None = None
        self.routes.update(
            {
                ("POST", TOKEN_PATH): self.token,
                ("GET", "/rest/json/v1/sms/chatlist"): self.authed(self.chatlist),
                ("GET", "/rest/json/v1/sms/logs"): self.authed(self.logs),
                ("GET", "/rest/json/v1/sms/schedule"): self.authed(
                    lambda r: json.loads(docs.ZOHO_SCHEDULE)
                ),
                ("POST", "/rest/json/v2/sms/send"): self.authed(
                    lambda r: json.loads(docs.ZOHO_SEND_V2)
                ),
                ("GET", "/rest/json/v2/sms/stream/mms"): self.authed(
                    lambda r: httpx.Response(
                        200, content=b"\x89PNG...", headers={"Content-Type": "image/png; q=1"}
                    )
                ),
            }
        )

    def token(self, request: httpx.Request) -> httpx.Response:
        form = dict(x.split("=", 1) for x in request.content.decode().split("&"))
        if (
            form.get("grant_type") != "refresh_token"
            or form.get("client_secret") != ZOHO_SECRETS["client_secret"]
            or form.get("refresh_token") != ZOHO_SECRETS["refresh_token"]
        ):
            return json_response({"error": "invalid_code"})
        self.issued += 1
        token = f"1000.tok-{self.issued}-deadbeef"
        self.valid.add(token)
        return json_response(
            {
                "access_token": token,
                "api_domain": "https://www.zohoapis.com",
                "token_type": "Bearer",
                "expires_in": 3600,
            }
        )

    def authed(self, make: Any) -> Any:
        def handler(request: httpx.Request) -> httpx.Response:
            header = request.headers.get("Authorization", "")
            if (
                not header.startswith("Zoho-oauthtoken ")
                or header.split(" ", 1)[1] not in self.valid
            ):
                return json_response(
                    {"status": "ERROR", "code": "ZVSMS-4001", "message": "Invalid OAuth token"}, 401
                )
            payload = make(request)
            return payload if isinstance(payload, httpx.Response) else json_response(payload)

        return handler

    def chatlist(self, request: httpx.Request) -> Any:
        page = int(request.url.params["page"])
        return self.chat_pages[page - 1] if page <= len(self.chat_pages) else {"chatlist": []}

    def logs(self, request: httpx.Request) -> Any:
        start, size = int(request.url.params["from"]), int(request.url.params["size"])
        total = len(self.log_rows) if self.log_total is None else self.log_total
        return {
            "smsLogQuery": self.log_rows[start : start + size],
            "meta": {"total": total},
            "status": "success",
        }


@pytest.fixture
def server() -> Zoho:
    return Zoho()


@pytest.fixture
async def provider(server: Zoho) -> Any:
    async with ZohoVoiceProvider(
        zoho_account(), transport=server.transport, retry=Sleeps().policy()
    ) as p:
        yield p


def a_thread() -> Any:
    thread = parse_conversation(json.loads(docs.ZOHO_CHATLIST)["chatlist"][0], "conversations")
    assert thread is not None
    return thread


def multipart(request: httpx.Request) -> dict[str, str]:
    raw = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode() + request.content
    message = email.message_from_bytes(raw)
    return {
        part.get_param("name", header="content-disposition"): part.get_payload(decode=True).decode()
        for part in message.get_payload()
    }


async def test_token_refresh_form_and_header(provider: ZohoVoiceProvider, server: Zoho) -> None:
    channels = await provider.list_channels()
    token_call = server.calls("POST", TOKEN_PATH)[0]
    assert token_call.url.host == "accounts.zoho.com" and not token_call.url.query
    assert "refresh_token=1000.refresh-TOKEN-abc" in token_call.content.decode()
    api_call = server.calls("GET", "/rest/json/v1/sms/chatlist")[0]
    assert api_call.url.host == "voice.zoho.com"
    assert api_call.headers["Authorization"] == "Zoho-oauthtoken 1000.tok-1-deadbeef"
    assert [(c.key, c.name, c.total, c.unread) for c in channels] == [
        ("conversations", "Conversations", 20, 0)
    ]
    assert provider.capabilities == {Capability.SEND, Capability.SCHEDULE}


async def test_token_reused_then_refreshed_ahead_of_expiry(server: Zoho) -> None:
    clock = Clock()
    async with ZohoVoiceProvider(
        zoho_account(), transport=server.transport, clock=clock
    ) as provider:
        await provider.list_channels()
        clock.now += 3000
        await provider.list_channels()
        assert server.issued == 1
        clock.now += 400  # within 5 minutes of the hour
        await provider.list_channels()
        assert server.issued == 2


async def test_401_refreshes_once_then_auth_error(
    provider: ZohoVoiceProvider, server: Zoho
) -> None:
    await provider.list_channels()
    server.valid.clear()
    await provider.list_channels()
    assert server.issued == 2
    server.routes[("GET", "/rest/json/v1/sms/chatlist")] = json_response(
        {"status": "ERROR", "code": "ZVSMS-4001", "message": "Invalid OAuth token"}, 401
    )
    with pytest.raises(ServerError, match="even with a fresh access token"):
        await provider.list_channels()
    assert server.issued == 3


async def test_200_with_error_from_token_endpoint_is_auth_error(
    server: Zoho, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    account = zoho_account(refresh_token="1000.wrong-refresh-xyz")
    async with ZohoVoiceProvider(account, transport=server.transport) as provider:
        with pytest.raises(AuthError) as caught:
            await provider.login()
    assert str(caught.value) == (
        "Zoho (accounts.zoho.com) refused to renew the access token: the refresh token is "
        "invalid or was revoked (account 'Acme Zoho')"
    )
    assert "1000.wrong-refresh-xyz" not in caplog.text
    assert ZOHO_SECRETS["client_secret"] not in caplog.text


async def test_token_endpoint_4xx_is_auth_error(server: Zoho) -> None:
    server.routes[("POST", TOKEN_PATH)] = json_response({"error": "invalid_client"}, 400)
    async with ZohoVoiceProvider(zoho_account(), transport=server.transport) as provider:
        with pytest.raises(AuthError, match="wrong client id"):
            await provider.login()


async def test_access_token_only_is_used_then_auth_error(server: Zoho) -> None:
    server.valid.add("1000.configured-access-tok")
    account = zoho_account(access_token="1000.configured-access-tok", refresh_token="")
    async with ZohoVoiceProvider(account, transport=server.transport) as provider:
        await provider.list_channels()
        server.valid.clear()
        with pytest.raises(AuthError, match="configure a refresh token") as caught:
            await provider.list_channels()
    assert server.issued == 0
    assert "configured-access-tok" not in str(caught.value)


async def test_no_tokens_at_all(server: Zoho) -> None:
    async with ZohoVoiceProvider(
        zoho_account(refresh_token=""), transport=server.transport
    ) as provider:
        with pytest.raises(AuthError, match="no refresh token"):
            await provider.login()


async def test_thread_pages_to_total_pages(provider: ZohoVoiceProvider, server: Zoho) -> None:
    second = json.loads(docs.ZOHO_CHATLIST)
    for row in second["chatlist"]:
        row["customerNumber"] += "9"
    server.chat_pages = [json.loads(docs.ZOHO_CHATLIST), second, second]
    pages = [page async for page in provider.thread_pages((await provider.list_channels())[0])]
    assert [len(p) for p in pages] == [2, 2]  # totalPages = 2
    calls = server.calls("GET", "/rest/json/v1/sms/chatlist")[1:]
    assert [dict(c.url.params) for c in calls] == [
        {"page": "1", "size": "100"},
        {"page": "2", "size": "100"},
    ]


async def test_thread_pages_stop_on_empty_or_repeated_page(
    provider: ZohoVoiceProvider, server: Zoho
) -> None:
    channel = (await provider.list_channels())[0]
    no_meta = {"chatlist": json.loads(docs.ZOHO_CHATLIST)["chatlist"]}
    server.chat_pages = [no_meta, no_meta, no_meta]
    pages = [page async for page in provider.thread_pages(channel)]
    assert len(pages) == 1
    assert len(server.calls("GET", "/rest/json/v1/sms/chatlist")) == 1 + 2


async def test_messages_page_by_start_index(provider: ZohoVoiceProvider, server: Zoho) -> None:
    base = json.loads(docs.ZOHO_LOGS)["smsLogQuery"][1]
    server.log_rows = [
        {
            **base,
            "logid": f"id-{n}",
            "submittedTime": 1702029127336 - n * 1000,
            "messageType": "OUTGOING" if n % 2 else "INCOMING",
        }
        for n in range(250)
    ]
    thread = a_thread()
    messages = await provider.list_messages(thread)
    assert len(messages) == 250
    assert messages[0].id == "id-249" and messages[-1].id == "id-0"
    calls = server.calls("GET", "/rest/json/v1/sms/logs")
    assert [c.url.params["from"] for c in calls] == ["0", "100", "200"]
    assert calls[0].url.params["customerNumber"] == "+612XXXXXXXX7"
    assert calls[0].url.params["longCode"] == "+614XXXXXXXX5"
    assert "fetchMMS" not in calls[0].url.params
    assert {m.direction for m in messages} == {Direction.IN, Direction.OUT}

    before = len(server.calls("GET", "/rest/json/v1/sms/logs"))
    since = datetime.fromtimestamp((1702029127336 - 50_000) / 1000, UTC)
    recent = await provider.list_messages(thread, since=since)
    assert len(server.calls("GET", "/rest/json/v1/sms/logs")) - before == 1
    assert all(m.at >= since for m in recent[-51:])


async def test_document_logs_total_larger_than_rows_stops_on_empty(
    provider: ZohoVoiceProvider, server: Zoho
) -> None:
    server.log_total = 4  # the document says total 4 but shows 2 rows
    messages = await provider.list_messages(a_thread())
    assert len(messages) == 2 and messages[0].body == "This is new"
    assert len(server.calls("GET", "/rest/json/v1/sms/logs")) == 2


async def test_send_v2_multipart_and_result(provider: ZohoVoiceProvider, server: Zoho) -> None:
    thread = a_thread()
    result = await provider.send_message(thread, "Hello,world!", "+14842920001", template_id="77")
    assert result.message_id == "40318972-ffc8-4448-92ec-2f8494eafaa6"
    request = server.calls("POST", "/rest/json/v2/sms/send")[0]
    assert request.headers["Content-Type"].startswith("multipart/form-data")
    parts = multipart(request)
    assert json.loads(parts["sms_data"]) == {
        "customerNumber": "+612XXXXXXXX7",
        "message": "Hello,world!",
        "senderId": "14842920001",
        "mms": False,
    }
    assert parts["templateId"] == "77"


async def test_schedule_message(provider: ZohoVoiceProvider, server: Zoho) -> None:
    when = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    result = await provider.schedule_message(a_thread(), "later", "", when, "Asia/Kolkata")
    assert result.status == "IN_QUEUE"
    parts = multipart(server.calls("POST", "/rest/json/v2/sms/send")[0])
    assert parts["scheduledTime"] == "2024-03-01 17:30:00" and parts["timeZone"] == "Asia/Kolkata"
    assert json.loads(parts["sms_data"])["senderId"] == "+614XXXXXXXX5"
    with pytest.raises(VendorRefused, match="unknown time zone"):
        await provider.schedule_message(a_thread(), "later", "", when, "Nowhere/Zone")


@pytest.mark.parametrize("status", [200, 400])
async def test_send_error_envelope_is_vendor_refused(
    provider: ZohoVoiceProvider, server: Zoho, status: int
) -> None:
    server.routes[("POST", "/rest/json/v2/sms/send")] = server.authed(
        lambda r: json_response(json.loads(docs.ZOHO_ERROR), status)
    )
    with pytest.raises(VendorRefused) as caught:
        await provider.send_message(a_thread(), "hi", "")
    assert caught.value.code == "ZVSMS-4038"
    assert "Destination country not supported" in str(caught.value)
    assert len(server.calls("POST", "/rest/json/v2/sms/send")) == 1


async def test_logs_error_envelope_with_200(provider: ZohoVoiceProvider, server: Zoho) -> None:
    server.routes[("GET", "/rest/json/v1/sms/logs")] = server.authed(
        lambda r: json.loads(docs.ZOHO_LOGS_ERROR)
    )
    with pytest.raises(VendorRefused, match="Destination country"):
        await provider.list_messages(a_thread())


@pytest.mark.parametrize("failure", [drop, read_timeout])
async def test_dropped_send_is_outcome_unknown_not_retried(
    provider: ZohoVoiceProvider, server: Zoho, failure: Any
) -> None:
    await provider.login()
    server.routes[("POST", "/rest/json/v2/sms/send")] = failure
    with pytest.raises(OutcomeUnknown):
        await provider.send_message(a_thread(), "hi", "")
    assert len(server.calls("POST", "/rest/json/v2/sms/send")) == 1


async def test_unreadable_send_success_is_outcome_unknown(
    provider: ZohoVoiceProvider, server: Zoho
) -> None:
    server.routes[("POST", "/rest/json/v2/sms/send")] = server.authed(
        lambda r: httpx.Response(200, content=docs.ZOHO_SEND_V2[:120].encode())
    )
    with pytest.raises(OutcomeUnknown):
        await provider.send_message(a_thread(), "hi", "")


async def test_truncated_chatlist_is_bad_response(
    provider: ZohoVoiceProvider, server: Zoho
) -> None:
    server.routes[("GET", "/rest/json/v1/sms/chatlist")] = server.authed(
        lambda r: httpx.Response(200, content=docs.ZOHO_CHATLIST[:300].encode())
    )
    with pytest.raises(BadResponse, match="Zoho Voice sent an unreadable answer"):
        await provider.list_channels()


async def test_reads_retry_5xx(server: Zoho) -> None:
    sleeps = Sleeps()
    calls = 0

    def flaky(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return (
            json_response({}, 500) if calls == 1 else json_response(json.loads(docs.ZOHO_SCHEDULE))
        )

    server.routes[("GET", "/rest/json/v1/sms/schedule")] = server.authed(flaky)
    async with ZohoVoiceProvider(
        zoho_account(), transport=server.transport, retry=sleeps.policy()
    ) as provider:
        scheduled = await provider.list_scheduled()
    assert [s.job_id for s in scheduled] == ["961000000506031"]
    assert len(sleeps.delays) == 1


async def test_list_logs_filters(provider: ZohoVoiceProvider, server: Zoho) -> None:
    logs = await provider.list_logs(
        customer_number="+14154164061",
        long_code="+14842920001",
        message_type="Incoming",
        from_date=datetime(2023, 12, 1, tzinfo=UTC),
        to_date=datetime(2023, 12, 9, tzinfo=UTC),
        country="us",
        mms_only=True,
        limit=1,
    )
    assert len(logs) == 1 and logs[0].thread_key == "+14XXXXXXXX73|+14XXXXXXXXX0"
    params = dict(server.calls("GET", "/rest/json/v1/sms/logs")[0].url.params)
    assert params == {
        "messageType": "Incoming",
        "customerNumber": "14154164061",
        "longCode": "14842920001",
        "fromDate": "2023-12-01 00:00:00",
        "toDate": "2023-12-09 00:00:00",
        "country": "us",
        "fetchMMS": "true",
        "from": "0",
        "size": "100",
    }


async def test_fetch_mms_and_size_cap(provider: ZohoVoiceProvider, server: Zoho) -> None:
    content, content_type = await provider.fetch_mms("6d39bf14", download=True)
    assert content == b"\x89PNG..." and content_type == "image/png"
    params = dict(server.calls("GET", "/rest/json/v2/sms/stream/mms")[0].url.params)
    assert params == {"id": "6d39bf14", "mode": "Download"}
    await provider.fetch_mms("6d39bf14")
    assert server.calls("GET", "/rest/json/v2/sms/stream/mms")[1].url.params["mode"] == "Preview"
    with pytest.raises(ProviderError, match="more than 0 MB"):
        await provider.fetch_mms("6d39bf14", max_bytes=4)


async def test_find_sent_uses_outgoing_logs(provider: ZohoVoiceProvider, server: Zoho) -> None:
    sent = {
        **json.loads(docs.ZOHO_LOGS)["smsLogQuery"][1],
        "messageType": "OUTGOING",
        "logid": "mine",
        "message": "On my way",
        "submittedTime": 1702029999000,
    }
    server.log_rows = [sent, *server.log_rows]
    found = await provider.find_sent(
        a_thread(), "On my way", datetime.fromtimestamp(1702029000, UTC)
    )
    assert found is not None and found.id == "mine"
    params = server.calls("GET", "/rest/json/v1/sms/logs")[0].url.params
    assert params["messageType"] == "Outgoing" and "longCode" not in params
    assert (
        await provider.find_sent(a_thread(), "On my way", datetime.fromtimestamp(1702030000, UTC))
        is None
    )


async def test_unsupported_actions(provider: ZohoVoiceProvider) -> None:
    with pytest.raises(NotSupported):
        await provider.set_read(a_thread(), True)
    with pytest.raises(NotSupported):
        await provider.transfer(a_thread(), "1")


async def test_secrets_never_in_logs_or_errors(
    server: Zoho, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.routes[("GET", "/rest/json/v1/sms/schedule")] = server.authed(
        lambda r: json_response(
            {
                "status": "ERROR",
                "code": "ZVSMS-4000",
                "message": f"bad header {r.headers['Authorization']}",
            },
            400,
        )
    )
    async with ZohoVoiceProvider(zoho_account(), transport=server.transport) as provider:
        await provider.list_channels()
        with pytest.raises(VendorRefused) as caught:
            await provider.list_scheduled()
    for secret in (*ZOHO_SECRETS.values(), "1000.tok-1-deadbeef"):
        assert secret not in caplog.text
        assert secret not in str(caught.value)


async def test_log_date_filters_use_the_org_zone(server: Zoho) -> None:
    account = zoho_account(time_zone="America/New_York")
    async with ZohoVoiceProvider(account, transport=server.transport) as provider:
        await provider.list_logs(from_date=datetime(2023, 12, 1, 12, 0, tzinfo=UTC))
    params = server.calls("GET", "/rest/json/v1/sms/logs")[0].url.params
    assert params["fromDate"] == "2023-12-01 07:00:00"


async def test_senderless_conversation_keeps_only_senderless_logs(
    provider: ZohoVoiceProvider, server: Zoho
) -> None:
    thread = parse_conversation(json.loads(docs.ZOHO_CHATLIST)["chatlist"][1], "conversations")
    assert thread is not None and thread.our_number == ""
    rows = json.loads(docs.ZOHO_LOGS)["smsLogQuery"]
    server.log_rows = [{**rows[0], "senderId": "", "senderIdName": "Released"}, rows[1]]
    messages = await provider.list_messages(thread)
    assert [m.id for m in messages] == [rows[0]["logid"]]
    assert "longCode" not in server.calls("GET", "/rest/json/v1/sms/logs")[0].url.params
