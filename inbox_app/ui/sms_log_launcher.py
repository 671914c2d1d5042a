"""The "SMS logs…" action (Ctrl+Shift+L, at the end of the toolbar) and the sidebar's
right-click menu on a Zoho Voice account. The log window itself (sms_logs.py) is
imported when first opened: the main window paints sooner."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar, QTreeView

from inbox_app.core.models import ProviderKind
from inbox_app.store import queries
from inbox_app.ui.bridge import SyncBridge
from inbox_app.ui.icons import icon
from inbox_app.ui.models.roles import Roles

if TYPE_CHECKING:
    from inbox_app.ui.sms_logs import SmsLogDialog


class SmsLogLauncher(QObject):
    """Opens the log window of a Zoho Voice account, one per account."""

    def __init__(self, window: QMainWindow, conn: sqlite3.Connection, bridge: SyncBridge):
        super().__init__(window)
        self._window = window
        self._conn = conn
        self._bridge = bridge
        self._dialogs: dict[str, SmsLogDialog] = {}
        self.action = QAction(icon("search"), "SMS logs…", window)
        self.action.setObjectName("smsLogs")
        self.action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        tip = "Zoho Voice SMS logs, with filters"
        self.action.setStatusTip(tip)
        self.action.setToolTip(f"{tip} ({self.action.shortcut().toString()})")
        self.action.triggered.connect(lambda _c=False: self.open_for(self._chosen_account()))
        window.addAction(self.action)
        toolbar = window.findChild(QToolBar)
        if toolbar is not None:
            toolbar.addSeparator()
            toolbar.addAction(self.action)
        self._sidebar = window.findChild(QTreeView, "sidebar")
        if self._sidebar is not None:
            self._sidebar.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            self._sidebar.customContextMenuRequested.connect(self._sidebar_menu)

    def zoho_accounts(self) -> list[str]:
        return [
            a.name for a in queries.list_accounts(self._conn) if a.provider is ProviderKind.ZOHO
        ]

    def open_for(self, account: str | None) -> SmsLogDialog | None:
        if account is None:
            self._window.statusBar().showMessage("No Zoho Voice account has SMS logs.", 5000)
            return None
        dialog = self._dialogs.get(account)
        if dialog is None:
            from inbox_app.ui.sms_logs import SmsLogDialog

            dialog = SmsLogDialog(self._conn, account, self._window)
            self._bridge.changed.connect(dialog.on_change)
            self._dialogs[account] = dialog
        if dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
        else:
            dialog.show()
        return dialog

    def _chosen_account(self) -> str | None:
        """The Zoho account selected in the sidebar, else the first one."""
        zoho = self.zoho_accounts()
        if self._sidebar is not None:
            selected = self._sidebar.currentIndex().data(Roles.AccountRole)
            if selected in zoho:
                return str(selected)
        return zoho[0] if zoho else None

    def sidebar_menu(self, index: QModelIndex) -> QMenu | None:
        """The right-click menu of a sidebar row: "SMS logs…" on a Zoho Voice account
        or inbox, nothing elsewhere."""
        if not index.isValid() or index.data(Roles.ProviderRole) != ProviderKind.ZOHO:
            return None
        account = str(index.data(Roles.AccountRole))
        menu = QMenu(self._sidebar)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction(icon("search"), "SMS logs…", lambda: self.open_for(account))
        return menu

    def _sidebar_menu(self, pos: QPoint) -> None:
        assert self._sidebar is not None
        menu = self.sidebar_menu(self._sidebar.indexAt(pos))
        if menu is not None:
            menu.popup(self._sidebar.viewport().mapToGlobal(pos))
