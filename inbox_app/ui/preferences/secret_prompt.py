"""Asked at start for secrets no keyring holds (a desktop without one): one small dialog
per account, with an explicit opt-in to remember them in plain text."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from inbox_app.account_edits import AccountEdit, save_account
from inbox_app.config import ConfigError, PendingAccount
from inbox_app.config_file import account_table, read_document
from inbox_app.core.accounts import AccountConfig
from inbox_app.secret_store import SessionSecrets, store_secret
from inbox_app.ui.preferences.fields import PROVIDER_NAMES, label

log = logging.getLogger(__name__)


class SecretPrompt(QDialog):
    def __init__(self, pending: PendingAccount, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pending = pending
        self.setWindowTitle(f"Sign in to {pending.name}")
        self.setModal(True)
        self.setMinimumWidth(440)
        intro = QLabel(
            f"Agent Inbox needs the secrets of the account '{pending.name}'"
            f" ({PROVIDER_NAMES[pending.provider]}); no keyring on this system keeps them."
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        form = QFormLayout()
        self.inputs: dict[str, QLineEdit] = {}
        for key in pending.missing:
            edit = QLineEdit()
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setAccessibleName(label(key))
            edit.setObjectName(f"field_{key}")
            edit.textChanged.connect(lambda _t: self._update_ok())
            self.inputs[key] = edit
            form.addRow(label(key), edit)
        self.remember = QCheckBox("Remember in plain text in the config file")
        self.remember.setToolTip("Anyone who can read the config file can then read them.")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.skip = self.buttons.addButton(
            "Skip this account", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.remember)
        layout.addWidget(self.buttons)
        self._update_ok()

    def secrets(self) -> dict[str, str]:
        return {key: edit.text().strip() for key, edit in self.inputs.items()}

    def _update_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(all(self.secrets().values()))


async def ask_for_secrets(
    pending: Sequence[PendingAccount], config_path: Path, memory: SessionSecrets
) -> list[AccountConfig]:
    """The accounts the user gave secrets for; a skipped one is not synced this run."""
    accounts: list[AccountConfig] = []
    for account in pending:
        prompt = SecretPrompt(account)
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        prompt.finished.connect(lambda result, f=done: f.done() or f.set_result(result))
        prompt.open()
        result = await done
        secrets, remember = prompt.secrets(), prompt.remember.isChecked()
        prompt.deleteLater()
        if result != QDialog.DialogCode.Accepted.value:
            continue
        if remember:
            _remember_in_file(config_path, account.name, secrets, memory)
        else:
            # Not written to the file at all: a hand-written one keeps its comments.
            for key, value in secrets.items():
                if not store_secret(account.name, key, value):
                    memory.remember(account.name, key, value)
        accounts.append(account.complete(secrets))
    return accounts


def _remember_in_file(
    config_path: Path, name: str, secrets: dict[str, str], memory: SessionSecrets
) -> None:
    try:
        table = account_table(read_document(config_path), name)
        if table is not None:
            save_account(config_path, AccountEdit(table, secrets, True, name), memory)
            return
    except (ConfigError, OSError) as exc:
        log.warning("could not write the secrets of %r to the config file: %s", name, exc)
    for key, value in secrets.items():
        memory.remember(name, key, value)
