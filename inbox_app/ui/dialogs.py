"""Transfer and resolve dialogs. Both are opened with open() and awaited through their
finished signal (exec() inside a qasync task breaks the loop), and both load their
choices from the vendor while already on screen, saying so, and saying why if it fails."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListView,
    QVBoxLayout,
    QWidget,
)

from inbox_app.core.models import TermCode
from inbox_app.ui.models.simple_list import SimpleListModel

T = TypeVar("T")


class ChoiceDialog(QDialog, Generic[T]):
    """A list of choices fetched asynchronously into `model`; `choose()` resolves to
    (accepted, the chosen item), the item being None for a `None` entry the loader may
    put first (e.g. "no termination code")."""

    def __init__(
        self,
        title: str,
        prompt: str,
        load: Callable[[], Awaitable[Sequence[T | None]]],
        model: SimpleListModel[Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.resize(420, 360)
        self._load = load
        self.model = model
        model.setParent(self)
        self.message = QLabel(prompt)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.choices = QListView()
        self.choices.setAccessibleName(title)
        self.choices.setModel(model)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.choices, 1)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.choices.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self.ok.setEnabled(current.isValid())
        )
        self.choices.doubleClicked.connect(lambda _index: self.accept())

    def count(self) -> int:
        return self.model.rowCount()

    def select(self, row: int) -> None:
        self.choices.setCurrentIndex(self.model.index(row, 0))

    def text(self, row: int) -> str:
        return str(self.model.index(row, 0).data() or "")

    async def choose(self) -> tuple[bool, T | None]:
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.finished.connect(lambda result: _settle(done, result))
        self.open()
        loading = asyncio.ensure_future(self._fill())
        try:
            result = await done
        finally:
            loading.cancel()
        current: QModelIndex = self.choices.currentIndex()
        if result != QDialog.DialogCode.Accepted.value or not current.isValid():
            return False, None
        item: T | None = self.model.item_at(current.row())
        return True, item

    async def _fill(self) -> None:
        prompt = self.message.text()
        self.message.setText(f"{prompt}\n\nLoading…")
        try:
            options = await self._load()
        except Exception as exc:
            self.message.setText(f"{prompt}\n\nCould not load the list: {exc}")
            return
        self.message.setText(prompt if options else f"{prompt}\n\nNone available.")
        self.model.set_items(options)
        if self.count():
            self.select(0)


def _settle(future: asyncio.Future[int], result: int) -> None:
    if not future.done():
        future.set_result(result)


def term_label(code: TermCode | None) -> str:
    if code is None:
        return "No termination code"
    return f"{code.category}: {code.name}" if code.category else code.name
