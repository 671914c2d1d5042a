"""Turns the sync layer's plain callbacks into Qt signals (qutebrowser/Electrum style):
nothing below ui/ imports Qt, and widgets never hold a reference to the engine's
internals, only to these signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from inbox_app.sync.changes import AccountStatus, ChangeSet


class SyncBridge(QObject):
    changed = Signal(object)
    """A ChangeSet: what a sync pass or an action changed in the store."""
    status = Signal(object)
    """An AccountStatus: syncing, synced at, offline, error with its reason."""

    def on_change(self, changes: ChangeSet) -> None:
        self.changed.emit(changes)

    def on_status(self, status: AccountStatus) -> None:
        self.status.emit(status)
