"""The SMS log table: an account's messages newest first under a `LogFilter`, a page at a
time from the store as the view scrolls (`fetchMore`, keyed by (at, id)), and `refresh`
applying what a sync pass changed as row signals so the reader keeps their place."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from inbox_app.core.models import Direction
from inbox_app.core.phone import display_number
from inbox_app.store.sms_logs import LogFilter, LogRow, log_page
from inbox_app.ui.models.diff import reconcile
from inbox_app.ui.models.flags import leaf_flags
from inbox_app.ui.models.roles import Roles
from inbox_app.ui.models.text import full_time, one_line, safe_text, size_label, tooltip

PAGE_SIZE = 200
COLUMNS = ("Time", "Direction", "Customer", "Our number", "Status", "Message")
MESSAGE_COLUMN = COLUMNS.index("Message")
_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class SmsLogModel(QAbstractTableModel):
    """Empty until `set_filter`. DisplayRole is one plain line per cell; the tooltip and
    accessible text of a row carry the whole message and the vendor's status detail."""

    def __init__(self, conn: sqlite3.Connection, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._conn = conn
        self._filter: LogFilter | None = None
        self._rows: list[LogRow] = []
        self._has_more = False
        self._busy = False

    @property
    def log_filter(self) -> LogFilter | None:
        return self._filter

    def set_filter(self, log_filter: LogFilter | None) -> None:
        """Show the newest page matching `log_filter` (a reset); None shows nothing."""
        self._busy = True
        try:
            self.beginResetModel()
            self._filter = log_filter
            self._rows = []
            self._has_more = False
            if log_filter is not None:
                self._rows = log_page(self._conn, log_filter, limit=PAGE_SIZE)
                self._has_more = len(self._rows) == PAGE_SIZE
            self.endResetModel()
        finally:
            self._busy = False

    def refresh(self) -> None:
        """Re-read the rows shown and up to a page of newer ones."""
        if self._busy or self._filter is None:
            return
        self._busy = True
        try:
            bottom = self._rows[-1].sort_key if self._rows else None
            limit = len(self._rows) + PAGE_SIZE
            fresh = log_page(self._conn, self._filter, down_to=bottom, limit=limit)
            before = {r.db_id: r for r in self._rows}
            reconcile(self, _ROOT, self._rows, fresh, _row_id)
            if len(fresh) == limit or not before:
                self._has_more = len(fresh) == limit
            changed = [n for n, r in enumerate(self._rows) if before.get(r.db_id, r) != r]
            if changed:
                self.dataChanged.emit(
                    self.index(changed[0], 0), self.index(changed[-1], len(COLUMNS) - 1)
                )
        finally:
            self._busy = False

    def row_at(self, row: int) -> LogRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # --- QAbstractItemModel -------------------------------------------------------------

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return leaf_flags(index)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and self._has_more and not self._busy

    def fetchMore(self, parent: _Index) -> None:
        if not self.canFetchMore(parent) or self._filter is None or not self._rows:
            return
        self._busy = True
        try:
            page = log_page(
                self._conn, self._filter, older_than=self._rows[-1].sort_key, limit=PAGE_SIZE
            )
            self._has_more = len(page) == PAGE_SIZE
            if page:
                first = len(self._rows)
                self.beginInsertRows(_ROOT, first, first + len(page) - 1)
                self._rows.extend(page)
                self.endInsertRows()
        finally:
            self._busy = False

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        match role:
            case Qt.ItemDataRole.DisplayRole:
                return _cell(row, index.column())
            case Qt.ItemDataRole.ToolTipRole:
                return tooltip(_describe(row))
            case Qt.ItemDataRole.AccessibleTextRole:
                return _describe(row)
            case Roles.IdRole:
                return row.vendor_id
            case Roles.KeyRole:
                return row.thread_key
            case Roles.DirectionRole:
                return row.direction
            case Roles.AtRole:
                return row.at
            case Roles.BodyRole:
                return safe_text(row.body)
        return None


def _row_id(row: LogRow) -> int:
    return row.db_id


def _direction(row: LogRow) -> str:
    return "Incoming" if row.direction is Direction.IN else "Outgoing"


def _message(row: LogRow) -> str:
    text = one_line(row.body, 200)
    return f"📎{len(row.attachments)} {text}".rstrip() if row.attachments else text


_CELLS: tuple[Callable[[LogRow], str], ...] = (
    lambda r: full_time(r.at),
    _direction,
    lambda r: display_number(r.customer_number),
    lambda r: display_number(r.our_number) or "—",
    lambda r: one_line(r.status, 40),
    _message,
)
"""One per column of COLUMNS."""


def _cell(row: LogRow, column: int) -> str:
    return _CELLS[column](row) if 0 <= column < len(_CELLS) else ""


def _describe(row: LogRow) -> str:
    text = f"{_direction(row)}, {full_time(row.at)}, {display_number(row.customer_number)}"
    if row.status:
        text += f", {one_line(row.status, 40)}"
    if row.status_detail:
        text += f" ({one_line(row.status_detail, 300)})"
    for attachment in row.attachments:
        text += f", attachment {one_line(attachment.name, 80)} {size_label(attachment.size)}"
    return f"{text}: {safe_text(row.body)}"
