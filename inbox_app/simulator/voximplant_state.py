"""Voximplant's behaviour: SMS and A2P sends, inbound SMS, ControlSms and the histories.

Runs under the world's lock like zoho_state.py; refusals raise `VoximplantError`.

Choices where the documents are silent:
- history is served oldest first (by processed date, then message id), so count/offset
  pages stay put while new rows arrive at the end; `from_date` and `to_date` are both
  inclusive; `direction` takes IN/OUT in any casing;
- a sent message is DISPATCHED (status 2) for 5 s, then reaches its final status;
  inbound SMS are DELIVERED (5);
- SendSmsMessage may use any of our numbers with SMS enabled; A2PSendSms only a
  registered A2P sender id, also with SMS enabled; an inbound SMS to a number with SMS
  disabled is dropped, as the vendor would not deliver it;
- A2PSendSms refuses unknown or non-US destinations one by one in `failed` and sends the
  rest; each accepted destination gets its own history row and transaction id.
"""

from __future__ import annotations

import bisect
import random
import threading
from dataclasses import dataclass

from . import phones
from .clock import Clock
from .journal import Journal, SendRecord
from .voximplant_errors import (
    AUTH_FAILED,
    NOT_A2P_SENDER,
    SMS_DISABLED,
    TOO_LONG,
    UNKNOWN_NUMBER,
    VoximplantError,
    bad_parameter,
)
from .voximplant_jwt import ServiceAccount
from .voximplant_model import (
    A2P,
    A2P_MAX_DESTINATIONS,
    A2P_TEXT_LIMIT,
    DELIVERED,
    IN,
    OUT,
    SMS,
    SMS_BODY_LIMIT,
    OurNumber,
    SmsRecord,
)
from .voximplant_seed import VoximplantSeed, fragments, outcome

DELIVERY_DELAY_MS = 5_000
_QUERY_CACHE_SIZE = 16


@dataclass(frozen=True)
class HistoryQuery:
    """The filters of a history call; `None` means "not filtered on"."""

    kind: str
    source: str | None = None
    destination: str | None = None
    direction: str | None = None
    from_ms: int | None = None
    to_ms: int | None = None
    delivery_status: int | None = None

    def matches(self, record: SmsRecord, now_ms: int) -> bool:
        return (
            record.kind == self.kind
            and (self.source is None or record.source == self.source)
            and (self.destination is None or record.destination == self.destination)
            and (self.direction is None or record.direction == self.direction)
            and (self.from_ms is None or record.at_ms >= self.from_ms)
            and (self.to_ms is None or record.at_ms <= self.to_ms)
            and (self.delivery_status is None or record.status_at(now_ms) == self.delivery_status)
        )


@dataclass(frozen=True)
class A2PFailure:
    destination: str
    code: int
    description: str


