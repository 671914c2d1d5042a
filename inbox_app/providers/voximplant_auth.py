"""Voximplant service-account tokens: a JWT signed with the account's RSA key (RS256),
header `kid` = the key id, claims `iss` = the account id (a string, as JWT has it),
`iat`, `exp` (Voximplant takes at most an hour) and a random `jti`, sent as
`Authorization: Bearer`.

A token is made afresh when none is held, when the one held is within 5 minutes of
expiry, or when the vendor refused it (`renew`); the `jti` makes a token made in the
same second as a refused one differ from it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from inbox_app.providers.errors import AuthError

LIFETIME = 3600
MARGIN = 300


class ServiceAccountToken:
    def __init__(
        self,
        account_id: str,
        key_id: str,
        private_key: str,
        *,
        where: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._account_id = account_id
        self._key_id = key_id
        self._private_key = private_key
        self._where = where
        self._clock = clock
        self._token = ""
        self._expires = 0.0

    def bearer(self) -> str:
        now = self._clock()
        if not self._token or now > self._expires - MARGIN:
            self._renew(now)
        return self._token

    def renew(self, refused: str) -> str:
        """A token in place of `refused`; calls refused together share one new token."""
        if self._token == refused:
            self._renew(self._clock())
        return self._token

    def _renew(self, now: float) -> None:
        self._token = self._sign(int(now))
        self._expires = int(now) + LIFETIME

    def _sign(self, now: int) -> str:
        claims = {
            "iss": self._account_id,
            "iat": now,
            "exp": now + LIFETIME,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._key(), algorithm="RS256", headers={"kid": self._key_id})

    def _key(self) -> rsa.RSAPrivateKey:
        try:
            key = serialization.load_pem_private_key(self._private_key.encode(), password=None)
        except (ValueError, TypeError):
            key = None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise AuthError(
                "The Voximplant private_key is not a readable RSA private key (PEM, "
                f"unencrypted) {self._where}"
            )
        return key
