"""Turning what a model shows into what the store now says with the fewest signals: rows
that left are removed, rows that moved are moved (so a selected thread that jumps to the
top stays selected), new rows are inserted where they belong, changed rows get
dataChanged. A model reset would lose the selection, the scroll position and the
keyboard focus on every sync pass."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex

T = TypeVar("T")
Parent = QModelIndex | QPersistentModelIndex


def reconcile(
    model: QAbstractItemModel,
    parent: Parent,
    rows: list[T],
    target: Sequence[T],
    key: Callable[[T], Hashable],
) -> None:
    """Make `rows` (the model's own storage under `parent`) equal `target`, emitting the
    row signals as it goes. Keys must be unique within `target`. Rows keep their old
    values while rows move around them, so every signal describes a consistent model."""
    wanted = {key(item) for item in target}
    _remove_missing(model, parent, rows, wanted, key)
    present = {key(item) for item in rows}
    i = 0
    while i < len(target):
        k = key(target[i])
        if i < len(rows) and key(rows[i]) == k:
            i += 1
        elif k in present:
            j = next(j for j in range(i + 1, len(rows)) if key(rows[j]) == k)
            model.beginMoveRows(parent, j, j, parent, i)
            rows.insert(i, rows.pop(j))
            model.endMoveRows()
            i += 1
        else:
            end = i + 1
            while end < len(target) and key(target[end]) not in present:
                end += 1
            model.beginInsertRows(parent, i, end - 1)
            rows[i:i] = target[i:end]
            model.endInsertRows()
            i = end
    changed = [n for n, item in enumerate(target) if rows[n] != item]
    for n in changed:
        rows[n] = target[n]
    emit_changed(model, parent, changed)


def _remove_missing(
    model: QAbstractItemModel,
    parent: Parent,
    rows: list[T],
    wanted: set[Hashable],
    key: Callable[[T], Hashable],
) -> None:
    end = len(rows)
    while end > 0:
        if key(rows[end - 1]) in wanted:
            end -= 1
            continue
        start = end - 1
        while start > 0 and key(rows[start - 1]) not in wanted:
            start -= 1
        model.beginRemoveRows(parent, start, end - 1)
        del rows[start:end]
        model.endRemoveRows()
        end = start


def emit_changed(model: QAbstractItemModel, parent: Parent, changed: Sequence[int]) -> None:
    """dataChanged once per run of consecutive rows (ascending row numbers); the models
    here have one column."""
    start = 0
    while start < len(changed):
        end = start
        while end + 1 < len(changed) and changed[end + 1] == changed[end] + 1:
            end += 1
        model.dataChanged.emit(
            model.index(changed[start], 0, parent), model.index(changed[end], 0, parent)
        )
        start = end + 1
