"""Zoom's server-to-server OAuth: `POST /oauth/token` with HTTP Basic client id and
secret, `grant_type=account_credentials&account_id=...` (query string or form body).
Tokens live one hour of the world's clock; there is no refresh token.

Refusals as Zoom's OAuth host words them: HTTP 401 `{"reason", "error":
"invalid_client"}` for a wrong client id or secret, HTTP 400 for a wrong grant type or
account id. An API call with an unknown or expired token is HTTP 401, code 124.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from .clock import Clock
from .zoom_model import ZoomError
from .zoom_seed import ZoomCredentials

SCOPE = "contact_center_sms:read:admin"
INVALID_TOKEN = 124


@dataclass
class _Token:
    value: str
    expires_at: float
    expired: bool = False


class OAuthRefusal(Exception):
    def __init__(self, status: int, error: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.body = {"reason": reason, "error": error}


class ZoomTokens:
    def __init__(
        self,
        credentials: ZoomCredentials,
        *,
        lock: threading.RLock,
        clock: Clock,
        lifetime_seconds: float,
    ) -> None:
        self.credentials = credentials
        self.lock = lock
        self.clock = clock
        self.lifetime_seconds = lifetime_seconds
        self._tokens: dict[str, _Token] = {}

    def __len__(self) -> int:
        return len(self._tokens)

    def issue(self, authorization: str, grant_type: str, account_id: str) -> dict[str, Any]:
        """The token endpoint's JSON answer; raises OAuthRefusal."""
        client_id, client_secret = _basic(authorization)
        creds = self.credentials
        if client_id != creds.client_id or client_secret != creds.client_secret:
            raise OAuthRefusal(401, "invalid_client", "Invalid client_id or client_secret")
        if grant_type != "account_credentials":
            raise OAuthRefusal(400, "unsupported_grant_type", "Unsupported grant type")
        if account_id != creds.account_id:
            raise OAuthRefusal(400, "invalid_request", "Invalid account_id")
        value = "eyJzdiI6" + secrets.token_urlsafe(48)
        with self.lock:
            self._tokens[value] = _Token(value, self.clock.now() + self.lifetime_seconds)
        return {
            "access_token": value,
            "token_type": "bearer",
            "expires_in": int(self.lifetime_seconds),
            "scope": SCOPE,
        }

    def check(self, authorization: str | None) -> None:
        """Accept `Bearer <live token>`; anything else is a 401 with code 124."""
        scheme, _, value = (authorization or "").partition(" ")
        with self.lock:
            token = self._tokens.get(value.strip()) if scheme.lower() == "bearer" else None
            if token is None:
                raise ZoomError(401, INVALID_TOKEN, "Invalid access token.")
            if token.expired or self.clock.now() >= token.expires_at:
                raise ZoomError(401, INVALID_TOKEN, "Access token is expired.")

    def expire(self, value: str | None = None) -> None:
        """Expire one access token, or all of them."""
        with self.lock:
            for token in self._tokens.values():
                if value is None or token.value == value:
                    token.expired = True


def _basic(authorization: str) -> tuple[str, str]:
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    client_id, _, client_secret = decoded.partition(":")
    return client_id, client_secret
