"""The registry maps each account to its vendor's provider."""

from __future__ import annotations

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import ProviderKind
from inbox_app.providers.livevox import LiveVoxProvider
from inbox_app.providers.registry import create_provider
from inbox_app.providers.voximplant import VoximplantProvider
from inbox_app.providers.zoho import ZohoVoiceProvider
from inbox_app.providers.zoom import ZoomContactCenterProvider
from tests.providers.provider_helpers import livevox_account, zoho_account


async def test_creates_each_vendor() -> None:
    async with create_provider(livevox_account()) as livevox:
        assert isinstance(livevox, LiveVoxProvider)
    async with create_provider(zoho_account(), timeout=5.0) as zoho:
        assert isinstance(zoho, ZohoVoiceProvider)


async def test_creates_voximplant() -> None:
    account = AccountConfig("Vox", ProviderKind.VOXIMPLANT, "https://api.voximplant.com")
    async with create_provider(account) as voximplant:
        assert isinstance(voximplant, VoximplantProvider)


async def test_creates_zoom() -> None:
    account = AccountConfig("Zoom", ProviderKind.ZOOM, "https://api.zoom.us/v2")
    async with create_provider(account) as zoom:
        assert isinstance(zoom, ZoomContactCenterProvider)
