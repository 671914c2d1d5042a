"""The thread list: newest first, a page at a time, uniform rows.

Pages are keyed by the last row's sort key, and `refresh` re-reads exactly the rows down
to that key (plus any that arrived above it) and applies the difference, so a live sync
moves, inserts and updates rows under the user without losing their selection or scroll
position."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from inbox_app.core.models import ThreadStatus
from inbox_app.core.phone import display_number
from inbox_app.store import views
from inbox_app.store.views import Pending, ThreadKey, ThreadScope, ThreadSummary
from inbox_app.ui.models.diff import reconcile
from inbox_app.ui.models.flags import leaf_flags
from inbox_app.ui.models.roles import Roles
from inbox_app.ui.models.text import full_time, one_line, tooltip

PAGE_SIZE = 100
PREVIEW_CHARS = 160
_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


@dataclass(frozen=True, slots=True)
class ThreadFilter:
    """What the list shows. `search` (free text, any input is safe) narrows it to threads
    whose messages or contact match: the `views.SEARCH_THREADS` with the newest matches."""

    account: str | None = None
    channel_key: str | None = None
    unread_only: bool = False
    statuses: tuple[str, ...] = (ThreadStatus.ACTIVE,)
    search: str = ""


@dataclass(frozen=True, slots=True)
class _Row:
    """A thread with its open outbox item and the strings it shows, made once per read
    rather than at every paint."""

    thread: ThreadSummary
    pending: Pending | None
    label: str
    name: str
    number: str
    preview: str


def _make_row(thread: ThreadSummary, pending: Pending | None) -> _Row:
    name = one_line(thread.customer_name, 80)
    number = display_number(thread.customer_number)
    label = name or number  # the number in display form when the vendor has no name
    return _Row(thread, pending, label, name, number, one_line(thread.preview, PREVIEW_CHARS))


class ThreadListModel(QAbstractListModel):
    """Rows are threads; the first page loads at once, the rest on `fetchMore`."""

    def __init__(self, conn: sqlite3.Connection, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._conn = conn
        self._filter = ThreadFilter()
        self._scope = ThreadScope()
        self._rows: list[_Row] = []
        self._ids: set[int] = set()
        """Thread ids of `_rows`, so appending a page costs the page, not the whole list."""
        self._last_key: ThreadKey | None = None
        """Sort key of the last row read from the store: the window's lower edge."""
        self._exhausted = False
        self._busy = False
        """Set while rows change: a view or tester reacting to a signal must not fetch."""
        self._bold = QFont()
        self._bold.setBold(True)
        self._load()

    # --- public API ---------------------------------------------------------------------

    @property
    def filter(self) -> ThreadFilter:
        return self._filter

    def set_filter(self, new_filter: ThreadFilter) -> None:
        """Show other threads: a reset, since hardly any row would survive it."""
        self._busy = True
        try:
            self.beginResetModel()
            self._filter = new_filter
            self._load()
            self.endResetModel()
        finally:
            self._busy = False

    def refresh(self) -> None:
        """Re-read the rows shown (and any newer ones) and apply the difference."""
        if self._busy:
            return
        self._busy = True
        try:
            self._scope = self._make_scope()
            limit = max(len(self._rows), PAGE_SIZE) + PAGE_SIZE
            window = self._read(down_to=None if self._exhausted else self._last_key, limit=limit)
            if len(window) == limit:
                self._exhausted = False
                self._last_key = window[-1].sort_key
            elif self._exhausted:
                self._last_key = window[-1].sort_key if window else None
            reconcile(self, QModelIndex(), self._rows, self._with_pending(window), _row_id)
            self._ids = {r.thread.id for r in self._rows}
        finally:
            self._busy = False

    def key_at(self, row: int) -> tuple[str, str] | None:
        """(account, thread key) of a row, None outside the loaded rows."""
        if not 0 <= row < len(self._rows):
            return None
        thread = self._rows[row].thread
        return thread.account, thread.key

    def row_of(self, account: str, key: str) -> int | None:
        """The row showing a thread, None if it is not loaded (or not in this list)."""
        return next(
            (
                n
                for n, r in enumerate(self._rows)
                if r.thread.key == key and r.thread.account == account
            ),
            None,
        )

    # --- QAbstractItemModel -------------------------------------------------------------

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return leaf_flags(index)

    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and not self._exhausted and not self._busy

    def fetchMore(self, parent: _Index) -> None:
        if not self.canFetchMore(parent):
            return
        self._busy = True
        try:
            page = self._read(older_than=self._last_key, limit=PAGE_SIZE)
            self._exhausted = len(page) < PAGE_SIZE
            if page:
                self._last_key = page[-1].sort_key
            new = self._with_pending([t for t in page if t.id not in self._ids], fresh=True)
            if new:
                first = len(self._rows)
                self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
                self._rows.extend(new)
                self._ids.update(r.thread.id for r in new)
                self.endInsertRows()
        finally:
            self._busy = False

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        t = row.thread
        match role:
            case Qt.ItemDataRole.DisplayRole:
                return row.label
            case Qt.ItemDataRole.FontRole:
                return self._bold if t.unread else None
            case Qt.ItemDataRole.ToolTipRole:
                return tooltip(_describe(row))
            case Qt.ItemDataRole.AccessibleTextRole:
                return _describe(row)
            case Roles.KeyRole:
                return t.key
            case Roles.AccountRole:
                return t.account
            case Roles.ProviderRole:
                return t.provider
            case Roles.ChannelKeyRole:
                return t.channel_key
            case Roles.CustomerNameRole:
                return row.name
            case Roles.CustomerNumberRole:
                return row.number
            case Roles.PreviewRole:
                return row.preview
            case Roles.LastAtRole:
                return t.last_message_at
            case Roles.UnreadRole:
                return t.unread
            case Roles.StatusRole:
                return t.status
            case Roles.DoNotContactRole:
                return t.do_not_contact
            case Roles.OptedOutRole:
                return t.opted_out
            case Roles.PendingRole:
                return row.pending
        return None

    # --- internals ----------------------------------------------------------------------

    def _load(self) -> None:
        self._scope = self._make_scope()
        page = self._read(limit=PAGE_SIZE)
        self._rows = self._with_pending(page)
        self._ids = {r.thread.id for r in self._rows}
        self._last_key = page[-1].sort_key if page else None
        self._exhausted = len(page) < PAGE_SIZE

    def _read(
        self,
        *,
        older_than: ThreadKey | None = None,
        down_to: ThreadKey | None = None,
        limit: int,
    ) -> list[ThreadSummary]:
        """A page of the current scope; a list over another query overrides this and
        `_make_scope` together."""
        return views.thread_summaries(
            self._conn, self._scope, older_than=older_than, down_to=down_to, limit=limit
        )

    def _make_scope(self) -> ThreadScope:
        f = self._filter
        ids = (
            views.search_thread_ids(self._conn, f.search, account=f.account)
            if f.search.strip()
            else None
        )
        return ThreadScope(f.account, f.channel_key, f.unread_only, f.statuses, ids)

    def _with_pending(self, threads: list[ThreadSummary], *, fresh: bool = False) -> list[_Row]:
        """Rows for `threads`, reusing the shown row of a thread that did not change (its
        strings cost a phone-number parse each); `fresh` threads are none of the shown."""
        pending = views.open_outbox_by_thread(self._conn, [(t.account, t.key) for t in threads])
        shown = {} if fresh else {r.thread.id: r for r in self._rows}
        rows = []
        for t in threads:
            item = pending.get((t.account, t.key))
            row = shown.get(t.id)
            if row is None or row.thread != t or row.pending != item:
                row = _make_row(t, item)
            rows.append(row)
        return rows


def _row_id(row: _Row) -> int:
    return row.thread.id


def _describe(row: _Row) -> str:
    """One plain sentence for screen readers and tooltips."""
    t = row.thread
    parts = [row.label]
    if row.name:
        parts.append(row.number)
    if t.unread:
        parts.append("unread")
    if t.status != ThreadStatus.ACTIVE:
        parts.append(str(t.status))
    if t.last_message_at is not None:
        parts.append(full_time(t.last_message_at))
    if t.do_not_contact:
        parts.append("do not contact")
    if t.opted_out:
        parts.append("opted out")
    if row.pending is not None:
        parts.append(f"{row.pending.kind} {row.pending.state.replace('_', ' ')}")
        if row.pending.last_error:
            parts.append(one_line(row.pending.last_error))
    text = ", ".join(parts)
    return f"{text}: {row.preview}" if row.preview else text
