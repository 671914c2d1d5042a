"""Fixtures for driving the simulator in-process: a small world on a frozen clock, an
httpx client on its ASGI app, and signed-in headers for each vendor."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from inbox_app.simulator import SimConfig, Simulator
from tests.simulator.sim_helpers import LiveVoxSession, livevox_login, zoho_token

START = 1_700_000_000.0


@pytest.fixture
def sim() -> Simulator:
    return Simulator(SimConfig(seed=7, page_size=10, start_time=START, frozen_clock=True))


@pytest.fixture
async def client(sim: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sim.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
        yield http


@pytest.fixture
async def lv(client: httpx.AsyncClient, sim: Simulator) -> LiveVoxSession:
    return await livevox_login(client, sim)


@pytest.fixture
async def zoho(client: httpx.AsyncClient, sim: Simulator) -> dict[str, str]:
    """Headers for Zoho API calls."""
    return {"Authorization": f"Zoho-oauthtoken {await zoho_token(client, sim)}"}
