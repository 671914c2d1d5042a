"""The Settings dialog: Accounts and General pages over the one config file. Changes are
saved as they are made; the window applies them live through the two signals."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTabWidget, QVBoxLayout, QWidget

from inbox_app.account_edits import save_settings
from inbox_app.config import ConfigError, Settings
from inbox_app.secret_store import SessionSecrets
from inbox_app.ui.preferences.accounts_page import AccountsPage
from inbox_app.ui.preferences.general_page import GeneralPage


class SettingsDialog(QDialog):
    accounts_changed = Signal()
    settings_changed = Signal(object)
    """The new Settings, already saved."""

    def __init__(
        self,
        config_path: Path,
        memory: SessionSecrets,
        settings: Settings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.config_path = config_path
        self.setWindowTitle("Settings")
        self.resize(560, 440)
        self.accounts = AccountsPage(config_path, memory)
        self.general = GeneralPage(settings)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.accounts, "Accounts")
        self.tabs.addTab(self.general, "General")
        self.path_label = QLabel(self._saved_note())
        self.path_label.setTextFormat(Qt.TextFormat.PlainText)
        self.path_label.setWordWrap(True)
        self.path_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.path_label)
        layout.addWidget(buttons)
        self.accounts.changed.connect(self.accounts_changed)
        self.general.changed.connect(self._save_settings)

    def _save_settings(self, settings: Settings) -> None:
        try:
            save_settings(self.config_path, settings)
        except (ConfigError, OSError) as exc:
            self.path_label.setText(f"Could not save the settings: {exc}")
            return
        self.path_label.setText(self._saved_note())
        self.settings_changed.emit(settings)

    def _saved_note(self) -> str:
        return f"Changes are saved as you make them, in {self.config_path}"
