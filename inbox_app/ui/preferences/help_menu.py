"""The window's File and Help menus: Settings…, Quit, Open logs folder, Copy diagnostics
and About. Diagnostics name versions, paths, accounts and their sync state, never a
secret: they are meant to be pasted into a support request."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

from inbox_app.core.accounts import AccountConfig
from inbox_app.diagnostics import diagnostics_text, versions
from inbox_app.sync.changes import AccountStatus
from inbox_app.ui.icons import icon

STATUS_MS = 5000


def toolkit_versions() -> dict[str, str]:
    return {"Qt": qVersion(), "PySide6": PySide6.__version__}


class HelpMenu:
    """Installs the menus on `window`; `accounts` and `statuses` are read when asked, so
    diagnostics always describe the accounts as they are now."""

    def __init__(
        self,
        window: QMainWindow,
        *,
        config_path: Path | None,
        db_path: Path,
        log_dir: Path,
        accounts: Callable[[], Sequence[AccountConfig]],
        statuses: Callable[[], dict[str, AccountStatus]],
        describe: Callable[[AccountStatus], str],
    ) -> None:
        self.window = window
        self.config_path = config_path
        self.db_path = db_path
        self.log_dir = log_dir
        self._accounts = accounts
        self._statuses = statuses
        self._describe = describe
        self.about_box: QMessageBox | None = None

        self.act_settings = QAction(icon("settings"), "Settings…", window)
        self.act_settings.setObjectName("settings")
        self.act_settings.setShortcut(QKeySequence("Ctrl+,"))
        self.act_settings.setStatusTip("Accounts, sync interval, notifications and theme")
        self.act_settings.setToolTip("Settings (Ctrl+,)")
        if config_path is None:
            self.act_settings.setEnabled(False)
            self.act_settings.setToolTip("The demo has no settings: it uses the simulator")
        quit_action = QAction("Quit", window)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(window.close)
        file_menu = window.menuBar().addMenu("&File")
        file_menu.addAction(self.act_settings)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        window.addAction(self.act_settings)

        self.act_logs = QAction("Open logs folder", window)
        self.act_logs.triggered.connect(self.open_logs)
        self.act_diagnostics = QAction("Copy diagnostics", window)
        self.act_diagnostics.triggered.connect(self.copy_diagnostics)
        self.act_about = QAction("About Agent Inbox", window)
        self.act_about.triggered.connect(self.show_about)
        help_menu = window.menuBar().addMenu("&Help")
        for action in (self.act_logs, self.act_diagnostics):
            help_menu.addAction(action)
        help_menu.addSeparator()
        help_menu.addAction(self.act_about)

    def diagnostics(self) -> str:
        statuses = {name: self._describe(s) for name, s in self._statuses().items()}
        return diagnostics_text(
            versions=versions(toolkit_versions()),
            config_path=self.config_path,
            db_path=self.db_path,
            log_dir=self.log_dir,
            accounts=self._accounts(),
            statuses=statuses,
        )

    def copy_diagnostics(self) -> None:
        QGuiApplication.clipboard().setText(self.diagnostics())
        self.window.statusBar().showMessage("Diagnostics copied to the clipboard", STATUS_MS)

    def open_logs(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_dir))):
            self.window.statusBar().showMessage(f"The logs are in {self.log_dir}", STATUS_MS)

    def show_about(self) -> None:
        found = versions(toolkit_versions())
        lines = "\n".join(f"{k}: {v}" for k, v in found.items() if k != "Agent Inbox")
        box = QMessageBox(QMessageBox.Icon.NoIcon, "About Agent Inbox", "", parent=self.window)
        box.setIconPixmap(self.window.windowIcon().pixmap(64, 64))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"Agent Inbox {found['Agent Inbox']}")
        box.setInformativeText(
            "A desktop SMS inbox for contact-center agents and supervisors.\n\n" + lines
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.about_box = box
        box.open()
