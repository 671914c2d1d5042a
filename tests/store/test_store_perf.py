"""The history-import check: 50k messages through upsert_messages_bulk, stored once and
unchanged the second time. The rate is printed, not asserted (machines differ); 50k keeps
the suite quick while giving a steady figure."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from store_helpers import ACCOUNT, BASE_TIME, make_thread

from inbox_app.core.models import Direction, Message
from inbox_app.store import writes
from inbox_app.store.writer import Writer

THREADS, PER_THREAD = 2_500, 20


def test_bulk_upsert_rate(writer: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    words = [
        "hello",
        "pizza",
        "refund",
        "tomorrow",
        "order",
        "status",
        "please",
        "thanks",
        "delivery",
        "window",
    ]
    threads = [make_thread(f"t{i}", customer_number=f"+1415555{i:04d}") for i in range(THREADS)]
    by_thread = {
        f"t{i}": [
            Message(
                id=f"m{i}-{j}",
                thread_key=f"t{i}",
                direction=Direction.IN if j % 2 else Direction.OUT,
                body=f"{words[j % 10]} {words[(i + j) % 10]} about order {i}-{j}",
                at=BASE_TIME + timedelta(seconds=i * PER_THREAD + j),
                status="delivered",
            )
            for j in range(PER_THREAD)
        ]
        for i in range(THREADS)
    }
    writer.run_blocking(lambda c: writes.upsert_threads(c, ACCOUNT, threads))

    def timed() -> tuple[float, dict[str, int]]:
        start = time.perf_counter()
        counts = writer.run_blocking(lambda c: writes.upsert_messages_bulk(c, ACCOUNT, by_thread))
        return time.perf_counter() - start, counts

    first, counts = timed()
    again, unchanged = timed()
    total = THREADS * PER_THREAD
    assert sum(counts.values()) == total and sum(unchanged.values()) == 0
    assert (
        writer.run_blocking(lambda c: c.execute("SELECT count(*) FROM messages").fetchone()[0])
        == total
    )
    with capsys.disabled():
        print(
            f"\nbulk upsert of {total:,} messages: {total / first:,.0f} msg/s new,"
            f" {total / again:,.0f} msg/s unchanged (incl. FTS indexing, commit)"
        )
