"""The one object the window talks to below the store: it owns the writer, the sync
engine and the providers, and carries out the few live lookups an agent waits for
(who can take a transfer, which termination codes apply). Their answers land in the
store first, like everything else, so the dialogs read them from there."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import sqlite3
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import Agent, Attachment, ProviderKind, TermCode, Thread
from inbox_app.providers.base import Provider
from inbox_app.providers.errors import ProviderError
from inbox_app.providers.registry import create_provider, import_provider_module
from inbox_app.store import queries, writes
from inbox_app.store.writer import Writer
from inbox_app.sync.changes import ChangeSet
from inbox_app.sync.downloads import safe_file_name, save_bytes
from inbox_app.sync.previews import PREVIEW_LIMIT, PreviewCache

if TYPE_CHECKING:
    from inbox_app.sync.account_sync import ProgressCallback, SyncTuning
    from inbox_app.sync.engine import ChangeCallback, ProviderFactory, StatusCallback, SyncEngine

Intent = Callable[[sqlite3.Connection], int]
"""One of `sync.intents`' functions bound to its arguments: queues an outbox row."""


class LookupFailed(Exception):
    """A live lookup could not be answered; `str()` is the vendor's reason, for the agent."""


class InboxService:
    def __init__(
        self,
        accounts: Sequence[AccountConfig],
        db_path: Path,
        *,
        provider_factory: ProviderFactory = create_provider,
        on_change: ChangeCallback | None = None,
        on_status: StatusCallback | None = None,
        on_progress: ProgressCallback | None = None,
        tuning: SyncTuning | None = None,
    ) -> None:
        self._on_change = on_change
        self.db_path = db_path
        self.writer = Writer(db_path)
        self.previews = PreviewCache(db_path.with_name(db_path.stem + "-previews"))
        self._engine_options: dict[str, Any] = {
            "provider_factory": provider_factory,
            "on_change": on_change,
            "on_status": on_status,
            "on_progress": on_progress,
            "tuning": tuning,
        }
        self.accounts = list(accounts)
        self._engine: SyncEngine | None = None

    @property
    def engine(self) -> SyncEngine:
        """The engine and its providers, built on first use: the window paints from the
        store before anything needs the network stack (importing it took a third of a
        cold start). Raises ProviderError if an account cannot be set up."""
        if self._engine is None:
            self._engine = self._new_engine(self.accounts)
        return self._engine

    async def start_engine(self) -> None:
        """Build the engine now rather than at first use, importing the network stack in
        a worker thread first: imported on the loop it froze the window for a few tenths
        of a second just after it appeared. Raises ProviderError if an account cannot
        be set up."""
        if self._engine is None:
            await asyncio.to_thread(_import_sync_stack, {a.provider for a in self.accounts})
        _ = self.engine

    def _new_engine(self, accounts: Sequence[AccountConfig]) -> SyncEngine:
        from inbox_app.sync.engine import SyncEngine  # with the sync stack, after the paint

        return SyncEngine(accounts, self.writer, **self._engine_options)

    async def replace_accounts(self, accounts: Sequence[AccountConfig]) -> set[str]:
        """The settings changed: a fresh engine for `accounts` (the caller restarts `run`).
        Accounts no longer configured leave the cache; returns their names."""
        old, self._engine = self._engine, self._new_engine(accounts)
        gone = {a.name for a in self.accounts} - {a.name for a in accounts}
        self.accounts = list(accounts)
        if old is not None:
            await old.aclose()
        for name in gone:
            await self.writer.run(partial(writes.forget_account, account=name))
        return gone

    def provider(self, account: str) -> Provider:
        return self.engine.providers[account]

    async def run(self, interval: float) -> None:
        await self.engine.run_forever(interval)

    async def submit(self, account: str, thread_key: str, intent: Intent) -> int:
        """Record an intent durably (outbox row and optimistic effect, one transaction
        with synchronous=FULL), tell the window, and wake the drain. Raises
        IntentRefused, writing nothing, when the action is not possible."""
        item_id = await self.writer.run(intent, durable=True)
        if self._on_change is not None:
            self._on_change(ChangeSet(account, threads={thread_key}))
        self.engine.kick(account)
        return item_id

    async def transfer_agents(self, account: str, thread_key: str) -> list[Agent]:
        """Agents the vendor offers for this thread right now (their status changes by
        the minute, so this is never answered from an old cache)."""
        thread = await self._thread(account, thread_key)
        try:
            agents = await self.provider(account).list_transfer_agents(thread)
        except ProviderError as exc:
            raise LookupFailed(str(exc)) from None
        await self.writer.run(lambda c: writes.replace_agents(c, account, agents))
        return agents

    async def term_codes(self, account: str, thread_key: str) -> list[TermCode]:
        """The termination codes of the thread's service, cached per service: they
        change rarely, and resolving must work offline from the cache."""
        thread = await self._thread(account, thread_key)
        scope = thread.vendor_ref.get("serviceId", "")
        try:
            codes = await self.provider(account).list_term_codes(thread)
        except ProviderError as exc:
            cached = await self.writer.run(lambda c: queries.list_term_codes(c, account, scope))
            if cached:
                return cached
            raise LookupFailed(str(exc)) from None
        await self.writer.run(lambda c: writes.replace_term_codes(c, account, scope, codes))
        return codes

    async def save_attachment(self, account: str, attachment: Attachment, directory: Path) -> Path:
        """Download an attachment through the vendor and save it under a safe name;
        raises LookupFailed with the vendor's reason (too large, gone, offline)."""
        try:
            data, content_type = await self.provider(account).fetch_attachment(attachment)
        except ProviderError as exc:
            raise LookupFailed(str(exc)) from None
        name = safe_file_name(attachment.name, content_type or attachment.content_type)
        return await asyncio.to_thread(save_bytes, directory, name, data)

    async def attachment_preview(self, account: str, attachment: Attachment) -> bytes:
        """Bytes to draw a thumbnail from: from the disk cache, else through the vendor's
        preview download (capped at PREVIEW_LIMIT); raises LookupFailed with the reason."""
        cached = await asyncio.to_thread(self.previews.get, account, attachment.id)
        if cached:
            return cached
        try:
            data, _type = await self.provider(account).fetch_preview(attachment, PREVIEW_LIMIT)
        except ProviderError as exc:
            raise LookupFailed(str(exc)) from None
        await asyncio.to_thread(self.previews.put, account, attachment.id, data)
        return data

    async def aclose(self) -> None:
        if self._engine is not None:
            await self._engine.aclose()
        await asyncio.to_thread(self.writer.close)

    async def _thread(self, account: str, thread_key: str) -> Thread:
        row = await self.writer.run(lambda c: queries.get_thread(c, account, thread_key))
        if row is None:
            raise LookupFailed("This thread is no longer in the cache.")
        return row.to_thread()


def _import_sync_stack(kinds: set[ProviderKind]) -> None:
    """The engine's modules, the configured vendors' clients, and the TLS context (its CA
    bundle is read once): everything building the engine would otherwise do on the loop."""
    import inbox_app.sync.engine  # noqa: F401

    for kind in kinds:
        import_provider_module(kind)
    from inbox_app.providers.http import through_proxy, tls_context

    tls_context()
    if not through_proxy():
        return
    # Through a proxy the wire is httpx's own (see providers/http.py): httpcore and anyio
    # import their async backends at the first connection, a tenth of a second in the
    # middle of the first sync; their module names are theirs to change, so a miss
    # only costs that tenth.
    for backend in ("httpcore._backends.anyio", "anyio._backends._asyncio"):
        with contextlib.suppress(ImportError):
            importlib.import_module(backend)
