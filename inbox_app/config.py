"""The accounts file, data locations and secret lookup.

Config is TOML with `[[accounts]]` tables. A secret (`password`, `access_token`,
`client_secret`, `refresh_token`, `api_key`, `private_key`) may sit in the file, come
from the environment variable named by `<key>_env`, or come from the OS keyring
(service `agent-inbox`, user `<account name>:<key>`). Every error names the file and,
where it can, the line, because the person reading it has to go and fix that line.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from inbox_app.core.accounts import SECRET_KEYS, AccountConfig
from inbox_app.core.models import ProviderKind

APP_NAME = "agent-inbox"
KEYRING_SERVICE = "agent-inbox"

_REQUIRED: dict[ProviderKind, tuple[str, ...]] = {
    ProviderKind.LIVEVOX: ("base_url", "client_name", "username", "password", "access_token"),
    ProviderKind.ZOHO: ("base_url", "accounts_url", "client_id"),
    ProviderKind.VOXIMPLANT: ("account_id",),
    ProviderKind.ZOOM: ("account_id", "client_id", "client_secret"),
}
_OPTIONAL: dict[ProviderKind, tuple[str, ...]] = {
    ProviderKind.LIVEVOX: ("api_version", "session_api_version"),
    ProviderKind.ZOHO: ("client_secret", "refresh_token", "access_token"),
    ProviderKind.VOXIMPLANT: ("base_url", "api_key", "key_id", "private_key"),
    ProviderKind.ZOOM: ("base_url", "oauth_url"),
}
_DEFAULT_URLS: dict[ProviderKind, dict[str, str]] = {
    ProviderKind.VOXIMPLANT: {"base_url": "https://api.voximplant.com/platform_api"},
    ProviderKind.ZOOM: {"base_url": "https://api.zoom.us/v2", "oauth_url": "https://zoom.us"},
}


class ConfigError(Exception):
    """A one-line problem with the config, naming the file and line."""


@dataclass(frozen=True, slots=True)
class AppConfig:
    path: Path | None
    accounts: tuple[AccountConfig, ...]


def default_config_path() -> Path:
    env = os.environ.get("INBOX_APP_CONFIG")
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_db_path() -> Path:
    env = os.environ.get("INBOX_APP_DB")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir(APP_NAME)) / "inbox.sqlite3"


SecretLookup = Callable[[str, str], str | None]


def keyring_lookup(account: str, key: str) -> str | None:
    """The OS keyring's value, or None when there is none or no keyring backend at all
    (a headless Linux box has none; that is not an error)."""
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            value = keyring.get_password(KEYRING_SERVICE, f"{account}:{key}")
        except KeyringError:
            return None
    except ImportError:
        return None
    return value if isinstance(value, str) else None


def load_config(
    path: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    secret_lookup: SecretLookup = keyring_lookup,
) -> AppConfig:
    path = path or default_config_path()
    env = os.environ if environ is None else environ
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it ({exc})") from None
    return parse_config(text, path, environ=env, secret_lookup=secret_lookup)


def parse_config(
    text: str,
    path: Path,
    *,
    environ: Mapping[str, str],
    secret_lookup: SecretLookup = keyring_lookup,
) -> AppConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    raw_accounts = data.get("accounts", [])
    if not isinstance(raw_accounts, list) or not all(isinstance(a, dict) for a in raw_accounts):
        raise ConfigError(
            f"{path}:{_line_of(text, 'accounts')}: 'accounts' must be [[accounts]] tables"
        )
    locator = _Locator(text)
    accounts: list[AccountConfig] = []
    for index, raw in enumerate(raw_accounts):
        account = _parse_account(raw, index, path, locator, environ, secret_lookup)
        if any(a.name == account.name for a in accounts):
            line = locator.account_line(index)
            raise ConfigError(f"{path}:{line}: account name '{account.name}' is used twice")
        accounts.append(account)
    return AppConfig(path=path, accounts=tuple(accounts))


def _parse_account(
    raw: dict[str, object],
    index: int,
    path: Path,
    locator: _Locator,
    environ: Mapping[str, str],
    secret_lookup: SecretLookup,
) -> AccountConfig:
    where = f"{path}:{locator.account_line(index)}"
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: account #{index + 1} needs a name")
    provider_raw = raw.get("provider")
    try:
        provider = ProviderKind(str(provider_raw).strip().lower())
    except ValueError:
        line = locator.key_line(index, "provider")
        known = ", ".join(p.value for p in ProviderKind)
        raise ConfigError(
            f"{path}:{line}: account '{name}': unknown provider {provider_raw!r} (known: {known})"
        ) from None
    allowed = {"name", "provider", *_REQUIRED[provider], *_OPTIONAL[provider]}
    allowed |= {f"{k}_env" for k in SECRET_KEYS}
    values: dict[str, str] = dict(_DEFAULT_URLS.get(provider, {}))
    for key, value in raw.items():
        if key not in allowed:
            line = locator.key_line(index, key)
            raise ConfigError(f"{path}:{line}: account '{name}': unknown key '{key}'")
        if key in ("name", "provider"):
            continue
        if not isinstance(value, str | int):
            line = locator.key_line(index, key)
            raise ConfigError(f"{path}:{line}: account '{name}': '{key}' must be a string")
        values[key] = str(value)
    for key in SECRET_KEYS & allowed:
        if values.get(key):
            continue
        env_name = values.pop(f"{key}_env", "")
        if env_name:
            secret = environ.get(env_name)
            if not secret:
                line = locator.key_line(index, f"{key}_env")
                raise ConfigError(
                    f"{path}:{line}: account '{name}': environment variable {env_name} is not set"
                )
            values[key] = secret
            continue
        from_keyring = secret_lookup(name, key)
        if from_keyring:
            values[key] = from_keyring
    for key in list(values):
        if key.endswith("_env"):
            del values[key]
    missing = [k for k in _REQUIRED[provider] if not values.get(k)]
    if (
        provider is ProviderKind.ZOHO
        and not (values.get("refresh_token") and values.get("client_secret"))
        and not values.get("access_token")
    ):
        missing.append("refresh_token and client_secret (or access_token)")
    if (
        provider is ProviderKind.VOXIMPLANT
        and not values.get("api_key")
        and not (values.get("key_id") and values.get("private_key"))
    ):
        missing.append("api_key (or key_id and private_key)")
    if missing:
        raise ConfigError(
            f"{where}: account '{name}' is missing {', '.join(missing)}"
            " (a secret may also come from <key>_env or the keyring)"
        )
    base_url = values.pop("base_url").rstrip("/")
    return AccountConfig(name=name.strip(), provider=provider, base_url=base_url, values=values)


def _line_of(text: str, word: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if word in line:
            return number
    return 1


class _Locator:
    """Finds the line of an account table or one of its keys, for error messages;
    tomllib keeps no positions, and the lines are what the user has to edit."""

    _HEADER = re.compile(r"^\s*\[\[\s*accounts\s*\]\]")

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()
        self._starts = [i for i, line in enumerate(self._lines) if self._HEADER.match(line)]

    def account_line(self, index: int) -> int:
        return self._starts[index] + 1 if index < len(self._starts) else 1

    def key_line(self, index: int, key: str) -> int:
        if index >= len(self._starts):
            return 1
        start = self._starts[index]
        end = self._starts[index + 1] if index + 1 < len(self._starts) else len(self._lines)
        pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
        for i in range(start, end):
            if pattern.match(self._lines[i]):
                return i + 1
        return start + 1
