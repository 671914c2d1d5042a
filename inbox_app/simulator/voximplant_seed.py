"""Builds the seeded Voximplant account: two SMS numbers, one A2P sender, ~90 days of
history between them and customers. Draws from its own random stream, so adding it
left the LiveVox and Zoho worlds of every seed as they were."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from inbox_app.core.segments import segment_info

from . import corpus, phones
from .seeding import DAY_MS, last_activity, message_counts, seeded_uuid
from .voximplant_model import (
    A2P,
    DELIVERED,
    EXPIRED,
    FAILED,
    IN,
    OUT,
    REJECTED,
    SMS,
    OurNumber,
    SmsRecord,
)

ERRORS = {
    FAILED: "Destination number is unreachable",
    REJECTED: "Rejected by the carrier",
    EXPIRED: "Validity period expired",
}


@dataclass
class VoximplantSeed:
    account_id: str
    api_key: str
    key_id: str
    numbers: list[OurNumber]
    records: list[SmsRecord]
    next_transaction_id: int


@dataclass
class _Spec:
    kind: str
    source: str
    destination: str
    direction: str
    text: str | None
    at_ms: int
    status: int


def fragments(text: str) -> int:
    """SMS parts the text costs; up to 70 characters is one part in any encoding (a
    shortcut that keeps seeding the large world quick)."""
    if len(text) <= 70:
        return 1
    return max(1, segment_info(text).segments)


def outcome(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.88:
        return DELIVERED
    return FAILED if roll < 0.94 else REJECTED if roll < 0.97 else EXPIRED


def seed_voximplant(
    rng: random.Random, pairs: int, per_pair: int, now_ms: int, customers: Iterator[str]
) -> VoximplantSeed:
    numbers = [
        OurNumber(phones.our_number(170), a2p=False),
        OurNumber(phones.our_number(171), a2p=False),
        OurNumber(phones.our_number(172), a2p=True),
    ]
    account_id = str(rng.randrange(1_000_000, 9_999_999))
    api_key = seeded_uuid(rng)
    key_id = seeded_uuid(rng)
    specs: list[_Spec] = []
    seen: set[tuple[str, str]] = set()
    for size in message_counts(rng, pairs, per_pair):
        ours = numbers[2] if rng.random() < 0.2 else rng.choice(numbers[:2])
        customer = next(customers)
        while (ours.number, customer) in seen:
            customer = next(customers)
        seen.add((ours.number, customer))
        specs += _pair(rng, ours, customer, size, now_ms)
    specs.sort(key=lambda s: s.at_ms)
    first_transaction = rng.randrange(10**8, 9 * 10**8)
    records = [
        SmsRecord(
            message_id=3_000_000 + index,
            transaction_id=first_transaction + index,
            kind=spec.kind,
            source=spec.source,
            destination=spec.destination,
            direction=spec.direction,
            text=spec.text,
            fragments=fragments(spec.text or "x"),
            at_ms=spec.at_ms,
            final_status=spec.status,
            error_message=ERRORS.get(spec.status, ""),
        )
        for index, spec in enumerate(specs)
    ]
    return VoximplantSeed(
        account_id, api_key, key_id, numbers, records, first_transaction + len(records)
    )


def _pair(
    rng: random.Random, ours: OurNumber, customer: str, size: int, now_ms: int
) -> list[_Spec]:
    topic = rng.choice(corpus.TOPICS)
    context = corpus.conversation_context(rng, rng.choice(corpus.FIRST_NAMES), "Sam")
    when = last_activity(rng, now_ms, 1.4)
    specs: list[_Spec] = []
    direction = OUT if ours.a2p or rng.random() < 0.5 else IN
    for _ in range(size):
        if direction == IN:
            text: str | None = rng.choice(topic.customer).format_map(context)
            specs.append(_Spec(SMS, customer, ours.number, IN, text, when, DELIVERED))
        else:
            lines = topic.notices if ours.a2p else topic.agent + topic.notices
            text = rng.choice(lines).format_map(context)
            stored = rng.random() >= (0.3 if ours.a2p else 0.12)
            kind = A2P if ours.a2p else SMS
            spec = _Spec(kind, ours.number, customer, OUT, text if stored else None, when, 0)
            spec.status = outcome(rng)
            specs.append(spec)
        if not ours.a2p and rng.random() < 0.7:
            direction = IN if direction == OUT else OUT
        gap = rng.expovariate(1 / 3_600_000) if rng.random() < 0.9 else rng.uniform(1, 4) * DAY_MS
        when -= max(1_000, int(gap))
    return specs
