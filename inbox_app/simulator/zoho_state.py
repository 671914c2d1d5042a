"""Zoho Voice's behaviour: sends (now or scheduled), inbound SMS, logs and conversations.

Runs under the world's lock like livevox_state.py; refusals raise `ZohoError`
(zoho_errors.py).

Choices where the documents are silent:
- logs `from` is a 0-based start index; `size` defaults to 100 and is capped at 100;
- `fromDate`/`toDate` take epoch ms or "yyyy-mm-dd[ HH:MM[:ss]]" in the org's time zone
  (America/New_York, also the zone `sentTime` is printed in); both ends are inclusive;
- `fetchMMS=true` keeps only MMS rows; `customerNumber`/`longCode` match any spelling;
- chatlist `size` defaults to 10 (the example shows 20 rows over 2 pages), capped at 100;
  `shortCode` and `longCode` both filter on our number; `search` matches a customer's
  name or (with digits) number; a page past the end is empty;
- a scheduled SMS without `timeZone` uses the org's zone; when due it becomes a log row.
"""

from __future__ import annotations

import bisect
import dataclasses
import heapq
import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import corpus, phones
from .clock import Clock
from .journal import Journal, SendRecord
from .seeding import seeded_uuid
from .zoho_errors import ZohoError, bad_request
from .zoho_model import (
    DELIVERED,
    INCOMING,
    OUTGOING,
    UNDELIVERED,
    Conversation,
    LogEntry,
    Media,
    Scheduled,
    SenderNumber,
    User,
)
from .zoho_oauth import TokenBook
from .zoho_seed import ZohoSeed
from .zoho_time import ORG_ZONE

DELIVERY_DELAY_MS = 5_000
LOGS_MAX_SIZE = 100
CHATLIST_DEFAULT_SIZE = 10
CHATLIST_MAX_SIZE = 100
_QUERY_CACHE_SIZE = 16


def us_number(raw: str) -> str:
    """A customer number as 11 digits; anything outside +1 is an unsupported country."""
    key = phones.digits_key(raw)
    if not key:
        raise bad_request("customerNumber is required")
    if len(key) != 11 or not key.startswith("1"):
        raise ZohoError(
            400,
            "ZVSMS-4038",
            "Destination country not supported. Kindly contact zohovoice support",
        )
    return key


@dataclass(frozen=True)
class LogQuery:
    """The filters of a logs call; `None` means "not filtered on"."""

    from_ms: int | None = None
    to_ms: int | None = None
    direction: str | None = None
    customer: str | None = None
    sender: str | None = None
    country: str | None = None
    mms_only: bool = False

    def matches(self, entry: LogEntry) -> bool:
        return (
            (self.from_ms is None or entry.submitted_ms >= self.from_ms)
            and (self.to_ms is None or entry.submitted_ms <= self.to_ms)
            and (self.direction is None or entry.direction == self.direction)
            and (self.customer is None or entry.customer == self.customer)
            and (self.sender is None or entry.sender == self.sender)
            and (self.country is None or self.country == "us")
            and (not self.mms_only or bool(entry.media))
        )


def _snapshot(conversation: Conversation) -> Conversation:
    return dataclasses.replace(conversation, logs=list(conversation.logs))


