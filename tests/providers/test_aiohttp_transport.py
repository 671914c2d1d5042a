"""The wire under `HttpSession`: aiohttp behind httpx's API, and plain reads straight
through aiohttp, against a scripted HTTP/1.1 server on loopback, so every failure is a
real socket event. What matters is that each failure reaches `HttpSession` as the httpx
error its semantics are built on, that nothing is ever sent twice, and that a read sent
past httpx goes out and comes back as httpx would have sent and read it."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import ssl
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from inbox_app.providers.aiohttp_transport import AiohttpTransport
from inbox_app.providers.errors import NetworkError, OutcomeUnknown, ProviderError
from inbox_app.providers.http import HttpSession, Redactor, RetryPolicy, tls_context

Reply = Callable[[bytes, asyncio.StreamWriter], Awaitable[bool]]
"""Answers one request (its head and body); False hangs up afterwards."""


async def _no_sleep(_: float) -> None:
    return None


class Server:
    """Counts connections and requests; `reply` answers each request."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.connections = 0
        self.requests: list[bytes] = []

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length)
                self.requests.append(head + body)
                if not await self.reply(head + body, writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def serving(reply: Reply) -> AsyncIterator[tuple[Server, str]]:
    server = Server(reply)
    listener = await asyncio.start_server(server._serve, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        listener.close()
        await listener.wait_closed()


def _answer(body: bytes, *headers: str, status: str = "200 OK") -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def ok(request: bytes, writer: asyncio.StreamWriter) -> bool:
    writer.write(_answer(b'{"ok": true}', "Content-Type: application/json"))
    return True


async def hang_up(request: bytes, writer: asyncio.StreamWriter) -> bool:
    return False


def session(base_url: str, **options: object) -> HttpSession:
    return HttpSession(
        vendor="Vendor",
        account="Acct",
        base_url=base_url,
        redact=Redactor(),
        retry=RetryPolicy(sleep=_no_sleep),
        **options,  # type: ignore[arg-type]
    )


def test_the_sessions_use_aiohttp_unless_a_proxy_is_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert isinstance(session("http://x")._client._transport, AiohttpTransport)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert isinstance(session("http://x")._client._transport, httpx.AsyncHTTPTransport)


async def test_keeps_one_connection_alive_for_many_calls() -> None:
    async with serving(ok) as (server, url):
        http = session(url)
        for _ in range(5):
            reply = await http.request("GET", url + "/x", idempotent=True, what="x")
            assert http.json(reply, "x") == {"ok": True}
        await http.aclose()
    assert (server.connections, len(server.requests)) == (1, 5)


async def test_a_plain_read_skips_httpx_and_a_capped_one_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cold sync's reads bypass httpx's client (a third of the loop's time); a read
    with a size cap is streamed through it."""
    async with serving(ok) as (_, url):
        http = session(url)
        sent: list[str] = []
        send = http._client.send

        async def counting(request: httpx.Request, **options: Any) -> httpx.Response:
            sent.append(request.url.path)
            return await send(request, **options)

        monkeypatch.setattr(http._client, "send", counting)
        await http.request("GET", url + "/plain", idempotent=True, what="x")
        await http.request("GET", url + "/capped", idempotent=True, what="x", max_bytes=100)
        await http.aclose()
    assert sent == ["/capped"]


async def test_sends_httpx_built_bodies_and_headers_as_built() -> None:
    async with serving(ok) as (server, url):
        http = session(url)
        await http.request(
            "POST", url + "/send", idempotent=False, what="x", json_body={"message": "héllo 👋"}
        )
        await http.request("POST", url + "/form", idempotent=False, what="x", data={"a": "b c"})
        await http.aclose()
    json_request, form_request = server.requests
    assert b"content-type: application/json" in json_request.lower()
    assert json_request.endswith('{"message":"héllo 👋"}'.encode())
    assert b"accept: application/json" in json_request.lower()
    assert form_request.endswith(b"a=b+c")


async def test_a_gzip_answer_is_decoded_once() -> None:
    async def gzipped(request: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(_answer(gzip.compress(b'{"n": 1}'), "Content-Encoding: gzip"))
        return True

    async with serving(gzipped) as (_, url):
        http = session(url)
        reply = await http.request("GET", url, idempotent=True, what="x", parse_json=True)
        await http.aclose()
    assert reply.data == {"n": 1}


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
async def test_a_write_whose_answer_is_lost_is_sent_once(method: str) -> None:
    """aiohttp by itself resends a PUT or DELETE once when the server hangs up."""
    async with serving(hang_up) as (server, url):
        http = session(url)
        with pytest.raises(OutcomeUnknown, match="broke during the transfer"):
            await http.request(method, url + "/t", idempotent=False, what="the transfer")
        await http.aclose()
    assert len(server.requests) == 1


async def test_a_read_whose_answer_is_lost_is_retried_by_the_session_only() -> None:
    async with serving(hang_up) as (server, url):
        http = session(url)
        with pytest.raises(NetworkError, match="broke during the list"):
            await http.request("GET", url, idempotent=True, what="the list")
        await http.aclose()
    assert len(server.requests) == RetryPolicy().attempts


async def cut_short(request: bytes, writer: asyncio.StreamWriter) -> bool:
    writer.write(_answer(b'{"threads": [1, 2, 3]}')[:-8])
    return False


async def not_http(request: bytes, writer: asyncio.StreamWriter) -> bool:
    writer.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
    return False


async def bad_gzip(request: bytes, writer: asyncio.StreamWriter) -> bool:
    writer.write(_answer(b"not gzip at all", "Content-Encoding: gzip"))
    return True


SEND = ("POST", False, OutcomeUnknown)
READ = ("GET", True, NetworkError)
"""A write (its outcome unknown when its answer is lost) and a plain read (retried)."""


@pytest.mark.parametrize("call", [SEND, READ], ids=["send", "read"])
@pytest.mark.parametrize(
    "broken", [cut_short, not_http, bad_gzip], ids=["body cut short", "not HTTP", "bad gzip"]
)
async def test_a_broken_answer_is_a_broken_connection(
    broken: Reply, call: tuple[str, bool, type[Exception]]
) -> None:
    method, idempotent, error = call
    async with serving(broken) as (server, url):
        http = session(url)
        with pytest.raises(error, match="broke during the call"):
            await http.request(method, url, idempotent=idempotent, what="the call")
        await http.aclose()
    assert len(server.requests) == (RetryPolicy().attempts if idempotent else 1)


@pytest.mark.parametrize("call", [SEND, READ], ids=["send", "read"])
async def test_a_silent_server_times_out(call: tuple[str, bool, type[Exception]]) -> None:
    method, idempotent, error = call
    never = asyncio.Event()

    async def silent(request: bytes, writer: asyncio.StreamWriter) -> bool:
        await never.wait()
        return False

    async with serving(silent) as (_, url):
        http = session(url, timeout=0.2)
        with pytest.raises(error, match=r"did not answer the call within 0\.2 s"):
            await http.request(method, url, idempotent=idempotent, what="the call")
        never.set()
        await http.aclose()


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_a_refused_connection_names_the_host_and_the_reason(method: str) -> None:
    async with serving(ok) as (_, url):
        pass  # the port is free again
    http = session(url)
    with pytest.raises(NetworkError, match=r"Can.t reach 127\.0\.0\.1: connection refused"):
        await http.request(method, url, idempotent=method == "GET", what="the call")
    await http.aclose()


@pytest.mark.parametrize("query", ["", "?page=1"], ids=["params", "params and a query"])
async def test_a_read_goes_out_as_httpx_would_send_it(query: str) -> None:
    """Same path, query parameters, headers and values as httpx's own request."""
    params: dict[str, str | int] = {"q": "a b+c/é", "n": 3, "personal": True}
    params["at"] = "2026-01-01 09:00:00"
    headers = {"LV-Session": "s-1", "Accept": "application/json; v=2"}
    async with serving(ok) as (server, url):
        http = session(url)
        await http.request(
            "GET", url + "/x" + query, idempotent=True, what="x", params=params, headers=headers
        )
        await http.aclose()
    expected = httpx.AsyncClient(headers={"Accept": "application/json"}).build_request(
        "GET", url + "/x" + query, params=params, headers=headers
    )
    head = server.requests[0].decode().split("\r\n")
    method, target, _ = head[0].split(" ")
    sent_url = urllib.parse.urlsplit(target)
    assert method == "GET" and sent_url.path == expected.url.path
    assert urllib.parse.parse_qsl(sent_url.query) == list(expected.url.params.multi_items())
    sent = {k.lower(): v for k, _, v in (line.partition(": ") for line in head[1:] if line)}
    assert {k: v for k, v in expected.headers.items() if k != "host"}.items() <= sent.items()


async def test_a_cookie_the_vendor_sets_on_a_read_goes_back_with_the_next() -> None:
    async def sets_cookie(request: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(_answer(b"{}", "Set-Cookie: lb=node-2; Path=/"))
        return True

    async with serving(sets_cookie) as (server, url):
        http = session(url)
        for _ in range(2):
            await http.request("GET", url + "/x", idempotent=True, what="x")
        await http.aclose()
    first, second = (r.lower() for r in server.requests)
    assert b"cookie:" not in first and b"cookie: lb=node-2" in second


@pytest.mark.parametrize(("to_same_host", "followed"), [(True, True), (False, False)])
async def test_a_read_follows_a_redirect_only_within_its_host(
    to_same_host: bool, followed: bool
) -> None:
    async def moved(request: bytes, writer: asyncio.StreamWriter) -> bool:
        if b"GET /old" in request:
            where = "/new" if to_same_host else "http://elsewhere.example/new"
            writer.write(_answer(b"", f"Location: {where}", status="307 Temporary Redirect"))
        else:
            writer.write(_answer(b'{"page": "new"}'))
        return True

    async with serving(moved) as (server, url):
        http = session(url)
        if followed:
            reply = await http.request("GET", url + "/old", idempotent=True, what="x")
            assert http.json(reply, "x") == {"page": "new"}
        else:
            with pytest.raises(ProviderError, match="HTTP 307"):
                await http.request("GET", url + "/old", idempotent=True, what="x")
        await http.aclose()
    assert any(b"GET /new" in r for r in server.requests) is followed


async def test_a_body_left_unread_does_not_poison_the_next_call() -> None:
    big = b"x" * 300_000

    async def sized(request: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(_answer(big if b"/big" in request else b"{}"))
        await writer.drain()
        return True

    async with serving(sized) as (server, url):
        http = session(url)
        with pytest.raises(ProviderError, match="more than 0 MB"):
            await http.request("GET", url + "/big", idempotent=True, what="x", max_bytes=1000)
        reply = await http.request("GET", url + "/small", idempotent=True, what="x")
        await http.aclose()
    assert reply.content == b"{}"
    assert server.connections == 2


async def test_a_closed_transport_can_be_closed_again() -> None:
    transport = AiohttpTransport(tls_context())
    await transport.aclose()
    async with serving(ok) as (_, url), httpx.AsyncClient(transport=transport) as client:
        assert (await client.get(url)).status_code == 200
    await transport.aclose()


def _self_signed(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a fresh certificate for 127.0.0.1, and a client context
    that trusts exactly that certificate."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "vendor.test")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


async def test_tls_is_verified_and_a_trusted_server_is_reached(tmp_path: Path) -> None:
    server_tls, trusting = _self_signed(tmp_path)
    server = Server(ok)
    listener = await asyncio.start_server(server._serve, "127.0.0.1", 0, ssl=server_tls)
    url = f"https://127.0.0.1:{listener.sockets[0].getsockname()[1]}"
    try:
        stranger = session(url)  # the system's CAs: this certificate is nobody's
        with pytest.raises(NetworkError, match="the secure connection failed"):
            await stranger.request("GET", url, idempotent=True, what="x")
        await stranger.aclose()
        async with httpx.AsyncClient(transport=AiohttpTransport(trusting)) as client:
            answer = await client.get(url + "/x")
        assert answer.json() == {"ok": True}
    finally:
        listener.close()
        await listener.wait_closed()


async def test_a_server_that_stops_reading_the_request_times_out() -> None:
    """httpx has a write timeout and aiohttp none: a body the server never reads must
    still end, as an outcome unknown."""
    never = asyncio.Event()

    async def deaf(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await never.wait()
        writer.close()

    listener = await asyncio.start_server(deaf, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}"
    http = session(url, timeout=0.2)
    try:
        with pytest.raises(OutcomeUnknown, match="did not answer the upload"):
            await http.request(
                "POST", url, idempotent=False, what="the upload", data={"file": "x" * 20_000_000}
            )
    finally:
        never.set()
        await http.aclose()
        listener.close()
        await listener.wait_closed()
