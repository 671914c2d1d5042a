"""One account's sync pass: channels and counts first, then thread lists, then messages
only for threads whose list row changed, then (where the vendor has one) the schedule
of messages waiting to go out, one request, mirrored whole, on passes where anything
changed and on full walks. Everything lands in the
store through the single writer; what changed is reported as a ChangeSet through a
plain callback."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import Capability, Channel, Message, Thread
from inbox_app.providers.base import Provider
from inbox_app.providers.errors import AuthError, NotSupported, ProviderError
from inbox_app.store import effects, queries, writes
from inbox_app.store.scheduled import replace_scheduled
from inbox_app.store.writer import Writer
from inbox_app.sync.changes import ChangeSet, Progress

log = logging.getLogger(__name__)

ProgressCallback = Callable[[Progress], None]


@dataclass(slots=True)
class SyncTuning:
    """Knobs with defaults that suit an agent's desktop; tests and benchmarks turn them."""

    message_fetch_concurrency: int = 4
    full_walk_every: int = 10
    """A thread-list walk normally stops at the first page with nothing new; every
    Nth pass walks to the end so threads moved or resolved elsewhere are noticed."""
    reference_every: int = 30
    """Templates and sender ids change rarely: refresh them every Nth pass."""
    message_threads_page: int = 1000
    """Threads read from the store at a time for fetching their messages."""


