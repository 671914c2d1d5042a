"""The sidebar: accounts, and under each its inboxes (channels) with unread/total counts.

Counts are counted from the stored threads, not taken from the vendors' channel counts,
which lag: a sidebar saying "3 unread" above a list showing two is a bug report. A channel
the vendor no longer lists but whose threads are still active stays in the tree (named by
its key) so those threads remain reachable, and account rows sum their channels.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from inbox_app.core.models import ProviderKind
from inbox_app.store import queries, views
from inbox_app.sync.changes import AccountStatus, SyncPhase
from inbox_app.ui.models.diff import emit_changed, reconcile
from inbox_app.ui.models.roles import Roles
from inbox_app.ui.models.text import full_time, one_line, tooltip

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
_ACCOUNT_ID = 0
"""internalId of account rows; a channel row's internalId is its account's serial (> 0)."""


@dataclass(frozen=True, slots=True)
class _Account:
    name: str
    provider: ProviderKind
    unread: int
    total: int


@dataclass(frozen=True, slots=True)
class _Channel:
    account: str
    provider: ProviderKind
    key: str
    name: str
    personal: bool
    listed: bool
    """False for a channel the vendor no longer lists but that still has active threads."""
    unread: int
    total: int


class InboxTreeModel(QAbstractItemModel):
    """Two levels: accounts (by name), then each account's channels in the vendor's order."""

    def __init__(self, conn: sqlite3.Connection, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._conn = conn
        self._serials: dict[str, int] = {}
        self._status: dict[str, AccountStatus] = {}
        self._bold = QFont()
        self._bold.setBold(True)
        self._accounts, self._channels = self._read()
        for account in self._accounts:
            self._serial(account.name)

    # --- public API ---------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read accounts, channels and counts; rows that appeared or vanished are
        inserted or removed, changed counts are dataChanged."""
        accounts, channels = self._read()
        for account in accounts:
            if account.name not in self._channels:
                self._channels[account.name] = list(channels[account.name])
                self._serial(account.name)
        reconcile(self, _ROOT, self._accounts, accounts, _account_name)
        for gone in set(self._channels) - {a.name for a in accounts}:
            del self._channels[gone]
        for row, account in enumerate(self._accounts):
            reconcile(
                self,
                self.index(row, 0),
                self._channels[account.name],
                channels[account.name],
                _channel_key,
            )

    def set_status(self, status: AccountStatus) -> None:
        """Show an account's sync state (SyncStatusRole, tooltip)."""
        self._status[status.account] = status
        row = self._account_row(status.account)
        if row is not None:
            emit_changed(self, _ROOT, [row])

    def index_of(self, account: str, channel_key: str | None = None) -> QModelIndex:
        """The row of an account, or of one of its channels; invalid if not shown."""
        row = self._account_row(account)
        if row is None:
            return QModelIndex()
        parent = self.index(row, 0)
        if channel_key is None:
            return parent
        for n, channel in enumerate(self._channels[account]):
            if channel.key == channel_key:
                return self.index(n, 0, parent)
        return QModelIndex()

    # --- QAbstractItemModel -------------------------------------------------------------

    def index(self, row: int, column: int, parent: _Index = _ROOT) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _ACCOUNT_ID)
        account = self._accounts[parent.row()].name
        return self.createIndex(row, column, self._serials[account])

    def parent(self, child: _Index | None = None) -> Any:
        """The parent row of `child`; without an argument, QObject.parent()."""
        if child is None:
            return super().parent()
        if not child.isValid() or child.internalId() == _ACCOUNT_ID:
            return QModelIndex()
        for row, account in enumerate(self._accounts):
            if self._serials[account.name] == child.internalId():
                return self.createIndex(row, 0, _ACCOUNT_ID)
        return QModelIndex()

    def rowCount(self, parent: _Index = _ROOT) -> int:
        if not parent.isValid():
            return len(self._accounts)
        if parent.internalId() == _ACCOUNT_ID and parent.column() == 0:
            return len(self._channels[self._accounts[parent.row()].name])
        return 0

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 1

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.internalId() != _ACCOUNT_ID:
            flags |= Qt.ItemFlag.ItemNeverHasChildren
        return flags

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == _ACCOUNT_ID:
            return self._account_data(self._accounts[index.row()], role)
        channels = self._channels[self._accounts[self.parent(index).row()].name]
        return self._channel_data(channels[index.row()], role)

    # --- internals ----------------------------------------------------------------------

    def _account_data(self, account: _Account, role: int) -> Any:
        status = self._status.get(account.name)
        match role:
            case Qt.ItemDataRole.DisplayRole:
                return one_line(account.name, 80)
            case Qt.ItemDataRole.FontRole:
                return self._bold if account.unread else None
            case Qt.ItemDataRole.ToolTipRole:
                return tooltip(_describe_account(account, status))
            case Qt.ItemDataRole.AccessibleTextRole:
                return _describe_account(account, status)
            case Roles.AccountRole:
                return account.name
            case Roles.ProviderRole:
                return account.provider
            case Roles.UnreadRole:
                return account.unread
            case Roles.TotalRole:
                return account.total
            case Roles.SyncStatusRole:
                return status
        return None

    def _channel_data(self, channel: _Channel, role: int) -> Any:
        match role:
            case Qt.ItemDataRole.DisplayRole:
                return one_line(channel.name, 80)
            case Qt.ItemDataRole.FontRole:
                return self._bold if channel.unread else None
            case Qt.ItemDataRole.ToolTipRole:
                return tooltip(_describe_channel(channel))
            case Qt.ItemDataRole.AccessibleTextRole:
                return _describe_channel(channel)
            case Roles.AccountRole:
                return channel.account
            case Roles.ProviderRole:
                return channel.provider
            case Roles.ChannelKeyRole:
                return channel.key
            case Roles.UnreadRole:
                return channel.unread
            case Roles.TotalRole:
                return channel.total
            case Roles.PersonalRole:
                return channel.personal
        return None

    def _serial(self, account: str) -> int:
        return self._serials.setdefault(account, len(self._serials) + 1)

    def _account_row(self, account: str) -> int | None:
        return next((n for n, a in enumerate(self._accounts) if a.name == account), None)

    def _read(self) -> tuple[list[_Account], dict[str, list[_Channel]]]:
        providers = {a.name: a.provider for a in queries.list_accounts(self._conn)}
        counts: dict[str, dict[str, views.ChannelCount]] = defaultdict(dict)
        for count in views.channel_counts(self._conn):
            counts[count.account][count.channel_key] = count
        channels: dict[str, list[_Channel]] = {name: [] for name in providers}
        for c in queries.list_channels(self._conn):
            if c.account in providers:
                n = counts[c.account].pop(c.key, None)
                channels[c.account].append(
                    _Channel(
                        account=c.account,
                        provider=providers[c.account],
                        key=c.key,
                        name=c.name,
                        personal=c.personal,
                        listed=True,
                        unread=n.unread if n else 0,
                        total=n.total if n else 0,
                    )
                )
        for account, unlisted in counts.items():
            if account in providers:
                channels[account].extend(
                    _Channel(
                        account=account,
                        provider=providers[account],
                        key=n.channel_key,
                        name=n.channel_key,
                        personal=False,
                        listed=False,
                        unread=n.unread,
                        total=n.total,
                    )
                    for n in unlisted.values()
                )
        accounts = [
            _Account(
                name,
                provider,
                sum(c.unread for c in channels[name]),
                sum(c.total for c in channels[name]),
            )
            for name, provider in providers.items()
        ]
        return accounts, channels


def _account_name(account: _Account) -> str:
    return account.name


def _channel_key(channel: _Channel) -> str:
    return channel.key


_PHASES = {
    SyncPhase.IDLE: "up to date",
    SyncPhase.SYNCING: "syncing…",
    SyncPhase.OFFLINE: "offline",
    SyncPhase.ERROR: "sync failed",
    SyncPhase.AUTH_FAILED: "sign-in failed",
}


def _describe_account(account: _Account, status: AccountStatus | None) -> str:
    text = f"{account.name} ({account.provider}): {account.unread} unread of {account.total}"
    if status is None:
        return text
    text += f"; {_PHASES.get(status.phase, str(status.phase))}"
    if status.error:
        text += f": {one_line(status.error, 300)}"
    if status.last_synced is not None:
        text += f"; last synced {full_time(status.last_synced)}"
    return text


def _describe_channel(channel: _Channel) -> str:
    text = f"{channel.name}: {channel.unread} unread of {channel.total}"
    if not channel.listed:
        text += " (no longer listed by the vendor)"
    return text
