"""One thread's transcript, oldest at the top: the newest page loads with the thread, older
pages are inserted above on `fetchMore` (keyed by (at, id), so messages arriving at the
bottom meanwhile never shift a page), and `refresh` applies new and changed messages as
minimal row signals so the reader keeps their place."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from inbox_app.core.models import Direction
from inbox_app.store import views
from inbox_app.store.views import MessageRow, Pending
from inbox_app.ui.models.diff import reconcile
from inbox_app.ui.models.flags import leaf_flags
from inbox_app.ui.models.roles import Roles
from inbox_app.ui.models.text import full_time, one_line, safe_text, tooltip

FIRST_PAGE = 50
"""Messages shown when a thread opens: more than a screen of bubbles, and few enough to
measure and paint at once (a bubble's wrapped layout is the costly part of a transcript)."""
PAGE_SIZE = 200
_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


@dataclass(frozen=True, slots=True)
class _Row:
    message: MessageRow
    body: str
    """The body made safe to draw (see `text.safe_text`)."""
    pending: Pending | None


class MessageListModel(QAbstractListModel):
    """Rows are the messages of the thread given to `set_thread`; empty until then."""

    def __init__(self, conn: sqlite3.Connection, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._conn = conn
        self._thread: tuple[str, str] | None = None
        self._rows: list[_Row] = []
        self._has_older = False
        self._busy = False
        """Set while rows change: a view or tester reacting to a signal must not fetch."""
        self.older_on_demand = False
        """Set by a chat view: Qt asks for more whenever the *last* row is visible, which
        in a transcript is the newest one, so it would load the whole history page after
        page; the view calls `fetch_older` itself when the reader scrolls to the top."""

    # --- public API ---------------------------------------------------------------------

    @property
    def shown_thread(self) -> tuple[str, str] | None:
        """(account, thread key) shown, or None. (Not `thread`: QObject.thread() exists.)"""
        return self._thread

    def set_thread(self, account: str, key: str) -> None:
        """Show a thread's newest FIRST_PAGE messages (a reset)."""
        self._reset((account, key))

    def clear(self) -> None:
        """Show no thread."""
        self._reset(None)

    def refresh(self) -> None:
        """Re-read the messages shown and any newer ones; new rows are appended, changed
        ones (status, a confirmed local send replaced by the vendor's copy) updated."""
        if self._busy or self._thread is None:
            return
        self._busy = True
        try:
            thread_db_id = views.thread_id(self._conn, *self._thread)
            window: list[MessageRow] = []
            if thread_db_id is not None:
                top = self._rows[0].message.sort_key if self._rows else None
                limit = len(self._rows) + PAGE_SIZE
                window = views.message_page(self._conn, thread_db_id, down_to=top, limit=limit)
                if len(window) == limit:
                    self._has_older = True
                elif not self._rows:
                    self._has_older = False
            reconcile(self, _ROOT, self._rows, self._make_rows(window), _row_id)
        finally:
            self._busy = False

    def row_of(self, message_id: str) -> int | None:
        """The row of a message (vendor id, as IdRole), None if it is not loaded."""
        return next(
            (n for n, r in enumerate(self._rows) if r.message.vendor_id == message_id), None
        )

    # --- QAbstractItemModel -------------------------------------------------------------

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return leaf_flags(index)

    def has_older(self) -> bool:
        """Older messages than the top row are in the store."""
        return self._has_older and not self._busy

    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and not self.older_on_demand and self.has_older()

    def fetchMore(self, parent: _Index) -> None:
        if self.canFetchMore(parent):
            self.fetch_older()

    def fetch_older(self) -> None:
        """Insert the page of messages above the top row."""
        if not self.has_older() or self._thread is None:
            return
        self._busy = True
        try:
            thread_db_id = views.thread_id(self._conn, *self._thread)
            if thread_db_id is None or not self._rows:
                self._has_older = False
                return
            page = views.message_page(
                self._conn,
                thread_db_id,
                older_than=self._rows[0].message.sort_key,
                limit=PAGE_SIZE,
            )
            self._has_older = len(page) == PAGE_SIZE
            shown = {r.message.db_id for r in self._rows}
            new = self._make_rows([m for m in page if m.db_id not in shown])
            if new:
                self.beginInsertRows(_ROOT, 0, len(new) - 1)
                self._rows[0:0] = new
                self.endInsertRows()
        finally:
            self._busy = False

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        m = row.message
        match role:
            case Qt.ItemDataRole.DisplayRole | Roles.BodyRole:
                return row.body
            case Qt.ItemDataRole.ToolTipRole:
                return tooltip(_describe(row, with_body=False))
            case Qt.ItemDataRole.AccessibleTextRole:
                return _describe(row, with_body=True)
            case Roles.IdRole:
                return m.vendor_id
            case Roles.DirectionRole:
                return m.direction
            case Roles.AtRole:
                return m.at
            case Roles.StatusRole:
                return m.status
            case Roles.StatusDetailRole:
                return m.status_detail
            case Roles.AttachmentsRole:
                return list(m.attachments)
            case Roles.PendingRole:
                return row.pending
        return None

    # --- internals ----------------------------------------------------------------------

    def _reset(self, thread: tuple[str, str] | None) -> None:
        self._busy = True
        try:
            self.beginResetModel()
            self._thread = thread
            self._rows = []
            self._has_older = False
            thread_db_id = None if thread is None else views.thread_id(self._conn, *thread)
            if thread_db_id is not None:
                page = views.message_page(self._conn, thread_db_id, limit=FIRST_PAGE)
                self._rows = self._make_rows(page)
                self._has_older = len(page) == FIRST_PAGE
            self.endResetModel()
        finally:
            self._busy = False

    def _make_rows(self, messages: list[MessageRow]) -> list[_Row]:
        """Rows with the outbox state of unconfirmed local sends attached."""
        local = {m.db_id: views.local_outbox_id(m.vendor_id) for m in messages}
        items = views.outbox_items(self._conn, [i for i in local.values() if i is not None])
        rows = []
        for m in messages:
            item_id = local[m.db_id]
            rows.append(_Row(m, safe_text(m.body), None if item_id is None else items.get(item_id)))
        return rows


def _row_id(row: _Row) -> int:
    return row.message.db_id


def _describe(row: _Row, *, with_body: bool) -> str:
    m = row.message
    who = "You" if m.direction == Direction.OUT else "Customer"
    text = f"{who}, {full_time(m.at)}"
    if row.pending is not None:
        text += f", {row.pending.state.replace('_', ' ')}"
    elif m.status:
        text += f", {m.status}"
    detail = (row.pending.last_error if row.pending else None) or m.status_detail
    if detail:
        text += f" ({one_line(detail, 300)})"
    if m.attachments:
        text += f", {len(m.attachments)} attachment(s)"
    return f"{text}: {row.body}" if with_body else text
