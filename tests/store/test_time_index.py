"""The time-ordered search index's backlog: indexed in chunks, never a message missed or
shown twice, and a cache of schema version 9 re-indexed under version 10's keys."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from store_helpers import ACCOUNT, make_message, make_thread, migrate_to

from inbox_app.core.models import ProviderKind
from inbox_app.store import migrations, schema, time_index, writes
from inbox_app.store.db import connect
from inbox_app.store.search import search

Write = Callable[..., Any]


def _store(write: Write, count: int, start: int = 0) -> None:
    write(writes.upsert_threads, ACCOUNT, [make_thread("t1")])
    write(
        writes.upsert_messages,
        ACCOUNT,
        "t1",
        [make_message(f"m{n}", "t1", n, body=f"parcel {n}") for n in range(start, start + count)],
    )


def _indexed_keys(conn: sqlite3.Connection, word: str) -> list[int]:
    rows = conn.execute(
        "SELECT rowid FROM messages_fts_by_time WHERE messages_fts_by_time MATCH ?",
        (f'"{word}"',),
    ).fetchall()
    return sorted(key for (key,) in rows)


def test_the_backlog_is_indexed_in_chunks(write: Write, reader: sqlite3.Connection) -> None:
    _store(write, 50)
    assert time_index.backlog_after(reader) == 0
    assert _indexed_keys(reader, "parcel") == []
    assert [write(time_index.index_backlog, 20) for _ in range(4)] == [20, 20, 10, 0]
    assert time_index.backlog_after(reader) is None
    assert len(_indexed_keys(reader, "parcel")) == 50
    _store(write, 5, start=50)
    assert time_index.backlog_after(reader) == max(
        i for (i,) in reader.execute("SELECT id FROM messages WHERE vendor_id = 'm49'")
    )
    assert len(_indexed_keys(reader, "parcel")) == 50


def test_search_finds_the_backlog_and_shows_each_message_once(
    write: Write, reader: sqlite3.Connection
) -> None:
    _store(write, 30)
    write(time_index.index_backlog, 10)
    newest = [f"m{n}" for n in range(29, 19, -1)]
    assert [h.message_id for h in search(reader, "parcel", limit=10)] == newest
    write(time_index.index_backlog)
    # A search that read the mark just before the rest was indexed sees both copies.
    write(lambda c: c.execute("UPDATE time_index_state SET indexed_through = 0"))
    assert [h.message_id for h in search(reader, "parcel", limit=10)] == newest
    assert [h.message_id for h in search(reader, "parc", limit=40)] == [
        f"m{n}" for n in range(29, -1, -1)
    ]


def test_an_id_reused_below_the_mark_is_indexed_at_once(
    write: Write, reader: sqlite3.Connection
) -> None:
    """Deleting the newest message frees its id for the next insert, which the mark
    already covers: the index must take it then, as nothing would later."""
    _store(write, 3)
    write(time_index.index_backlog)
    (newest,) = reader.execute("SELECT max(id) FROM messages").fetchone()
    write(lambda c: c.execute("DELETE FROM messages WHERE id = ?", (newest,)))
    write(writes.upsert_messages, ACCOUNT, "t1", [make_message("m9", "t1", 9, body="late parcel")])
    (reused,) = reader.execute("SELECT id FROM messages WHERE vendor_id = 'm9'").fetchone()
    assert reused == newest
    assert time_index.backlog_after(reader) is None
    assert len(_indexed_keys(reader, "late")) == 1
    assert [h.message_id for h in search(reader, "late")] == ["m9"]


def test_upgrading_a_version_9_cache_rebuilds_its_index(tmp_path: Path) -> None:
    """Version 10 keys the index anew: the upgrade empties it, search finds every message
    through the backlog meanwhile, and indexing the backlog fills it under the new keys."""
    conn = connect(tmp_path / "db.sqlite3")
    migrate_to(conn, 9)
    conn.execute("UPDATE time_index_state SET indexed_through = 1000")  # triggers index
    writes.ensure_account(conn, ACCOUNT, ProviderKind.LIVEVOX)
    writes.upsert_threads(conn, ACCOUNT, [make_thread("t1")])
    old = [make_message(f"m{n}", "t1", n, body=f"parcel {n}") for n in range(5)]
    writes.upsert_messages(conn, ACCOUNT, "t1", old)
    conn.commit()
    assert len(_indexed_keys(conn, "parcel")) == 5
    assert migrations.migrate(conn) == schema.LATEST_VERSION
    assert time_index.backlog_after(conn) == 0
    assert _indexed_keys(conn, "parcel") == []
    newest = ["m4", "m3", "m2", "m1", "m0"]
    assert [h.message_id for h in search(conn, "parcel")] == newest
    assert time_index.index_backlog(conn) == 5
    conn.commit()
    expected = sorted(k for (k,) in conn.execute(f"SELECT {time_index.key_sql()} FROM messages"))
    assert _indexed_keys(conn, "parcel") == expected
    assert [h.message_id for h in search(conn, "parcel")] == newest
    conn.close()


@pytest.mark.parametrize(
    "at", [-5_000, 0, 999, 1_000, 1_764_000_000_123, (time_index.SECONDS_MAX + 7) * 1000]
)
@pytest.mark.parametrize("thread_id", [1, time_index.THREAD_MASK, time_index.THREAD_MASK + 2])
def test_a_key_holds_its_time_thread_and_id(at: int, thread_id: int) -> None:
    """The SQL that keys the index and the Python that reads keys agree, times before
    1970 and after 2106 clamped into range."""
    conn = sqlite3.connect(":memory:")
    (key,) = conn.execute(
        f"SELECT {time_index.key_sql()} FROM (SELECT ? AS at, ? AS thread_id, ? AS id)",
        (at, thread_id, 4_099),
    ).fetchone()
    assert key >= 0
    assert time_index.key_seconds(key) == time_index.seconds_of(at)
    assert time_index.thread_bits(key) == thread_id & time_index.THREAD_MASK
    assert key & time_index.ID_MASK == 4_099 & time_index.ID_MASK
    low, high = time_index.at_range(key)
    assert low <= at <= high


def test_messages_dated_outside_the_keys_range_are_found_in_order(
    write: Write, reader: sqlite3.Connection
) -> None:
    """A vendor's odd dates, before 1970 or after 2106, share a clamped second in the
    index; search still finds them all, in time order."""
    write(writes.upsert_threads, ACCOUNT, [make_thread("t1")])
    years = 60 * 24 * 366
    minutes = [-60 * years, -59 * years, 0, 90 * years, 91 * years]
    write(
        writes.upsert_messages,
        ACCOUNT,
        "t1",
        [make_message(f"m{n}", "t1", m, body="odd date") for n, m in enumerate(minutes)],
    )
    expected = ["m4", "m3", "m2", "m1", "m0"]
    assert [h.message_id for h in search(reader, "odd")] == expected
    write(time_index.index_backlog)
    assert [h.message_id for h in search(reader, "odd")] == expected
    assert [h.message_id for h in search(reader, "odd", limit=2)] == expected[:2]
