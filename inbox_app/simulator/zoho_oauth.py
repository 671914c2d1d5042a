"""Zoho's OAuth host: access tokens from the refresh token, valid for an hour.

Refusals are HTTP 200 with an `error` field, as Zoho answers them: `invalid_client` for a
wrong client id or secret, `invalid_code` for a wrong refresh token. Every token issued
stays valid until it expires (on the world's clock) or is expired on demand.
"""

from __future__ import annotations

import threading
import uuid

from .clock import Clock
from .zoho_errors import ZohoError
from .zoho_model import Token
from .zoho_seed import ZohoCredentials


class TokenBook:
    def __init__(
        self,
        credentials: ZohoCredentials,
        *,
        lock: threading.RLock,
        clock: Clock,
        lifetime_seconds: float,
    ) -> None:
        self.credentials = credentials
        self.lock = lock
        self.clock = clock
        self.lifetime_seconds = lifetime_seconds
        self._tokens: dict[str, Token] = {}

    def __len__(self) -> int:
        return len(self._tokens)

    def issue(
        self, grant_type: str, client_id: str, client_secret: str, refresh_token: str
    ) -> dict[str, str | int]:
        """The token endpoint's JSON answer."""
        if grant_type != "refresh_token":
            return {"error": "unsupported_grant_type"}
        creds = self.credentials
        if client_id != creds.client_id or client_secret != creds.client_secret:
            return {"error": "invalid_client"}
        if refresh_token != creds.refresh_token:
            return {"error": "invalid_code"}
        value = f"1000.{uuid.uuid4().hex}.{uuid.uuid4().hex}"
        with self.lock:
            self._tokens[value] = Token(value, self.clock.now() + self.lifetime_seconds)
        return {
            "access_token": value,
            "expires_in": int(self.lifetime_seconds),
            "token_type": "Bearer",
        }

    def check(self, authorization: str | None) -> None:
        """Accept `Zoho-oauthtoken <live token>`; anything else is a 401."""
        scheme, _, value = (authorization or "").partition(" ")
        with self.lock:
            token = self._tokens.get(value.strip()) if scheme == "Zoho-oauthtoken" else None
            if token is None or token.expired or self.clock.now() >= token.expires_at:
                raise ZohoError(401, "INVALID_OAUTHTOKEN", "Invalid or expired OAuth token")

    def expire(self, value: str | None = None) -> None:
        """Expire one access token, or all of them."""
        with self.lock:
            for token in self._tokens.values():
                if value is None or token.value == value:
                    token.expired = True
