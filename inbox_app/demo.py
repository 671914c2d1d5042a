"""Demo mode: the built-in simulator on a free loopback port, accounts pointing at it,
and a throwaway profile, so the product can be tried (and tested) with no vendor at all."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import ProviderKind


class SimulatorUrls(Protocol):
    @property
    def livevox_url(self) -> str: ...
    @property
    def zoho_url(self) -> str: ...
    @property
    def zoho_accounts_url(self) -> str: ...
    @property
    def voximplant_url(self) -> str: ...
    @property
    def zoom_url(self) -> str: ...
    @property
    def zoom_oauth_url(self) -> str: ...


def simulator_accounts(
    urls: SimulatorUrls, credentials: Mapping[str, Mapping[str, str]]
) -> list[AccountConfig]:
    """One account per vendor (LiveVox, Zoho Voice, Voximplant, Zoom Contact Center) on
    the running simulator."""
    return [
        AccountConfig(
            name="LiveVox demo",
            provider=ProviderKind.LIVEVOX,
            base_url=urls.livevox_url,
            values=dict(credentials["livevox"]),
        ),
        AccountConfig(
            name="Zoho demo",
            provider=ProviderKind.ZOHO,
            base_url=urls.zoho_url,
            values={"accounts_url": urls.zoho_accounts_url, **credentials["zoho"]},
        ),
        AccountConfig(
            name="Voximplant demo",
            provider=ProviderKind.VOXIMPLANT,
            base_url=urls.voximplant_url,
            values=dict(credentials["voximplant"]),
        ),
        AccountConfig(
            name="Zoom demo",
            provider=ProviderKind.ZOOM,
            base_url=urls.zoom_url,
            values={"oauth_url": urls.zoom_oauth_url, **credentials["zoom"]},
        ),
    ]


@dataclass(frozen=True, slots=True)
class DemoProfile:
    accounts: list[AccountConfig]
    db_path: Path
    simulator_url: str


@contextmanager
def demo_profile() -> Iterator[DemoProfile]:
    """The simulator with live traffic on a free loopback port and a throwaway cache,
    both gone when the block ends."""
    from inbox_app.simulator import SimConfig, Simulator, serve_in_thread

    sim = Simulator(SimConfig(live=True))
    with (
        tempfile.TemporaryDirectory(prefix="agent-inbox-demo-") as profile,
        serve_in_thread(sim) as running,
    ):
        yield DemoProfile(
            simulator_accounts(running, sim.credentials),
            Path(profile) / "inbox.sqlite3",
            running.base_url,
        )
