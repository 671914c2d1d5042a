"""Scheduled messages (mirrored whole, keyed to threads by numbers) and the SMS log reads
(an account's messages across threads, filtered and paged newest first)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from store_helpers import ACCOUNT, BASE_TIME, dump, make_message, make_thread

from inbox_app.core.models import Attachment, Direction, ScheduledMessage
from inbox_app.store import effects, writes
from inbox_app.store.scheduled import replace_scheduled, scheduled_for_thread
from inbox_app.store.sms_logs import LogFilter, log_page, our_numbers

Write = Callable[..., Any]
ODD = '<b>bold</b> &amp; مرحبا 👋🏽\n<script>alert("x")</script>'


def scheduled(id: str = "s1", minutes: int = 60, **changes: Any) -> ScheduledMessage:
    item = ScheduledMessage(
        id=id,
        job_id=f"job-{id}",
        customer_number="+14155550123",
        our_number="+18005550100",
        body=f"reminder {id}",
        at=BASE_TIME + timedelta(minutes=minutes),
        time_zone="Asia/Kolkata",
        status="IN_QUEUE",
    )
    return replace(item, **changes)


def test_scheduled_rows_land_update_and_disappear(write: Write, reader: sqlite3.Connection) -> None:
    write(writes.upsert_threads, ACCOUNT, [make_thread("t1"), make_thread("t2", our_number="")])
    first = [scheduled("s2", 120), scheduled("s1", 30, body=ODD)]
    assert write(replace_scheduled, ACCOUNT, first) == {"t1"}
    shown = scheduled_for_thread(reader, ACCOUNT, "+18005550100", "+14155550123")
    assert [s.id for s in shown] == ["s1", "s2"]  # soonest first
    assert shown[0].body == ODD and shown[0].time_zone == "Asia/Kolkata"
    assert shown[0].at == BASE_TIME + timedelta(minutes=30)
    assert scheduled_for_thread(reader, ACCOUNT, "", "+14155550123") == []

    before = dump(reader)
    assert write(replace_scheduled, ACCOUNT, first) == set()  # idempotent
    assert dump(reader) == before

    moved = [scheduled("s2", 240), scheduled("s1", 30, body=ODD)]
    assert write(replace_scheduled, ACCOUNT, moved) == {"t1"}
    assert scheduled_for_thread(reader, ACCOUNT, "+18005550100", "+14155550123")[1].at == (
        BASE_TIME + timedelta(minutes=240)
    )

    # s1 was sent, s2 cancelled: the vendor lists neither any more.
    assert write(replace_scheduled, ACCOUNT, []) == {"t1"}
    assert scheduled_for_thread(reader, ACCOUNT, "+18005550100", "+14155550123") == []


def test_schedule_without_a_thread_is_kept_until_one_appears(
    write: Write, reader: sqlite3.Connection
) -> None:
    item = scheduled(customer_number="+12025550199", at=None, id="", job_id="j9")
    assert write(replace_scheduled, ACCOUNT, [item, scheduled(id="", job_id="")]) == set()
    write(writes.upsert_threads, ACCOUNT, [make_thread("t9", customer_number="+12025550199")])
    (stored,) = scheduled_for_thread(reader, ACCOUNT, "+18005550100", "+12025550199")
    assert stored.id == "j9" and stored.at is None


def seed_logs(write: Write) -> None:
    write(
        writes.upsert_threads,
        ACCOUNT,
        [
            make_thread("a"),
            make_thread("b", customer_number="+442071234567"),
            make_thread("c", our_number="+18005550111"),
        ],
    )
    picture = Attachment("mms1", "photo.jpg", "image/jpeg", 1200)
    write(
        writes.upsert_messages_bulk,
        ACCOUNT,
        {
            "a": [
                make_message("a1", "a", 0, customer_number="+14155550123"),
                make_message(
                    "a2", "a", 10, direction=Direction.OUT, customer_number="+14155550123"
                ),
            ],
            "b": [
                make_message("b1", "b", 5, customer_number="+442071234567", body=ODD),
                make_message(
                    "b2", "b", 20, customer_number="+442071234567", attachments=(picture,)
                ),
            ],
            "c": [
                make_message(
                    "c1", "c", 15, our_number="+18005550111", customer_number="+14155550123"
                )
            ],
        },
    )


def ids(rows: list[Any]) -> list[str]:
    return [r.vendor_id for r in rows]


def test_logs_filter_like_the_vendor(write: Write, reader: sqlite3.Connection) -> None:
    seed_logs(write)
    everything = log_page(reader, LogFilter(ACCOUNT))
    assert ids(everything) == ["b2", "c1", "a2", "b1", "a1"]  # newest first
    assert everything[3].body == ODD and everything[3].thread_key == "b"
    assert everything[0].attachments[0].name == "photo.jpg"
    outgoing = LogFilter(ACCOUNT, direction=Direction.OUT)
    assert ids(log_page(reader, outgoing)) == ["a2"]
    incoming = LogFilter(ACCOUNT, direction=Direction.IN)
    assert ids(log_page(reader, incoming)) == ["b2", "c1", "b1", "a1"]
    customer = LogFilter(ACCOUNT, customer_number="+14155550123")
    assert ids(log_page(reader, customer)) == ["c1", "a2", "a1"]
    ours = LogFilter(ACCOUNT, our_number="+18005550111")
    assert ids(log_page(reader, ours)) == ["c1"]
    window = LogFilter(
        ACCOUNT, since=BASE_TIME + timedelta(minutes=5), until=BASE_TIME + timedelta(minutes=15)
    )
    assert ids(log_page(reader, window)) == ["a2", "b1"]  # since inclusive, until exclusive
    assert ids(log_page(reader, LogFilter(ACCOUNT, mms_only=True))) == ["b2"]
    assert log_page(reader, LogFilter("another account")) == []
    assert our_numbers(reader, ACCOUNT) == ["+18005550100", "+18005550111"]


def test_logs_page_by_key_and_leave_out_unconfirmed_sends(
    write: Write, reader: sqlite3.Connection
) -> None:
    seed_logs(write)
    local = make_message(effects.local_id(7), "a", 30, direction=Direction.OUT)
    write(writes.upsert_messages, ACCOUNT, "a", [local])
    first = log_page(reader, LogFilter(ACCOUNT), limit=2)
    assert ids(first) == ["b2", "c1"]
    # A message arriving meanwhile at the top never shifts the next page.
    write(writes.upsert_messages, ACCOUNT, "a", [make_message("a3", "a", 40)])
    second = log_page(reader, LogFilter(ACCOUNT), older_than=first[-1].sort_key, limit=2)
    assert ids(second) == ["a2", "b1"]
    assert ids(log_page(reader, LogFilter(ACCOUNT), limit=1)) == ["a3"]
