"""Carries one account's outbox out through its provider, one item at a time, in order.

Outcomes, each written in one durable transaction with whatever it implies:

- accepted: the item is done; a send's local message becomes the vendor's message (see
  `store.effects.settle_sent`) and the thread's messages are refetched by the next sync;
- refused (`VendorRefused`, `NotSupported`), or the thread changed under the intent
  (moved or resolved elsewhere, the customer opted out): failed, effect rolled back, the
  reason kept for the window;
- not carried out for a passing reason (network, 429, 5xx, unreadable answer, auth):
  requeued with the reason, and this drain stops: the next one tries again;
- outcome unknown (`OutcomeUnknown`, or an item found in flight: the app stopped mid
  call). A thread action is requeued: repeating it is harmless, and a repeat the vendor
  refuses is checked against the inbox listing before being rolled back (LiveVox refuses
  to resolve or transfer a thread twice). A send stays in flight until the vendor's
  history is checked with `find_sent`: found means done, absent means requeued for a
  resend, and a check that fails leaves it in flight to be checked again next drain. A
  send is never repeated without such a check. A scheduled send (Zoho Voice) whose
  outcome is unknown needs attention: the vendor's schedule has no way to tell our
  message from a look-alike, and scheduling it twice would text the customer twice.

At most one copy of a message reaches the customer per intent: a send is only attempted
by claiming it from `queued`; the claim commits durably before the request leaves; and a
claimed send returns to `queued` only on an error saying the vendor did not act (refused
connection, 429, 503, refused credentials: the providers raise `OutcomeUnknown` for
anything less certain) or once the vendor's history shows no such message. The history
is searched for the body from the intent's creation (less `CLOCK_SKEW`) on, and only
`settle_seconds` after the answer was lost, since a history may lag behind the send.

One drain per account and database: the in-flight rows of another live drain would
look like a crash's.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import Channel, Message, ScheduledMessage, SendResult, ThreadStatus
from inbox_app.providers.base import Provider
from inbox_app.providers.errors import NotSupported, OutcomeUnknown, ProviderError, VendorRefused
from inbox_app.store import effects, outbox, queries, writes
from inbox_app.store.codec import from_ms, opt_to_ms
from inbox_app.store.effects import IntentKind
from inbox_app.store.outbox import JSONDict, OutboxItem
from inbox_app.store.queries import ThreadRow
from inbox_app.store.scheduled import add_scheduled
from inbox_app.store.writer import Writer
from inbox_app.sync.changes import ChangeSet

log = logging.getLogger(__name__)

CLOCK_SKEW = timedelta(minutes=2)
"""How far the vendor's clock may run behind ours when its history is searched."""
SETTLE_SECONDS = 10.0
"""How long after a send's answer was lost its outcome is first checked."""
_LEAVES_INBOX = (IntentKind.RESOLVE, IntentKind.TRANSFER)


@dataclass(slots=True)
class DrainResult:
    done: int = 0
    failed: int = 0
    requeued: int = 0
    unresolved: int = 0
    """Sends whose outcome is still unknown (in flight, or needing attention)."""
    stopped_by: ProviderError | None = None
    """Why this drain stopped before the queue was empty (retry later), if it did."""


