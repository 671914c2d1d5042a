"""Where the window puts account secrets: the OS keyring when there is a working one,
otherwise nowhere but this session's memory (the app asks again at the next start).
Plain text in the config file happens only when the user ticks that box, elsewhere."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable

from inbox_app.config import KEYRING_SERVICE, keyring_lookup

log = logging.getLogger(__name__)


def keyring_name() -> str | None:
    """The working keyring's name for the settings page, or None on a box without one
    (keyring then falls back to a backend that stores nothing or refuses everything)."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null
    except ImportError:
        return None
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    name = getattr(backend, "name", "")
    return name if isinstance(name, str) and name else type(backend).__name__


def store_secret(account: str, key: str, value: str) -> bool:
    """True when the keyring holds the value afterwards (checked by reading it back, as
    some backends accept a secret and keep nothing)."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return False
    try:
        keyring.set_password(KEYRING_SERVICE, f"{account}:{key}", value)
    except KeyringError as exc:
        log.warning("keyring refused %s of account %r: %s", key, account, exc)
        return False
    return keyring_lookup(account, key) == value


def delete_secrets(account: str, keys: Iterable[str]) -> None:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return
    for key in keys:
        with contextlib.suppress(KeyringError):
            keyring.delete_password(KEYRING_SERVICE, f"{account}:{key}")


class SessionSecrets:
    """Secrets entered in this run that no keyring could keep: consulted before the
    keyring when the config is read again (after a settings change), lost at exit."""

    def __init__(self) -> None:
        self._values: dict[tuple[str, str], str] = {}

    def remember(self, account: str, key: str, value: str) -> None:
        self._values[(account, key)] = value

    def forget(self, account: str) -> None:
        for entry in [e for e in self._values if e[0] == account]:
            del self._values[entry]

    def lookup(self, account: str, key: str) -> str | None:
        return self._values.get((account, key)) or keyring_lookup(account, key)

    def values(self) -> list[str]:
        return list(self._values.values())
