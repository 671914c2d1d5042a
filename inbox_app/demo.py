"""Demo mode: the built-in simulator on a free loopback port, accounts pointing at it,
and a throwaway profile, so the product can be tried (and tested) with no vendor at all."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Collection, Iterator, Mapping
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
    urls: SimulatorUrls,
    credentials: Mapping[str, Mapping[str, str]],
    vendors: Collection[ProviderKind] = tuple(ProviderKind),
) -> list[AccountConfig]:
    """One account per vendor (LiveVox, Zoho Voice, Voximplant, Zoom Contact Center) on
    the running simulator, or only those of `vendors` (a benchmark names its own)."""
    builders: dict[ProviderKind, Callable[[], AccountConfig]] = {
        ProviderKind.LIVEVOX: lambda: AccountConfig(
            name="LiveVox demo",
            provider=ProviderKind.LIVEVOX,
            base_url=urls.livevox_url,
            values=dict(credentials["livevox"]),
        ),
        ProviderKind.ZOHO: lambda: AccountConfig(
            name="Zoho demo",
            provider=ProviderKind.ZOHO,
            base_url=urls.zoho_url,
            values={"accounts_url": urls.zoho_accounts_url, **credentials["zoho"]},
        ),
        ProviderKind.VOXIMPLANT: lambda: AccountConfig(
            name="Voximplant demo",
            provider=ProviderKind.VOXIMPLANT,
            base_url=urls.voximplant_url,
            values=dict(credentials["voximplant"]),
        ),
        ProviderKind.ZOOM: lambda: AccountConfig(
            name="Zoom demo",
            provider=ProviderKind.ZOOM,
            base_url=urls.zoom_url,
            values={"oauth_url": urls.zoom_oauth_url, **credentials["zoom"]},
        ),
    }
    return [build() for kind, build in builders.items() if kind in vendors]


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