class OutboxDrain:
    def __init__(
        self,
        account: AccountConfig,
        provider: Provider,
        writer: Writer,
        on_change: Callable[[ChangeSet], None] | None = None,
        *,
        settle_seconds: float = SETTLE_SECONDS,
    ) -> None:
        self.account = account
        self.provider = provider
        self.writer = writer
        self.settle = timedelta(seconds=settle_seconds)
        self._on_change = on_change
        self._lock = asyncio.Lock()

    @property
    def name(self) -> str:
        return self.account.name

    async def drain(self) -> DrainResult:
        """Settle items left in flight, then carry out queued items until the queue is
        empty or a passing failure says to stop. Concurrent calls run one after another."""
        async with self._lock:
            result = DrainResult()
            if await self._recover(result):
                while await self._next(result):
                    pass
            return result

    # -- steps -------------------------------------------------------------------------

    async def _recover(self, result: DrainResult) -> bool:
        """Items in flight have an unknown outcome; returns whether draining may go on."""
        for item in await self.writer.run(lambda c: effects.in_flight(c, self.name)):
            if item.kind == IntentKind.SEND:
                if not await self._reconcile(item, result):
                    return False
            elif item.kind == IntentKind.SCHEDULE:
                await self._park(item, _SCHEDULE_UNKNOWN, result)
            else:
                await self._requeue(item, "Interrupted before the vendor answered.", result)
        return True

    async def _next(self, result: DrainResult) -> bool:
        """Carry out the next runnable item; returns whether to go on."""
        claimed = await self.writer.run(self._claim, durable=True)
        if claimed is None:
            return False
        item, row = claimed
        stale = _stale_reason(item, row)
        if stale is not None or row is None:
            await self._fail(item, stale or _GONE, result)
            return True
        try:
            sent = await self._perform(item, row)
        except OutcomeUnknown as error:
            result.stopped_by = error
            reason = str(error)
            if item.kind == IntentKind.SEND:
                noted = await self.writer.run(
                    lambda c: effects.note_problem(c, item.id, reason), durable=True
                )
                await self._reconcile(noted, result)
            elif item.kind == IntentKind.SCHEDULE:
                await self._park(item, f"{reason} {_SCHEDULE_UNKNOWN}", result)
            else:
                await self._requeue(item, reason, result)
            return False
        except (VendorRefused, NotSupported) as error:
            if item.kind in _LEAVES_INBOX and item.attempts > 1:
                return await self._refused_repeat(item, row, error, result)
            await self._fail(item, str(error), result)
            return True
        except ProviderError as error:
            result.stopped_by = error
            await self._requeue(item, str(error), result)
            return False
        if item.kind == IntentKind.SCHEDULE and sent is not None:
            await self._complete_scheduled(item, row, sent, result)
        else:
            await self._complete(item, result, sent=sent)
        return True

    def _claim(self, conn: sqlite3.Connection) -> tuple[OutboxItem, ThreadRow | None] | None:
        item = outbox.claim_next(conn, self.name)
        return (
            None if item is None else (item, queries.get_thread(conn, self.name, item.thread_key))
        )

    async def _perform(self, item: OutboxItem, row: ThreadRow) -> SendResult | None:
        thread, payload, provider = row.to_thread(), item.payload, self.provider
        match item.kind:
            case IntentKind.SEND:
                return await provider.send_message(
                    thread, payload["body"], payload["sender"], payload["template_id"]
                )
            case IntentKind.SET_READ:
                await provider.set_read(thread, bool(payload["read"]))
            case IntentKind.MOVE:
                await provider.move_to_inbox(thread, bool(payload["personal"]))
            case IntentKind.TRANSFER:
                await provider.transfer(thread, payload["agent_id"])
            case IntentKind.RESOLVE:
                await provider.resolve(thread, payload["term_code_id"])
            case IntentKind.SCHEDULE:
                return await provider.schedule_message(
                    thread,
                    payload["body"],
                    payload["sender"],
                    from_ms(payload["at"]),
                    payload["time_zone"],
                )
            case _:
                raise NotSupported(f"This app version can't carry out '{item.kind}' actions.")
        return None

    async def _reconcile(self, item: OutboxItem, result: DrainResult) -> bool:
        """Settle a send whose outcome is unknown by the vendor's history; never resends
        by itself. Returns whether draining may go on."""
        if datetime.now(UTC) - item.updated_at < self.settle:
            result.unresolved += 1
            return True
        row = await self.writer.run(lambda c: queries.get_thread(c, self.name, item.thread_key))
        if row is None:
            reason = f"{_UNCHECKED}: the conversation is no longer stored. {_LOOK_FIRST}"
            await self._park(item, reason, result)
            return True
        try:
            found = await self.provider.find_sent(
                row.to_thread(), item.payload["body"], item.created_at - CLOCK_SKEW
            )
        except (VendorRefused, NotSupported) as error:
            await self._park(item, f"{_UNCHECKED} ({error}). {_LOOK_FIRST}", result)
            return True
        except ProviderError as error:
            result.stopped_by = error
            result.unresolved += 1
            reason = f"Checking whether this message was sent: {error}"
            await self.writer.run(lambda c: effects.note_problem(c, item.id, reason), durable=True)
            return False
        if found is None:
            reason = "The vendor has no record of this message; sending it again."
            await self._requeue(item, reason, result)
        else:
            await self._complete_found(item, found, result)
        return True

    async def _refused_repeat(
        self, item: OutboxItem, row: ThreadRow, error: ProviderError, result: DrainResult
    ) -> bool:
        """A repeated resolve or transfer was refused: if the thread has left its inbox,
        an earlier attempt whose answer was lost did the job."""
        try:
            listed = await self._still_listed(row)
        except ProviderError as check_error:
            result.stopped_by = check_error
            await self._requeue(item, str(check_error), result)
            return False
        if listed:
            await self._fail(item, str(error), result)
        else:
            await self._complete(item, result, note={"left_inbox": True})
        return True

    async def _still_listed(self, row: ThreadRow) -> bool:
        stored = await self.writer.run(lambda c: queries.list_channels(c, self.name))
        channel = next((c for c in stored if c.key == row.channel_key), None)
        if channel is None:
            return False
        listing = Channel(
            key=channel.key,
            name=channel.name,
            kind=channel.kind,
            personal=channel.personal,
            unread=channel.unread,
            total=channel.total,
            vendor_id=channel.vendor_id,
        )
        async for page in self.provider.thread_pages(listing):
            if any(t.key == row.key for t in page):
                return True
        return False

    # -- outcomes: one durable transaction each ------------------------------------------

    async def _complete(
        self,
        item: OutboxItem,
        result: DrainResult,
        *,
        sent: SendResult | None = None,
        note: JSONDict | None = None,
    ) -> None:
        def write(conn: sqlite3.Connection) -> None:
            if sent is None:
                outbox.complete(conn, item.id, note)
                return
            outbox.complete(conn, item.id, _sent_result(sent.message_id, sent.status, sent.at))
            effects.settle_sent(
                conn, self.name, item.thread_key, item.id, sent.message_id, sent.status, sent.at
            )

        await self.writer.run(write, durable=True)
        result.done += 1
        self._report(item, messages=sent is not None)

    async def _complete_found(self, item: OutboxItem, found: Message, result: DrainResult) -> None:
        def write(conn: sqlite3.Connection) -> bool:
            if effects.message_claimed(conn, self.name, found.id, item.id):
                reason = f"{_UNCHECKED}: a message with the same text went out earlier."
                outbox.fail(conn, item.id, f"{reason} {_LOOK_FIRST}", needs_attention=True)
                return False
            outbox.complete(
                conn, item.id, {**_sent_result(found.id, found.status, found.at), "found": True}
            )
            effects.settle_sent(
                conn, self.name, item.thread_key, item.id, found.id, found.status, found.at
            )
            return True

        if await self.writer.run(write, durable=True):
            result.done += 1
            self._report(item, messages=True)
        else:
            result.unresolved += 1
            self._report(item)

    async def _complete_scheduled(
        self, item: OutboxItem, row: ThreadRow, sent: SendResult, result: DrainResult
    ) -> None:
        """Store the vendor's scheduled message now, so the thread shows it before the
        next sync pass mirrors the schedule."""
        scheduled = ScheduledMessage(
            id=sent.message_id,
            job_id="",
            customer_number=row.customer_number,
            our_number=row.our_number,
            body=item.payload["body"],
            at=from_ms(item.payload["at"]),
            time_zone=item.payload["time_zone"],
            status=sent.status,
        )

        def write(conn: sqlite3.Connection) -> None:
            outbox.complete(conn, item.id, _sent_result(sent.message_id, sent.status, sent.at))
            add_scheduled(conn, self.name, scheduled)

        await self.writer.run(write, durable=True)
        result.done += 1
        self._report(item, scheduled=True)

    async def _fail(self, item: OutboxItem, reason: str, result: DrainResult) -> None:
        def write(conn: sqlite3.Connection) -> set[str]:
            failed = outbox.fail(conn, item.id, reason)
            if item.kind == IntentKind.SCHEDULE and not queries.get_draft(
                conn, self.name, item.thread_key
            ):
                writes.save_draft(conn, self.name, item.thread_key, item.payload["body"])
            return effects.undo_effect(conn, failed)

        channels = await self.writer.run(write, durable=True)
        log.info("account %r: outbox item %d failed: %s", self.name, item.id, reason)
        result.failed += 1
        self._report(item, channels=channels, messages=item.kind == IntentKind.SEND)

    async def _park(self, item: OutboxItem, reason: str, result: DrainResult) -> None:
        """A person must decide: the message may or may not have gone out."""
        await self.writer.run(
            lambda c: outbox.fail(c, item.id, reason, needs_attention=True), durable=True
        )
        log.warning("account %r: outbox item %d needs attention: %s", self.name, item.id, reason)
        result.unresolved += 1
        self._report(item)

    async def _requeue(self, item: OutboxItem, reason: str, result: DrainResult) -> None:
        def write(conn: sqlite3.Connection) -> None:
            outbox.requeue(conn, item.id)
            effects.note_problem(conn, item.id, reason)

        await self.writer.run(write, durable=True)
        result.requeued += 1
        self._report(item)

    def _report(
        self,
        item: OutboxItem,
        *,
        channels: set[str] | None = None,
        messages: bool = False,
        scheduled: bool = False,
    ) -> None:
        """Every outcome changes what the window shows on the thread (its pending or
        failed mark at least), so the thread is always named."""
        if self._on_change is None:
            return
        self._on_change(
            ChangeSet(
                account=self.name,
                channels=channels or set(),
                threads={item.thread_key},
                messages={item.thread_key} if messages else set(),
                scheduled={item.thread_key} if scheduled else set(),
            )
        )


