from pathlib import Path

import pytest

from inbox_app.config import ConfigError, load_config, parse_config
from inbox_app.core.models import ProviderKind

LIVEVOX = """\
[[accounts]]
name = "LV"
provider = "livevox"
base_url = "https://api.livevox.com/"
client_name = "ACME"
username = "agent1"
password = "pw-in-file"
access_token = "lv-token"
api_version = "v17.0"
"""

ZOHO_ENV = """\
[[accounts]]
name = "Zoho"
provider = "zoho"
base_url = "https://voice.zoho.com"
accounts_url = "https://accounts.zoho.com"
client_id = "1000.ABC"
client_secret_env = "ZOHO_SECRET"
"""


def no_keyring(account: str, key: str) -> None:
    return None


def test_secret_in_file_and_url_trimmed() -> None:
    config = parse_config(LIVEVOX, Path("c.toml"), environ={}, secret_lookup=no_keyring)
    (account,) = config.accounts
    assert account.provider is ProviderKind.LIVEVOX
    assert account.base_url == "https://api.livevox.com"
    assert account.get("password") == "pw-in-file"
    assert account.get("api_version") == "v17.0"
    assert sorted(account.secrets()) == ["lv-token", "pw-in-file"]


def test_secret_from_environment_variable_and_keyring() -> None:
    def keyring(account: str, key: str) -> str | None:
        return "rt-from-keyring" if (account, key) == ("Zoho", "refresh_token") else None

    config = parse_config(
        ZOHO_ENV, Path("c.toml"), environ={"ZOHO_SECRET": "s3cret"}, secret_lookup=keyring
    )
    (account,) = config.accounts
    assert account.get("client_secret") == "s3cret"
    assert account.get("refresh_token") == "rt-from-keyring"
    assert "client_secret_env" not in account.values


def test_missing_environment_variable_names_file_line_and_variable() -> None:
    with pytest.raises(
        ConfigError,
        match=r"^c\.toml:7: account 'Zoho': environment variable ZOHO_SECRET is not set$",
    ):
        parse_config(ZOHO_ENV, Path("c.toml"), environ={}, secret_lookup=no_keyring)


def test_missing_secret_everywhere_is_reported() -> None:
    text = LIVEVOX.replace('password = "pw-in-file"\n', "")
    with pytest.raises(ConfigError, match=r"c\.toml:1: account 'LV' is missing password"):
        parse_config(text, Path("c.toml"), environ={}, secret_lookup=no_keyring)


def test_unknown_provider_names_the_line() -> None:
    text = LIVEVOX + '\n[[accounts]]\nname = "X"\nprovider = "twilio"\n'
    with pytest.raises(ConfigError, match=r"^c\.toml:13: account 'X': unknown provider 'twilio'"):
        parse_config(text, Path("c.toml"), environ={}, secret_lookup=no_keyring)


def test_misspelt_key_names_the_line() -> None:
    text = LIVEVOX.replace("username", "usrname")
    with pytest.raises(ConfigError, match=r"^c\.toml:6: account 'LV': unknown key 'usrname'"):
        parse_config(text, Path("c.toml"), environ={}, secret_lookup=no_keyring)


def test_broken_toml_names_file_and_line() -> None:
    with pytest.raises(ConfigError, match=r"c\.toml: not valid TOML: .*line 2"):
        parse_config('[[accounts]]\nname = "unterminated\n', Path("c.toml"), environ={})


def test_duplicate_names_refused() -> None:
    with pytest.raises(ConfigError, match="used twice"):
        parse_config(LIVEVOX + "\n" + LIVEVOX, Path("c.toml"), environ={}, secret_lookup=no_keyring)


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "absent.toml")


def test_environment_overrides_default_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(LIVEVOX, encoding="utf-8")
    monkeypatch.setenv("INBOX_APP_CONFIG", str(path))
    assert load_config().path == path


def test_voximplant_and_zoom_get_documented_default_urls() -> None:
    text = (
        '[[accounts]]\nname = "V"\nprovider = "voximplant"\naccount_id = "1"\napi_key = "k"\n'
        '[[accounts]]\nname = "Z"\nprovider = "zoom"\naccount_id = "a"\nclient_id = "c"\n'
        'client_secret = "s"\n'
    )
    vox, zoom = parse_config(text, Path("c.toml"), environ={}, secret_lookup=no_keyring).accounts
    assert vox.base_url == "https://api.voximplant.com/platform_api"
    assert zoom.base_url == "https://api.zoom.us/v2"
    assert zoom.get("oauth_url") == "https://zoom.us"


def test_zoom_history_days_is_a_whole_number_of_days() -> None:
    zoom = '[[accounts]]\nname = "Z"\nprovider = "zoom"\naccount_id = "a"\nclient_id = "c"\n'
    good = zoom + 'client_secret = "s"\nhistory_days = 30\n'
    (account,) = parse_config(good, Path("c.toml"), environ={}, secret_lookup=no_keyring).accounts
    assert account.get("history_days") == "30"
    for bad in ("0", '"a month"', "-5"):
        with pytest.raises(ConfigError, match=r"c\.toml:7: account 'Z': 'history_days' must be"):
            parse_config(
                zoom + f'client_secret = "s"\nhistory_days = {bad}\n',
                Path("c.toml"),
                environ={},
                secret_lookup=no_keyring,
            )


def test_voximplant_needs_an_api_key_or_a_service_account_key() -> None:
    head = '[[accounts]]\nname = "V"\nprovider = "voximplant"\naccount_id = "1"\n'
    with pytest.raises(ConfigError, match=r"c.toml:1: .* missing api_key \(or key_id and"):
        parse_config(head, Path("c.toml"), environ={}, secret_lookup=no_keyring)
    service = head + 'key_id = "k-1"\nprivate_key_env = "VOX_KEY"\n'
    environ = {"VOX_KEY": "-----BEGIN PRIVATE KEY-----\n..."}
    (account,) = parse_config(
        service, Path("c.toml"), environ=environ, secret_lookup=no_keyring
    ).accounts
    assert account.get("private_key").startswith("-----BEGIN")
