"""The Accounts page: the accounts in the config file, with Add, Edit and Remove. Each
change is written to the file the moment its form is saved (or the removal confirmed),
and `changed` tells the window to pick it up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inbox_app.account_edits import plain_text_secrets, remove_account
from inbox_app.config import ConfigError
from inbox_app.config_file import account_table, accounts_of, read_document
from inbox_app.core.models import ProviderKind
from inbox_app.secret_store import SessionSecrets
from inbox_app.ui.models.simple_list import SimpleListModel
from inbox_app.ui.preferences.account_form import AccountForm
from inbox_app.ui.preferences.fields import PROVIDER_NAMES
from inbox_app.ui.preferences.keyring_note import secrets_note


@dataclass(frozen=True, slots=True)
class AccountRow:
    name: str
    provider: str
    plain_text: bool


def _label(row: AccountRow) -> str:
    try:
        vendor = PROVIDER_NAMES[ProviderKind(row.provider)]
    except ValueError:
        vendor = row.provider
    plain = " · secrets in plain text in the config file" if row.plain_text else ""
    named = row.name if row.name == vendor else f"{row.name} ({vendor})"
    return f"{named}{plain}"


def _describe(row: AccountRow) -> str:
    if row.plain_text:
        return f"{row.name}: anyone who can read the config file can read its secrets"
    return f"{row.name}: secrets kept outside the config file"


class AccountsPage(QWidget):
    changed = Signal()

    def __init__(self, config_path: Path, memory: SessionSecrets) -> None:
        super().__init__()
        self.config_path = config_path
        self.memory = memory
        self.form: AccountForm | None = None
        self.model: SimpleListModel[AccountRow] = SimpleListModel(_label, _describe, parent=self)
        self.list = QListView()
        self.list.setAccessibleName("Accounts")
        self.list.setModel(self.model)
        self.list.doubleClicked.connect(lambda _i: self.edit_selected())
        self.add_button = QPushButton("Add…")
        self.edit_button = QPushButton("Edit…")
        self.remove_button = QPushButton("Remove")
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.empty = QLabel("No accounts yet. Add one to start syncing.")
        self.error = QLabel()
        for label in (self.empty, self.error):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
        note = QLabel(secrets_note())
        note.setTextFormat(Qt.TextFormat.PlainText)
        note.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        layout.addWidget(note)
        self.list.selectionModel().selectionChanged.connect(lambda _s, _d: self._update_buttons())
        self.reload()

    def reload(self) -> None:
        try:
            document = read_document(self.config_path)
            self.error.hide()
        except ConfigError as exc:
            document = {}
            self.error.setText(f"The config file cannot be read, fix it first: {exc}")
            self.error.show()
        self.model.set_items(
            [
                AccountRow(
                    str(a.get("name", "")), str(a.get("provider", "")), bool(plain_text_secrets(a))
                )
                for a in accounts_of(document)
            ]
        )
        self.empty.setVisible(self.model.rowCount() == 0)
        if self.model.rowCount():
            self.list.setCurrentIndex(self.model.index(0, 0))
        self._update_buttons()

    def selected(self) -> AccountRow | None:
        index: QModelIndex = self.list.currentIndex()
        return self.model.item_at(index.row()) if index.isValid() else None

    def _update_buttons(self) -> None:
        has = self.selected() is not None
        self.edit_button.setEnabled(has)
        self.remove_button.setEnabled(has)
        self.add_button.setEnabled(self.error.isHidden())

    def _names(self) -> set[str]:
        items = (self.model.item_at(r) for r in range(self.model.rowCount()))
        return {item.name for item in items if item is not None}

    def add(self) -> None:
        self._open_form(None)

    def edit_selected(self) -> None:
        row = self.selected()
        if row is not None:
            self._open_form(account_table(read_document(self.config_path), row.name))

    def _open_form(self, existing: dict[str, object] | None) -> None:
        self.form = AccountForm(
            self.config_path, self.memory, existing=existing, taken=self._names(), parent=self
        )
        self.form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.form.saved.connect(self._saved)
        self.form.open()

    def _saved(self, name: str) -> None:
        self.reload()
        for row in range(self.model.rowCount()):
            item = self.model.item_at(row)
            if item is not None and item.name == name:
                self.list.setCurrentIndex(self.model.index(row, 0))
        self.changed.emit()

    def remove_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Remove account",
            f"Remove the account '{row.name}'?",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        self.confirm_remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(
            "Its stored secrets and its conversations cached on this computer are deleted."
            " Nothing changes at the vendor."
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _result: self._confirmed(box, row.name))
        self.confirm = box
        box.open()

    def _confirmed(self, box: QMessageBox, name: str) -> None:
        if box.clickedButton() is self.confirm_remove:
            self._remove(name)

    def _remove(self, name: str) -> None:
        try:
            remove_account(self.config_path, name, self.memory)
        except (ConfigError, OSError) as exc:
            self.error.setText(f"Could not remove '{name}': {exc}")
            self.error.show()
            return
        self.reload()
        self.changed.emit()