_GONE = "This conversation is no longer stored; nothing was done."
_UNCHECKED = "Couldn't check whether this message reached the customer"
_LOOK_FIRST = "Look at the conversation before sending it again."
_SCHEDULE_UNKNOWN = (
    "Couldn't tell whether Zoho scheduled this message; look at the conversation's"
    " scheduled messages (after the next sync) before scheduling it again."
)
_SENDS = (IntentKind.SEND, IntentKind.SCHEDULE)


def _stale_reason(item: OutboxItem, row: ThreadRow | None) -> str | None:
    """Why the intent no longer fits the thread as the last sync left it, if it doesn't."""
    if row is None:
        return _GONE
    nothing = "nothing was sent" if item.kind in _SENDS else "nothing was changed"
    if item.kind not in _LEAVES_INBOX and row.status is not ThreadStatus.ACTIVE:
        return f"This thread was moved or resolved elsewhere; {nothing}."
    if item.kind in _SENDS and row.opted_out:
        return "The customer has opted out of text messages; nothing was sent."
    if item.kind in _SENDS and row.do_not_contact:
        return "The customer is now on the do-not-contact list; nothing was sent."
    return None


def _sent_result(message_id: str, status: str, at: datetime | None) -> JSONDict:
    return {"message_id": message_id, "status": status, "at": opt_to_ms(at)}
