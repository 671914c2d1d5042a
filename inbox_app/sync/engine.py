"""Runs every account's sync side by side. One failing account never stops the others:
each pass ends in an AccountStatus, and only bad credentials stop an account's loop
(retrying a refused password would only lock the agent out).

Each pass first drains the account's outbox (so the vendor has the agent's actions before
its lists are read back), and `kick` drains it at once between passes: a queued action
goes out within a moment, not at the next pass.

When the engine starts and after each pass, unless a bulk pass (a first sync, say) is
still running, the messages stored meanwhile go into the time-ordered search index (see
store/time_index.py), in chunks, one job each, stopping when a bulk pass starts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from inbox_app.core.accounts import AccountConfig
from inbox_app.providers.base import Provider
from inbox_app.providers.errors import AuthError, NetworkError, ProviderError
from inbox_app.providers.registry import create_provider
from inbox_app.store import time_index
from inbox_app.store.errors import WriterClosedError
from inbox_app.store.writer import Writer
from inbox_app.sync.account_sync import AccountSync, ProgressCallback, SyncTuning
from inbox_app.sync.changes import AccountStatus, ChangeSet, SyncPhase
from inbox_app.sync.outbox_drain import DrainResult, OutboxDrain

log = logging.getLogger(__name__)

ProviderFactory = Callable[[AccountConfig], Provider]
ChangeCallback = Callable[[ChangeSet], None]
StatusCallback = Callable[[AccountStatus], None]


class SyncEngine:
    def __init__(
        self,
        accounts: Sequence[AccountConfig],
        writer: Writer,
        *,
        provider_factory: ProviderFactory = create_provider,
        on_change: ChangeCallback | None = None,
        on_status: StatusCallback | None = None,
        on_progress: ProgressCallback | None = None,
        tuning: SyncTuning | None = None,
    ) -> None:
        self._syncs = [
            AccountSync(
                account,
                provider_factory(account),
                writer,
                tuning=tuning,
                on_progress=on_progress,
            )
            for account in accounts
        ]
        self._drains = {
            s.name: OutboxDrain(s.account, s.provider, writer, on_change) for s in self._syncs
        }
        self._wake = {s.name: asyncio.Event() for s in self._syncs}
        self._writer = writer
        self._on_change = on_change
        self._on_status = on_status
        self._running: set[AccountSync] = set()
        self._indexing: asyncio.Task[None] | None = None
        self.statuses: dict[str, AccountStatus] = {
            s.name: AccountStatus(s.name, SyncPhase.IDLE) for s in self._syncs
        }

    @property
    def providers(self) -> dict[str, Provider]:
        return {s.name: s.provider for s in self._syncs}

    async def run_once(self) -> dict[str, AccountStatus]:
        """Drain each account's outbox, then one pass over every account at once;
        returns how each one ended."""
        await asyncio.gather(*(self._drain_then_pass(s) for s in self._syncs))
        return dict(self.statuses)

    def sync_now(self) -> None:
        """Every account checks everything at its vendor now, not at the next tick."""
        for sync in self._syncs:
            sync.check_everything_next()
            self.kick(sync.name)

    def kick(self, account: str) -> None:
        """Something was queued for `account`: drain and sync it now, not at the next tick."""
        if account in self._wake:
            self._wake[account].set()

    async def drain(self, account: str) -> DrainResult | None:
        """Carry out the account's queued intents; never raises (a failed drain leaves
        the items queued, which the next one picks up)."""
        try:
            return await self._drains[account].drain()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("outbox drain of account %r failed unexpectedly", account)
            return None

    async def run_forever(self, interval: float) -> None:
        """Sync every `interval` seconds until cancelled. Messages left out of the search
        index by an earlier run (or all of them, after the upgrade that rebuilds it) are
        indexed at once, not only after a pass: a cache opened without accounts has none."""
        self._index_when_idle()
        await asyncio.gather(*(self._loop(s, interval) for s in self._syncs))

    async def search_index_caught_up(self) -> None:
        """Wait until the search index holds every message stored by the passes so far
        (unless a bulk pass started meanwhile)."""
        if self._indexing is not None:
            await asyncio.shield(self._indexing)

    async def aclose(self) -> None:
        if self._indexing is not None:
            self._indexing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._indexing
        for sync in self._syncs:
            with contextlib.suppress(Exception):
                await sync.provider.aclose()

    async def _loop(self, sync: AccountSync, interval: float) -> None:
        wake = self._wake[sync.name]
        while True:
            wake.clear()
            status = await self._drain_then_pass(sync)
            if status.phase is SyncPhase.AUTH_FAILED:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), interval)

    async def _drain_then_pass(self, sync: AccountSync) -> AccountStatus:
        await self.drain(sync.name)
        return await self._pass(sync)

    async def _pass(self, sync: AccountSync) -> AccountStatus:
        self._running.add(sync)
        try:
            status = await self._pass_status(sync)
        finally:
            self._running.discard(sync)
        self._index_when_idle()
        return status

    def _index_when_idle(self) -> None:
        if not self._bulk_running() and (self._indexing is None or self._indexing.done()):
            self._indexing = asyncio.create_task(self._index_search_backlog())

    def _bulk_running(self) -> bool:
        return any(sync.bulk for sync in self._running)

    async def _index_search_backlog(self) -> None:
        try:
            while not self._bulk_running():
                if not await self._writer.run_portable(time_index.index_backlog):
                    return
        except WriterClosedError:
            return
        except Exception:
            # Search still finds the messages left out (see time_index.py), only slower.
            log.exception("indexing stored messages for search failed")

    async def _pass_status(self, sync: AccountSync) -> AccountStatus:
        previous = self.statuses[sync.name]
        self._set_status(AccountStatus(sync.name, SyncPhase.SYNCING, previous.last_synced))
        try:
            changes = await sync.run_once()
        except asyncio.CancelledError:
            raise
        except AuthError as exc:
            status = AccountStatus(sync.name, SyncPhase.AUTH_FAILED, previous.last_synced, str(exc))
        except NetworkError as exc:
            status = AccountStatus(sync.name, SyncPhase.OFFLINE, previous.last_synced, str(exc))
        except ProviderError as exc:
            status = AccountStatus(sync.name, SyncPhase.ERROR, previous.last_synced, str(exc))
        except Exception as exc:
            log.exception("sync of account %r failed unexpectedly", sync.name)
            message = f"unexpected error ({type(exc).__name__}); see the log"
            status = AccountStatus(sync.name, SyncPhase.ERROR, previous.last_synced, message)
        else:
            status = AccountStatus(sync.name, SyncPhase.IDLE, datetime.now(UTC))
            first = previous.last_synced is None
            log.log(logging.INFO if first else logging.DEBUG, "account %r: synced", sync.name)
            if self._on_change is not None and not changes.is_empty():
                self._on_change(changes)
        if status.error:
            log.warning("account %r: %s", sync.name, status.error)
            try:
                await sync.record_error(status.error)
            except Exception:
                log.exception("could not record the sync error of account %r", sync.name)
        self._set_status(status)
        return status

    def _set_status(self, status: AccountStatus) -> None:
        self.statuses[status.account] = status
        if self._on_status is not None:
            self._on_status(status)
