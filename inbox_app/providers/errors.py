"""Typed provider failures. Each carries a sentence an agent can read (`str(err)`);
the sync layer decides from the type alone whether to retry, re-authenticate,
reconcile or give up, so no caller ever parses a message."""

from __future__ import annotations


class ProviderError(Exception):
    """Base class; `str()` is safe to show a user and never contains a secret."""


class NetworkError(ProviderError):
    """The vendor could not be reached, or did not answer in time."""


class OutcomeUnknown(NetworkError):
    """A non-idempotent request may have reached the vendor but no answer came back;
    it must be reconciled against the vendor's history before it is ever sent again."""


class AuthError(ProviderError):
    """Credentials were refused, even after one fresh login; the account stops syncing.
    `status` is the HTTP status that said so (0 when none did)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class RateLimited(ProviderError):
    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServerError(ProviderError):
    """The vendor failed (5xx); worth retrying later."""


class VendorRefused(ProviderError):
    """The vendor understood the request and said no (4xx); `code` is its own code."""

    def __init__(self, message: str, code: str = "", status: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class BadResponse(ProviderError):
    """The vendor answered with something we cannot read (malformed or truncated JSON,
    a shape no document shows)."""


class NotSupported(ProviderError):
    """The vendor's API has no such operation."""
