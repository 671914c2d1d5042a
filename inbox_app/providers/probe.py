""" "Test connection": sign in and list the inboxes once, and say in one line how it went,
so a wrong password or URL is found in the form, not later in the status bar."""

from __future__ import annotations

from dataclasses import dataclass

from inbox_app.core.accounts import AccountConfig
from inbox_app.providers.errors import AuthError, NetworkError, ProviderError
from inbox_app.providers.http import RetryPolicy
from inbox_app.providers.registry import create_provider

PROBE_TIMEOUT = 15.0


@dataclass(frozen=True, slots=True)
class ProbeResult:
    ok: bool
    text: str


async def probe(account: AccountConfig, *, request_timeout: float = PROBE_TIMEOUT) -> ProbeResult:
    """One attempt per request (the user is waiting), never raises a vendor failure."""
    try:
        provider = create_provider(account, timeout=request_timeout, retry=RetryPolicy(attempts=1))
    except ProviderError as exc:
        return ProbeResult(False, str(exc))
    try:
        await provider.login()
        channels = await provider.list_channels()
    except AuthError as exc:
        return ProbeResult(False, f"Sign-in refused: {exc}")
    except NetworkError as exc:
        return ProbeResult(False, f"Cannot reach the server: {exc}")
    except ProviderError as exc:
        return ProbeResult(False, str(exc))
    finally:
        await provider.aclose()
    count = len(channels)
    return ProbeResult(True, f"Connected: {count} inbox{'' if count == 1 else 'es'}")
