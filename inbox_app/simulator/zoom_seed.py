"""Builds the seeded Zoom Contact Center account: queues, agents, a few contact-center
numbers and four months of completed SMS engagements (longer than a client's default
90-day horizon, so the horizon is visible)."""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from dataclasses import dataclass

from . import phones
from .seeding import DAY_MS
from .zoom_model import Agent, Engagement, Queue

HISTORY_DAYS = 120
QUEUE_NAMES = ("Billing", "Technical Support", "Sales", "Appointments", "Returns")
AGENT_NAMES = (
    "Avery Brooks",
    "Jordan Kim",
    "Priya Nair",
    "Sam Okafor",
    "Elena Rossi",
    "Noah Fischer",
    "Mei Tanaka",
    "Diego Alvarez",
)
CONSUMER_NAMES = (
    "Maria Lopez",
    "James Carter",
    "Aisha Khan",
    "Tom Becker",
    "Grace Liu",
    "Omar Haddad",
    "Nina Petrova",
    "Luis Ortega",
)
COUNTRIES = (("US", "United States"), ("CA", "Canada"))
_ID_ALPHABET = string.ascii_letters + string.digits + "-_"


@dataclass
class ZoomCredentials:
    account_id: str
    client_id: str
    client_secret: str


@dataclass
class ZoomSeed:
    account_id: str
    queues: list[Queue]
    agents: list[Agent]
    numbers: list[str]
    engagements: list[Engagement]
    credentials: ZoomCredentials


def zoom_id(rng: random.Random, length: int = 22) -> str:
    """A Zoom-looking id (url-safe characters) drawn from `rng`."""
    return "".join(rng.choices(_ID_ALPHABET, k=length))


def make_engagement(
    rng: random.Random,
    queues: list[Queue],
    agents: list[Agent],
    numbers: list[str],
    customer: str,
    start_ms: int,
    *,
    end_ms: int | None = None,
) -> Engagement:
    """A plausible completed engagement: one queue (sometimes transferred to a second),
    one or two agents (rarely none: given up in the queue), a few texts each way."""
    first = rng.choice(queues)
    trail = (first,) if rng.random() < 0.85 else (first, rng.choice(queues))
    staff_count = 0 if rng.random() < 0.05 else (1 if rng.random() < 0.8 else 2)
    staff = tuple(rng.sample(agents, staff_count))
    received = rng.randint(1, 8)
    sent = rng.randint(1, 8) if staff else 0
    files = rng.random() < 0.08
    country_iso, country_name = COUNTRIES[0] if rng.random() < 0.9 else COUNTRIES[1]
    return Engagement(
        engagement_id=zoom_id(rng),
        direction="inbound" if rng.random() < 0.8 else "outbound",
        contact_center_number=rng.choice(numbers),
        consumer_number=customer,
        consumer_display_name=rng.choice(CONSUMER_NAMES) if rng.random() < 0.6 else "",
        queues=trail,
        agents=staff,
        country_iso=country_iso,
        country_name=country_name,
        sms_types=("sms", "mms") if files else ("sms",),
        sent=sent,
        received=received,
        sent_files=int(files and sent > 0),
        received_files=int(files),
        start_ms=start_ms,
        end_ms=end_ms if end_ms is not None else start_ms + rng.randrange(60_000, 3_600_000),
    )


def seed_zoom(
    rng: random.Random, engagements: int, now_ms: int, customers: Iterator[str]
) -> ZoomSeed:
    queues = [Queue(zoom_id(rng), name) for name in QUEUE_NAMES]
    agents = [Agent(zoom_id(rng), name) for name in AGENT_NAMES]
    numbers = [phones.our_number(200 + index) for index in range(3)]
    history = [
        make_engagement(
            rng,
            queues,
            agents,
            numbers,
            next(customers),
            # An hour's margin keeps every seeded engagement completed before "now".
            now_ms - DAY_MS // 24 - int(HISTORY_DAYS * DAY_MS * rng.random() ** 1.3),
        )
        for _ in range(engagements)
    ]
    account_id = zoom_id(rng)
    return ZoomSeed(
        account_id=account_id,
        queues=queues,
        agents=agents,
        numbers=numbers,
        engagements=history,
        credentials=ZoomCredentials(account_id, zoom_id(rng, 20), zoom_id(rng, 32)),
    )