class VoximplantState:
    def __init__(
        self,
        seed: VoximplantSeed,
        *,
        lock: threading.RLock,
        clock: Clock,
        rng: random.Random,
        journal: Journal,
    ) -> None:
        self.lock = lock
        self.clock = clock
        self.rng = rng
        self.journal = journal
        self.account_id = seed.account_id
        self.api_key = seed.api_key
        self.service_account = ServiceAccount(seed.account_id, seed.key_id)
        self.numbers: dict[str, OurNumber] = {n.number: n for n in seed.numbers}
        self.records: list[SmsRecord] = seed.records
        self._next_message_id = max((r.message_id for r in seed.records), default=3_000_000) + 1
        self._next_transaction_id = seed.next_transaction_id
        self._version = 0
        self._cache: dict[tuple[HistoryQuery, int], list[SmsRecord]] = {}

    def check_auth(self, account_id: str, api_key: str, authorization: str = "") -> None:
        """An `Authorization: Bearer` service-account token, else account_id + api_key."""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            with self.lock:
                self.service_account.check(token.strip())
        elif account_id.strip() != self.account_id or api_key.strip() != self.api_key:
            raise VoximplantError(AUTH_FAILED, "Invalid account_id or api_key")

    # -- changes -------------------------------------------------------------------------

    def _add(
        self,
        kind: str,
        source: str,
        destination: str,
        direction: str,
        text: str | None,
        *,
        fragment_count: int,
        queued: bool,
    ) -> SmsRecord:
        now_ms = self.clock.now_ms()
        final = outcome(self.rng) if queued else DELIVERED
        record = SmsRecord(
            message_id=self._next_message_id,
            transaction_id=self._next_transaction_id,
            kind=kind,
            source=source,
            destination=destination,
            direction=direction,
            text=text,
            fragments=fragment_count,
            at_ms=now_ms,
            final_status=final,
            error_message="Destination number is unreachable" if final != DELIVERED else "",
            queued_until_ms=now_ms + DELIVERY_DELAY_MS if queued else 0,
        )
        self._next_message_id += 1
        self._next_transaction_id += 1
        bisect.insort(self.records, record, key=lambda r: r.order_key)
        self._version += 1
        return record

    def _ours(self, raw: str) -> OurNumber:
        number = self.numbers.get(phones.digits_key(raw))
        if number is None:
            raise VoximplantError(UNKNOWN_NUMBER, f"The phone number {raw} is not on this account")
        return number

    def _enabled(self, raw: str) -> OurNumber:
        number = self._ours(raw)
        if not number.sms_enabled:
            raise VoximplantError(SMS_DISABLED, f"SMS is not enabled for the number {raw}")
        return number

    def send_sms(self, source: str, destination: str, body: str, store: bool) -> SmsRecord:
        if not body:
            raise bad_parameter("sms_body")
        if len(body) > SMS_BODY_LIMIT:
            raise VoximplantError(TOO_LONG, f"sms_body is longer than {SMS_BODY_LIMIT} characters")
        customer = _us_number(destination)
        with self.lock:
            ours = self._enabled(source)
            record = self._add(
                SMS,
                ours.number,
                customer,
                OUT,
                body if store else None,
                fragment_count=fragments(body),
                queued=True,
            )
            self._journal("voximplant.send_sms", record, body)
            return record

    def send_a2p(
        self, source: str, destinations: list[str], text: str, store: bool
    ) -> tuple[list[SmsRecord], list[A2PFailure], int]:
        """Accepted rows, refused destinations, and the fragment count of the text."""
        if not text:
            raise bad_parameter("text")
        if len(text) > A2P_TEXT_LIMIT:
            raise VoximplantError(TOO_LONG, f"text is longer than {A2P_TEXT_LIMIT} characters")
        if not destinations:
            raise bad_parameter("dst_numbers")
        if len(destinations) > A2P_MAX_DESTINATIONS:
            raise VoximplantError(
                TOO_LONG, f"dst_numbers holds more than {A2P_MAX_DESTINATIONS} numbers"
            )
        count = fragments(text)
        with self.lock:
            ours = self._enabled(source)
            if not ours.a2p:
                raise VoximplantError(NOT_A2P_SENDER, f"{source} is not a registered SenderID")
            sent: list[SmsRecord] = []
            failed: list[A2PFailure] = []
            for raw in destinations:
                try:
                    customer = _us_number(raw)
                except VoximplantError as error:
                    failed.append(A2PFailure(raw, error.code, error.message))
                    continue
                record = self._add(
                    A2P,
                    ours.number,
                    customer,
                    OUT,
                    text if store else None,
                    fragment_count=count,
                    queued=True,
                )
                self._journal("voximplant.a2p_send", record, text)
                sent.append(record)
            return sent, failed, count

    def _journal(self, endpoint: str, record: SmsRecord, body: str) -> None:
        self.journal.sends.append(
            SendRecord(
                "voximplant",
                endpoint,
                str(record.transaction_id if record.kind == A2P else record.message_id),
                record.source,
                record.destination,
                body,
                record.at_ms,
            )
        )

    def receive(self, customer_raw: str, body: str, number: str | None = None) -> SmsRecord | None:
        """An inbound SMS to `number` (default: our first SMS number); None if that number
        has SMS disabled, so the vendor never took it."""
        with self.lock:
            ours = self.numbers[phones.digits_key(number)] if number else self.sms_numbers()[0]
            if not ours.sms_enabled:
                return None
            return self._add(
                SMS,
                _us_number(customer_raw),
                ours.number,
                IN,
                body,
                fragment_count=fragments(body),
                queued=False,
            )

    def control_sms(self, raw: str, command: str) -> None:
        if command.lower() not in ("enable", "disable"):
            raise bad_parameter("command")
        with self.lock:
            number = self._ours(raw)
            number.sms_enabled = command.lower() == "enable"

    # -- views ---------------------------------------------------------------------------

    def history(self, query: HistoryQuery) -> list[SmsRecord]:
        """Matching records, oldest first; cached per world version so paging is cheap.
        A delivery-status filter depends on the clock, so it is never cached."""
        with self.lock:
            now_ms = self.clock.now_ms()
            if query.delivery_status is not None:
                return [r for r in self.records if query.matches(r, now_ms)]
            key = (query, self._version)
            found = self._cache.get(key)
            if found is None:
                found = [r for r in self.records if query.matches(r, now_ms)]
                if len(self._cache) >= _QUERY_CACHE_SIZE:
                    self._cache.clear()
                self._cache[key] = found
            return found

    def sms_numbers(self) -> list[OurNumber]:
        return [n for n in self.numbers.values() if not n.a2p]

    # -- for tests: copies, safe to keep ------------------------------------------------

    def pairs(self) -> dict[tuple[str, str], list[SmsRecord]]:
        """Every (our number, customer) pair with its records, oldest first."""
        with self.lock:
            found: dict[tuple[str, str], list[SmsRecord]] = {}
            for record in self.records:
                found.setdefault((record.ours, record.customer), []).append(record)
            return found


def _us_number(raw: str) -> str:
    key = phones.digits_key(raw)
    if len(key) != 11 or not key.startswith("1"):
        raise VoximplantError(UNKNOWN_NUMBER, f"Invalid destination number {raw!r}")
    return key
