"""The shared plumbing: retries only where safe, error mapping, JSON, redaction."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from inbox_app.providers.errors import (
    AuthError,
    BadResponse,
    NetworkError,
    OutcomeUnknown,
    ProviderError,
    RateLimited,
    ServerError,
    VendorRefused,
)
from inbox_app.providers.http import HttpSession, Redactor, RetryPolicy, parse_retry_after
from tests.providers.provider_helpers import (
    FakeServer,
    Sleeps,
    drop,
    json_response,
    read_timeout,
    refuse,
)

URL = "https://api.example.com/x"


def session(server: FakeServer, sleeps: Sleeps | None = None, **kw: object) -> HttpSession:
    return HttpSession(
        vendor="Vendor",
        account="Acct",
        base_url="https://api.example.com",
        redact=Redactor(["s3cret-value"]),
        retry=(sleeps or Sleeps()).policy(),
        transport=server.transport,
        **kw,  # type: ignore[arg-type]
    )


async def test_get_retries_5xx_then_succeeds() -> None:
    sleeps = Sleeps()
    server = FakeServer(
        {("GET", "/x"): [json_response({}, 503), json_response({}, 502), json_response({"ok": 1})]}
    )
    http = session(server, sleeps)
    reply = await http.request("GET", URL, idempotent=True, what="the list")
    assert http.json(reply, "the list") == {"ok": 1}
    assert len(server.requests) == 3
    assert sleeps.delays == [0.25, 0.5]  # jitter 0.5 * 0.5 * 2**n
    await http.aclose()


async def test_get_honours_retry_after_seconds_and_gives_up_after_attempts() -> None:
    sleeps = Sleeps()
    server = FakeServer({("GET", "/x"): json_response({}, 429, **{"Retry-After": "3"})})
    http = session(server, sleeps)
    with pytest.raises(RateLimited) as caught:
        await http.request("GET", URL, idempotent=True, what="the list")
    assert caught.value.retry_after == 3.0
    assert sleeps.delays == [3.0, 3.0, 3.0]
    assert len(server.requests) == 4
    await http.aclose()


async def test_retry_after_longer_than_cap_is_raised_not_slept() -> None:
    sleeps = Sleeps()
    server = FakeServer({("GET", "/x"): json_response({}, 429, **{"Retry-After": "3600"})})
    http = session(server, sleeps)
    with pytest.raises(RateLimited) as caught:
        await http.request("GET", URL, idempotent=True, what="the list")
    assert caught.value.retry_after == 3600.0
    assert sleeps.delays == [] and len(server.requests) == 1
    await http.aclose()


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (parse_retry_after(later) or 0) <= 31


async def test_get_retries_network_errors() -> None:
    sleeps = Sleeps()
    server = FakeServer({("GET", "/x"): [read_timeout, refuse, json_response([1])]})
    http = session(server, sleeps)
    reply = await http.request("GET", URL, idempotent=True, what="the list")
    assert http.json(reply, "x") == [1]
    assert len(sleeps.delays) == 2
    await http.aclose()


@pytest.mark.parametrize("failure", [drop, read_timeout])
async def test_post_with_lost_answer_is_outcome_unknown_and_sent_once(failure: object) -> None:
    sleeps = Sleeps()
    server = FakeServer({("POST", "/x"): failure})
    http = session(server, sleeps)
    with pytest.raises(OutcomeUnknown) as caught:
        await http.request("POST", URL, idempotent=False, what="the message", json_body={"a": 1})
    assert len(server.requests) == 1 and sleeps.delays == []
    assert "may or may not" in str(caught.value)
    await http.aclose()


@pytest.mark.parametrize(
    ("status", "error"), [(500, OutcomeUnknown), (504, OutcomeUnknown), (503, ServerError)]
)
async def test_post_server_errors(status: int, error: type[ProviderError]) -> None:
    server = FakeServer({("POST", "/x"): json_response({}, status)})
    http = session(server)
    with pytest.raises(error):
        await http.request("POST", URL, idempotent=False, what="the message")
    assert len(server.requests) == 1
    await http.aclose()


async def test_post_connect_refused_is_plain_network_error_naming_host() -> None:
    server = FakeServer({("POST", "/x"): refuse})
    http = session(server)
    with pytest.raises(NetworkError) as caught:
        await http.request("POST", URL, idempotent=False, what="the message")
    assert not isinstance(caught.value, OutcomeUnknown)
    assert str(caught.value) == "Can't reach api.example.com: connection refused (account 'Acct')"
    await http.aclose()


async def test_timeout_text_names_vendor_and_seconds() -> None:
    server = FakeServer({("GET", "/x"): read_timeout})
    http = session(server, Sleeps(), timeout=20.0)
    with pytest.raises(NetworkError, match=r"^Vendor did not answer the list within 20 s"):
        await http.request("GET", URL, idempotent=True, what="the list")
    await http.aclose()


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, AuthError), (403, AuthError), (404, VendorRefused), (400, VendorRefused)],
)
async def test_status_mapping(status: int, error: type[ProviderError]) -> None:
    server = FakeServer({("GET", "/x"): json_response({"message": "nope"}, status)})
    http = session(server)
    with pytest.raises(error, match="nope"):
        await http.request("GET", URL, idempotent=True, what="the list")
    assert len(server.requests) == 1
    await http.aclose()


@pytest.mark.parametrize("body", ['{"threads": [1, 2', "<html>Bad gateway</html>", '{"a": }'])
async def test_malformed_json_is_bad_response(body: str) -> None:
    server = FakeServer({("GET", "/x"): httpx.Response(200, content=body.encode())})
    http = session(server)
    reply = await http.request("GET", URL, idempotent=True, what="the list")
    with pytest.raises(BadResponse, match="unreadable answer to the list"):
        http.json(reply, "the list")
    await http.aclose()


@pytest.mark.parametrize("body", [b'{"a": "\xff\xfe"}', b"[1, 2", b"nul"])
async def test_parsed_call_with_malformed_body_is_bad_response(body: bytes) -> None:
    server = FakeServer({("POST", "/x"): httpx.Response(200, content=body)})
    http = session(server)
    with pytest.raises(BadResponse, match="unreadable answer to the send"):
        await http.request("POST", URL, idempotent=False, what="the send", parse_json=True)
    await http.aclose()


async def test_json_the_fast_decoder_refuses_is_still_read() -> None:
    body = b'{"id": 123456789012345678901234567890, "score": NaN}'
    server = FakeServer({("GET", "/x"): httpx.Response(200, content=body)})
    http = session(server)
    reply = await http.request("GET", URL, idempotent=True, what="the list", parse_json=True)
    assert reply.decoded
    assert reply.data["id"] == 123456789012345678901234567890
    assert http.json(reply, "the list") is reply.data
    await http.aclose()


async def test_half_an_emoji_becomes_a_replacement_character_not_a_failed_store() -> None:
    body = b'{"messages": [{"text": "cut \\ud83d"}, {"text": "whole \\ud83d\\ude00"}], "n": 1}'
    server = FakeServer({("GET", "/x"): httpx.Response(200, content=body)})
    http = session(server)
    reply = await http.request("GET", URL, idempotent=True, what="the list", parse_json=True)
    await http.aclose()
    assert reply.data == {"messages": [{"text": "cut \ufffd"}, {"text": "whole 😀"}], "n": 1}
    sqlite3.connect(":memory:").execute("SELECT ?", (reply.data["messages"][0]["text"],))


async def test_empty_body_is_none() -> None:
    server = FakeServer({("PUT", "/x"): httpx.Response(204)})
    http = session(server)
    assert http.json(await http.request("PUT", URL, idempotent=True, what="x"), "x") is None
    await http.aclose()


async def test_a_cookie_the_vendor_sets_goes_back_with_the_next_call() -> None:
    """Answers are read for cookies only when they set one (see `_Cookies`)."""
    server = FakeServer(
        {
            ("GET", "/login"): httpx.Response(200, headers={"Set-Cookie": "lb=node-2; Path=/"}),
            ("GET", "/list"): {},
        }
    )
    http = session(server)
    for path in ("/list", "/login", "/list"):
        await http.request("GET", "https://api.example.com" + path, idempotent=True, what="x")
    await http.aclose()
    first, _, last = server.requests
    assert "cookie" not in first.headers and last.headers["cookie"] == "lb=node-2"


async def test_size_cap_by_header_and_by_stream() -> None:
    big = b"x" * 5000
    server = FakeServer({("GET", "/x"): httpx.Response(200, content=big)})
    http = session(server)
    with pytest.raises(ProviderError, match="not downloaded"):
        await http.request("GET", URL, idempotent=True, what="the file", max_bytes=4000)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(2):
            yield b"x" * 3000

    def chunked(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=chunks())

    server.routes[("GET", "/x")] = chunked
    with pytest.raises(ProviderError, match="not downloaded"):
        await http.request("GET", URL, idempotent=True, what="the file", max_bytes=4000)
    reply = await http.request("GET", URL, idempotent=True, what="the file", max_bytes=10_000)
    assert len(reply.content) == 6000
    await http.aclose()


async def test_concurrency_is_bounded_per_session() -> None:
    active = 0
    peak = 0

    class Slow(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            nonlocal active, peak
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(0.01)
            active -= 1
            return httpx.Response(200, json={})

    http = HttpSession(
        vendor="V",
        account="A",
        base_url="https://h",
        redact=Redactor(),
        concurrency=2,
        transport=Slow(),
    )
    await asyncio.gather(
        *(http.request("GET", "https://h/x", idempotent=True, what="x") for _ in range(8))
    )
    assert peak == 2
    await http.aclose()


def test_redactor_scrubs_values_headers_and_params() -> None:
    redact = Redactor(["s3cret-value", "ab"])
    redact.add("sess-12345")
    text = redact(
        "pw s3cret-value LV-Access: tok123 LV-Session=sess-12345 "
        'Authorization: Zoho-oauthtoken 1000.abc api_key=k9 password="p" about'
    )
    assert "s3cret-value" not in text and "tok123" not in text and "sess-12345" not in text
    assert "1000.abc" not in text and "k9" not in text
    assert "Authorization: Zoho-oauthtoken ***" in text
    assert text.endswith("about")  # too-short "secrets" are ignored
    echoed = redact('{"LV-Session": "unknown-sess-1", "headers": {"authorization": "Bearer xyz"}}')
    assert echoed == '{"LV-Session": "***", "headers": {"authorization": "Bearer ***"}}'


async def test_vendor_error_text_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = FakeServer({("GET", "/x"): json_response({"message": "bad key s3cret-value"}, 400)})
    http = session(server)
    with pytest.raises(VendorRefused) as caught:
        await http.request("GET", URL, idempotent=True, what="the list")
    assert "s3cret-value" not in str(caught.value)
    assert "s3cret-value" not in caplog.text
    await http.aclose()


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(base_delay=1, max_delay=5, jitter=lambda: 1.0)
    assert [policy.backoff(n) for n in range(5)] == [1, 2, 4, 5, 5]


async def test_unreadable_body_is_retried_for_reads_only() -> None:
    sleeps = Sleeps()
    server = FakeServer(
        {
            ("GET", "/x"): [httpx.Response(200, content=b'{"a": [1'), json_response({"a": [1]})],
            ("POST", "/x"): httpx.Response(200, content=b'{"id": "1'),
        }
    )
    http = session(server, sleeps)
    reply = await http.request("GET", URL, idempotent=True, what="the list", parse_json=True)
    assert reply.data == {"a": [1]} and len(sleeps.delays) == 1
    with pytest.raises(BadResponse):
        await http.request("POST", URL, idempotent=False, what="the message", parse_json=True)
    assert len(server.calls("POST", "/x")) == 1
    await http.aclose()


@pytest.mark.parametrize("url", ["ftp://api.example.com/x", "http://api:b:c/x"])
async def test_bad_address_is_a_readable_error(url: str) -> None:
    http = HttpSession(vendor="Vendor", account="Acct", base_url=url, redact=Redactor())
    with pytest.raises(ProviderError, match="address of account 'Acct'") as caught:
        await http.request("POST", url, idempotent=False, what="the message")
    assert not isinstance(caught.value, NetworkError)
    await http.aclose()
