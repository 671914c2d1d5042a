"""The accounts file, data locations and secret lookup.

Config is TOML with `[[accounts]]` tables. A secret (`password`, `access_token`,
`client_secret`, `refresh_token`, `api_key`, `private_key`) may sit in the file, come
from the environment variable named by `<key>_env`, or come from the OS keyring
(service `agent-inbox`, user `<account name>:<key>`). A `[settings]` table holds the
window's preferences. Every error names the file and, where it can, the line, because the
person reading it has to go and fix that line.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
    ProviderKind.ZOOM: ("base_url", "oauth_url", "history_days"),
}
_DEFAULT_URLS: dict[ProviderKind, dict[str, str]] = {
    ProviderKind.VOXIMPLANT: {"base_url": "https://api.voximplant.com/platform_api"},
    ProviderKind.ZOOM: {"base_url": "https://api.zoom.us/v2", "oauth_url": "https://zoom.us"},
}


THEMES = ("system", "light", "dark")
_INTERVAL_RANGE = (5.0, 86400.0)


class ConfigError(Exception):
    """A one-line problem with the config, naming the file and line."""


@dataclass(frozen=True, slots=True)
class Settings:
    """The `[settings]` table: how often to sync (seconds), desktop notifications, the
    colour scheme, and whether the supervisor profile is used."""

    sync_interval: float = 30.0
    notifications: bool = True
    theme: str = "system"
    supervisor: bool = False


@dataclass(frozen=True, slots=True)
class PendingAccount:
    """An account whose secrets are in no file, variable or keyring (a box without a
    keyring): the window asks for them instead of refusing to start."""

    name: str
    provider: ProviderKind
    base_url: str
    values: Mapping[str, str]
    missing: tuple[str, ...]

    def complete(self, secrets: Mapping[str, str]) -> AccountConfig:
        values = {**self.values, **{k: v for k, v in secrets.items() if v}}
        return AccountConfig(self.name, self.provider, self.base_url, values)


@dataclass(frozen=True, slots=True)
class AppConfig:
    path: Path | None
    accounts: tuple[AccountConfig, ...]
    settings: Settings = field(default_factory=Settings)
    pending: tuple[PendingAccount, ...] = ()


def provider_keys(provider: ProviderKind) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The keys an account of `provider` must have and may have, for forms."""
    return _REQUIRED[provider], _OPTIONAL[provider]


def default_values(provider: ProviderKind) -> dict[str, str]:
    return dict(_DEFAULT_URLS.get(provider, {}))


def check_account(
    table: Mapping[str, object],
    *,
    environ: Mapping[str, str] | None = None,
    secret_lookup: SecretLookup | None = None,
) -> AccountConfig:
    """Validates one `[[accounts]]` table as the loader would; the ConfigError says what
    is wrong without a file and line (for a form, where there is none)."""
    path = Path("account")
    try:
        return _parse_account(
            dict(table),
            0,
            path,
            _Locator(""),
            os.environ if environ is None else environ,
            secret_lookup or keyring_lookup,
            ask_missing=False,
        )
    except ConfigError as exc:
        raise ConfigError(str(exc).removeprefix(f"{path}:1: ")) from None


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
    ask_missing: bool = False,
) -> AppConfig:
    """With `ask_missing`, an account lacking only secrets is returned in `pending`
    rather than refused."""
    path = path or default_config_path()
    env = os.environ if environ is None else environ
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it ({exc})") from None
    return parse_config(
        text, path, environ=env, secret_lookup=secret_lookup, ask_missing=ask_missing
    )


