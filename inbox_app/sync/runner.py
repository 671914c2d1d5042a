"""Owns the window's sync task, so settings can change the accounts and the interval
while the app runs: stop the task, swap the engine, start again."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

from inbox_app.core.accounts import AccountConfig
from inbox_app.sync.service import InboxService


class SyncRunner:
    def __init__(self, service: InboxService, interval: float) -> None:
        self.service = service
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self.service.run(self.interval), name="sync")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def restart(self, accounts: Sequence[AccountConfig], interval: float) -> set[str]:
        """Sync `accounts` every `interval` seconds from now on; returns the names of
        accounts that were dropped (their cache is gone). If an account cannot be set
        up (ProviderError: a vendor this version does not support), the error is
        raised and the old accounts keep syncing."""
        await self.stop()
        self.interval = interval
        try:
            return await self.service.replace_accounts(accounts)
        finally:
            self.start()
