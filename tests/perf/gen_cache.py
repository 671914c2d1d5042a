"""A years-deep cache written straight through the store's bulk write path (no HTTP) and
indexed for search as the sync engine does it between passes:
100,000 threads and 2,000,000 messages (a tenth with --quick), two of them 5,000-message
threads at the top of the list. Kept under CACHE_DIR keyed by size, seed and version, so
only the first run pays for it."""

from __future__ import annotations

import random
import shutil
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import CACHE_DIR

from inbox_app.core.models import Channel, Direction, Message, ProviderKind, Thread, ThreadStatus
from inbox_app.simulator.corpus import FIRST_NAMES, LAST_NAMES
from inbox_app.store import time_index, writes
from inbox_app.store.schema import LATEST_VERSION
from inbox_app.store.writer import Writer

VERSION = 1
SEED = 42
BIG_THREAD_MESSAGES = 5_000
BIG_THREADS = ("big-1", "big-2")
ACCOUNTS = (("LiveVox demo", ProviderKind.LIVEVOX), ("Zoho demo", ProviderKind.ZOHO))
CHANNELS = ("personal", "group-1", "group-2")
_BATCH_THREADS = 2_000
_START = datetime(2021, 1, 1, tzinfo=UTC)

WORDS = [
    "hello",
    "hi",
    "thanks",
    "thank",
    "you",
    "please",
    "order",
    "delivery",
    "refund",
    "payment",
    "due",
    "invoice",
    "appointment",
    "tomorrow",
    "today",
    "monday",
    "friday",
    "confirm",
    "cancel",
    "reschedule",
    "address",
    "street",
    "apartment",
    "code",
    "verification",
    "account",
    "balance",
    "card",
    "declined",
    "charge",
    "billing",
    "statement",
    "pharmacy",
    "prescription",
    "ready",
    "pickup",
    "driver",
    "tracking",
    "package",
    "late",
    "damaged",
    "replace",
    "return",
    "label",
    "call",
    "back",
    "later",
    "morning",
    "afternoon",
    "evening",
    "weekend",
    "help",
    "stop",
    "start",
    "yes",
    "no",
    "maybe",
    "ok",
    "sure",
    "great",
    "perfect",
    "sorry",
    "problem",
    "issue",
    "question",
    "agent",
    "supervisor",
    "manager",
    "ticket",
    "number",
    "claim",
    "policy",
    "renewal",
    "insurance",
    "quote",
    "price",
    "discount",
    "coupon",
    "plan",
    "upgrade",
    "downgrade",
    "internet",
    "outage",
    "technician",
    "visit",
    "window",
    "between",
    "arrive",
    "minutes",
    "hours",
    "waiting",
    "still",
    "nothing",
    "received",
    "email",
    "text",
    "message",
    "phone",
    "reply",
    "urgent",
    "asap",
    "please",
    "check",
    "status",
    "update",
]


def cache_path(threads: int, per_thread: int) -> Path:
    """Keyed by the schema too: a cache built before a migration is not reused."""
    name = f"cache-v{VERSION}-schema{LATEST_VERSION}-s{SEED}-{threads}x{per_thread}.sqlite3"
    return CACHE_DIR / name


def _body(rng: random.Random, order: int) -> str:
    n = rng.randint(4, 24)
    words = [WORDS[min(int(rng.paretovariate(1.2)) - 1, len(WORDS) - 1)] for _ in range(n)]
    words += rng.sample(WORDS, 3)
    rng.shuffle(words)
    if rng.random() < 0.2:
        words.append(f"#{order}")
    return " ".join(words).capitalize()


def build(threads: int, per_thread: int) -> Path:
    """The cache file for this size, generated unless already there."""
    path = cache_path(threads, per_thread)
    if path.exists():
        return path
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for stale in partial.parent.glob(partial.name + "*"):
        stale.unlink()
    rng = random.Random(SEED)
    writer = Writer(partial)
    started = time.perf_counter()
    try:
        for account, provider in ACCOUNTS:
            channels = [
                Channel(key, key.title(), "sms", key == "personal", 0, 0, key) for key in CHANNELS
            ]
            writer.run_blocking(
                lambda c, a=account, p=provider, ch=channels: (
                    writes.ensure_account(c, a, p),
                    writes.replace_channels(c, a, ch),
                )
            )
        keys = [f"t{i}" for i in range(threads - len(BIG_THREADS))] + list(BIG_THREADS)
        for start in range(0, len(keys), _BATCH_THREADS):
            batch = keys[start : start + _BATCH_THREADS]
            by_account: dict[str, tuple[list[Thread], dict[str, list[Message]]]] = {}
            for n, key in enumerate(batch, start):
                account = ACCOUNTS[n % 2][0]
                count = BIG_THREAD_MESSAGES if key in BIG_THREADS else per_thread
                last = _START + timedelta(minutes=n * 10 + (10**7 if key in BIG_THREADS else 0))
                messages = [
                    Message(
                        id=f"{key}-m{j}",
                        thread_key=key,
                        direction=Direction.IN if j % 2 == 0 else Direction.OUT,
                        body=_body(rng, n),
                        at=last - timedelta(minutes=3 * (count - 1 - j)),
                        status="delivered",
                    )
                    for j in range(count)
                ]
                first = rng.choice(FIRST_NAMES)
                thread = Thread(
                    key=key,
                    channel_key=CHANNELS[n % len(CHANNELS)],
                    customer_number=f"+1415{n:07d}",
                    customer_name=f"{first} {rng.choice(LAST_NAMES)}",
                    our_number="+18005550100",
                    unread=rng.random() < 0.1,
                    status=ThreadStatus.ACTIVE,
                    last_message_at=last,
                    preview=messages[-1].body,
                    fingerprint="f1",
                    customer_account=f"AC{n:08d}",
                )
                entry = by_account.setdefault(account, ([], {}))
                entry[0].append(thread)
                entry[1][key] = messages
            for account, (thread_rows, by_thread) in by_account.items():
                writer.run_blocking(
                    lambda c, a=account, t=thread_rows, m=by_thread: (
                        writes.upsert_threads(c, a, t),
                        writes.upsert_messages_bulk(c, a, m),
                    )
                )
        writer.run_blocking(
            lambda c: c.execute("UPDATE threads SET messages_fingerprint = fingerprint")
        )
        while writer.run_blocking(time_index.index_backlog):
            pass
    finally:
        writer.close()
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)
    shutil.move(partial, path)
    print(
        f"generated {path} in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return path