class ZohoState:
    def __init__(
        self,
        seed: ZohoSeed,
        *,
        lock: threading.RLock,
        clock: Clock,
        rng: random.Random,
        journal: Journal,
        token_lifetime_seconds: float,
    ) -> None:
        self.lock = lock
        self.clock = clock
        self.rng = rng
        self.journal = journal
        self.org_id = seed.org_id
        self.users = seed.users
        self.numbers: dict[str, SenderNumber] = {n.number: n for n in seed.numbers}
        self.templates = seed.templates
        self.oauth = TokenBook(
            seed.credentials, lock=lock, clock=clock, lifetime_seconds=token_lifetime_seconds
        )
        self.conversations: dict[tuple[str, str], Conversation] = {
            c.key: c for c in seed.conversations
        }
        self.logs: list[LogEntry] = seed.logs  # oldest first, like every conversation's
        self.media: dict[str, Media] = {m.mms_id: m for e in self.logs for m in e.media}
        self.schedule: list[Scheduled] = []
        self._next_seq = seed.next_seq
        self._version = 0
        self._query_cache: dict[tuple[LogQuery, int], list[LogEntry]] = {}

    @property
    def default_user(self) -> User:
        """The user the OAuth client acts as (API sends are made in their name)."""
        return self.users[0]

    # -- sending and receiving -----------------------------------------------------------

    def sender(self, raw: str) -> SenderNumber:
        number = self.numbers.get(phones.digits_key(raw))
        if number is None:
            raise ZohoError(400, "ZVSMS-4011", f"Invalid senderId {raw!r}")
        return number

    def _add_log(
        self,
        conversation: Conversation,
        direction: str,
        body: str,
        user: User,
        *,
        at_ms: int,
        media: tuple[Media, ...] = (),
        queued: bool = False,
        logid: str | None = None,
    ) -> LogEntry:
        final = DELIVERED
        if queued and self.rng.random() < 0.03:
            final = UNDELIVERED
        self._next_seq += 1
        entry = LogEntry(
            logid=logid or seeded_uuid(self.rng),
            message_id=seeded_uuid(self.rng),
            sender=conversation.sender,
            customer=conversation.customer,
            direction=direction,
            body=body,
            submitted_ms=at_ms,
            final_status=final,
            user=user,
            seq=self._next_seq,
            queued_until_ms=at_ms + DELIVERY_DELAY_MS if queued else 0,
            media=media,
        )
        bisect.insort(conversation.logs, entry, key=lambda e: e.order_key)
        bisect.insort(self.logs, entry, key=lambda e: e.order_key)
        self.media.update((m.mms_id, m) for m in media)
        self._version += 1
        return entry

    def _conversation(self, sender: str, customer: str) -> Conversation:
        conversation = self.conversations.get((sender, customer))
        if conversation is None:
            known = next((c for c in self.conversations.values() if c.customer == customer), None)
            conversation = Conversation(sender, customer, known.customer_name if known else None)
            self.conversations[conversation.key] = conversation
        return conversation

    def _check_send(self, sender_raw: str, customer_raw: str, body: str) -> tuple[str, str]:
        if not body.strip():
            raise bad_request("message is required")
        sender = self.sender(sender_raw).number
        customer = us_number(customer_raw)
        existing = self.conversations.get((sender, customer))
        if existing is not None and existing.opted_out:
            raise ZohoError(400, "ZVSMS-4040", "Customer has opted out of SMS from this number")
        return sender, customer

    def send(
        self,
        user: User,
        sender_raw: str,
        customer_raw: str,
        body: str,
        endpoint: str,
        media: tuple[Media, ...] = (),
    ) -> LogEntry:
        with self.lock:
            sender, customer = self._check_send(sender_raw, customer_raw, body)
            entry = self._add_log(
                self._conversation(sender, customer),
                OUTGOING,
                body,
                user,
                at_ms=self.clock.now_ms(),
                media=media,
                queued=True,
            )
            record = SendRecord(
                "zoho", endpoint, entry.logid, sender, customer, body, entry.submitted_ms
            )
            self.journal.sends.append(record)
            return entry

    def schedule_send(
        self,
        user: User,
        sender_raw: str,
        customer_raw: str,
        body: str,
        media: tuple[Media, ...],
        scheduled_time: str,
        time_zone: str | None,
    ) -> Scheduled:
        try:
            zone = ZoneInfo(time_zone) if time_zone else ORG_ZONE
            local = datetime.strptime(scheduled_time.strip(), "%Y-%m-%d %H:%M:%S")
        except (ZoneInfoNotFoundError, ValueError):
            raise ZohoError(
                400, "ZVSMS-4029", "scheduledTime must be yyyy-mm-dd HH:MM:ss in a known timeZone"
            ) from None
        due_ms = int(local.replace(tzinfo=zone).timestamp() * 1000)
        with self.lock:
            sender, customer = self._check_send(sender_raw, customer_raw, body)
            if due_ms <= self.clock.now_ms():
                raise ZohoError(400, "ZVSMS-4029", "scheduledTime must be in the future")
            job = Scheduled(
                job_id=str(961_000_000_000_000 + self.rng.randrange(10**12)),
                logid=seeded_uuid(self.rng),
                sender=sender,
                customer=customer,
                body=body,
                scheduled_time=local.strftime("%Y-%m-%d %H:%M:%S"),
                time_zone=time_zone or str(ORG_ZONE),
                due_ms=due_ms,
                user=user,
                media=media,
            )
            self.schedule.append(job)
            self.media.update((m.mms_id, m) for m in media)
            self.journal.sends.append(
                SendRecord(
                    "zoho",
                    "zoho.send_v2",
                    job.logid,
                    sender,
                    customer,
                    body,
                    self.clock.now_ms(),
                    scheduled=True,
                )
            )
            return job

    def cancel_scheduled(self, job_id: str) -> bool:
        """Cancel a scheduled SMS, as an agent can in Zoho's own web app (the API has no
        cancel); False if no such job is waiting."""
        with self.lock:
            job = next((j for j in self.schedule if j.job_id == job_id), None)
            if job is not None:
                self.schedule.remove(job)
            return job is not None

    def release_due(self) -> int:
        """Turn scheduled SMS whose time has come into log rows; returns how many."""
        with self.lock:
            now_ms = self.clock.now_ms()
            due = [job for job in self.schedule if job.due_ms <= now_ms]
            for job in due:
                self.schedule.remove(job)
                self._add_log(
                    self._conversation(job.sender, job.customer),
                    OUTGOING,
                    job.body,
                    job.user,
                    at_ms=job.due_ms,
                    media=job.media,
                    queued=True,
                    logid=job.logid,
                )
            return len(due)

    def receive(
        self,
        customer_raw: str,
        body: str,
        sender_raw: str | None = None,
        media: tuple[Media, ...] = (),
    ) -> LogEntry:
        """An inbound SMS; "STOP"-like bodies opt the customer out of that number."""
        with self.lock:
            sender = self.sender(sender_raw).number if sender_raw else next(iter(self.numbers))
            conversation = self._conversation(sender, us_number(customer_raw))
            entry = self._add_log(
                conversation,
                INCOMING,
                body,
                self.numbers[sender].user,
                at_ms=self.clock.now_ms(),
                media=media,
            )
            if corpus.is_opt_out(body):
                conversation.opted_out = True
            return entry

    # -- views ---------------------------------------------------------------------------

    def query_logs(self, query: LogQuery) -> list[LogEntry]:
        """Matching rows, newest first; cached per world version so paging stays cheap."""
        with self.lock:
            key = (query, self._version)
            found = self._query_cache.get(key)
            if found is None:
                unfiltered = query == LogQuery()
                found = [e for e in self._newest_first(query) if unfiltered or query.matches(e)]
                if len(self._query_cache) >= _QUERY_CACHE_SIZE:
                    self._query_cache.clear()
                self._query_cache[key] = found
            return found

    def _newest_first(self, query: LogQuery) -> Iterable[LogEntry]:
        """The rows a query can match, newest first. A customer filter (every
        conversation's history is one) reads only that customer's conversations: scanning
        every log per page made a sync of the large world spend most of the simulator's
        time here, and more the bigger the world."""
        if query.customer is None:
            return reversed(self.logs)
        if query.sender is not None:
            one = self.conversations.get((query.sender, query.customer))
            return reversed(one.logs) if one else ()
        pools = [c.logs for c in self.conversations.values() if c.customer == query.customer]
        return heapq.merge(*map(reversed, pools), key=lambda e: e.order_key, reverse=True)

    def chat_list(self, sender: str | None, search: str | None) -> list[Conversation]:
        """Conversations, the one with the newest message first."""
        needle = (search or "").strip().lower()
        digits = phones.digits_key(needle) if any(ch.isdigit() for ch in needle) else ""

        def matches(conversation: Conversation) -> bool:
            if sender is not None and conversation.sender != sender:
                return False
            return (
                not needle
                or (bool(digits) and digits in conversation.customer)
                or needle in (conversation.customer_name or "").lower()
            )

        with self.lock:
            found = [c for c in self.conversations.values() if c.logs and matches(c)]
        found.sort(key=lambda c: c.last.order_key, reverse=True)
        return found

    def media_file(self, mms_id: str) -> Media:
        with self.lock:
            found = self.media.get(mms_id)
        if found is None:
            raise ZohoError(404, "ZVSMS-4004", f"No MMS with id {mms_id!r}")
        return found

    # -- for tests: copies, safe to keep ------------------------------------------------

    def conversation_list(self) -> list[Conversation]:
        """Every conversation, newest message first, with all its logs (oldest first)."""
        with self.lock:
            return [_snapshot(c) for c in self.chat_list(None, None)]

    def conversation(self, sender: str, customer: str) -> Conversation:
        """One conversation by 11-digit numbers (sender "" for legacy ones)."""
        with self.lock:
            return _snapshot(self.conversations[(sender, customer)])

    def scheduled(self) -> list[Scheduled]:
        """Pending scheduled SMS, soonest first."""
        with self.lock:
            return sorted(self.schedule, key=lambda job: job.due_ms)
