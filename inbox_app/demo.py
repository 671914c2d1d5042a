"""Demo mode: the built-in simulator on a free loopback port, accounts pointing at it,
and a throwaway profile, so the product can be tried (and tested) with no vendor at all."""

from __future__ import annotations

from collections.abc import Mapping
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


def simulator_accounts(
    urls: SimulatorUrls, credentials: Mapping[str, Mapping[str, str]]
) -> list[AccountConfig]:
    """One LiveVox and one Zoho Voice account on the running simulator."""
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
    ]
