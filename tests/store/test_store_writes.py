"""Write functions: idempotency, change detection, closing threads, odd text."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from store_helpers import ACCOUNT, BASE_TIME, dump, make_message, make_thread

from inbox_app.core.models import (
    Agent,
    Attachment,
    Channel,
    Direction,
    SenderId,
    Template,
    TermCode,
    ThreadStatus,
)
from inbox_app.store import queries, writes
from inbox_app.store.errors import UnknownThreadError
from inbox_app.store.writer import Writer

Write = Callable[..., Any]

CHANNELS = [
    Channel("group", "Group SMS", "group", False, 3, 10, "g-1"),
    Channel("personal", "My SMS", "personal", True, 0, 2, "p-1"),
]
THREADS = [make_thread("t1"), make_thread("t2", customer_number="+442071234567", unread=False)]
MESSAGES = {
    "t1": [
        make_message("m1", "t1", 0),
        make_message(
            "m2",
            "t1",
            1,
            direction=Direction.OUT,
            attachments=(Attachment("a1", "photo.jpg", "image/jpeg", 2048),),
        ),
    ],
    "t2": [make_message("m3", "t2", 2, status_detail="carrier said ok")],
}


def _apply_all(conn: sqlite3.Connection) -> tuple[Any, ...]:
    return (
        writes.replace_channels(conn, ACCOUNT, CHANNELS),
        writes.upsert_threads(conn, ACCOUNT, THREADS),
        writes.upsert_messages_bulk(conn, ACCOUNT, MESSAGES),
        writes.replace_agents(conn, ACCOUNT, [Agent("7", "ada", "Ada", "ready")]),
        writes.replace_templates(conn, ACCOUNT, [Template("1", "Hi", "Hello {name}", "")]),
        writes.replace_sender_ids(conn, ACCOUNT, [SenderId("12345", "short code")]),
        writes.replace_term_codes(conn, ACCOUNT, "svc", [TermCode("9", "Resolved", "done")]),
    )


def test_applying_everything_twice_is_idempotent(
    writer: Writer, reader: sqlite3.Connection
) -> None:
    first = writer.run_blocking(_apply_all)
    snapshot = dump(reader)
    second = writer.run_blocking(_apply_all)
    assert first == (
        {"group", "personal"},
        {"t1", "t2"},
        {"t1": 2, "t2": 1},
        True,
        True,
        True,
        True,
    )
    assert second == (set(), set(), {"t1": 0, "t2": 0}, False, False, False, False)
    assert dump(reader) == snapshot


def test_channel_changes_and_vanishing(write: Write, reader: sqlite3.Connection) -> None:
    write(writes.replace_channels, ACCOUNT, CHANNELS)
    recount = [replace(CHANNELS[0], unread=4)]
    assert write(writes.replace_channels, ACCOUNT, recount) == {"group", "personal"}
    assert [c.key for c in queries.list_channels(reader, ACCOUNT)] == ["group"]
    assert queries.list_channels(reader)[0].unread == 4
    reordered = [CHANNELS[1], replace(CHANNELS[0], unread=4)]
    assert write(writes.replace_channels, ACCOUNT, reordered) == {"group", "personal"}
    assert [c.position for c in queries.list_channels(reader, ACCOUNT)] == [0, 1]


def test_thread_change_detection_keeps_messages_fingerprint(
    write: Write, reader: sqlite3.Connection
) -> None:
    write(writes.upsert_threads, ACCOUNT, THREADS)
    write(writes.mark_messages_synced, ACCOUNT, "t1", "fp1")
    assert [t.key for t in queries.threads_needing_messages(reader, ACCOUNT)] == ["t2"]
    before = queries.get_thread(reader, ACCOUNT, "t2")

    changed = [replace(THREADS[0], fingerprint="fp2", preview="new"), THREADS[1]]
    assert write(writes.upsert_threads, ACCOUNT, changed) == {"t1"}
    row = queries.get_thread(reader, ACCOUNT, "t1")
    assert row is not None
    assert (row.fingerprint, row.messages_fingerprint, row.preview) == ("fp2", "fp1", "new")
    assert {t.key for t in queries.threads_needing_messages(reader, ACCOUNT)} == {"t1", "t2"}
    assert queries.get_thread(reader, ACCOUNT, "t2") == before  # untouched, updated_at too

    for field, value in [
        ("vendor_ref", {"service": "s2"}),
        ("do_not_contact", True),
        ("last_message_at", BASE_TIME + timedelta(days=1)),
        ("status", ThreadStatus.RESOLVED),
    ]:
        assert write(writes.upsert_threads, ACCOUNT, [replace(THREADS[1], **{field: value})]) == {
            "t2"
        }, field


def test_mark_messages_synced_unknown_thread(write: Write) -> None:
    with pytest.raises(UnknownThreadError):
        write(writes.mark_messages_synced, ACCOUNT, "nope", "fp")


def test_close_missing_threads(write: Write, reader: sqlite3.Connection) -> None:
    threads = [
        make_thread("a"),
        make_thread("b"),
        make_thread("c"),
        make_thread("other", channel_key="personal"),
        make_thread("done", status=ThreadStatus.RESOLVED),
    ]
    write(writes.upsert_threads, ACCOUNT, threads)
    assert write(writes.close_missing_threads, ACCOUNT, "group", ["a"]) == {"b", "c"}
    assert write(writes.close_missing_threads, ACCOUNT, "group", ["a"]) == set()
    statuses = {
        t.key: t.status
        for t in queries.list_threads(reader, statuses=tuple(ThreadStatus), limit=10)
    }
    assert statuses == {
        "a": "active",
        "b": "closed",
        "c": "closed",
        "other": "active",
        "done": "resolved",
    }


def test_thread_time_and_preview_never_step_back(write: Write, reader: sqlite3.Connection) -> None:
    write(writes.upsert_threads, ACCOUNT, [make_thread("t1")])
    newer = make_message("m1", minutes=5, body="newest")
    write(writes.upsert_messages, ACCOUNT, "t1", [newer])
    for lagging in (make_thread("t1"), make_thread("t1", last_message_at=None, preview="")):
        assert write(writes.upsert_threads, ACCOUNT, [lagging]) == set()
    row = queries.get_thread(reader, ACCOUNT, "t1")
    assert row is not None and (row.preview, row.last_message_at) == ("newest", newer.at)
    later = make_thread("t1", last_message_at=newer.at + timedelta(seconds=1), preview="later")
    assert write(writes.upsert_threads, ACCOUNT, [later]) == {"t1"}


def test_message_change_detection_and_preview(write: Write, reader: sqlite3.Connection) -> None:
    write(writes.upsert_threads, ACCOUNT, [make_thread("t1", last_message_at=BASE_TIME)])
    msgs = [make_message("m1", minutes=-5), make_message("m2", minutes=-1)]
    assert write(writes.upsert_messages, ACCOUNT, "t1", msgs) == 2
    thread = queries.get_thread(reader, ACCOUNT, "t1")
    assert thread is not None and thread.preview == "hello"  # older than the vendor's

    msgs[1] = replace(msgs[1], status="failed", status_detail="30007 filtered")
    assert write(writes.upsert_messages, ACCOUNT, "t1", msgs) == 1
    newer = make_message("m3", minutes=10, body="  see\nyou   soon ")
    assert write(writes.upsert_messages, ACCOUNT, "t1", [newer]) == 1
    thread = queries.get_thread(reader, ACCOUNT, "t1")
    assert thread is not None
    assert (thread.preview, thread.last_message_at) == ("see you soon", newer.at)
    assert write(writes.upsert_messages, ACCOUNT, "t1", [newer]) == 0
    stored = queries.list_messages(reader, ACCOUNT, "t1")
    assert stored == [*msgs, newer]


def test_messages_for_unknown_or_mismatched_thread(
    write: Write, reader: sqlite3.Connection
) -> None:
    write(writes.upsert_threads, ACCOUNT, [make_thread("t1")])
    with pytest.raises(UnknownThreadError, match="upsert the threads first"):
        write(writes.upsert_messages_bulk, ACCOUNT, {"t1": [make_message()], "ghost": []})
    with pytest.raises(ValueError, match="belongs to thread"):
        write(writes.upsert_messages, ACCOUNT, "t1", [make_message(thread_key="t9")])
    assert queries.list_messages(reader, ACCOUNT, "t1") == []  # rolled back


def test_message_moves_when_vendor_reassigns_it(write: Write, reader: sqlite3.Connection) -> None:
    write(writes.upsert_threads, ACCOUNT, [make_thread("t1"), make_thread("t2")])
    write(writes.upsert_messages, ACCOUNT, "t1", [make_message("m1", "t1")])
    assert write(writes.upsert_messages, ACCOUNT, "t2", [make_message("m1", "t2")]) == 1
    assert queries.list_messages(reader, ACCOUNT, "t1") == []
    assert [m.id for m in queries.list_messages(reader, ACCOUNT, "t2")] == ["m1"]


ODD_TEXTS = [
    "<b>bold</b> &amp; <script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\u202eevil\u202c \u200f\u05e9\u05dc\u05d5\u05dd\u200f مرحبا",
    "emoji 👩🏽‍💻🇺🇸 and a lone ZWJ \u200d",
    "nul\x00inside\x00",
    "quotes ' \" ` and backslash \\ and %s {0}",
    "x" * 10_240,
    "",
]


@pytest.mark.parametrize("text", ODD_TEXTS, ids=range(len(ODD_TEXTS)))
def test_odd_text_round_trips_exactly(text: str, write: Write, reader: sqlite3.Connection) -> None:
    thread = make_thread("t1", customer_name=text, preview=text, vendor_ref={"k": text})
    message = make_message(
        "m1",
        body=text,
        status_detail=text,
        at=BASE_TIME - timedelta(seconds=1, microseconds=123000),
        attachments=(Attachment(text, text, "text/html", None),),
    )
    write(writes.upsert_threads, ACCOUNT, [thread])
    write(writes.upsert_messages, ACCOUNT, "t1", [message])
    stored = queries.get_thread(reader, ACCOUNT, "t1")
    assert stored is not None and stored.to_thread() == thread
    assert queries.list_messages(reader, ACCOUNT, "t1") == [message]
    assert write(writes.upsert_threads, ACCOUNT, [thread]) == set()
    assert write(writes.upsert_messages, ACCOUNT, "t1", [message]) == 0


def test_sync_state(write: Write, reader: sqlite3.Connection) -> None:
    write(writes.record_sync_error, ACCOUNT, "threads", "HTTP 503")
    [state] = queries.sync_states(reader)
    assert (state.last_error, state.last_ok_at, state.cursor) == ("HTTP 503", None, None)
    assert state.last_error_at is not None and state.last_error_at.tzinfo is not None
    write(writes.record_sync_ok, ACCOUNT, "threads", "cursor-1")
    write(writes.record_sync_ok, ACCOUNT, "threads")
    [state] = queries.sync_states(reader, ACCOUNT)
    assert (state.last_error, state.last_error_at, state.cursor) == (None, None, "cursor-1")
    assert state.last_ok_at is not None
    write(writes.record_sync_error, ACCOUNT, "threads", "timeout")
    [state] = queries.sync_states(reader, ACCOUNT)
    assert (state.last_error, state.cursor, state.last_ok_at is not None) == (
        "timeout",
        "cursor-1",
        True,
    )


def test_drafts(write: Write, reader: sqlite3.Connection) -> None:
    assert queries.get_draft(reader, ACCOUNT, "t1") is None
    write(writes.save_draft, ACCOUNT, "t1", "half a thought")
    assert queries.get_draft(reader, ACCOUNT, "t1") == "half a thought"
    write(writes.save_draft, ACCOUNT, "t1", "")
    assert queries.get_draft(reader, ACCOUNT, "t1") is None
    write(writes.save_draft, ACCOUNT, "t1", "again")
    write(writes.delete_draft, ACCOUNT, "t1")
    assert queries.get_draft(reader, ACCOUNT, "t1") is None


def test_reference_data_replacement(write: Write, reader: sqlite3.Connection) -> None:
    write(
        writes.replace_agents,
        ACCOUNT,
        [Agent("1", "bo", "Bo", "ready"), Agent("2", "al", "Al", "away")],
    )
    assert write(writes.replace_agents, ACCOUNT, [Agent("2", "al", "Al", "ready")]) is True
    assert queries.list_agents(reader, ACCOUNT) == [Agent("2", "al", "Al", "ready")]
    write(writes.replace_term_codes, ACCOUNT, "a", [TermCode("1", "One")])
    write(writes.replace_term_codes, ACCOUNT, "b", [TermCode("2", "Two")])
    assert queries.list_term_codes(reader, ACCOUNT, "a") == [TermCode("1", "One")]
    assert queries.list_term_codes(reader, ACCOUNT, "b") == [TermCode("2", "Two")]
    write(writes.replace_templates, ACCOUNT, [Template("1", "Hi", "Hello", "+1800")])
    write(writes.replace_sender_ids, ACCOUNT, [SenderId("+1800", "main")])
    assert queries.list_templates(reader, ACCOUNT) == [Template("1", "Hi", "Hello", "+1800")]
    assert queries.list_sender_ids(reader, ACCOUNT) == [SenderId("+1800", "main")]
