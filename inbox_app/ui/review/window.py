"""The supervisor's review window: every cached conversation of every account and vendor
in one list, narrowed by the filter bar, with the transcript of the selected one, a
per-day volume chart of the set, and transcript exports to CSV and PDF. It is read-only
by construction: there is no reply box and no thread action, and it never writes to the
store. Counts and the chart are read on a worker thread (over 200k messages they take
longer than a frame); the list pages on the UI thread as the agent's does."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QItemSelection, QSettings, QStandardPaths, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QLabel,
    QListView,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from inbox_app.core.phone import display_number
from inbox_app.store import queries, review
from inbox_app.store.db import open_reader
from inbox_app.store.queries import ThreadRow
from inbox_app.store.review import ReviewFilter, ReviewTotals
from inbox_app.store.transcript import ExportCancelled
from inbox_app.sync.changes import AccountStatus, ChangeSet
from inbox_app.ui.bridge import SyncBridge
from inbox_app.ui.conversation import ConversationHeader
from inbox_app.ui.delegates.bubble_delegate import BubbleDelegate
from inbox_app.ui.delegates.thread_delegate import ThreadDelegate
from inbox_app.ui.errors import show_unexpected
from inbox_app.ui.icons import app_icon
from inbox_app.ui.main_window import describe_status
from inbox_app.ui.models.messages import MessageListModel
from inbox_app.ui.models.roles import Roles
from inbox_app.ui.review.export import ExportFormat, ExportJob
from inbox_app.ui.review.filter_bar import FilterBar
from inbox_app.ui.review.thread_model import ReviewThreadModel
from inbox_app.ui.review.volume_chart import VolumeChart

log = logging.getLogger(__name__)

MESSAGE_MS = 10_000
_SETTINGS = "review"


class TranscriptPane(QWidget):
    """Who the customer is and the transcript as bubbles: the agent window's pieces
    without its reply box."""

    def __init__(self, conn: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = ConversationHeader()
        self.model = MessageListModel(conn, self)
        self.transcript = QListView()
        self.transcript.setObjectName("transcript")
        self.transcript.setAccessibleName("Conversation transcript")
        self.transcript.setModel(self.model)
        self.transcript.setItemDelegate(BubbleDelegate(self.transcript))
        self.transcript.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.transcript.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.transcript.setWordWrap(True)
        self.transcript.setResizeMode(QListView.ResizeMode.Adjust)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.transcript, 1)

    def show_thread(self, thread: ThreadRow | None) -> None:
        self.header.show_thread(thread)
        if thread is None:
            self.model.clear()
            return
        self.model.set_thread(thread.account, thread.key)
        self.transcript.scrollToBottom()


class ReviewWindow(QMainWindow):
    closed = Signal()
    totals_shown = Signal(object)
    """The ReviewTotals now shown (for whoever waits on the worker-thread read)."""

    def __init__(self, db_path: Path, bridge: SyncBridge | None = None) -> None:
        super().__init__()
        self.db_path = db_path
        self.conn = open_reader(db_path)
        self._stats_conn = open_reader(db_path)
        """Used by one worker-thread read at a time (see `_stats_loop`)."""
        self._stats_wanted = False
        self._stats_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._statuses: dict[str, AccountStatus] = {}
        self.notifications = False
        """Review has no new-message notifications; the settings may still set this."""
        self.totals: ReviewTotals | None = None
        self.export_job: ExportJob | None = None
        """The newest export (running or done)."""
        self.setObjectName("ReviewWindow")
        self.setWindowIcon(app_icon())
        self.setWindowTitle("Agent Inbox: supervisor review")

        self.filters = FilterBar(self.conn)
        self.summary = QLabel()
        self.summary.setObjectName("reviewSummary")
        self.summary.setAccessibleName("Filtered set")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.chart = VolumeChart()
        self.threads = ReviewThreadModel(self.conn, self)
        self.thread_list = QListView()
        self.thread_list.setObjectName("threads")
        self.thread_list.setAccessibleName("Conversations")
        self.thread_list.setModel(self.threads)
        self.thread_list.setItemDelegate(ThreadDelegate(self.thread_list))
        self.thread_list.setUniformItemSizes(True)
        self.thread_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.pane = TranscriptPane(self.conn)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 0, 4, 4)
        left_layout.addWidget(self.summary)
        left_layout.addWidget(self.thread_list, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("reviewSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.pane)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([420, 760])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filters)
        layout.addWidget(self.chart)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setAccessibleName("Sync status")
        self.statusBar().addPermanentWidget(self.status_label, 1)
        self._build_actions()

        self.filters.changed.connect(self._apply_filter)
        self.thread_list.selectionModel().selectionChanged.connect(self._thread_selected)
        if bridge is not None:
            bridge.changed.connect(self._changed)
            bridge.status.connect(self._status)
        self._restore()
        self._apply_filter()

    # --- actions -------------------------------------------------------------------

    def _build_actions(self) -> None:
        def make(name: str, text: str, tip: str, scope: str, fmt: ExportFormat) -> QAction:
            action = QAction(text, self)
            action.setObjectName(name)
            action.setToolTip(tip)
            action.setStatusTip(tip)
            action.triggered.connect(lambda _c=False: self._spawn(self._ask_and_export(scope, fmt)))
            return action

        self.act_thread_csv = make(
            "exportThreadCsv",
            "Conversation to CSV…",
            "Export the selected conversation's transcript as CSV",
            "thread",
            ExportFormat.CSV,
        )
        self.act_thread_pdf = make(
            "exportThreadPdf",
            "Conversation to PDF…",
            "Export the selected conversation's transcript as PDF",
            "thread",
            ExportFormat.PDF,
        )
        self.act_set_csv = make(
            "exportSetCsv",
            "Filtered set to CSV…",
            "Export every conversation the filters show as one CSV transcript",
            "set",
            ExportFormat.CSV,
        )
        self.act_set_pdf = make(
            "exportSetPdf",
            "Filtered set to PDF…",
            "Export every conversation the filters show as one PDF transcript",
            "set",
            ExportFormat.PDF,
        )
        self.export_actions = [
            self.act_thread_csv,
            self.act_thread_pdf,
            self.act_set_csv,
            self.act_set_pdf,
        ]
        self.toolbar = toolbar = QToolBar("Export")
        toolbar.setObjectName("exportActions")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addWidget(QLabel(" Export: "))
        for action in self.export_actions:
            toolbar.addAction(action)
        self.addToolBar(toolbar)
        search = QAction("Search", self)
        search.setObjectName("focusSearch")
        search.setShortcut(QKeySequence("Ctrl+F"))
        search.triggered.connect(self._focus_search)
        self.addAction(search)

    def _focus_search(self) -> None:
        self.filters.search.setFocus()
        self.filters.search.selectAll()

    def _update_export_actions(self, busy: bool = False) -> None:
        has_thread = self.thread_list.currentIndex().isValid()
        has_set = self.threads.rowCount() > 0
        for action in (self.act_thread_csv, self.act_thread_pdf):
            action.setEnabled(not busy and has_thread)
        for action in (self.act_set_csv, self.act_set_pdf):
            action.setEnabled(not busy and has_set)

    # --- filters, list, transcript -------------------------------------------------

    @property
    def review_filter(self) -> ReviewFilter:
        return self.threads.review_filter

    def selected_thread(self) -> ThreadRow | None:
        index = self.thread_list.currentIndex()
        if not index.isValid():
            return None
        return queries.get_thread(
            self.conn, index.data(Roles.AccountRole), index.data(Roles.KeyRole)
        )

    def _apply_filter(self) -> None:
        self.threads.set_review_filter(self.filters.current())
        if self.threads.rowCount():
            self.thread_list.setCurrentIndex(self.threads.index(0, 0))
        else:
            self.pane.show_thread(None)
        self._update_export_actions(busy=self._exporting())
        self._request_totals()

    def _thread_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.pane.show_thread(self.selected_thread())
        self._update_export_actions(busy=self._exporting())

    def _changed(self, changes: ChangeSet) -> None:
        self.filters.reload_choices()
        self.threads.refresh()
        current = self.selected_thread()
        if (
            current is not None
            and current.account == changes.account
            and (current.key in changes.messages or current.key in changes.threads)
        ):
            self.pane.model.refresh()
            self.pane.header.show_thread(current)
        self._update_export_actions(busy=self._exporting())
        self._request_totals()

    def account_statuses(self) -> dict[str, AccountStatus]:
        return dict(self._statuses)

    def accounts_replaced(self, gone: set[str]) -> None:
        """The settings changed the accounts; those in `gone` left the cache."""
        for name in gone:
            self._statuses.pop(name, None)
        self.filters.reload_choices()
        self._apply_filter()

    def _status(self, status: AccountStatus) -> None:
        self._statuses[status.account] = status
        self.status_label.setText(
            "   |   ".join(f"{n}: {describe_status(s)}" for n, s in sorted(self._statuses.items()))
        )

    # --- totals and chart (worker thread) ------------------------------------------

    def _request_totals(self) -> None:
        """Re-read counts and volumes; one read runs at a time on `_stats_conn`, and a
        request during it makes it read once more for the newest filter."""
        self._stats_wanted = True
        if self._stats_task is None or self._stats_task.done():
            self._stats_task = asyncio.ensure_future(self._stats_loop())
            self._tasks.add(self._stats_task)
            self._stats_task.add_done_callback(self._task_done)

    async def _stats_loop(self) -> None:
        while self._stats_wanted:
            self._stats_wanted = False
            f = self.review_filter
            result = await asyncio.to_thread(review.totals, self._stats_conn, f)
            if not self._stats_wanted:
                self._show_totals(result)

    def _show_totals(self, totals: ReviewTotals) -> None:
        self.totals = totals
        self.summary.setText(
            f"{totals.threads:,} conversation{'s' if totals.threads != 1 else ''}"
            f" · {totals.messages:,} message{'s' if totals.messages != 1 else ''}"
        )
        self.chart.set_days(totals.days)
        self.totals_shown.emit(totals)

    # --- exports -------------------------------------------------------------------

    def _exporting(self) -> bool:
        return any(t.get_name() == "export" for t in self._tasks if not t.done())

    def export_scope(self, scope: str) -> tuple[ReviewFilter, str, str] | None:
        """(filter, PDF title, suggested file stem) of "thread" or the filtered "set"."""
        if scope == "thread":
            thread = self.selected_thread()
            if thread is None:
                return None
            who = thread.customer_name or display_number(thread.customer_number)
            return (
                ReviewFilter(accounts=(thread.account,), thread_key=thread.key),
                f"Transcript: {who} ({thread.account})",
                f"transcript-{_file_part(thread.key)}",
            )
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        return (
            self.review_filter,
            "Transcripts: " + describe(self.review_filter),
            f"transcripts-{stamp}",
        )

    async def _ask_and_export(self, scope: str, fmt: ExportFormat) -> None:
        chosen = self.export_scope(scope)
        if chosen is None:
            return
        _f, _title, stem = chosen
        target = await self._ask_path(f"{stem}.{fmt}", fmt)
        if target is not None:
            await self.export_to(target, scope, fmt)

    async def _ask_path(self, name: str, fmt: ExportFormat) -> Path | None:
        """A save dialog opened with open() and awaited (exec() would break the loop)."""
        base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        dialog = QFileDialog(self, "Export transcript", str(Path(base or Path.home()) / name))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(
            "CSV files (*.csv)" if fmt is ExportFormat.CSV else "PDF files (*.pdf)"
        )
        dialog.setDefaultSuffix(str(fmt))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        done: asyncio.Future[Path | None] = asyncio.get_running_loop().create_future()

        def settle(path: Path | None) -> None:
            if not done.done():
                done.set_result(path)

        dialog.fileSelected.connect(lambda path: settle(Path(path)))
        dialog.rejected.connect(lambda: settle(None))
        dialog.open()
        return await done

    async def export_to(self, target: Path, scope: str, fmt: ExportFormat) -> int | None:
        """Export "thread" or the filtered "set" to `target`; the outcome goes to the
        status bar (or a message box for a file that cannot be written). Returns the
        number of messages written, None if nothing was."""
        chosen = self.export_scope(scope)
        if chosen is None:
            return None
        f, title, _stem = chosen
        self._update_export_actions(busy=True)
        self.statusBar().showMessage(f"Exporting to {target.name}…")
        self.export_job = ExportJob(self, self.db_path, f, fmt, target, title=title)
        try:
            written = await self.export_job.run()
        except ExportCancelled:
            self.statusBar().showMessage("Export cancelled; nothing was written.", MESSAGE_MS)
            return None
        except OSError as exc:
            self.statusBar().clearMessage()
            await self._tell(
                "The transcript could not be saved", f"{target}: {exc.strerror or exc}"
            )
            return None
        finally:
            self._update_export_actions()
        self.statusBar().showMessage(f"Exported {written:,} messages to {target}", MESSAGE_MS)
        return written

    async def _tell(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        done = asyncio.Event()
        box.finished.connect(lambda _r: done.set())
        box.open()
        await done.wait()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        task.set_name("export")
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            show_unexpected(task.exception())  # type: ignore[arg-type]

    # --- window state and shutdown -------------------------------------------------

    def _restore(self) -> None:
        store = QSettings()
        geometry = store.value(f"{_SETTINGS}/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 820)
        sizes = store.value(f"{_SETTINGS}/splitter")
        if isinstance(sizes, QByteArray):
            self.splitter.restoreState(sizes)

    def closeEvent(self, event: QCloseEvent) -> None:
        store = QSettings()
        store.setValue(f"{_SETTINGS}/geometry", self.saveGeometry())
        store.setValue(f"{_SETTINGS}/splitter", self.splitter.saveState())
        store.sync()
        event.accept()
        self.closed.emit()

    async def aclose(self) -> None:
        """Stop a running export (its partial file is removed), close an open save
        dialog, let the running reads end, then let go of the database."""
        if self.export_job is not None:
            self.export_job.cancel()
        for task in set(self._tasks):
            if task.get_name() == "export":
                task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks))
        self.conn.close()
        self._stats_conn.close()


def describe(f: ReviewFilter) -> str:
    """The filter in words, for a PDF's title."""
    parts: list[str] = []
    if f.accounts:
        parts.append(", ".join(f.accounts))
    if f.inboxes:
        parts.append("inbox " + ", ".join(key for _account, key in f.inboxes))
    if f.agent:
        parts.append(f"agent {f.agent}")
    if f.direction is not None:
        parts.append("inbound" if f.direction == "in" else "outbound")
    if f.statuses:
        parts.append(" or ".join(f.statuses))
    if f.since is not None:
        parts.append(f"from {f.since.astimezone():%Y-%m-%d}")
    if f.until is not None:
        parts.append(f"before {f.until.astimezone():%Y-%m-%d}")
    if f.customer:
        parts.append(f"number {f.customer}")
    if f.text:
        parts.append(f"matching “{f.text}”")
    return "; ".join(parts) or "all conversations"


def _file_part(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)[:60] or "thread"
