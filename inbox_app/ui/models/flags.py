"""Item flags shared by the flat list models: rows can be selected, never edited, and
never have children (which spares views asking)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

LEAF = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


def leaf_flags(index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
    return LEAF if index.isValid() else Qt.ItemFlag.NoItemFlags