def parse_config(
    text: str,
    path: Path,
    *,
    environ: Mapping[str, str],
    secret_lookup: SecretLookup = keyring_lookup,
    ask_missing: bool = False,
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
    accounts: list[AccountConfig | PendingAccount] = []
    for index, raw in enumerate(raw_accounts):
        try:
            account: AccountConfig | PendingAccount = _parse_account(
                raw, index, path, locator, environ, secret_lookup, ask_missing=ask_missing
            )
        except _SecretsMissing as missing:
            account = missing.pending
        if any(a.name == account.name for a in accounts):
            line = locator.account_line(index)
            raise ConfigError(f"{path}:{line}: account name '{account.name}' is used twice")
        accounts.append(account)
    return AppConfig(
        path=path,
        accounts=tuple(a for a in accounts if isinstance(a, AccountConfig)),
        settings=_parse_settings(data.get("settings", {}), path, locator),
        pending=tuple(a for a in accounts if isinstance(a, PendingAccount)),
    )


class _SecretsMissing(Exception):
    def __init__(self, pending: PendingAccount) -> None:
        super().__init__(pending.name)
        self.pending = pending


def _parse_settings(raw: object, path: Path, locator: _Locator) -> Settings:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}:{locator.settings_line(None)}: 'settings' must be a table")
    values: dict[str, object] = {}
    for key, value in raw.items():
        where = f"{path}:{locator.settings_line(key)}: settings"
        if key == "sync_interval":
            low, high = _INTERVAL_RANGE
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ConfigError(f"{where}: 'sync_interval' must be a number of seconds")
            if not low <= value <= high:
                raise ConfigError(
                    f"{where}: 'sync_interval' must be between {low:g} and {high:g} seconds"
                )
            values[key] = float(value)
        elif key in ("notifications", "supervisor"):
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: '{key}' must be true or false")
            values[key] = value
        elif key == "theme":
            if value not in THEMES:
                raise ConfigError(f"{where}: 'theme' must be one of {', '.join(THEMES)}")
            values[key] = value
        else:
            known = "sync_interval, notifications, theme, supervisor"
            raise ConfigError(f"{where}: unknown key '{key}' (known: {known})")
    return Settings(**values)  # type: ignore[arg-type]


def _parse_account(
    raw: dict[str, object],
    index: int,
    path: Path,
    locator: _Locator,
    environ: Mapping[str, str],
    secret_lookup: SecretLookup,
    *,
    ask_missing: bool,
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
    days = values.get("history_days")
    if days is not None and not (days.isdigit() and int(days) >= 1):
        line = locator.key_line(index, "history_days")
        raise ConfigError(
            f"{path}:{line}: account '{name}': 'history_days' must be a whole number of days"
        )
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
    zoho_secrets = [k for k in ("client_secret", "refresh_token") if not values.get(k)]
    if provider is ProviderKind.ZOHO and zoho_secrets and not values.get("access_token"):
        missing.append("refresh_token and client_secret (or access_token)")
    voximplant_key = "api_key (or key_id and private_key)"
    if (
        provider is ProviderKind.VOXIMPLANT
        and not values.get("api_key")
        and not (values.get("key_id") and values.get("private_key"))
    ):
        missing.append("private_key" if values.get("key_id") else voximplant_key)
    if (
        missing
        and ask_missing
        and values.get("base_url")
        and all(
            k in SECRET_KEYS or k.startswith("refresh_token and") or k == voximplant_key
            for k in missing
        )
    ):
        keys = [k for k in missing if k in SECRET_KEYS]
        keys += zoho_secrets if provider is ProviderKind.ZOHO else []
        keys += ["api_key"] if voximplant_key in missing else []
        base_url = values.pop("base_url").rstrip("/")
        pending = PendingAccount(name.strip(), provider, base_url, values, tuple(keys))
        raise _SecretsMissing(pending)
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

    def settings_line(self, key: str | None) -> int:
        header = next(
            (i for i, line in enumerate(self._lines) if re.match(r"^\s*\[\s*settings\s*\]", line)),
            None,
        )
        if header is None:
            return 1
        pattern = re.compile(rf"^\s*\"?{re.escape(key or '')}\"?\s*=")
        for i in range(header + 1, len(self._lines)):
            if self._lines[i].lstrip().startswith("["):
                break
            if key is not None and pattern.match(self._lines[i]):
                return i + 1
        return header + 1

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
