"""One account's sync pass: channels and counts first, then the thread lists, and the
messages of every thread whose list row changed fetched as soon as its page is stored
(not after the last list page: on a cold sync the walks and the downloads overlap), then
a sweep for threads still needing messages, then (where the vendor has one) the
schedule of messages waiting to go out, one request, mirrored whole, on passes where
anything changed and on full walks. Everything lands in the store through the single
writer; what changed is reported as a ChangeSet through a plain callback."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import Capability, Channel, Thread
from inbox_app.core.phone import display_number
from inbox_app.providers.base import History, Provider
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
    helper_after_threads: int = 100
    """Threads to fetch messages for in one pass past which the store's helper process
    is started (see store/helper.py): a cold sync's worth, seconds of parsing and
    storing, against about 0.1 s of CPU to start a process and load the store."""
    unstored_messages: int = 20_000
    """Fetched messages that may wait for the store (besides the batch being written)
    before no new fetch starts. The store is the slower side of a cold sync; without a
    bound, fetched messages piled up by the hundred thousand, and the interpreter's full
    garbage collections, which walk every one of them, held the window's loop for up to
    125 ms."""


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
        self.bulk = False
        """This pass has many threads to fetch (see `SyncTuning.helper_after_threads`):
        the search index takes the messages it stores once it is over."""

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
        self.bulk = False
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

        fetch = _MessageFetch(self)
        handed: asyncio.Queue[list[Thread] | None] = asyncio.Queue()
        failed: list[Channel] = []

        async def walk_all() -> None:
            try:
                changes.threads |= await self._walk_channels(channels, full_walk, handed, failed)
            finally:
                handed.put_nowait(None)

        await _gather_all([walk_all(), fetch.follow(handed)])
        for channel in failed:
            # Once more, after the other channels and the messages they handed over: a
            # passing fault rarely strikes twice, less so with nothing else in flight (a
            # LiveVox session dying under concurrent requests is logged in again by each).
            changes.threads |= await self._walk_threads(channel, None, stop_early=False)
        self._known_channels = {c.key: c for c in channels}
        changes.messages |= await fetch.sweep()
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

    async def _walk_channels(
        self,
        channels: list[Channel],
        full_walk: bool,
        handed: asyncio.Queue[list[Thread] | None],
        failed: list[Channel],
    ) -> set[str]:
        """Walk every channel's list; one whose walk fails for a passing reason goes to
        `failed`, for the caller to walk again once the messages are fetched."""
        changed: set[str] = set()
        for index, channel in enumerate(channels):
            self._progress("threads", index, len(channels))
            unchanged_counts = self._known_channels.get(channel.key) == channel
            try:
                changed |= await self._walk_threads(
                    channel, handed, stop_early=unchanged_counts and not full_walk
                )
            except (AuthError, NotSupported):
                raise
            except ProviderError:
                failed.append(channel)
        return changed

    async def _walk_threads(
        self,
        channel: Channel,
        handed: asyncio.Queue[list[Thread] | None] | None,
        *,
        stop_early: bool,
    ) -> set[str]:
        """Store the channel's list pages, handing over each page's threads that need
        their messages fetched (with no one to hand them to, the sweep finds them)."""
        name = self.name
        changed: set[str] = set()
        seen: set[str] = set()
        complete = True
        async for page in self.provider.thread_pages(channel):
            seen.update(t.key for t in page)
            store = self.writer.run_portable if self.bulk else self.writer.run
            page_changes, needing = await store(
                partial(_store_page, account=name, threads=page, format_numbers=not self.bulk)
            )
            if needing and handed is not None:
                handed.put_nowait([t for t in page if t.key in needing])
            changed |= page_changes
            if stop_early and not page_changes:
                complete = False
                break
        if complete:
            changed |= await self.writer.run(
                lambda c: writes.close_missing_threads(c, name, channel.key, seen)
            )
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


class _MessageFetch:
    """Messages of every thread whose list row changed. A thread whose fetch fails for a
    passing reason (5xx, 429, a bad page, a dropped connection) does not stop the
    others: it is tried once more at the end, and if it still fails the pass raises that
    error with everything else already stored; the thread keeps its stale fingerprint,
    so the next pass fetches it again."""

    def __init__(self, sync: AccountSync) -> None:
        self._sync = sync
        self._gate = asyncio.Semaphore(sync.tuning.message_fetch_concurrency)
        self._write_turn = asyncio.Lock()
        self._fetched: list[tuple[Thread, History]] = []
        self._failed: list[tuple[Thread, ProviderError]] = []
        self._tried: dict[str, str] = {}
        """Fingerprint each thread was fetched for: a thread whose list row changes
        again later in the pass (listed in two inboxes, or a reply arriving) is fetched
        again, one that failed is not."""
        self._wanted = 0
        self._done = 0
        self._unstored = 0
        self._room = asyncio.Condition()
        self.changed: set[str] = set()

    async def follow(self, handed: asyncio.Queue[list[Thread] | None]) -> None:
        """Fetch the threads the walks hand over as they come, until they say they are
        done (None) and every fetch started has ended."""

        async def handed_threads() -> AsyncIterator[Thread]:
            while (threads := await handed.get()) is not None:
                for thread in threads:
                    yield thread

        await _gather_all(self._fetch(t) async for t in self._untried(handed_threads()))

    async def sweep(self) -> set[str]:
        """What the walks did not hand over (a thread whose fetch failed on an earlier
        pass, or whose page was not walked), then the failed ones once more. The store
        hands them out a page at a time, newest first; the fetched ones drop out of the
        next page, those that failed are skipped."""
        sync = self._sync
        per_page = sync.tuning.message_threads_page
        while True:
            page = await sync.writer.run(
                lambda c: queries.threads_needing_messages(c, sync.name, per_page)
            )
            new = [t for t in page if self._tried.get(t.key) != t.fingerprint]
            if not new:
                break
            await _gather_all(self._fetch(t) async for t in self._untried(_aiter(new)))
        if self._failed:
            log.info("account %r: retrying %d thread(s) at the end", sync.name, len(self._failed))
            retry, self._failed = self._failed, []
            await _gather_all(self._fetch(thread) for thread, _ in retry)
            if self._failed:
                raise self._failed[0][1]
        return self.changed

    async def _untried(self, threads: AsyncIterator[Thread]) -> AsyncIterator[Thread]:
        async for thread in threads:
            if self._tried.get(thread.key) != thread.fingerprint:
                self._tried[thread.key] = thread.fingerprint
                self._wanted += 1
                if self._wanted == self._sync.tuning.helper_after_threads:
                    self._sync.bulk = True
                    self._sync.writer.start_helper()
                yield thread

    async def _fetch(self, thread: Thread) -> None:
        sync = self._sync
        limit = sync.tuning.unstored_messages
        try:
            async with self._gate:
                async with self._room:
                    await self._room.wait_for(lambda: self._unstored < limit)
                history = await sync.provider.fetch_history(thread)
        except (AuthError, NotSupported):
            raise
        except ProviderError as exc:
            self._failed.append((thread, exc))
            return
        self._unstored += len(history.rows)
        self._fetched.append((thread, history))
        del history  # stored by whoever has the write turn; this task may wait for it
        # Whoever gets the turn writes everything fetched meanwhile in one
        # transaction; a later turn that finds nothing left knows its thread is in.
        async with self._write_turn:
            if not self._fetched:
                return
            batch = self._fetched.copy()
            self._fetched.clear()
            # Handed to the store: the next batch may gather while this one is written.
            self._unstored -= sum(len(history.rows) for _, history in batch)
            async with self._room:
                self._room.notify_all()
            counts = await sync.writer.run_portable(
                partial(
                    store_histories,
                    account=sync.name,
                    batch=[(thread.key, thread.fingerprint, history) for thread, history in batch],
                )
            )
        self.changed.update(key for key, count in counts.items() if count)
        self._done += len(batch)
        sync._progress("messages", self._done, self._wanted)


async def _aiter(items: Iterable[Thread]) -> AsyncIterator[Thread]:
    for item in items:
        yield item


def store_histories(
    conn: sqlite3.Connection, account: str, batch: list[tuple[str, str, History]]
) -> dict[str, int]:
    """Several threads' histories (key, fingerprint, history) parsed and stored in one
    transaction (one commit and one FTS flush for the lot, not one per thread), each
    thread marked as fetched for its fingerprint. A portable writer job: it may run in
    the store's helper process, and running it twice stores nothing twice."""
    counts = writes.upsert_messages_bulk(
        conn, account, {key: history.messages() for key, _, history in batch}
    )
    for key, fingerprint, _ in batch:
        writes.mark_messages_synced(conn, account, key, fingerprint)
    return counts


