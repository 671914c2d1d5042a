"""Applies what the Settings dialog saves to the running window: changed accounts
restart the sync engine on the new list (removed ones leave the sidebar and the cache),
and the general settings take effect at once. No restart of the app is needed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from inbox_app.config import ConfigError, Settings, load_config
from inbox_app.core.accounts import AccountConfig
from inbox_app.providers.errors import ProviderError
from inbox_app.secret_store import SessionSecrets
from inbox_app.sync.runner import SyncRunner
from inbox_app.ui.errors import show_unexpected
from inbox_app.ui.main_window import MainWindow
from inbox_app.ui.preferences.dialog import SettingsDialog
from inbox_app.ui.preferences.theme import apply_theme
from inbox_app.ui.review.window import ReviewWindow

STATUS_MS = 8000


class LiveSettings:
    def __init__(
        self,
        window: MainWindow | ReviewWindow,
        runner: SyncRunner,
        *,
        config_path: Path,
        memory: SessionSecrets,
        settings: Settings,
        accounts: Sequence[AccountConfig],
        add_secrets: Callable[[Iterable[str]], None],
    ) -> None:
        self.window = window
        self.runner = runner
        self.config_path = config_path
        self.memory = memory
        self.settings = settings
        self.accounts = list(accounts)
        self._add_secrets = add_secrets
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self.dialog: SettingsDialog | None = None
        self.apply_settings(settings)

    def open_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return
        self.dialog = SettingsDialog(self.config_path, self.memory, self.settings, self.window)
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.accounts_changed.connect(lambda: self._spawn(self.reload_accounts()))
        self.dialog.settings_changed.connect(self.apply_settings)
        self.dialog.finished.connect(self._dialog_closed)
        self.dialog.open()

    def _dialog_closed(self, _result: int) -> None:
        self.dialog = None

    def apply_settings(self, settings: Settings) -> None:
        interval_changed = settings.sync_interval != self.runner.interval
        self.settings = settings
        self.window.notifications = settings.notifications
        apply_theme(settings.theme)
        if interval_changed:
            self._spawn(self._restart(self.accounts))

    async def reload_accounts(self) -> None:
        """Read the accounts back from the file (secrets from the keyring or this
        session's memory) and sync exactly those from now on."""
        try:
            config = load_config(
                self.config_path, secret_lookup=self.memory.lookup, ask_missing=True
            )
        except ConfigError as exc:
            self.window.statusBar().showMessage(f"Settings not applied: {exc}", STATUS_MS)
            return
        await self._restart(list(config.accounts))

    async def _restart(self, accounts: list[AccountConfig]) -> None:
        async with self._lock:
            self._add_secrets([s for a in accounts for s in a.secrets()])
            try:
                gone = await self.runner.restart(accounts, self.settings.sync_interval)
            except ProviderError as exc:
                self.window.statusBar().showMessage(f"Accounts not applied: {exc}", STATUS_MS)
                return
            self.accounts = accounts
            self.window.accounts_replaced(gone)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            show_unexpected(task.exception())  # type: ignore[arg-type]

    async def aclose(self) -> None:
        for task in set(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks))
