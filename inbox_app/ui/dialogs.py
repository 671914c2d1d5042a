"""Transfer and resolve dialogs. Both are opened with open() and awaited through their
finished signal (exec() inside a qasync task breaks the loop), and both load their
choices from the vendor while already on screen, saying so, and saying why if it fails."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inbox_app.core.models import Agent, TermCode

T = TypeVar("T")

_STATUS_ORDER = {"READY": 0, "NOTREADY": 1, "WRAPUP": 2, "INCALL": 3, "LOGGEDOFF": 4}


class ChoiceDialog(QDialog, Generic[T]):
    """A list of choices fetched asynchronously; `choose()` resolves to (accepted, the
    choice), the choice being None for the `allow_none` entry."""

    def __init__(
        self,
        title: str,
        prompt: str,
        load: Callable[[], Awaitable[Sequence[T]]],
        label: Callable[[T], str],
        parent: QWidget | None = None,
        *,
        allow_none: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.resize(420, 360)
        self._load = load
        self._label = label
        self._items: list[T | None] = []
        self._allow_none = allow_none
        self.message = QLabel(prompt)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.choices = QListWidget()
        self.choices.setAccessibleName(title)
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
        self.choices.currentRowChanged.connect(lambda row: self.ok.setEnabled(row >= 0))
        self.choices.itemDoubleClicked.connect(lambda _item: self.accept())

    async def choose(self) -> tuple[bool, T | None]:
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.finished.connect(lambda result: _settle(done, result))
        self.open()
        loading = asyncio.ensure_future(self._fill())
        try:
            result = await done
        finally:
            loading.cancel()
        row = self.choices.currentRow()
        if result != QDialog.DialogCode.Accepted.value or not 0 <= row < len(self._items):
            return False, None
        return True, self._items[row]

    async def _fill(self) -> None:
        prompt = self.message.text()
        self.message.setText(f"{prompt}\n\nLoading…")
        try:
            options = await self._load()
        except Exception as exc:
            self.message.setText(f"{prompt}\n\nCould not load the list: {exc}")
            return
        none_left = not options and not self._allow_none
        self.message.setText(f"{prompt}\n\nNone available." if none_left else prompt)
        if self._allow_none:
            self._add(None, self._allow_none)
        for option in options:
            self._add(option, self._label(option))
        if self.choices.count():
            self.choices.setCurrentRow(0)

    def _add(self, option: T | None, text: str) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
        self.choices.addItem(item)
        self._items.append(option)


def _settle(future: asyncio.Future[int], result: int) -> None:
    if not future.done():
        future.set_result(result)


def agent_label(agent: Agent) -> str:
    status = agent.status.replace("NOTREADY", "not ready").lower() or "unknown"
    name = agent.name or agent.login
    return f"{name}  ({agent.login}) · {status}"


def sort_agents(agents: Sequence[Agent]) -> list[Agent]:
    return sorted(agents, key=lambda a: (_STATUS_ORDER.get(a.status.upper(), 9), a.name.lower()))


def term_label(code: TermCode) -> str:
    return f"{code.category}: {code.name}" if code.category else code.name
