"""Add or edit one account: the chosen provider's fields, secrets as password fields,
a plain-text opt-in (off by default), and "Test connection" run on the event loop so
the window keeps responding while the vendor answers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Set
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inbox_app.account_edits import AccountEdit, plain_text_secrets, save_account
from inbox_app.config import ConfigError, check_account
from inbox_app.core.accounts import SECRET_KEYS, AccountConfig
from inbox_app.core.models import ProviderKind
from inbox_app.providers.probe import ProbeResult, probe
from inbox_app.secret_store import SessionSecrets
from inbox_app.ui.preferences.fields import PROVIDER_HINTS, PROVIDER_NAMES, fields_for
from inbox_app.ui.preferences.keyring_note import secrets_note

log = logging.getLogger(__name__)

OK_COLOUR = "#1a7f37"
_HEADER_ROWS = 2  # provider and name; the provider's own fields follow
ERROR_COLOUR = "#c62828"


class AccountForm(QDialog):
    saved = Signal(str)
    """The account (by name) is in the config file now."""

    def __init__(
        self,
        config_path: Path,
        memory: SessionSecrets,
        *,
        existing: Mapping[str, Any] | None = None,
        taken: Set[str] = frozenset(),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.config_path = config_path
        self.memory = memory
        self.existing = dict(existing or {})
        self.taken = set(taken) - {self.existing.get("name")}
        self._probe_task: asyncio.Task[None] | None = None
        self.unsaved_secrets: list[str] = []
        """Secrets saved in memory only (no keyring), for the caller to mention."""
        self.inputs: dict[str, QLineEdit] = {}
        self.setWindowTitle("Edit account" if existing else "Add account")
        self.setModal(True)
        self.setMinimumWidth(480)

        self.provider = QComboBox()
        self.provider.setAccessibleName("Provider")
        for kind, title in PROVIDER_NAMES.items():
            self.provider.addItem(title, kind.value)
        self.name = QLineEdit(str(self.existing.get("name", "")))
        self.name.setAccessibleName("Account name")
        self.name.setPlaceholderText("e.g. LiveVox NA3: any name you like")
        if existing:
            current = self.provider.findData(str(existing.get("provider", "")))
            self.provider.setCurrentIndex(max(current, 0))
            self.provider.setEnabled(False)
            self.name.setEnabled(False)
            self.name.setToolTip("To rename an account, remove it and add it again.")
        self.fields = QFormLayout()
        self.fields.addRow("Provider", self.provider)
        self.fields.addRow("Name", self.name)
        self.hint = _plain_label("")

        self.plain_text = QCheckBox("Store secrets in plain text in the config file")
        self.plain_text.setToolTip(
            "Anyone who can read the config file can then read them. Off by default."
        )
        self.plain_text.setChecked(bool(plain_text_secrets(self.existing)))
        self.note = _plain_label(secrets_note())
        self.note.setObjectName("secretsNote")

        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self._test)
        self.result_line = _plain_label("")
        self.result_line.setObjectName("testResult")
        self.result_line.setAccessibleName("Connection test result")
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.result_line, 1)

        self.error = _plain_label("")
        self.error.setObjectName("formError")
        self.error.setStyleSheet(f"color: {ERROR_COLOUR}")
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(self.fields)
        layout.addWidget(self.hint)
        layout.addSpacing(6)
        layout.addWidget(self.plain_text)
        layout.addWidget(self.note)
        layout.addSpacing(6)
        layout.addLayout(test_row)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.provider.currentIndexChanged.connect(lambda _i: self._build_fields())
        self._build_fields()

    # --- the fields ----------------------------------------------------------------

    def kind(self) -> ProviderKind:
        return ProviderKind(self.provider.currentData())

    def _build_fields(self) -> None:
        while self.fields.rowCount() > _HEADER_ROWS:
            self.fields.removeRow(_HEADER_ROWS)
        self.inputs.clear()
        stored_secrets = self._stored_secret_keys()
        for spec in fields_for(self.kind()):
            edit = QLineEdit()
            edit.setAccessibleName(spec.label)
            edit.setObjectName(f"field_{spec.key}")
            if spec.secret:
                edit.setEchoMode(QLineEdit.EchoMode.Password)
                stored = spec.key in stored_secrets
                edit.setPlaceholderText(
                    "stored; leave empty to keep it"
                    if stored
                    else ("required" if spec.required else "optional")
                )
            else:
                edit.setText(str(self.existing.get(spec.key, spec.default)))
                edit.setPlaceholderText("required" if spec.required else "optional")
            edit.textChanged.connect(lambda _t: self._clear_result())
            self.inputs[spec.key] = edit
            self.fields.addRow(spec.label, edit)
        self.hint.setText(PROVIDER_HINTS.get(self.kind(), ""))
        self.hint.setVisible(bool(self.hint.text()))
        self._clear_result()

    def _stored_secret_keys(self) -> set[str]:
        name = str(self.existing.get("name", ""))
        if not name:
            return set()
        return {
            key
            for key in SECRET_KEYS
            if self.existing.get(key)
            or self.existing.get(f"{key}_env")
            or self.memory.lookup(name, key)
        }

    def edit(self) -> AccountEdit:
        """What the form holds: typed secrets apart from the table written to the file;
        keys the form does not show (`<key>_env`) are kept as they were."""
        table: dict[str, Any] = {
            k: v for k, v in self.existing.items() if k.endswith("_env") or k in SECRET_KEYS
        }
        table.update(name=self.name.text().strip(), provider=self.kind().value)
        secrets: dict[str, str] = {}
        for key, edit in self.inputs.items():
            value = edit.text().strip()
            if key in SECRET_KEYS:
                if value:
                    secrets[key] = value
            elif value:
                table[key] = value
        replacing = str(self.existing["name"]) if self.existing else None
        return AccountEdit(table, secrets, self.plain_text.isChecked(), replacing)

    def account(self) -> AccountConfig:
        """The account as the loader would read it; ConfigError says what is missing."""
        edit = self.edit()
        name = str(edit.table["name"])
        if name in self.taken:
            raise ConfigError(f"an account named '{name}' already exists")
        stored = self.existing.get("name", name)
        return check_account(
            {**edit.table, **edit.secrets},
            secret_lookup=lambda _account, key: self.memory.lookup(str(stored), key),
        )

    # --- test and save -------------------------------------------------------------

    def _test(self) -> None:
        try:
            account = self.account()
        except ConfigError as exc:
            self._show_result(False, f"Cannot test yet: {exc}")
            return
        self.test_button.setEnabled(False)
        self.result_line.setStyleSheet("")
        self.result_line.setText("Testing…")
        self._probe_task = asyncio.ensure_future(self._probe(account))

    async def _probe(self, account: AccountConfig) -> None:
        """Cancelled when the form closes; then it touches no widget, which may be gone."""
        try:
            outcome = await probe(account)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("connection test of account %r failed unexpectedly", account.name)
            outcome = ProbeResult(False, "Unexpected error; the details are in the log")
        self.test_button.setEnabled(True)
        self._show_result(outcome.ok, outcome.text)

    def _show_result(self, ok: bool, text: str) -> None:
        self.result_line.setStyleSheet(f"color: {OK_COLOUR if ok else ERROR_COLOUR}")
        self.result_line.setText(("✔ " if ok else "✖ ") + text)

    def _clear_result(self) -> None:
        self.result_line.setText("")
        self.error.hide()

    def _save(self) -> None:
        try:
            self.account()
            unsaved = save_account(self.config_path, self.edit(), self.memory)
        except (ConfigError, OSError) as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.unsaved_secrets = unsaved
        self.saved.emit(str(self.edit().table["name"]))
        self.accept()

    def done(self, result: int) -> None:
        self._cancel_probe()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._cancel_probe()
        super().closeEvent(event)

    def _cancel_probe(self) -> None:
        task, self._probe_task = self._probe_task, None
        if task is not None and not task.done():
            task.cancel()


def _plain_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label
