"""Paged reads for the UI and the JSON export shapes."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from store_helpers import ACCOUNT, BASE_TIME, make_message, make_thread

from inbox_app.core.models import Attachment, Direction, ProviderKind, ThreadStatus
from inbox_app.store import queries, writes
from inbox_app.store.queries import AccountRow

Write = Callable[..., Any]


def _threads(write: Write) -> None:
    write(
        writes.upsert_threads,
        ACCOUNT,
        [
            make_thread(
                f"t{i}",
                last_message_at=BASE_TIME + timedelta(minutes=i),
                unread=i % 2 == 0,
                status=ThreadStatus.RESOLVED if i == 3 else ThreadStatus.ACTIVE,
            )
            for i in range(6)
        ]
        + [
            make_thread("silent", last_message_at=None),
            make_thread("mine", channel_key="personal"),
        ],
    )


def test_list_and_count_threads(write: Write, reader: sqlite3.Connection) -> None:
    _threads(write)
    keys = [t.key for t in queries.list_threads(reader, ACCOUNT, "group")]
    assert keys == ["t5", "t4", "t2", "t1", "t0", "silent"]  # newest first, no time last
    assert queries.count_threads(reader, ACCOUNT, "group") == 6
    page = queries.list_threads(reader, ACCOUNT, "group", limit=2, offset=2)
    assert [t.key for t in page] == ["t2", "t1"]
    unread = queries.list_threads(reader, ACCOUNT, "group", unread_only=True)
    assert [t.key for t in unread] == ["t4", "t2", "t0", "silent"]
    assert queries.count_threads(reader, unread_only=True) == 5
    both = queries.list_threads(reader, statuses=(ThreadStatus.ACTIVE, ThreadStatus.RESOLVED))
    assert len(both) == 8 and queries.count_threads(reader, statuses=()) == 0
    row = queries.get_thread(reader, ACCOUNT, "t5")
    assert row is not None
    assert (row.provider, row.account, row.unread, row.last_message_at) == (
        ProviderKind.LIVEVOX,
        ACCOUNT,
        False,
        BASE_TIME + timedelta(minutes=5),
    )
    assert queries.get_thread(reader, ACCOUNT, "nope") is None
    assert queries.list_accounts(reader) == [AccountRow(ACCOUNT, ProviderKind.LIVEVOX)]


def test_list_messages_limit_takes_the_newest(write: Write, reader: sqlite3.Connection) -> None:
    write(writes.upsert_threads, ACCOUNT, [make_thread("t1")])
    write(
        writes.upsert_messages, ACCOUNT, "t1", [make_message(f"m{i}", minutes=-i) for i in range(5)]
    )
    assert [m.id for m in queries.list_messages(reader, ACCOUNT, "t1")] == [
        "m4",
        "m3",
        "m2",
        "m1",
        "m0",
    ]
    assert [m.id for m in queries.list_messages(reader, ACCOUNT, "t1", limit=2)] == ["m1", "m0"]


def test_export_shapes(write: Write, reader: sqlite3.Connection) -> None:
    write(
        writes.upsert_threads, ACCOUNT, [make_thread("t1"), make_thread("t2", last_message_at=None)]
    )
    write(
        writes.upsert_messages,
        ACCOUNT,
        "t1",
        [
            make_message(
                "m1",
                direction=Direction.OUT,
                minutes=-1,
                attachments=(Attachment("a1", "x.png", "image/png", 10),),
            )
        ],
    )
    threads = list(queries.export_threads(reader))
    messages = list(queries.export_messages(reader, ACCOUNT))
    json.dumps([threads, messages])
    assert (
        threads[0].items()
        >= {
            "id": "t1",
            "account": ACCOUNT,
            "provider": "livevox",
            "channel": "group",
            "customer_number": "+14155550123",
            "customer_name": "Ada Lovelace",
            "unread": True,
            "status": "active",
            "last_message_at": "2024-05-01T12:00:00.000Z",
        }.items()
    )
    assert threads[1]["last_message_at"] is None
    assert messages == [
        {
            "id": "m1",
            "thread_id": "t1",
            "account": ACCOUNT,
            "direction": "out",
            "body": "body of m1",
            "at": "2024-05-01T11:59:00.000Z",
            "status": "delivered",
            "status_detail": "",
            "our_number": "",
            "customer_number": "",
            "attachments": [{"id": "a1", "name": "x.png", "content_type": "image/png", "size": 10}],
            "body_stored": True,
        }
    ]
    assert list(queries.export_messages(reader, "other")) == []
