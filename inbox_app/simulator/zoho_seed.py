"""Builds the seeded Zoho Voice org: users, three long codes, ~90 days of conversations."""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from dataclasses import dataclass

from . import corpus, media, phones
from .seeding import DAY_MS, last_activity, message_counts, seeded_uuid, seeded_uuids
from .zoho_model import (
    DELIVERED,
    EXPIRED,
    INCOMING,
    OUTGOING,
    SENT,
    UNDELIVERED,
    Conversation,
    LogEntry,
    Media,
    SenderNumber,
    User,
)

NUMBER_LABELS = ("Support line", "Billing line", "Appointments line")


@dataclass
class ZohoCredentials:
    client_id: str
    client_secret: str
    refresh_token: str


@dataclass
class ZohoSeed:
    org_id: str
    users: list[User]
    numbers: list[SenderNumber]
    conversations: list[Conversation]
    logs: list[LogEntry]
    templates: dict[int, str]
    credentials: ZohoCredentials
    next_seq: int


@dataclass
class _LogSpec:
    conversation: Conversation
    direction: str
    body: str
    submitted_ms: int
    status: str
    media: tuple[Media, ...]


def seeded_media(rng: random.Random, org_id: str, when_ms: int) -> Media:
    content_type = media.PNG if rng.random() < 0.5 else media.JPEG
    object_name = f"{org_id}-mms-{rng.randrange(10**8, 10**9)}-{when_ms}"
    return Media(
        mms_id=seeded_uuid(rng),
        file_name=f"{object_name}.{media.EXTENSIONS[content_type]}",
        object_name=object_name,
        bucket=f"zohovoice-mms-sim-{org_id}",
        content_type=content_type,
        data=media.synthesize(rng.getrandbits(32), content_type),
        size_as_text=rng.random() < 0.5,
    )


def seed_zoho(
    rng: random.Random,
    conversations: int,
    per_conversation: int,
    now_ms: int,
    customers: Iterator[str],
) -> ZohoSeed:
    org_id = str(rng.randrange(690_000_000, 699_999_999))
    users = []
    for _ in range(3):
        first = rng.choice(corpus.FIRST_NAMES)
        users.append(
            User(
                rng.randrange(600_000_000, 700_000_000), first, f"{first.lower()}@northwind.example"
            )
        )
    numbers = [
        SenderNumber(phones.our_number(50 + i), label, users[i % len(users)])
        for i, label in enumerate(NUMBER_LABELS)
    ]
    alphabet = string.ascii_uppercase + string.digits
    credentials = ZohoCredentials(
        client_id="1000." + "".join(rng.choice(alphabet) for _ in range(30)),
        client_secret=f"{rng.getrandbits(168):042x}",
        refresh_token=f"1000.{rng.getrandbits(128):032x}.{rng.getrandbits(128):032x}",
    )
    templates = {961_000_000_000_000 + 17 * i: text for i, text in enumerate(corpus.ZOHO_TEMPLATES)}
    convs: list[Conversation] = []
    specs: list[_LogSpec] = []
    seen: set[tuple[str, str]] = set()
    for size in message_counts(rng, conversations, per_conversation):
        sender = "" if rng.random() < 0.03 else rng.choice(numbers).number
        customer = next(customers)
        while (sender, customer) in seen:
            customer = next(customers)
        seen.add((sender, customer))
        name = (
            f"{rng.choice(corpus.FIRST_NAMES)} {rng.choice(corpus.LAST_NAMES)}"
            if rng.random() < 0.7
            else None
        )
        conversation = Conversation(sender, customer, name, opted_out=rng.random() < 0.04)
        convs.append(conversation)
        agent = next((n.user.name for n in numbers if n.number == sender), users[0].name)
        specs += _conversation_logs(rng, conversation, size, now_ms, org_id, agent)
    specs.sort(key=lambda s: s.submitted_ms)
    numbers_by_key = {n.number: n for n in numbers}
    logs: list[LogEntry] = []
    ids = seeded_uuids(rng, 2 * len(specs))
    for seq, spec in enumerate(specs):
        conversation = spec.conversation
        owner = numbers_by_key.get(conversation.sender)
        logs.append(
            LogEntry(
                logid=ids[2 * seq],
                message_id=ids[2 * seq + 1],
                sender=conversation.sender,
                customer=conversation.customer,
                direction=spec.direction,
                body=spec.body,
                submitted_ms=spec.submitted_ms,
                final_status=spec.status,
                user=owner.user if owner else users[0],
                seq=seq,
                media=spec.media,
            )
        )
        conversation.logs.append(logs[-1])
    return ZohoSeed(org_id, users, numbers, convs, logs, templates, credentials, len(specs))


def _conversation_logs(
    rng: random.Random,
    conversation: Conversation,
    size: int,
    now_ms: int,
    org_id: str,
    agent: str,
) -> list[_LogSpec]:
    topic = rng.choice(corpus.TOPICS)
    first = (conversation.customer_name or "there").split()[0]
    context = corpus.conversation_context(rng, first, agent)
    opted_out = conversation.opted_out and size >= 2
    conversation.opted_out = opted_out
    plan: list[tuple[str, str]] = []
    direction = OUTGOING if rng.random() < 0.5 else INCOMING
    for _ in range(size - 2 if opted_out else size):
        lines = topic.customer if direction == INCOMING else topic.agent + topic.notices
        plan.append((direction, rng.choice(lines).format_map(context)))
        if rng.random() < 0.7:
            direction = INCOMING if direction == OUTGOING else OUTGOING
    if opted_out:
        plan += [(INCOMING, rng.choice(corpus.OPT_OUT_WORDS)), (OUTGOING, corpus.OPT_OUT_REPLY)]
    when = last_activity(rng, now_ms, 1.4)
    specs: list[_LogSpec] = []
    for direction, body in reversed(plan):
        roll = rng.random()
        if direction == INCOMING:
            status = DELIVERED
        else:
            status = (
                DELIVERED
                if roll < 0.86
                else SENT
                if roll < 0.92
                else UNDELIVERED
                if roll < 0.97
                else EXPIRED
            )
        attached = (seeded_media(rng, org_id, when),) if rng.random() < 0.03 else ()
        specs.append(_LogSpec(conversation, direction, body, when, status, attached))
        gap = rng.expovariate(1 / 3_600_000) if rng.random() < 0.9 else rng.uniform(1, 4) * DAY_MS
        when -= max(1_000, int(gap))
    specs.reverse()
    return specs
