from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from inbox_app.simulator import RunningServer, SimConfig, Simulator, serve_in_thread
from inbox_app.simulator.cli import accounts_toml


@pytest.fixture
def sim() -> Simulator:
    return Simulator(SimConfig(seed=7, frozen_clock=True))


@pytest.fixture
def running(sim: Simulator) -> Iterator[RunningServer]:
    with serve_in_thread(sim) as server:
        yield server


@pytest.fixture
def config_file(tmp_path: Path, sim: Simulator, running: RunningServer) -> Path:
    """The config a user would paste from `inbox-app simulate`'s banner."""
    path = tmp_path / "config.toml"
    path.write_text(accounts_toml(running, sim.credentials), encoding="utf-8")
    return path
