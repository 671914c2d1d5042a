"""The agent's window: inboxes on the left, the selected inbox's threads in the middle,
the conversation on the right. It reads only from the store (a read-only connection,
short paged queries) and writes only intents through the service; the sync layer's
change sets tell it what to re-read."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from datetime import datetime
from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, QItemSelection, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMenu,
    QSplitter,
    QSystemTrayIcon,
    QToolBar,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from inbox_app.core.models import Attachment, Direction
from inbox_app.store import queries
from inbox_app.store.db import open_reader
from inbox_app.store.queries import ThreadRow
from inbox_app.sync.changes import AccountStatus, ChangeSet, SyncPhase
from inbox_app.sync.service import InboxService
from inbox_app.ui import thread_actions
from inbox_app.ui.bridge import SyncBridge
from inbox_app.ui.composer import ComposerContext
from inbox_app.ui.conversation import ConversationPane
from inbox_app.ui.delegates.sidebar_delegate import SidebarDelegate
from inbox_app.ui.delegates.thread_delegate import ThreadDelegate
from inbox_app.ui.errors import show_unexpected
from inbox_app.ui.icons import app_icon, badge_icon, icon
from inbox_app.ui.models.inbox_tree import InboxTreeModel
from inbox_app.ui.models.roles import Roles
from inbox_app.ui.models.thread_list import ThreadFilter, ThreadListModel
from inbox_app.ui.settings import restore_window, save_window
from inbox_app.ui.sms_log_launcher import SmsLogLauncher
from inbox_app.ui.thumbnails import ThumbnailCache

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250
REFRESH_EVERY_MS = 100
"""At most one live refresh this often: change sets arriving meanwhile (the accounts
finishing one pass, actions) are merged, so the loop never does the same re-read twice
in a row while a sync keeps it busy."""
SHUTDOWN_GRACE_S = 2.0
STATUS_FILTERS = {
    "Active": ("active",),
    "Resolved and closed": ("resolved", "closed"),
    "All": ("active", "resolved", "closed"),
}


class MainWindow(QMainWindow):
    closed = Signal()

    def __init__(self, service: InboxService, bridge: SyncBridge) -> None:
        super().__init__()
        self.service = service
        self.conn = open_reader(service.db_path)
        self._statuses: dict[str, AccountStatus] = {}
        self._notified_once: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending: dict[str, ChangeSet] = {}
        self.notifications = True
        self.setWindowIcon(app_icon())
        self.setObjectName("MainWindow")

        self.inboxes = InboxTreeModel(self.conn, self)
        self.sidebar = QTreeView()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName("Inboxes")
        self.sidebar.setHeaderHidden(True)
        self.sidebar.setModel(self.inboxes)
        self.sidebar.setUniformRowHeights(True)
        self.sidebar.setItemDelegate(SidebarDelegate(self.sidebar))
        self.inboxes.rowsInserted.connect(lambda *_: self.sidebar.expandAll())

        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search all messages, names and numbers  (Ctrl+F)")
        self.search.setToolTip("A word is matched as you type from its second letter on")
        self.search.setAccessibleName("Search")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.unread_only = QToolButton()
        self.unread_only.setText("Unread")
        self.unread_only.setCheckable(True)
        self.unread_only.setAccessibleName("Show unread threads only")
        self.status_filter = QComboBox()
        self.status_filter.addItems(list(STATUS_FILTERS))
        self.status_filter.setAccessibleName("Thread status filter")

        self.threads = ThreadListModel(self.conn, self)
        self.thread_list = QListView()
        self.thread_list.setObjectName("threads")
        self.thread_list.setAccessibleName("Threads")
        self.thread_list.setModel(self.threads)
        self.thread_list.setItemDelegate(ThreadDelegate(self.thread_list))
        self.thread_list.setUniformItemSizes(True)
        self.thread_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.thread_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.empty_hint = QLabel()
        self.empty_hint.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setWordWrap(True)

        self.conversation = ConversationPane(self.conn)
        self.conversation.use_thumbnails(
            ThumbnailCache(service.attachment_preview, self._spawn, self)
        )

        filters = QHBoxLayout()
        filters.addWidget(self.unread_only)
        filters.addWidget(self.status_filter, 1)
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(4, 4, 4, 4)
        middle_layout.addWidget(self.search)
        middle_layout.addLayout(filters)
        middle_layout.addWidget(self.thread_list, 1)
        middle_layout.addWidget(self.empty_hint)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.conversation)
        self.splitter.setStretchFactor(2, 1)
        self.splitter.setSizes([270, 380, 630])
        self.setCentralWidget(self.splitter)

        self._build_actions()
        self.sms_logs = SmsLogLauncher(self, self.conn, bridge)
        self._build_status_bar()
        self.tray = self._build_tray()

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_filter)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_EVERY_MS)
        self._refresh_timer.timeout.connect(self._apply_changes)
        self.unread_only.toggled.connect(lambda _c: self._apply_filter())
        self.status_filter.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.sidebar.selectionModel().selectionChanged.connect(lambda _s, _d: self._apply_filter())
        self.thread_list.selectionModel().selectionChanged.connect(self._thread_selected)
        self.thread_list.customContextMenuRequested.connect(self._context_menu)
        self.conversation.composer.send_requested.connect(self._send)
        self.conversation.composer.schedule_requested.connect(self._schedule)
        self.conversation.composer.draft_changed.connect(self._save_draft)
        self.conversation.attachment_activated.connect(self._open_attachment)
        attention = self.conversation.attention
        attention.send_again.connect(partial(self._settle, True))
        attention.discard.connect(partial(self._settle, False))
        bridge.changed.connect(self._changed)
        bridge.status.connect(self._status)

        restore_window(self, {"main": self.splitter})
        self.sidebar.expandAll()
        self._painted = False
        self._apply_filter()
        self._update_title()
        self.thread_list.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The first conversation opens once the thread list has painted: its transcript
        (fifty bubbles laid out and drawn) would otherwise hold back the window's first
        appearance."""
        if event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._open_first)
        return False

    def _open_first(self) -> None:
        if self.threads.rowCount() and not self.thread_list.currentIndex().isValid():
            self.thread_list.setCurrentIndex(self.threads.index(0, 0))

    # --- selection and filters -----------------------------------------------------

    def selected_thread(self) -> ThreadRow | None:
        index = self.thread_list.currentIndex()
        if not index.isValid():
            return None
        account = index.data(Roles.AccountRole)
        key = index.data(Roles.KeyRole)
        return queries.get_thread(self.conn, account, key) if account and key else None

    def _current_filter(self) -> ThreadFilter:
        index = self.sidebar.currentIndex()
        account = index.data(Roles.AccountRole) if index.isValid() else None
        channel = index.data(Roles.ChannelKeyRole) if index.isValid() else None
        return ThreadFilter(
            account=account or None,
            channel_key=channel or None,
            unread_only=self.unread_only.isChecked(),
            statuses=STATUS_FILTERS[self.status_filter.currentText()],
            search=self.search.text().strip(),
        )

    def _apply_filter(self) -> None:
        self.threads.set_filter(self._current_filter())
        self._update_empty_hint()
        if not self.threads.rowCount():
            self._show_thread(None)
        elif self._painted:
            self._open_first()

    def _update_empty_hint(self) -> None:
        empty = self.threads.rowCount() == 0
        self.empty_hint.setVisible(empty)
        if not empty:
            return
        if self.search.text().strip():
            self.empty_hint.setText("No conversation matches this search.")
        elif not self.service.accounts:
            self.empty_hint.setText("No accounts yet. Add one under File → Settings… (Ctrl+,).")
        elif not self._statuses or any(
            s.phase is SyncPhase.SYNCING and s.last_synced is None for s in self._statuses.values()
        ):
            self.empty_hint.setText("Loading your inboxes…")
        else:
            self.empty_hint.setText("Nothing here. New conversations appear on their own.")

    def _thread_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_thread(self.selected_thread())

    def _show_thread(self, thread: ThreadRow | None) -> None:
        self.conversation.show_thread(thread)
        self.conversation.composer.set_context(self._composer_context(thread))
        self._update_actions(thread)

    # --- live updates --------------------------------------------------------------

    def _changed(self, changes: ChangeSet) -> None:
        pending = self._pending.setdefault(changes.account, ChangeSet(changes.account))
        pending.merge(changes)
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _apply_changes(self) -> None:
        merged = list(self._pending.values())
        self._pending.clear()
        if not merged:
            return
        self.inboxes.reload()
        self.threads.refresh()
        self._open_first()
        current = self.selected_thread()
        if current is not None and any(
            current.account == changes.account
            and current.key in changes.messages | changes.threads | changes.scheduled
            for changes in merged
        ):
            self.conversation.refresh()
            self.conversation.header.show_thread(current)
            self._update_actions(current)
        self._update_empty_hint()
        self._update_title()
        for changes in merged:
            self._notify(changes)

    def _status(self, status: AccountStatus) -> None:
        self._statuses[status.account] = status
        self.inboxes.set_status(status)
        self._update_status_bar()
        self._update_empty_hint()

    def account_statuses(self) -> dict[str, AccountStatus]:
        return dict(self._statuses)

    def accounts_replaced(self, gone: set[str]) -> None:
        """The settings changed the accounts; those in `gone` left the cache."""
        for name in gone:
            self._pending.pop(name, None)
            self._statuses.pop(name, None)
            self._notified_once.discard(name)
        self.inboxes.reload()
        self.threads.refresh()
        if self.selected_thread() is None:
            self._show_thread(None)
        self._update_status_bar()
        self._update_empty_hint()
        self._update_title()

    def _update_title(self) -> None:
        unread = queries.count_threads(self.conn, unread_only=True)
        suffix = f" ({unread} unread)" if unread else ""
        self.setWindowTitle(f"Agent Inbox{suffix}")
        if self.tray is not None:
            self.tray.setToolTip(f"Agent Inbox: {unread} unread")
            self.tray.setIcon(badge_icon(unread))

    def _notify(self, changes: ChangeSet) -> None:
        """A desktop notification for threads whose newest message is an unread one from
        the customer (not the agent's own reply or action); the first pass of an
        account is the initial load, not news."""
        if changes.account not in self._notified_once:
            self._notified_once.add(changes.account)
            return
        fresh = []
        for key in sorted(changes.messages):
            row = queries.get_thread(self.conn, changes.account, key)
            if row is None or not row.unread or row.status != "active":
                continue
            newest = queries.list_messages(self.conn, changes.account, key, limit=1)
            if newest and newest[0].direction is Direction.IN:
                fresh.append(row)
        if not fresh or self.tray is None or not self.notifications:
            return
        first = fresh[0]
        who = first.customer_name or first.customer_number
        text = first.preview if len(fresh) == 1 else f"{first.preview}\n…and {len(fresh) - 1} more"
        self.tray.showMessage(f"New message from {who}", text, app_icon(), 8000)

    # --- actions -------------------------------------------------------------------

    def _build_actions(self) -> None:
        def make(name: str, text: str, shortcut: str, icon_name: str, tip: str) -> QAction:
            action = QAction(icon(icon_name), text, self)
            action.setObjectName(name)
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{tip} ({QKeySequence(shortcut).toString()})")
            action.setStatusTip(tip)
            self.addAction(action)
            return action

        self.act_read = make("markRead", "Mark read", "Ctrl+I", "mark-read", "Mark the thread read")
        self.act_unread = make(
            "markUnread", "Mark unread", "Ctrl+U", "mark-unread", "Mark the thread unread"
        )
        self.act_group = make(
            "toGroup", "To group inbox", "Ctrl+G", "to-group", "Move the thread to the group inbox"
        )
        self.act_personal = make(
            "toPersonal",
            "To my inbox",
            "Ctrl+Shift+G",
            "to-personal",
            "Move the thread to your personal inbox",
        )
        self.act_transfer = make(
            "transfer", "Transfer…", "Ctrl+T", "transfer", "Transfer the thread to another agent"
        )
        self.act_resolve = make(
            "resolve", "Resolve…", "Ctrl+E", "resolve", "Resolve the thread with a termination code"
        )
        self.act_search = make("focusSearch", "Search", "Ctrl+F", "search", "Search all history")
        self.act_search.triggered.connect(self._focus_search)
        self.act_next = make("nextThread", "Next thread", "Alt+Down", "", "Open the next thread")
        self.act_prev = make(
            "prevThread", "Previous thread", "Alt+Up", "", "Open the previous thread"
        )
        self.act_next.triggered.connect(lambda: self._step_thread(1))
        self.act_prev.triggered.connect(lambda: self._step_thread(-1))
        self.act_reply = make("reply", "Reply", "Ctrl+Shift+R", "send", "Go to the reply box")
        self.act_sync = make(
            "syncNow", "Sync now", "F5", "syncing", "Check every inbox at the vendors now"
        )
        self.act_sync.triggered.connect(lambda: self.service.engine.sync_now())
        self.act_reply.triggered.connect(lambda: self.conversation.composer.editor.setFocus())

        self.thread_actions = [
            self.act_read,
            self.act_unread,
            self.act_group,
            self.act_personal,
            self.act_transfer,
            self.act_resolve,
        ]
        toolbar = QToolBar("Thread actions")
        toolbar.setObjectName("threadActions")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setMovable(False)
        for action in self.thread_actions:
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.act_sync)
        self.addToolBar(toolbar)
        self.toolbar = toolbar

        for action in self.thread_actions:
            action.triggered.connect(partial(self._act, action.objectName()))

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _step_thread(self, step: int) -> None:
        row = self.thread_list.currentIndex().row() + step
        if 0 <= row < self.threads.rowCount():
            self.thread_list.setCurrentIndex(self.threads.index(row, 0))

    def _context_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for action in self.thread_actions:
            menu.addAction(action)
        menu.popup(self.thread_list.viewport().mapToGlobal(pos))

    def _update_actions(self, thread: ThreadRow | None) -> None:
        index = self.thread_list.currentIndex()
        pending = index.data(Roles.PendingRole) if thread is not None and index.isValid() else None
        self.conversation.attention.show_pending(pending)
        for action in self.thread_actions:
            enabled, why = thread_actions.availability(action.objectName(), thread)
            action.setEnabled(enabled)
            shortcut = action.shortcut().toString()
            tip = action.statusTip()
            action.setToolTip(f"{tip} ({shortcut})" if enabled else f"{tip}: {why}")

    def _act(self, action: str, _checked: bool = False) -> None:
        thread = self.selected_thread()
        if thread is not None:
            self._spawn(thread_actions.perform(self, action, thread))

    def _send(self, body: str, sender: str, template_id: object) -> None:
        thread = self.selected_thread()
        if thread is not None:
            template = template_id if isinstance(template_id, str) else None
            self._spawn(thread_actions.send(self, thread, body, sender, template))

    def _schedule(self, body: str, sender: str) -> None:
        thread = self.selected_thread()
        if thread is not None:
            self._spawn(thread_actions.schedule(self, thread, body, sender))

    def _settle(self, send_again: bool, outbox_id: int) -> None:
        thread = self.selected_thread()
        if thread is not None:
            self._spawn(thread_actions.settle(self, thread, outbox_id, send_again))

    def _save_draft(self, text: str) -> None:
        thread = self.selected_thread()
        if thread is not None:
            self._spawn(thread_actions.save_draft(self, thread, text))

    def _open_attachment(self, account: str, attachment: object) -> None:
        if isinstance(attachment, Attachment) and account:
            self._spawn(thread_actions.save_attachment(self, account, attachment))

    def _composer_context(self, thread: ThreadRow | None) -> ComposerContext | None:
        return thread_actions.composer_context(self, thread)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run an action in the background, keeping a reference so it is not collected
        and can be cancelled at shutdown; its errors reach the exception hook."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            show_unexpected(task.exception())  # type: ignore[arg-type]

    # --- status bar and tray -------------------------------------------------------

    def _build_status_bar(self) -> None:
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setAccessibleName("Sync status")
        self.statusBar().addPermanentWidget(self.status_label, 1)

    def _update_status_bar(self) -> None:
        parts = []
        for name, status in sorted(self._statuses.items()):
            parts.append(f"{name}: {describe_status(status)}")
        self.status_label.setText("   |   ".join(parts))

    def _build_tray(self) -> QSystemTrayIcon | None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return None
        tray = QSystemTrayIcon(app_icon(), self)
        tray.activated.connect(self._raise_from_tray)
        tray.show()
        return tray

    def _raise_from_tray(self, _reason: QSystemTrayIcon.ActivationReason) -> None:
        self.showNormal()
        self.activateWindow()

    # --- shutdown ------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        save_window(self, {"main": self.splitter})
        composer = self.conversation.composer
        composer.stop_draft_timer()
        if composer.isEnabled():
            self._save_draft(composer.text())
        event.accept()
        self.closed.emit()

    async def aclose(self) -> None:
        """Let quick work finish (a draft being saved, an intent being queued), cancel
        what waits on the user (an open dialog), then let go of the database."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=SHUTDOWN_GRACE_S)
        pending = set(self._tasks)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
        if self.tray is not None:
            self.tray.hide()
        self._refresh_timer.stop()
        self._pending.clear()
        self.conn.close()


def describe_status(status: AccountStatus) -> str:
    synced = _clock(status.last_synced)
    if status.phase is SyncPhase.SYNCING:
        return "syncing…" if synced is None else f"syncing… (last {synced})"
    if status.phase is SyncPhase.IDLE:
        return f"synced {synced}" if synced else "waiting"
    label = {
        SyncPhase.OFFLINE: "offline",
        SyncPhase.ERROR: "error",
        SyncPhase.AUTH_FAILED: "sign-in failed",
    }[status.phase]
    return f"{label}: {status.error}"


def _clock(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone().strftime("%H:%M:%S")
