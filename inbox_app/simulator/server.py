"""Serving a `Simulator` over real loopback HTTP: in a background thread, or in the foreground.

uvicorn runs with its httptools protocol (a C parser: with pure-Python h11 the
simulator spent more time parsing HTTP than playing the vendors, and in tests and
benchmarks it shares the machine with the app), extended to lend each request a way to
close its connection (see faults.py), so a "dropped connection" fault is a real one.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn._types import ASGIReceiveCallable, ASGISendCallable, Scope
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .faults import CLOSE_EXTENSION
from .simulator import (
    LIVEVOX_PATH,
    VOXIMPLANT_PATH,
    ZOHO_ACCOUNTS_PATH,
    ZOHO_PATH,
    ZOOM_OAUTH_PATH,
    ZOOM_PATH,
    Simulator,
)

STARTUP_TIMEOUT_S = 10.0
SHUTDOWN_TIMEOUT_S = 10.0


class _ClosableHttpProtocol(HttpToolsProtocol):
    """httptools, plus `scope["extensions"][CLOSE_EXTENSION]["close"]` to hang up on the client."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        app = self.app

        async def with_close(
            scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable
        ) -> None:
            if scope["type"] == "http":
                scope.setdefault("extensions", {})[CLOSE_EXTENSION] = {"close": self._close}
            await app(scope, receive, send)

        self.app = with_close

    def _close(self) -> None:
        self.transport.close()


@dataclass(frozen=True)
class RunningServer:
    """Where a served simulator answers; the URLs are what a client's account config takes."""

    host: str
    port: int

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def livevox_url(self) -> str:
        return self.base_url + LIVEVOX_PATH

    @property
    def zoho_url(self) -> str:
        return self.base_url + ZOHO_PATH

    @property
    def zoho_accounts_url(self) -> str:
        return self.base_url + ZOHO_ACCOUNTS_PATH

    @property
    def zoom_url(self) -> str:
        return self.base_url + ZOOM_PATH

    @property
    def zoom_oauth_url(self) -> str:
        return self.base_url + ZOOM_OAUTH_PATH

    @property
    def voximplant_url(self) -> str:
        return self.base_url + VOXIMPLANT_PATH + "/platform_api"


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; port 0 picks a free one.

    Made with proto IPPROTO_TCP: asyncio only sets TCP_NODELAY on accepted sockets that
    say so, and without it every keep-alive request waits ~40 ms on a delayed ACK
    (`socket.create_server` leaves proto 0).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen()
    except OSError:
        sock.close()
        raise
    return sock


def build_server(sim: Simulator, *, quiet: bool = True) -> uvicorn.Server:
    """A uvicorn server for `sim` that logs warnings and errors only; `quiet` also leaves
    the process's logging configuration alone (for tests and embedding)."""
    config = uvicorn.Config(
        sim.app,
        http=_ClosableHttpProtocol,
        lifespan="on",
        log_level="warning",
        access_log=False,
        log_config=None if quiet else uvicorn.config.LOGGING_CONFIG,
    )
    return uvicorn.Server(config)


@contextlib.contextmanager
def serve_in_thread(
    sim: Simulator, host: str = "127.0.0.1", port: int = 0
) -> Iterator[RunningServer]:
    """Serve `sim` from a daemon thread until the block ends; yields once it accepts."""
    sock = bind(host, port)
    server = build_server(sim)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="inbox-app-simulator", daemon=True
    )
    sim.injector.hold_hangs()
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the simulator server did not start")
            time.sleep(0.005)
        yield RunningServer(host, sock.getsockname()[1])
    finally:
        sim.injector.release_hangs()
        server.should_exit = True
        thread.join(SHUTDOWN_TIMEOUT_S)
        sock.close()
