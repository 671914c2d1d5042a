"""Fault injection in front of each vendor app: what a flaky network and vendor look like.

Per request, after `latency_ms`, one seeded draw picks at most one fault:
- expire: the presented session/token is expired first, so the call answers 401;
- drop: the connection closes with no response at all;
- drop_after_commit: the call is carried out, then the connection closes unanswered;
- timeout: the call is carried out, the answer held back for `timeout_s`;
- error_5xx / rate_429: an error (429 with `Retry-After`) and nothing is carried out;
- malformed / truncated: the call is carried out and its 200 body arrives broken.

A dropped connection must look like one to the client. Under `serve_in_thread` the
connection is really closed (the protocol in server.py lends the app its transport);
in-process (httpx.ASGITransport, which has no connection) the app raises
`httpx.RemoteProtocolError`, the error httpx gives for a server that hung up.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import httpx
from starlette.datastructures import Headers
from starlette.requests import ClientDisconnect
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .config import PROBABILITY_FIELDS, FaultConfig
from .responses import JSONResponse

CLOSE_EXTENSION = "inbox_app.simulator.close"
"""`scope["extensions"][CLOSE_EXTENSION]["close"]()` closes the client connection."""

ErrorBody = Callable[[int, str], dict[str, Any]]


@dataclass(frozen=True)
class VendorStyle:
    """How one vendor words an error, and how to expire the credential a request carries."""

    error_body: ErrorBody
    expire: Callable[[Headers], None]


class FaultInjector:
    """Holds the live `FaultConfig`, the seeded draws and the count of faults per kind."""

    def __init__(self, config: FaultConfig, seed: int) -> None:
        self.config = config
        self._rng = random.Random(f"faults:{seed}")
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._released = False
        self._hangs: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self.on_request: Callable[[], None] | None = None
        """Called (on a server thread) as each request arrives, before its fault is drawn:
        lets a test act at a given request rather than at a wall-clock moment."""

    def wrap(self, app: ASGIApp, style: VendorStyle) -> ASGIApp:
        return _FaultLayer(self, app, style)

    @property
    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def draw(self) -> tuple[str | None, int]:
        """The fault for the next request (None for none) and a 5xx status to use."""
        with self._lock:
            if self.on_request is not None:
                self.on_request()
            config = self.config
            roll = self._rng.random()
            status = self._rng.choice((500, 502, 503, 504))
            for kind in PROBABILITY_FIELDS:
                roll -= getattr(config, kind)
                if roll < 0:
                    self._counts[kind] += 1
                    return kind, status
            return None, status

    def hold_hangs(self) -> None:
        """Let `timeout` faults hang again (a server is starting)."""
        with self._lock:
            self._released = False

    def release_hangs(self) -> None:
        """End every `timeout` hang now, so a server can stop without waiting them out."""
        with self._lock:
            self._released = True
            for loop, event in self._hangs:
                with contextlib.suppress(RuntimeError):  # that loop has closed meanwhile
                    loop.call_soon_threadsafe(event.set)

    async def hang(self, seconds: float) -> None:
        released = asyncio.Event()
        waiter = (asyncio.get_running_loop(), released)
        with self._lock:
            if self._released:
                return
            self._hangs.add(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(released.wait(), seconds)
        finally:
            with self._lock:
                self._hangs.discard(waiter)


@dataclass
class _Captured:
    """A response the app produced, held back so it can be broken, delayed or dropped."""

    status: int = 200
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)

    async def collect(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")

    async def replay(self, send: Send) -> None:
        headers = [(k, v) for k, v in self.headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(self.body)).encode()))
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": bytes(self.body)})


class _TrackedReceive:
    """Passes request messages on and remembers whether the request body was read to its end."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self.body_read = False

    async def __call__(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.disconnect" or not message.get("more_body", False):
            self.body_read = True
        return message


async def _close_connection(scope: Scope, receive: _TrackedReceive) -> None:
    """Hang up without a response. The request is read to its end first: closing a socket
    with unread bytes sends a reset, and the client should see a clean hang-up."""
    close = scope.get("extensions", {}).get(CLOSE_EXTENSION, {}).get("close")
    if close is None:
        raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
    while not receive.body_read:
        await receive()
    close()
    while (await receive())["type"] != "http.disconnect":
        pass


class _FaultLayer:
    def __init__(self, injector: FaultInjector, app: ASGIApp, style: VendorStyle) -> None:
        self.injector = injector
        self.app = app
        self.style = style

    async def __call__(self, scope: Scope, raw_receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, raw_receive, send)
            return
        with contextlib.suppress(ClientDisconnect):  # it hung up mid body: nobody to answer
            await self._serve(scope, raw_receive, send)

    async def _serve(self, scope: Scope, raw_receive: Receive, send: Send) -> None:
        receive = _TrackedReceive(raw_receive)
        config = self.injector.config
        if config.latency_ms:
            await asyncio.sleep(config.latency_ms / 1000)
        kind, status = self.injector.draw()
        if kind in (None, "expire"):
            if kind == "expire":
                self.style.expire(Headers(scope=scope))
            await self.app(scope, receive, send)
        elif kind == "drop":
            await _close_connection(scope, receive)
        elif kind in ("error_5xx", "rate_429"):
            await self._error_response(status if kind == "error_5xx" else 429, config)(
                scope, receive, send
            )
        else:
            captured = _Captured()
            await self.app(scope, receive, captured.collect)
            if kind == "drop_after_commit":
                await _close_connection(scope, receive)
                return
            if kind == "timeout":
                await self.injector.hang(config.timeout_s)
            elif kind == "malformed":
                captured.status = 200 if captured.status == 204 else captured.status
                captured.body += b",}" if captured.body else b"{,}"
            elif kind == "truncated":
                del captured.body[len(captured.body) // 2 :]
            await captured.replay(send)

    def _error_response(self, status: int, config: FaultConfig) -> Response:
        phrase = HTTPStatus(status).phrase
        if status in (502, 504):  # what a gateway in front of the vendor answers
            return HTMLResponse(
                f"<html><body><h1>{status} {phrase}</h1></body></html>", status_code=status
            )
        headers = {"Retry-After": str(config.retry_after_s)} if status == 429 else None
        return JSONResponse(self.style.error_body(status, phrase), status, headers=headers)
