"""Helpers both vendors' seeders share: seeded ids and realistic conversation sizes."""

from __future__ import annotations

import contextlib
import gc
import random
from collections.abc import Iterator

DAY_MS = 86_400_000
HISTORY_DAYS = 90


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def seeded_uuids(rng: random.Random, count: int) -> list[str]:
    """`count` random (version 4) UUIDs drawn from `rng`, made in bulk: the large world
    needs 200,000 of them and `uuid.UUID` would take a second."""
    h = rng.randbytes(16 * count).hex()
    return [
        f"{h[i : i + 8]}-{h[i + 8 : i + 12]}-4{h[i + 13 : i + 16]}-"
        f"{_VARIANT[h[i + 16]]}{h[i + 17 : i + 20]}-{h[i + 20 : i + 32]}"
        for i in range(0, 32 * count, 32)
    ]


def seeded_uuid(rng: random.Random) -> str:
    return seeded_uuids(rng, 1)[0]


def message_counts(rng: random.Random, conversations: int, average: int) -> list[int]:
    """Counts >= 1 with a long tail that add up to exactly conversations * average."""
    if conversations == 0:
        return []
    spare = conversations * (average - 1)
    weights = [rng.expovariate(1.0) for _ in range(conversations)]
    total_weight = sum(weights)
    counts = [1 + int(spare * w / total_weight) for w in weights]
    for index in rng.sample(range(conversations), conversations * average - sum(counts)):
        counts[index] += 1
    return counts


def last_activity(rng: random.Random, now_ms: int, skew: float) -> int:
    """A moment of the last 90 days; skew > 1 leans towards recent ones."""
    return now_ms - int(HISTORY_DAYS * DAY_MS * rng.random() ** skew) - rng.randrange(60_000)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Seeding makes about a million objects that all stay alive; without this the cyclic
    garbage collector rescans them again and again (a quarter of the large build time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
