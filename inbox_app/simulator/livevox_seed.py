"""Builds the seeded LiveVox world: who works where, and ~90 days of SMS threads.

The default agent (the first one, whose credentials the simulator hands out) is in every
service and owns ~40% of the threads, so both its personal and its group inboxes are full.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from . import corpus, phones
from .livevox_model import (
    AGENT_STATUSES,
    DELIVERED,
    FAILED,
    INBOUND,
    OUTBOUND,
    RECEIVED,
    Agent,
    Contact,
    Message,
    Service,
    Template,
    TermCode,
    Thread,
)
from .seeding import DAY_MS, last_activity, message_counts, seeded_uuid

FIRST_THREAD_ID = 56_040_000_000
FIRST_MESSAGE_ID = 56_061_000_000


@dataclass
class LiveVoxSeed:
    client_name: str
    client_id: int
    access_token: str
    short_code: str
    services: list[Service]
    agents: list[Agent]
    templates: list[Template]
    term_codes: dict[int, list[TermCode]]
    threads: list[Thread]
    next_thread_id: int
    next_message_id: int


@dataclass
class _MessageSpec:
    thread: Thread
    date_ms: int
    direction: int
    body: str
    agent_id: int | None
    attachment: tuple[int, int] | None  # (id, size)


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalpha())


def seed_livevox(
    rng: random.Random,
    threads: int,
    per_thread: int,
    agents: int,
    services: int,
    now_ms: int,
    customers: Iterator[str],
) -> LiveVoxSeed:
    short_code = str(rng.randrange(50_000, 59_999))
    service_list = [
        Service(
            service_id=service_id,
            name=corpus.SERVICE_NAMES[i % len(corpus.SERVICE_NAMES)]
            + ("" if i < len(corpus.SERVICE_NAMES) else f" {i // len(corpus.SERVICE_NAMES) + 1}"),
            sms_code=phones.our_number(i),
            voicemail_channel_id=str(9_900_001_000 + rng.randrange(1_000)),
        )
        for i, service_id in enumerate(sorted(rng.sample(range(94_000, 99_999), services)))
    ]
    agent_list = _agents(rng, agents, [s.service_id for s in service_list])
    templates: list[Template] = []
    template_id = 75_870
    for description, message in corpus.LIVEVOX_TEMPLATES:
        templates.append(Template(template_id, description, message, short_code))
        template_id += rng.randrange(3, 90)
    term_codes = {
        service.service_id: [
            TermCode(3_000 + s_index * 100 + c_index * 10 + n, name, category)
            for c_index, (category, names) in enumerate(corpus.TERM_CODE_CATEGORIES)
            for n, name in enumerate(names)
        ]
        for s_index, service in enumerate(service_list)
    }
    thread_list, next_thread_id, next_message_id = _threads(
        rng, threads, per_thread, service_list, agent_list, now_ms, customers
    )
    return LiveVoxSeed(
        client_name=f"{corpus.COMPANY.upper()}_SIM",
        client_id=rng.randrange(1_000, 9_999),
        access_token=seeded_uuid(rng),
        short_code=short_code,
        services=service_list,
        agents=agent_list,
        templates=templates,
        term_codes=term_codes,
        threads=thread_list,
        next_thread_id=next_thread_id,
        next_message_id=next_message_id,
    )


def _agents(rng: random.Random, count: int, service_ids: list[int]) -> list[Agent]:
    agents: list[Agent] = []
    logins: set[str] = set()
    for index, agent_id in enumerate(rng.sample(range(600_000, 800_000), count)):
        first, last = rng.choice(corpus.FIRST_NAMES), rng.choice(corpus.LAST_NAMES)
        login = (first[0] + _ascii(last)).upper()
        while login in logins:
            login += str(rng.randrange(10))
        logins.add(login)
        if index < 2:  # the default agent and one colleague cover every service
            member_of = tuple(service_ids)
        else:
            member_of = tuple(s for s in service_ids if rng.random() < 0.6) or (
                rng.choice(service_ids),
            )
        agents.append(
            Agent(
                agent_id=agent_id,
                login_id=login,
                first_name=first,
                last_name=last,
                password=f"Sim-{rng.getrandbits(32):08x}",
                status="READY" if index == 0 else rng.choice(AGENT_STATUSES),
                service_ids=member_of,
                voicemail_channel_id=str(9_900_001_000 + rng.randrange(1_000)),
                emails_read=rng.randrange(20),
                emails_unread=rng.randrange(5),
            )
        )
    return agents


def _contact(rng: random.Random, number: str, account: int) -> Contact:
    known = rng.random() >= 0.1
    city, state, zip_code = rng.choice(corpus.CITIES)
    roll = rng.random()
    return Contact(
        account=str(account),
        original_account=f"ORIG-{account}",
        first_name=rng.choice(corpus.FIRST_NAMES) if known else None,
        last_name=rng.choice(corpus.LAST_NAMES) if known else None,
        phone=phones.contact_spelling(number, rng),
        wireless=rng.random() < 0.85,
        dnc=roll < 0.025,
        sms_opt_in=not 0.025 <= roll < 0.05,
        city=city,
        state=state,
        zip_code=zip_code,
        balance=round(rng.uniform(0, 2_500), 2),
    )


def _threads(
    rng: random.Random,
    count: int,
    per_thread: int,
    services: list[Service],
    agents: list[Agent],
    now_ms: int,
    customers: Iterator[str],
) -> tuple[list[Thread], int, int]:
    default, others = agents[0], agents[1:]
    contacts: dict[str, Contact] = {}
    specs: list[_MessageSpec] = []
    threads: list[Thread] = []
    odd_bodies = list(corpus.ODD_BODIES)
    attachment_id = 7_000_000 + rng.randrange(100_000)
    for size in message_counts(rng, count, per_thread):
        roll = rng.random()
        owner: Agent | None
        if roll < 0.40:
            owner = default
        elif roll < 0.75:
            owner = None
        else:
            owner = rng.choice(others)
        service_ids = owner.service_ids if owner else tuple(s.service_id for s in services)
        service_id = rng.choice(service_ids)
        service = next(s for s in services if s.service_id == service_id)
        number = next(customers)
        contact = contacts.get(number) or _contact(rng, number, 1_000 + len(contacts))
        contacts[number] = contact
        thread = Thread(
            thread_id="",
            service_id=service.service_id,
            owner_agent_id=owner.agent_id if owner else None,
            contact=contact,
            sms_code=service.sms_code,
            object_id=seeded_uuid(rng),
            created_ms=0,
            resolved=rng.random() < 0.08,
        )
        responder = owner or rng.choice([a for a in agents if service.service_id in a.service_ids])
        thread_specs = _conversation(rng, thread, size, responder, now_ms)
        if owner is default and odd_bodies and not thread.resolved:
            inbound = [s for s in thread_specs if s.direction == INBOUND]
            if inbound:
                inbound[-1].body = odd_bodies.pop(0)
        for spec in thread_specs:
            if spec.direction == INBOUND and rng.random() < 0.015:
                attachment_id += rng.randrange(1, 50)
                spec.attachment = (attachment_id, rng.randrange(20_000, 2_000_000))
        last_inbound = thread_specs[-1].direction == INBOUND
        thread.read = not last_inbound or rng.random() < 0.45
        thread.created_ms = thread_specs[0].date_ms
        threads.append(thread)
        specs.extend(thread_specs)
    threads.sort(key=lambda t: t.created_ms)
    next_thread_id = FIRST_THREAD_ID
    for thread in threads:
        next_thread_id += rng.randrange(1, 40)
        thread.thread_id = str(next_thread_id)
    specs.sort(key=lambda s: s.date_ms)
    next_message_id = FIRST_MESSAGE_ID
    for spec in specs:
        next_message_id += 1 + int(rng.random() * 3)
        thread = spec.thread
        if spec.direction == INBOUND:
            status = RECEIVED
        else:
            status = FAILED if rng.random() < 0.02 else DELIVERED
        thread.messages.append(
            Message(
                id=str(next_message_id),
                thread_id=thread.thread_id,
                account=thread.contact.account,
                body=spec.body,
                direction=spec.direction,
                date_ms=spec.date_ms,
                sms_code=thread.sms_code,
                phone=thread.contact.phone,
                final_status=status,
                attachment_ids=(spec.attachment[0],) if spec.attachment else (),
                attachment_size=spec.attachment[1] if spec.attachment else 0,
                agent_id=spec.agent_id,
            )
        )
    return threads, next_thread_id + 1, next_message_id + 1


def _conversation(
    rng: random.Random, thread: Thread, size: int, agent: Agent, now_ms: int
) -> list[_MessageSpec]:
    """`size` messages ending at a random moment of the last 90 days, oldest first.

    Opening notices and opt-out confirmations are automated (no agent); other outbound
    messages are the responding agent's.
    """
    topic = rng.choice(corpus.TOPICS)
    first = thread.contact.first_name or "there"
    context = corpus.conversation_context(rng, first, agent.first_name)
    opted_out = not thread.contact.sms_opt_in and size >= 3
    plan: list[tuple[int, str, int | None]] = []
    direction = OUTBOUND if rng.random() < 0.4 else INBOUND
    for index in range(size - 2 if opted_out else size):
        if direction == INBOUND:
            plan.append((INBOUND, rng.choice(topic.customer).format_map(context), None))
        elif index == 0:
            plan.append((OUTBOUND, rng.choice(topic.notices).format_map(context), None))
        else:
            lines = topic.agent if rng.random() < 0.85 else corpus.TOPICS[-1].agent
            plan.append((OUTBOUND, rng.choice(lines).format_map(context), agent.agent_id))
        if rng.random() < 0.75:
            direction = INBOUND if direction == OUTBOUND else OUTBOUND
    if opted_out:
        plan.append((INBOUND, rng.choice(corpus.OPT_OUT_WORDS), None))
        plan.append((OUTBOUND, corpus.OPT_OUT_REPLY, None))
    when = last_activity(rng, now_ms, 1.6)
    specs: list[_MessageSpec] = []
    for direction, body, agent_id in reversed(plan):
        specs.append(_MessageSpec(thread, when, direction, body, agent_id, None))
        gap = rng.expovariate(1 / 2_400_000) if rng.random() < 0.9 else rng.uniform(1, 3) * DAY_MS
        when -= max(1_000, int(gap))
    specs.reverse()
    return specs
