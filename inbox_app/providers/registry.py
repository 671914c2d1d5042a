"""Builds the provider for an account; the only place that maps a vendor to a class."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, assert_never

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import ProviderKind
from inbox_app.providers.base import Provider

if TYPE_CHECKING:
    import httpx

    from inbox_app.providers.http import RetryPolicy


_MODULES = {
    ProviderKind.LIVEVOX: "inbox_app.providers.livevox",
    ProviderKind.ZOHO: "inbox_app.providers.zoho",
    ProviderKind.VOXIMPLANT: "inbox_app.providers.voximplant",
    ProviderKind.ZOOM: "inbox_app.providers.zoom",
}


def import_provider_module(kind: ProviderKind) -> None:
    """Import a vendor's client ahead of `create_provider` (from a worker thread, say)."""
    importlib.import_module(_MODULES[kind])


def create_provider(
    account: AccountConfig,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = 20.0,
    retry: RetryPolicy | None = None,
) -> Provider:
    """A provider for `account`; `transport` lets tests and the demo route requests to
    an in-process server (httpx.MockTransport, httpx.ASGITransport), `retry` lets them
    skip real backoff sleeps."""
    # Each vendor's module is imported when an account of that vendor is first built:
    # together they pull in httpx, phonenumbers, JWT and cryptography, which the window
    # does not need before its first paint, and a LiveVox-only desk never needs JWT.
    if account.provider is ProviderKind.LIVEVOX:
        from inbox_app.providers.livevox import LiveVoxProvider

        return LiveVoxProvider(account, transport=transport, timeout=timeout, retry=retry)
    if account.provider is ProviderKind.ZOHO:
        from inbox_app.providers.zoho import ZohoVoiceProvider

        return ZohoVoiceProvider(account, transport=transport, timeout=timeout, retry=retry)
    if account.provider is ProviderKind.VOXIMPLANT:
        from inbox_app.providers.voximplant import VoximplantProvider

        return VoximplantProvider(account, transport=transport, timeout=timeout, retry=retry)
    if account.provider is ProviderKind.ZOOM:
        from inbox_app.providers.zoom import ZoomContactCenterProvider

        return ZoomContactCenterProvider(account, transport=transport, timeout=timeout, retry=retry)
    assert_never(account.provider)
