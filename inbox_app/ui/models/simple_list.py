"""A read-only list of small reference items (templates, term codes, sender ids) for
pickers. These lists are short and replaced whole when the vendor's set changes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from inbox_app.ui.models.flags import leaf_flags
from inbox_app.ui.models.roles import Roles
from inbox_app.ui.models.text import one_line, tooltip

T = TypeVar("T")
_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class SimpleListModel(QAbstractListModel, Generic[T]):
    """Rows are `items`; DisplayRole is `label(item)`, ToolTipRole `describe(item)` (plain
    text, escaped here), ItemRole the item itself."""

    def __init__(
        self,
        label: Callable[[T], str],
        describe: Callable[[T], str] | None = None,
        items: Sequence[T] = (),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._label = label
        self._describe = describe
        self._items: list[T] = list(items)

    def set_items(self, items: Sequence[T]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item_at(self, row: int) -> T | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._items)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return leaf_flags(index)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.item_at(index.row()) if index.isValid() else None
        if item is None:
            return None
        match role:
            case Qt.ItemDataRole.DisplayRole | Roles.NameRole:
                return one_line(self._label(item), 120)
            case Qt.ItemDataRole.ToolTipRole if self._describe is not None:
                return tooltip(self._describe(item))
            case Roles.ItemRole:
                return item
        return None
