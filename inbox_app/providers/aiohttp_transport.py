"""An httpx transport that sends through aiohttp.

The vendor clients keep httpx's API (requests, responses, errors, `MockTransport` and
`ASGITransport` in tests); only the wire work moves to aiohttp. httpx's own transport
(httpcore over anyio) spends about 0.9 ms of CPU per request here, against 0.35 ms for
aiohttp's C parser and connection pool, and a cold sync is a thousand requests on
the loop the window also draws from (figures in README, Performance).

What this transport guarantees, since `HttpSession` builds its error semantics on it:

- aiohttp errors become the httpx errors httpx's transport raises for the same
  failure: a connect failure `ConnectError` (its text keeps the OS reason), a server
  that hung up `RemoteProtocolError`, a body cut short `RemoteProtocolError`, a silent
  server `ReadTimeout`, no connection in time `ConnectTimeout`.
- Nothing is ever sent twice. aiohttp resends a GET, PUT or DELETE once when the server
  drops the connection; this transport turns that off, because a PUT that was carried
  out before the drop must reach the caller as an unknown outcome, not be repeated.
- A request the server stops reading ends: aiohttp has no write timeout, so sending it
  and receiving the answer's head must together finish within httpx's connect, write
  and read timeouts added up (a `ReadTimeout` otherwise).
- No redirects, cookies or decompression: httpx does those above the transport.

`fetch` is the same wire without httpx's request and response objects, for the reads a
sync makes by the thousand: building an httpx request (its URL parsed three times) and
streaming its response cost more CPU than aiohttp's own work (see `HttpSession`).

Proxies are httpx's business: `HttpSession` uses httpx's own transport whenever the
environment names one (httpx ignores the environment when handed a transport).
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import aiohttp
import httpx

_CHUNK = 64 * 1024


RawHeaders = tuple[tuple[bytes, bytes], ...]


@contextmanager
def _as_httpx_errors(request: httpx.Request | None) -> Iterator[None]:
    """Most specific first: several aiohttp errors subclass one another."""
    try:
        yield
    except aiohttp.ConnectionTimeoutError as exc:
        raise httpx.ConnectTimeout(str(exc) or "connect timed out", request=request) from exc
    except aiohttp.ClientSSLError as exc:
        raise httpx.ConnectError(f"SSL: {exc}", request=request) from exc
    except aiohttp.ClientConnectorError as exc:
        raise httpx.ConnectError(_os_reason(exc.os_error), request=request) from exc
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError) as exc:
        raise httpx.RemoteProtocolError(str(exc), request=request) from exc
    except (aiohttp.ServerTimeoutError, TimeoutError) as exc:
        raise httpx.ReadTimeout(str(exc) or "read timed out", request=request) from exc
    except aiohttp.ClientOSError as exc:
        raise httpx.ReadError(str(exc), request=request) from exc
    except (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError) as exc:
        raise httpx.UnsupportedProtocol(str(exc), request=request) from exc
    except aiohttp.ClientResponseError as exc:  # an answer aiohttp cannot parse
        raise httpx.RemoteProtocolError(exc.message, request=request) from exc
    except aiohttp.ClientError as exc:
        raise httpx.TransportError(str(exc) or type(exc).__name__, request=request) from exc


def _os_reason(error: OSError) -> str:
    """aiohttp's own text says "ssl:default" even for a refused plain connection."""
    if isinstance(error, socket.gaierror) or not error.errno:
        return error.strerror or str(error)
    return os.strerror(error.errno)


class _Body(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors(self._request):
            async for chunk in self._response.content.iter_chunked(_CHUNK):
                yield chunk

    async def aclose(self) -> None:
        """A body read to its end hands the connection back for reuse; one left unread
        closes it."""
        if self._response.content.is_eof():
            self._response.release()
        else:
            self._response.close()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One aiohttp session (made on first use, in the loop that uses it) per transport."""

    def __init__(self, ssl_context: ssl.SSLContext, *, keepalive_s: float = 5.0) -> None:
        self._ssl = ssl_context
        self._keepalive_s = keepalive_s
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                ssl=self._ssl, limit=0, keepalive_timeout=self._keepalive_s
            ),
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
        )
        session._retry_connection = False  # see the module docstring; tested
        return session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {})
        body = await request.aread()
        headers = [(k, v) for k, v in request.headers.multi_items() if k != "transfer-encoding"]
        method, url = request.method, str(request.url)
        response = await self._send(method, url, headers, body, timeout, request)
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=_Body(response, request),
            request=request,
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (response.reason or "").encode(),
            },
        )

    async def fetch(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        timeouts: Mapping[str, float | None],
    ) -> tuple[int, RawHeaders, bytes]:
        """Send a request without a body and read the whole answer, raw (status, headers
        as sent, body undecoded). Errors are the httpx ones `handle_async_request` raises,
        carrying no request."""
        response = await self._send(method, url, headers, None, timeouts, None)
        with _as_httpx_errors(None):
            try:
                body = await response.read()
            except BaseException:
                response.close()
                raise
        response.release()
        return response.status, response.raw_headers, body

    async def _send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | list[tuple[str, str]],
        body: bytes | None,
        timeouts: Mapping[str, float | None],
        request: httpx.Request | None,
    ) -> aiohttp.ClientResponse:
        if self._session is None:
            self._session = self._open()
        options: dict[str, Any] = {
            "headers": headers,
            "data": body or None,
            "allow_redirects": False,
            "timeout": aiohttp.ClientTimeout(
                total=None,
                connect=timeouts.get("pool"),
                sock_connect=timeouts.get("connect"),
                sock_read=timeouts.get("read"),
            ),
        }
        # aiohttp has no write timeout: a server that stops reading the request would hold
        # it forever. Sending it and getting the answer's head are bounded together.
        steps = (timeouts.get("connect"), timeouts.get("write"), timeouts.get("read"))
        limit = sum(t for t in steps if t) if all(steps) else None
        with _as_httpx_errors(request):
            async with asyncio.timeout(limit):
                return await self._session.request(method, url, **options)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
