"""The [settings] table, accounts that lack only secrets (the app asks for them), and
writing the file back from the window."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest

from inbox_app.config import ConfigError, Settings, check_account, parse_config
from inbox_app.config_file import (
    drop_account,
    put_account,
    put_settings,
    read_document,
    write_document,
)
from inbox_app.core.models import ProviderKind

LIVEVOX_NO_SECRETS = """\
[[accounts]]
name = "LV"
provider = "livevox"
base_url = "https://api.livevox.com"
client_name = "ACME"
username = "agent1"
"""


def no_keyring(account: str, key: str) -> None:
    return None


def parse(text: str, **kwargs: object) -> object:
    return parse_config(text, Path("c.toml"), environ={}, secret_lookup=no_keyring, **kwargs)  # type: ignore[arg-type]


def test_settings_are_read_with_defaults_for_what_is_left_out() -> None:
    config = parse_config(
        '[settings]\nsync_interval = 60\ntheme = "dark"\nsupervisor = true\n',
        Path("c.toml"),
        environ={},
    )
    assert config.settings == Settings(
        sync_interval=60.0, notifications=True, theme="dark", supervisor=True
    )
    assert parse_config("", Path("c.toml"), environ={}).settings == Settings()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("sync_interval = 1", "c.toml:3: settings: 'sync_interval' must be between 5 and 86400"),
        ('sync_interval = "fast"', "c.toml:3: settings: 'sync_interval' must be a number"),
        ("sync_interval = true", "c.toml:3: settings: 'sync_interval' must be a number"),
        ('notifications = "yes"', "c.toml:3: settings: 'notifications' must be true or false"),
        ('theme = "pink"', "c.toml:3: settings: 'theme' must be one of system, light, dark"),
        ("supervisor = 1", "c.toml:3: settings: 'supervisor' must be true or false"),
        ("colour = 1", "c.toml:3: settings: unknown key 'colour' (known: sync_interval,"),
    ],
)
def test_bad_settings_name_file_and_line(body: str, message: str) -> None:
    text = f"# preferences\n[settings]\n{body}\n"
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("c.toml"), environ={})
    assert str(caught.value).startswith(message)


def test_settings_must_be_a_table() -> None:
    with pytest.raises(ConfigError, match=r"^c.toml:1: 'settings' must be a table"):
        parse_config('settings = "x"\n', Path("c.toml"), environ={})


def test_missing_secrets_refuse_the_file_unless_the_app_will_ask() -> None:
    with pytest.raises(ConfigError, match="missing password, access_token"):
        parse(LIVEVOX_NO_SECRETS)
    config = parse(LIVEVOX_NO_SECRETS, ask_missing=True)
    assert config.accounts == ()  # type: ignore[attr-defined]
    (pending,) = config.pending  # type: ignore[attr-defined]
    assert pending.missing == ("password", "access_token")
    account = pending.complete({"password": "pw", "access_token": "tok"})
    assert account.provider is ProviderKind.LIVEVOX
    assert account.get("username") == "agent1" and account.get("password") == "pw"


def test_a_missing_non_secret_is_an_error_even_when_asking() -> None:
    text = LIVEVOX_NO_SECRETS.replace('username = "agent1"\n', "")
    with pytest.raises(ConfigError, match=r"c\.toml:1: account 'LV' is missing username"):
        parse(text, ask_missing=True)


def test_zoho_asks_for_client_secret_and_refresh_token() -> None:
    text = (
        '[[accounts]]\nname = "Z"\nprovider = "zoho"\nbase_url = "https://voice.zoho.com"\n'
        'accounts_url = "https://accounts.zoho.com"\nclient_id = "1000.A"\n'
    )
    (pending,) = parse(text, ask_missing=True).pending  # type: ignore[attr-defined]
    assert pending.missing == ("client_secret", "refresh_token")


def test_check_account_speaks_without_a_file_name() -> None:
    with pytest.raises(ConfigError) as caught:
        check_account({"name": "LV", "provider": "livevox", "base_url": "https://x"})
    assert str(caught.value).startswith("account 'LV' is missing client_name, username")
    account = check_account(
        {
            "name": "LV",
            "provider": "livevox",
            "base_url": "https://x/",
            "client_name": "A",
            "username": "u",
            "password": "pw-secret",
            "access_token": "tok-secret",
        }
    )
    assert account.base_url == "https://x"


def test_written_file_keeps_other_accounts_and_is_private(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "config.toml"
    path.parent.mkdir()
    path.write_text(LIVEVOX_NO_SECRETS + '\n[extra]\nkeep = "me"\n', encoding="utf-8")
    document = read_document(path)
    zoho = {"name": "Z", "provider": "zoho", "base_url": "https://voice.zoho.com"}
    document = put_account(document, zoho)
    document = put_account(document, {**zoho, "client_id": "1000.B"}, replacing="Z")
    document = put_settings(document, Settings(sync_interval=45.0, theme="light"))
    write_document(path, document)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert [a["name"] for a in data["accounts"]] == ["LV", "Z"]
    assert data["accounts"][1]["client_id"] == "1000.B"
    assert data["extra"] == {"keep": "me"}
    assert data["settings"]["sync_interval"] == 45.0 and data["settings"]["theme"] == "light"
    write_document(path, drop_account(read_document(path), "LV"))
    assert [a["name"] for a in read_document(path)["accounts"]] == ["Z"]
    assert list(path.parent.iterdir()) == [path], "no temporary file left behind"


def test_a_new_config_directory_is_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    write_document(path, {"settings": {"theme": "dark"}})
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert parse_config(path.read_text(), path, environ={}).settings.theme == "dark"