class AccountSync:
    def __init__(
        self,
        account: AccountConfig,
        provider: Provider,
        writer: Writer,
        *,
        tuning: SyncTuning | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self.account = account
        self.provider = provider
        self.writer = writer
        self.tuning = tuning or SyncTuning()
        self._on_progress = on_progress
        self._passes = 0
        self._full_walk_next = False
        self._known_channels: dict[str, Channel] = {}

    @property
    def name(self) -> str:
        return self.account.name

    async def run_once(self) -> ChangeSet:
        """One pass; raises the provider's typed error if the vendor cannot be read."""
        name = self.name
        full_walk = self._full_walk_next or self._passes % self.tuning.full_walk_every == 0
        self._full_walk_next = False
        refresh_reference = self._passes % self.tuning.reference_every == 0
        self._passes += 1
        changes = ChangeSet(account=name)
        await self.writer.run(lambda c: writes.ensure_account(c, name, self.account.provider))
        await self.provider.login()

        self._progress("channels", 0, 1)
        channels = await self.provider.list_channels()
        changes.channels |= await self.writer.run(
            lambda c: writes.replace_channels(c, name, channels)
        )
        if refresh_reference:
            await self._refresh_reference()

        failed: list[Channel] = []
        for index, channel in enumerate(channels):
            self._progress("threads", index, len(channels))
            unchanged_counts = self._known_channels.get(channel.key) == channel
            try:
                changes.threads |= await self._walk_threads(
                    channel, stop_early=unchanged_counts and not full_walk
                )
            except (AuthError, NotSupported):
                raise
            except ProviderError:
                failed.append(channel)
        for channel in failed:
            # Once more, after the other channels: a passing fault rarely strikes twice.
            changes.threads |= await self._walk_threads(channel, stop_early=False)
        self._known_channels = {c.key: c for c in channels}

        changes.messages |= await self._fetch_messages()
        if Capability.SCHEDULE in self.provider.capabilities and (
            full_walk or changes.threads or changes.messages
        ):
            # After the threads, so a schedule for a new conversation finds its thread.
            # A scheduled message going out changes its thread, and the app's own
            # schedules are stored when accepted; so an idle pass skips this request,
            # and one cancelled in the vendor's web app leaves at the next full walk.
            scheduled = await self.provider.list_scheduled()
            changes.scheduled |= await self.writer.run(
                lambda c: replace_scheduled(c, name, scheduled)
            )
        await self.writer.run(lambda c: writes.record_sync_ok(c, name, "all"))
        self._progress("done", 1, 1)
        return changes

    def check_everything_next(self) -> None:
        """Make the next pass a full walk (every list to its end, the schedule too):
        for an agent who asks to sync now, not trusting the cheap idle pass."""
        self._full_walk_next = True

    async def record_error(self, error: str) -> None:
        await self.writer.run(lambda c: writes.record_sync_error(c, self.name, "all", error))

    async def _walk_threads(self, channel: Channel, *, stop_early: bool) -> set[str]:
        name = self.name
        changed: set[str] = set()
        seen: set[str] = set()
        complete = True
        async for page in self.provider.thread_pages(channel):
            seen.update(t.key for t in page)
            page_changes = await self.writer.run(partial(_store_page, account=name, threads=page))
            changed |= page_changes
            if stop_early and not page_changes:
                complete = False
                break
        if complete:
            changed |= await self.writer.run(
                lambda c: writes.close_missing_threads(c, name, channel.key, seen)
            )
        return changed

    async def _fetch_messages(self) -> set[str]:
        """Messages of every thread whose list row changed. A thread whose fetch fails
        for a passing reason (5xx, 429, a bad page, a dropped connection) does not stop
        the others: it is tried once more at the end, and if it still fails the pass
        raises that error with everything else already stored; the thread keeps its
        stale fingerprint, so the next pass fetches it again."""
        name = self.name
        pending: list[Thread] = []
        gate = asyncio.Semaphore(self.tuning.message_fetch_concurrency)
        write_turn = asyncio.Lock()
        fetched: list[tuple[Thread, list[Message]]] = []
        changed: set[str] = set()
        failed: list[tuple[Thread, ProviderError]] = []
        done = 0

        async def fetch(thread: Thread) -> None:
            nonlocal done
            try:
                async with gate:
                    messages = await self.provider.list_messages(thread)
            except (AuthError, NotSupported):
                raise
            except ProviderError as exc:
                failed.append((thread, exc))
                return
            fetched.append((thread, messages))
            # Whoever gets the turn writes everything fetched meanwhile in one
            # transaction; a later turn that finds nothing left knows its thread is in.
            async with write_turn:
                if not fetched:
                    return
                batch = fetched.copy()
                fetched.clear()
                counts = await self.writer.run(partial(_store_messages, account=name, batch=batch))
            changed.update(key for key, count in counts.items() if count)
            done += len(batch)
            self._progress("messages", done, len(pending))

        # The store hands out the threads to fetch a page at a time, newest first; the
        # fetched ones drop out of the next page, those that failed are skipped.
        tried: set[str] = set()
        per_page = self.tuning.message_threads_page
        while True:
            page = await self.writer.run(
                lambda c: queries.threads_needing_messages(c, name, per_page)
            )
            new = [t for t in page if t.key not in tried]
            if not new:
                break
            tried.update(t.key for t in new)
            pending += new
            await _gather_all(fetch(t) for t in new)
        if failed:
            log.info("account %r: retrying %d thread(s) at the end", name, len(failed))
            retry, failed = failed, []
            await _gather_all(fetch(thread) for thread, _ in retry)
            if failed:
                raise failed[0][1]
        return changed

    async def _refresh_reference(self) -> None:
        name = self.name
        templates = await self.provider.list_templates()
        senders = await self.provider.list_sender_ids()

        def store(conn: sqlite3.Connection) -> None:
            writes.replace_templates(conn, name, templates)
            writes.replace_sender_ids(conn, name, senders)

        await self.writer.run(store)

    def _progress(self, step: str, done: int, total: int) -> None:
        if self._on_progress is not None:
            self._on_progress(Progress(self.name, step, done, total))


def _store_messages(
    conn: sqlite3.Connection, account: str, batch: list[tuple[Thread, list[Message]]]
) -> dict[str, int]:
    """Several threads' messages in one transaction (one commit and one FTS flush for
    the lot, not one per thread), each thread marked as fetched for its fingerprint."""
    counts = writes.upsert_messages_bulk(conn, account, {t.key: m for t, m in batch})
    for thread, _messages in batch:
        writes.mark_messages_synced(conn, account, thread.key, thread.fingerprint)
    return counts


def _store_page(conn: sqlite3.Connection, account: str, threads: list[Thread]) -> set[str]:
    """Upsert a thread-list page, then re-assert on the threads it rewrote the effects of
    intents still under way (the vendor's list cannot show them yet)."""
    changed = writes.upsert_threads(conn, account, threads)
    effects.reapply_open(conn, account, changed)
    return changed


_TASKS_PER_TURN = 50
"""Tasks started before letting the loop run: starting a page of a thousand at once
(each a Qt timer under qasync) held the window's loop for some 200 ms."""


async def _gather_all(coros: Iterable[Coroutine[Any, Any, None]]) -> None:
    """Run every coroutine; if one fails, cancel the rest and raise the first error
    itself (not an ExceptionGroup), so a pass never leaves orphan requests behind and
    the caller can still tell an auth failure from a network one by its type."""
    try:
        async with asyncio.TaskGroup() as group:
            for started, coro in enumerate(coros, 1):
                group.create_task(coro)
                if started % _TASKS_PER_TURN == 0:
                    await asyncio.sleep(0)
    except ExceptionGroup as group_error:
        raise group_error.exceptions[0] from None
