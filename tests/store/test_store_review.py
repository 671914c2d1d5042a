"""Supervisor review reads: each filter alone and combined, search with any input,
paging, counts, per-day volumes and the transcript rows an export writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from review_world import DAY, ZOHO, build
from store_helpers import ACCOUNT, BASE_TIME

from inbox_app.core.models import Direction, ProviderKind, ThreadStatus
from inbox_app.store import review
from inbox_app.store.review import ReviewFilter

Write = Callable[..., Any]


@pytest.fixture
def world(write: Write, reader: sqlite3.Connection) -> sqlite3.Connection:
    build(write)
    return reader


def keys(conn: sqlite3.Connection, f: ReviewFilter) -> list[str]:
    shown = [t.key for t in review.thread_page(conn, f, limit=100)]
    assert review.count_threads(conn, f) == len(shown)
    return shown


def test_no_filter_lists_every_account_and_vendor_newest_first(world: sqlite3.Connection) -> None:
    page = review.thread_page(world, ReviewFilter(), limit=100)
    assert [(t.account, t.key, t.provider) for t in page] == [
        (ZOHO, "z1", ProviderKind.ZOHO),
        (ACCOUNT, "t2", ProviderKind.LIVEVOX),
        (ACCOUNT, "t1", ProviderKind.LIVEVOX),
    ]
    assert review.count_messages(world, ReviewFilter()) == 6


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (ReviewFilter(accounts=(ZOHO,)), ["z1"]),
        (ReviewFilter(accounts=(ACCOUNT, ZOHO)), ["z1", "t2", "t1"]),
        (ReviewFilter(inboxes=((ACCOUNT, "personal"),)), ["t2"]),
        (ReviewFilter(inboxes=((ZOHO, "personal"),)), []),
        (ReviewFilter(agent="ag7"), ["t2"]),
        (ReviewFilter(agent="Grace Hopper"), ["t2"]),
        (ReviewFilter(agent="ghopper"), ["t2"]),
        (ReviewFilter(agent="nobody"), []),
        (ReviewFilter(direction=Direction.OUT), ["z1", "t2", "t1"]),
        (ReviewFilter(direction=Direction.IN, until=BASE_TIME + DAY), ["t1"]),
        (ReviewFilter(statuses=(ThreadStatus.RESOLVED,)), ["t2"]),
        (ReviewFilter(statuses=(ThreadStatus.ACTIVE, ThreadStatus.CLOSED)), ["z1", "t1"]),
        (ReviewFilter(since=BASE_TIME + 2 * DAY), ["z1", "t2"]),
        (ReviewFilter(until=BASE_TIME + DAY), ["t1"]),
        (ReviewFilter(since=BASE_TIME + 4 * DAY, until=BASE_TIME + 5 * DAY), []),
        (ReviewFilter(customer="(415) 555"), ["z1", "t1"]),
        (ReviewFilter(customer="0199"), ["t2"]),
        (ReviewFilter(customer="no digits"), []),
        (ReviewFilter(customer="%"), []),
        (ReviewFilter(text="refund"), ["t1"]),
        (ReviewFilter(text="Bob"), ["t2"]),
        (ReviewFilter(text="555-9999"), ["z1"]),
        (ReviewFilter(thread_key="t2"), ["t2"]),
    ],
    ids=repr,
)
def test_each_filter(world: sqlite3.Connection, f: ReviewFilter, expected: list[str]) -> None:
    assert keys(world, f) == expected


def test_filters_combine(world: sqlite3.Connection) -> None:
    f = ReviewFilter(accounts=(ACCOUNT,), direction=Direction.OUT, since=BASE_TIME + DAY)
    assert keys(world, f) == ["t2", "t1"]
    assert keys(world, ReviewFilter(accounts=(ACCOUNT,), text="shipped")) == ["t2"]
    # The text must match a message inside the date range, or the contact.
    assert keys(world, ReviewFilter(text="refund", since=BASE_TIME + DAY)) == []
    assert keys(world, ReviewFilter(text="Ada", since=BASE_TIME + DAY)) == ["t1"]
    assert keys(world, ReviewFilter(agent="ag7", statuses=(ThreadStatus.ACTIVE,))) == []


@pytest.mark.parametrize(
    "text",
    ['"', "AND", "NEAR", "-x", "*", "(", ")", '"quote', 'a"b', "\x00", "OR NOT", "^", "'; --"],
)
def test_any_search_text_is_safe(world: sqlite3.Connection, text: str) -> None:
    found = keys(world, ReviewFilter(text=text))
    assert set(found) <= {"z1", "t2", "t1"}


def test_quoted_operators_are_words(world: sqlite3.Connection) -> None:
    assert keys(world, ReviewFilter(text="NEAR")) == ["z1"]
    assert keys(world, ReviewFilter(text='"quote')) == ["z1"]
    assert keys(world, ReviewFilter(text="   ")) == ["z1", "t2", "t1"]


def test_pages_by_key(world: sqlite3.Connection) -> None:
    seen: list[str] = []
    last = None
    while True:
        page = review.thread_page(world, ReviewFilter(), older_than=last, limit=1)
        if not page:
            break
        seen.append(page[0].key)
        last = page[0].sort_key
    assert seen == ["z1", "t2", "t1"]
    again = review.thread_page(world, ReviewFilter(), down_to=last, limit=10)
    assert [t.key for t in again] == seen


def test_message_counts_and_daily_volume_follow_the_message_terms(
    world: sqlite3.Connection,
) -> None:
    assert review.count_messages(world, ReviewFilter(direction=Direction.IN)) == 3
    recent = ReviewFilter(accounts=(ACCOUNT,), since=BASE_TIME + DAY)
    assert review.count_messages(world, recent) == 3
    days = review.daily_volume(world, ReviewFilter())
    local = lambda n: (BASE_TIME + n * DAY).astimezone().date()  # noqa: E731
    assert [(d.day, d.inbound, d.outbound) for d in days] == [
        (local(0), 1, 0),
        (local(1), 0, 1),
        (local(2), 1, 1),
        (local(3), 0, 1),
        (local(5), 1, 0),
    ]
    totals = review.totals(world, ReviewFilter(direction=Direction.OUT))
    assert (totals.threads, totals.messages) == (3, 3)
    assert all(d.inbound == 0 for d in totals.days)


def test_transcript_rows_thread_by_thread_oldest_first(world: sqlite3.Connection) -> None:
    batches = list(review.transcript_batches(world, ReviewFilter(), batch_size=2))
    assert all(len(b) >= 2 for b in batches[:-1])
    rows = [r for b in batches for r in b]
    assert [(r.thread, r.message_id) for r in rows] == [
        ("z1", "z-1"),
        ("z1", "z-2"),
        ("t2", "m3"),
        ("t2", "m4"),
        ("t1", "m1"),
        ("t1", "m2"),
    ]
    first = rows[0]
    assert (first.account, first.vendor, first.inbox) == (ZOHO, ProviderKind.ZOHO, "conversations")
    assert rows[2].inbox == "Personal SMS"
    assert rows[5].attachments[0].name == "receipt.pdf"
    assert rows[4].at == BASE_TIME


def test_transcript_rows_keep_to_direction_and_dates(world: sqlite3.Connection) -> None:
    f = ReviewFilter(direction=Direction.IN, since=BASE_TIME + timedelta(hours=1))
    rows = [r for b in review.transcript_batches(world, f) for r in b]
    assert [r.message_id for r in rows] == ["z-2", "m3"]
    assert review.count_messages(world, f) == 2


def test_choices_come_from_the_cache(world: sqlite3.Connection) -> None:
    inboxes = review.list_inboxes(world)
    assert [(i.account, i.key, i.name) for i in inboxes] == [
        (ACCOUNT, "group", "Group - Billing"),
        (ACCOUNT, "personal", "Personal SMS"),
        (ZOHO, "conversations", "conversations"),
    ]
    assert [(a.account, a.id, a.name) for a in review.list_agents(world)] == [
        (ACCOUNT, "ag7", "Grace Hopper")
    ]
    assert review.resolve_inboxes(world, "personal sms") == ((ACCOUNT, "personal"),)
    assert review.resolve_inboxes(world, "conversations") == ((ZOHO, "conversations"),)
    assert review.resolve_inboxes(world, "nope") == ()
