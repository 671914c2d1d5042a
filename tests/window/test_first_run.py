"""Start-up without a config file (welcome: add an account, or the demo) and without a
keyring (the app asks for the secrets), through the app's own entry coroutine."""

from __future__ import annotations

import asyncio
import stat
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication

from inbox_app import app
from inbox_app.simulator import RunningServer, Simulator
from inbox_app.ui.main_window import MainWindow
from inbox_app.ui.preferences.secret_prompt import SecretPrompt
from inbox_app.ui.preferences.welcome import WelcomeWindow
from tests.window.conftest import until
from tests.window.preferences_helpers import fill_form, livevox_values, save, visible


@pytest.fixture(autouse=True)
def _keep_excepthook(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # _main installs the app's exception hook; the next test gets pytest's back.
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    yield


def start(config: Path, db: Path, secrets: list[str]) -> asyncio.Task[int]:
    options = app.GuiOptions(config_path=config, db_path=db, interval=60.0)
    return asyncio.ensure_future(app._main(options, secrets.extend))


async def the(kind: type) -> object:
    await until(lambda: len(visible(kind)) == 1)
    return visible(kind)[0]


def account_rows(window: MainWindow) -> list[str]:
    return [window.inboxes.index(r, 0).data() for r in range(window.inboxes.rowCount())]


async def close(window: MainWindow, task: asyncio.Task[int]) -> None:
    window.close()
    assert await task == 0
    window.deleteLater()
    await until(lambda: not shiboken6.isValid(window))


async def test_first_run_adds_an_account_and_opens_the_window_syncing_it(
    tmp_path: Path, running: RunningServer, sim: Simulator
) -> None:
    config = tmp_path / "cfg" / "config.toml"
    secrets: list[str] = []
    task = start(config, tmp_path / "inbox.sqlite3", secrets)
    welcome = await the(WelcomeWindow)
    assert isinstance(welcome, WelcomeWindow)
    welcome.add_button.click()
    assert welcome.form is not None and welcome.form.isVisible()
    credentials = sim.credentials["livevox"]
    values = livevox_values(running.livevox_url, credentials)
    fill_form(welcome.form, "livevox", "My LiveVox", values)
    save(welcome.form)
    window = await the(MainWindow)
    assert isinstance(window, MainWindow)
    assert not welcome.isVisible()
    await until(lambda: account_rows(window) == ["My LiveVox"])
    await until(lambda: window.inboxes.rowCount(window.inboxes.index_of("My LiveVox")) > 0)
    assert credentials["password"] in secrets, "the secret reaches the log filter"
    text = config.read_text(encoding="utf-8")
    assert credentials["password"] not in text, "no keyring here: kept in memory, not the file"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert tomllib.loads(text)["accounts"][0]["name"] == "My LiveVox"
    await close(window, task)


async def test_closing_the_welcome_window_quits_without_writing_anything(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    task = start(config, tmp_path / "inbox.sqlite3", [])
    welcome = await the(WelcomeWindow)
    assert isinstance(welcome, WelcomeWindow)
    welcome.close()
    assert await task == 0
    assert not config.exists()


async def test_try_the_demo_opens_the_simulator_profile(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    db = tmp_path / "inbox.sqlite3"
    task = start(config, db, [])
    welcome = await the(WelcomeWindow)
    assert isinstance(welcome, WelcomeWindow)
    welcome.demo_button.click()
    window = await the(MainWindow)
    assert isinstance(window, MainWindow)
    await until(lambda: {"LiveVox demo", "Zoho demo"} <= set(account_rows(window)), within=20)
    assert not config.exists() and not db.exists(), "the demo uses a throwaway profile"
    settings_action = next(a for a in window.actions() if a.objectName() == "settings")
    assert not settings_action.isEnabled()
    await close(window, task)


@pytest.mark.parametrize("remember", [False, True])
async def test_without_a_keyring_the_app_asks_for_missing_secrets(
    tmp_path: Path, running: RunningServer, sim: Simulator, remember: bool
) -> None:
    credentials = sim.credentials["livevox"]
    config = tmp_path / "config.toml"
    config.write_text(
        "[[accounts]]\n"
        'name = "LV"\nprovider = "livevox"\n'
        f'base_url = "{running.livevox_url}"\n'
        f'client_name = "{credentials["client_name"]}"\n'
        f'username = "{credentials["username"]}"\n',
        encoding="utf-8",
    )
    task = start(config, tmp_path / "inbox.sqlite3", [])
    prompt = await the(SecretPrompt)
    assert isinstance(prompt, SecretPrompt)
    assert list(prompt.inputs) == ["password", "access_token"]
    ok = prompt.buttons.button(prompt.buttons.StandardButton.Ok)
    assert not ok.isEnabled()
    for key, edit in prompt.inputs.items():
        edit.setText(credentials[key])
    assert ok.isEnabled() and not prompt.remember.isChecked()
    prompt.remember.setChecked(remember)
    ok.click()
    window = await the(MainWindow)
    assert isinstance(window, MainWindow)
    await until(lambda: window.inboxes.rowCount(window.inboxes.index_of("LV")) > 0)
    text = config.read_text(encoding="utf-8")
    assert (credentials["password"] in text) is remember
    await close(window, task)
    assert QApplication.activeModalWidget() is None
