"""The Settings dialog writes the config file and the keyring as a user expects, tests
connections against the simulator over loopback, and the running window follows."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from inbox_app.config import Settings
from inbox_app.demo import simulator_accounts
from inbox_app.secret_store import SessionSecrets
from inbox_app.simulator import FaultConfig, RunningServer, Simulator
from inbox_app.sync.runner import SyncRunner
from inbox_app.sync.service import InboxService
from inbox_app.ui.bridge import SyncBridge
from inbox_app.ui.main_window import MainWindow, describe_status
from inbox_app.ui.preferences.dialog import SettingsDialog
from inbox_app.ui.preferences.help_menu import HelpMenu
from inbox_app.ui.preferences.live import LiveSettings
from inbox_app.ui.preferences.theme import apply_theme
from tests.window.conftest import MemoryKeyring, until
from tests.window.preferences_helpers import fill_form, livevox_values, save


def read(path: Path) -> dict[str, object]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def dialog(tmp_path: Path, qtbot: object) -> SettingsDialog:
    dialog = SettingsDialog(tmp_path / "config.toml", SessionSecrets(), Settings())
    dialog.show()
    return dialog


async def test_add_edit_remove_write_the_file_and_the_keyring(
    dialog: SettingsDialog,
    memory_keyring: MemoryKeyring,
    running: RunningServer,
    sim: Simulator,
    qtmodeltester: object,
) -> None:
    page, path = dialog.accounts, dialog.config_path
    qtmodeltester.check(page.model, force_py=True)  # type: ignore[attr-defined]
    assert page.empty.isVisible()
    credentials = sim.credentials["livevox"]
    page.add_button.click()
    assert page.form is not None
    form = page.form
    assert list(form.inputs)[:4] == ["base_url", "client_name", "username", "password"]
    assert form.inputs["password"].echoMode() == form.inputs["password"].EchoMode.Password
    assert not form.plain_text.isChecked()
    fill_form(form, "livevox", "LV", livevox_values(running.livevox_url, credentials))
    save(form)
    (account,) = read(path)["accounts"]  # type: ignore[misc]
    assert account == {
        "name": "LV",
        "provider": "livevox",
        "base_url": running.livevox_url,
        "client_name": credentials["client_name"],
        "username": credentials["username"],
    }
    assert memory_keyring.entries[("agent-inbox", "LV:password")] == credentials["password"]
    text = path.read_text(encoding="utf-8")
    assert credentials["password"] not in text and credentials["access_token"] not in text
    assert page.model.index(0).data() == "LV (LiveVox)"

    page.edit_button.click()
    form = page.form
    assert not form.name.isEnabled() and form.inputs["username"].text() == credentials["username"]
    assert "leave empty" in form.inputs["password"].placeholderText()
    form.inputs["api_version"].setText("v17.0")
    save(form)
    (account,) = read(path)["accounts"]  # type: ignore[misc]
    assert account["api_version"] == "v17.0" and "password" not in account
    assert ("agent-inbox", "LV:password") in memory_keyring.entries

    page.edit_button.click()
    page.form.plain_text.setChecked(True)
    save(page.form)
    (account,) = read(path)["accounts"]  # type: ignore[misc]
    assert account["password"] == credentials["password"]
    assert account["access_token"] == credentials["access_token"]
    assert memory_keyring.entries == {}, "one copy only: the keyring entry went"
    assert page.model.index(0).data().endswith("secrets in plain text in the config file")

    page.remove_button.click()
    page.confirm.button(page.confirm.StandardButton.Cancel).click()
    assert len(read(path)["accounts"]) == 1  # type: ignore[arg-type]
    page.remove_button.click()
    page.confirm_remove.click()
    assert read(path)["accounts"] == []
    assert page.model.rowCount() == 0 and page.empty.isVisible()


async def test_a_form_with_missing_fields_says_what_and_saves_nothing(
    dialog: SettingsDialog,
) -> None:
    dialog.accounts.add_button.click()
    form = dialog.accounts.form
    fill_form(form, "zoho", "Z", {"base_url": "https://voice.zoho.com", "client_id": "1000.A"})
    save(form)
    assert form.isVisible() and not dialog.config_path.exists()
    assert "missing accounts_url" in form.error.text()
    assert "refresh token" in form.hint.text()


async def test_no_keyring_keeps_secrets_in_memory_not_in_the_file(
    dialog: SettingsDialog, running: RunningServer, sim: Simulator
) -> None:
    page = dialog.accounts
    page.add_button.click()
    assert "no keyring" in page.form.note.text()
    values = livevox_values(running.livevox_url, sim.credentials["livevox"])
    fill_form(page.form, "livevox", "LV", values)
    save(page.form)
    assert "password" not in read(dialog.config_path)["accounts"][0]  # type: ignore[index]
    assert page.memory.lookup("LV", "password") == sim.credentials["livevox"]["password"]


async def test_test_connection_reports_inboxes_or_the_reason(
    dialog: SettingsDialog, running: RunningServer, sim: Simulator
) -> None:
    dialog.accounts.add_button.click()
    form = dialog.accounts.form
    credentials = dict(sim.credentials["livevox"])
    fill_form(form, "livevox", "LV", livevox_values(running.livevox_url, credentials))
    form.test_button.click()
    assert form.result_line.text() == "Testing…" and not form.test_button.isEnabled()
    await until(lambda: form.test_button.isEnabled())
    assert form.result_line.text().startswith("✔ Connected: ")
    assert "inbox" in form.result_line.text()

    form.inputs["password"].setText("wrong-password")
    assert form.result_line.text() == ""
    form.test_button.click()
    await until(lambda: form.test_button.isEnabled())
    assert form.result_line.text().startswith("✖ Sign-in refused: ")
    assert "wrong-password" not in form.result_line.text()

    form.inputs["base_url"].setText("")
    form.test_button.click()
    assert form.result_line.text().startswith("✖ Cannot test yet: account 'LV' is missing base_url")


async def test_the_running_window_follows_removed_and_added_accounts(
    window: MainWindow,
    running: RunningServer,
    sim: Simulator,
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
) -> None:
    path = tmp_path / "config.toml"
    zoho = sim.credentials["zoho"]
    lines = ["[[accounts]]", 'name = "LiveVox demo"', 'provider = "livevox"']
    lines.append(f'base_url = "{running.livevox_url}"')
    lines += [f'{k} = "{v}"' for k, v in sim.credentials["livevox"].items()]
    lines += ["[[accounts]]", 'name = "Zoho demo"', 'provider = "zoho"']
    lines += [f'base_url = "{running.zoho_url}"', f'accounts_url = "{running.zoho_accounts_url}"']
    lines += [f'{k} = "{v}"' for k, v in zoho.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = SyncRunner(window.service, 60.0)
    seen: list[str] = []
    live = LiveSettings(
        window,
        runner,
        config_path=path,
        memory=SessionSecrets(),
        settings=Settings(sync_interval=60.0, notifications=False),
        accounts=[],
        add_secrets=seen.extend,
    )
    assert window.notifications is False
    runner.start()
    try:
        live.open_dialog()
        assert live.dialog is not None
        page = live.dialog.accounts
        page.list.setCurrentIndex(page.model.index(1, 0))
        page.remove_button.click()
        page.confirm_remove.click()

        def account_rows() -> list[str]:
            return [window.inboxes.index(r, 0).data() for r in range(window.inboxes.rowCount())]

        await until(lambda: account_rows() == ["LiveVox demo"])
        assert set(window.service.engine.providers) == {"LiveVox demo"}

        page.add_button.click()
        values = {"base_url": running.zoho_url, "accounts_url": running.zoho_accounts_url, **zoho}
        fill_form(page.form, "zoho", "Zoho again", values)
        save(page.form)
        assert memory_keyring.entries[("agent-inbox", "Zoho again:refresh_token")]
        await until(lambda: "Zoho again" in account_rows())
        zoho_row = window.inboxes.index_of("Zoho again")
        await until(lambda: window.inboxes.rowCount(zoho_row) > 0)
        assert zoho["refresh_token"] in seen, "new secrets reach the log filter"

        live.dialog.general.interval.setValue(120)
        live.dialog.general.interval.editingFinished.emit()
        await until(lambda: runner.interval == 120.0)
        assert read(path)["settings"]["sync_interval"] == 120.0  # type: ignore[index]
        live.dialog.general.notifications.setChecked(True)
        assert window.notifications is True
    finally:
        await live.aclose()
        await runner.stop()


async def test_help_menu_diagnostics_and_about(
    window: MainWindow, sim: Simulator, running: RunningServer, tmp_path: Path
) -> None:
    accounts = simulator_accounts(running, sim.credentials)
    await window.service.engine.run_once()
    menus = HelpMenu(
        window,
        config_path=tmp_path / "config.toml",
        db_path=window.service.db_path,
        log_dir=tmp_path / "logs",
        accounts=lambda: accounts,
        statuses=window.account_statuses,
        describe=describe_status,
    )
    assert menus.act_settings.shortcut().toString() == "Ctrl+,"
    menus.act_diagnostics.trigger()
    text = QGuiApplication.clipboard().text()
    for name in ("Agent Inbox: ", "Python: ", "Qt: ", "PySide6: ", "httpx: ", "SQLite: "):
        assert name in text
    assert "LiveVox demo (livevox): synced" in text and "Zoho demo (zoho)" in text
    for secret in (*sim.credentials["livevox"].values(), *sim.credentials["zoho"].values()):
        if len(secret) > 6:
            assert secret not in text
    menus.act_about.trigger()
    assert menus.about_box is not None and menus.about_box.isVisible()
    assert "PySide6: " in menus.about_box.informativeText()
    assert menus.about_box.text().startswith("Agent Inbox ")
    menus.about_box.close()


async def test_closing_the_form_mid_test_cancels_it_quietly(
    dialog: SettingsDialog, running: RunningServer, sim: Simulator
) -> None:
    sim.faults = FaultConfig(latency_ms=2000)
    dialog.accounts.add_button.click()
    form = dialog.accounts.form
    values = livevox_values(running.livevox_url, sim.credentials["livevox"])
    fill_form(form, "livevox", "LV", values)
    form.test_button.click()
    task = form._probe_task
    assert task is not None
    form.reject()
    await until(task.done)
    assert task.cancelled()
    assert not dialog.config_path.exists()


async def test_a_window_without_accounts_says_where_to_add_one(
    tmp_path: Path, qtbot: object
) -> None:
    bridge = SyncBridge()
    service = InboxService([], tmp_path / "inbox.sqlite3", on_change=bridge.on_change)
    main = MainWindow(service, bridge)
    try:
        assert main.empty_hint.text().startswith("No accounts yet. Add one under File → Settings…")
    finally:
        main.close()
        await main.aclose()
        main.deleteLater()
        await until(lambda: not shiboken6.isValid(main))
        await service.aclose()


def test_theme_forces_dark_or_light_and_goes_back_to_the_system(qtbot: object) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.palette().color(QPalette.ColorRole.Window).name()
    try:
        apply_theme("dark")
        assert app.palette().color(QPalette.ColorRole.Window).lightness() < 80
        assert app.palette().color(QPalette.ColorRole.Text).lightness() > 180
        apply_theme("light")
        assert app.palette().color(QPalette.ColorRole.Window).lightness() > 180
    finally:
        apply_theme("system")
    assert app.palette().color(QPalette.ColorRole.Window).name() == before
