"""Voximplant service accounts: the RSA key a JWT must be signed with, and its checks.

One key pair per process, made on first use (an RSA key takes ~70 ms to make and most
simulator runs never need one); the key id is seeded with the world. A token must be
RS256 with header `kid` = the key id and claims `iss` = the account id, `iat` and
`exp` at most an hour apart. Its times are checked against the wall clock, not the
world's: the client signs with its own clock. An `expire` fault revokes the presented
token.
"""

from __future__ import annotations

import functools

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .voximplant_errors import AUTH_FAILED, VoximplantError

MAX_LIFETIME = 3600
LEEWAY = 60


@functools.cache
def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_key_pem() -> str:
    return (
        _key()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode("ascii")
    )


class ServiceAccount:
    def __init__(self, account_id: str, key_id: str) -> None:
        self.account_id = account_id
        self.key_id = key_id
        self.revoked: set[str] = set()

    def credentials(self) -> dict[str, str]:
        return {
            "account_id": self.account_id,
            "key_id": self.key_id,
            "private_key": private_key_pem(),
        }

    def check(self, token: str) -> None:
        refused = VoximplantError(AUTH_FAILED, "Invalid or expired service account token")
        if token in self.revoked:
            raise refused
        try:
            if jwt.get_unverified_header(token).get("kid") != self.key_id:
                raise refused
            claims = jwt.decode(
                token,
                _key().public_key(),
                algorithms=["RS256"],
                options={"require": ["iss", "iat", "exp"]},
                leeway=LEEWAY,
            )
        except jwt.PyJWTError:
            raise refused from None
        if str(claims["iss"]) != self.account_id or claims["exp"] - claims["iat"] > MAX_LIFETIME:
            raise refused

    def revoke(self, token: str) -> None:
        self.revoked.add(token)
