"""Builds the provider for an account; the only place that maps a vendor to a class."""

from __future__ import annotations

from typing import assert_never

import httpx

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import ProviderKind
from inbox_app.providers.base import Provider
from inbox_app.providers.http import RetryPolicy
from inbox_app.providers.livevox import LiveVoxProvider
from inbox_app.providers.voximplant import VoximplantProvider
from inbox_app.providers.zoho import ZohoVoiceProvider
from inbox_app.providers.zoom import ZoomContactCenterProvider


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
    if account.provider is ProviderKind.LIVEVOX:
        return LiveVoxProvider(account, transport=transport, timeout=timeout, retry=retry)
    if account.provider is ProviderKind.ZOHO:
        return ZohoVoiceProvider(account, transport=transport, timeout=timeout, retry=retry)
    if account.provider is ProviderKind.VOXIMPLANT:
        return VoximplantProvider(account, transport=transport, timeout=timeout, retry=retry)
    if account.provider is ProviderKind.ZOOM:
        return ZoomContactCenterProvider(
            account, transport=transport, timeout=timeout, retry=retry
        )
    assert_never(account.provider)
