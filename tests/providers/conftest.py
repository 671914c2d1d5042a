"""Fixtures shared by the simulator-backed provider tests."""

from __future__ import annotations

import socket

import pytest

import inbox_app.simulator.server as sim_server


def _tcp_listener(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen()
    return sock


@pytest.fixture
def nodelay_listener(monkeypatch: pytest.MonkeyPatch) -> None:
    """Serve the simulator from a listener created with proto IPPROTO_TCP.

    `socket.create_server` leaves proto 0, accepted sockets inherit it, and asyncio then
    skips TCP_NODELAY, so every keep-alive request after the first waits ~40 ms on a
    delayed ACK (uvicorn issue 3149). Remove once the simulator's `bind` does this.
    """
    monkeypatch.setattr(sim_server, "bind", _tcp_listener)
