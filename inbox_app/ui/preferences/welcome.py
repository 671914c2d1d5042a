"""First run, no config file yet: a welcome window offering to add an account (the same
form as in Settings; saving it writes the config) or to try the demo."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from inbox_app.secret_store import SessionSecrets
from inbox_app.ui.icons import app_icon
from inbox_app.ui.preferences.account_form import AccountForm

ADDED = "added"
DEMO = "demo"


class WelcomeWindow(QWidget):
    def __init__(self, config_path: Path, memory: SessionSecrets) -> None:
        super().__init__()
        self.config_path = config_path
        self.memory = memory
        self.form: AccountForm | None = None
        self._choice: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self.setWindowTitle("Welcome to Agent Inbox")
        self.setWindowIcon(app_icon())
        self.setMinimumWidth(520)

        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(64, 64))
        title = QLabel("Welcome to Agent Inbox")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        text = QLabel(
            "Your customers' SMS conversations from LiveVox, Zoho Voice, Voximplant and Zoom"
            " Contact Center in one window, kept on this computer so they open instantly"
            " and work offline.\n\nAdd your vendor account to start, or try the app first on"
            " a built-in simulator with customers texting in."
        )
        for label in (title, text):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
        self.add_button = QPushButton("Add account…")
        self.add_button.setDefault(True)
        self.demo_button = QPushButton("Try the demo")
        self.add_button.clicked.connect(self.add_account)
        self.demo_button.clicked.connect(lambda: self._finish(DEMO))

        head = QHBoxLayout()
        head.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(title, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.demo_button)
        buttons.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.setSpacing(16)
        layout.addLayout(head)
        layout.addWidget(text)
        layout.addStretch(1)
        layout.addLayout(buttons)

    async def choose(self) -> str | None:
        """ADDED once an account is saved, DEMO, or None if the window was closed."""
        self.show()
        self.add_button.setFocus()
        return await self._choice

    def add_account(self) -> None:
        self.form = AccountForm(self.config_path, self.memory, parent=self)
        self.form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.form.saved.connect(lambda _name: self._finish(ADDED))
        self.form.open()

    def _finish(self, choice: str | None) -> None:
        if not self._choice.done():
            self._choice.set_result(choice)
        self.hide()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._finish(None)
        event.accept()