def _store_page(
    conn: sqlite3.Connection, account: str, threads: list[Thread], format_numbers: bool = True
) -> tuple[set[str], set[str]]:
    """Upsert a thread-list page, then re-assert on the threads it rewrote the effects of
    intents still under way (the vendor's list cannot show them yet). Returns the keys
    changed and the keys whose messages need fetching.

    In a bulk pass it is a portable job (0.4 s of the window's process in a full-size
    first sync): run twice, it stores nothing twice but returns no change the second
    time, and it formats no numbers, which would only fill the helper's own cache."""
    changed = writes.upsert_threads(conn, account, threads)
    effects.reapply_open(conn, account, changed)
    for thread in threads if format_numbers else ():
        # The thread list shows each number formatted (about 50 µs a number): doing it
        # here, on the writer's thread, spares the window's loop a stall when a pass
        # brings a few hundred new rows at once.
        display_number(thread.customer_number)
    return changed, queries.keys_needing_messages(conn, account, [t.key for t in threads])


_TASKS_PER_TURN = 50
"""Tasks started before letting the loop run: starting a page of a thousand at once
(each a Qt timer under qasync) held the window's loop for some 200 ms."""


async def _gather_all(
    coros: Iterable[Coroutine[Any, Any, None]] | AsyncIterator[Coroutine[Any, Any, None]],
) -> None:
    """Run every coroutine (those of an async iterator as it yields them); if one fails,
    cancel the rest and raise the first error itself (not an ExceptionGroup), so a pass
    never leaves orphan requests behind and the caller can still tell an auth failure
    from a network one by its type."""
    try:
        async with asyncio.TaskGroup() as group:
            started = 0
            async for coro in _as_async(coros):
                group.create_task(coro)
                started += 1
                if started % _TASKS_PER_TURN == 0:
                    await asyncio.sleep(0)
    except ExceptionGroup as group_error:
        raise group_error.exceptions[0] from None


async def _as_async(
    items: Iterable[Coroutine[Any, Any, None]] | AsyncIterator[Coroutine[Any, Any, None]],
) -> AsyncIterator[Coroutine[Any, Any, None]]:
    if isinstance(items, AsyncIterator):
        async for item in items:
            yield item
    else:
        for item in items:
            yield item
