"""FTS search: messages and contacts, index kept right by triggers, hostile input."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import ACCOUNT, make_message, make_thread

from inbox_app.core.models import ProviderKind
from inbox_app.store import search as search_module
from inbox_app.store import time_index, writes
from inbox_app.store.db import open_reader
from inbox_app.store.search import (
    MARK_END,
    MARK_START,
    HitKind,
    fts_query,
    matching_thread_ids,
    search,
)
from inbox_app.store.writer import Writer

Write = Callable[..., Any]


def _fts_consistent(conn: sqlite3.Connection) -> None:
    """FTS5's own check of both indexes against their content tables (raises if not)."""
    for table in ("messages_fts", "messages_fts_by_time", "contacts_fts"):
        conn.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)")


@pytest.fixture
def seeded(write: Write) -> None:
    write(
        writes.upsert_threads,
        ACCOUNT,
        [
            make_thread("t1"),
            make_thread(
                "t2",
                customer_name="Grace Hopper",
                customer_number="+442071234567",
                customer_account="ACCT-991",
            ),
        ],
    )
    write(
        writes.upsert_messages_bulk,
        ACCOUNT,
        {
            "t1": [
                make_message("m1", "t1", 1, body="Where is my pizza?"),
                make_message("m2", "t1", 3, body="Pizza délivered, thanks"),
            ],
            "t2": [make_message("m3", "t2", 2, body="The pizzeria is closed")],
        },
    )


@pytest.mark.usefixtures("seeded")
def test_messages_newest_first_with_snippet(reader: sqlite3.Connection) -> None:
    hits = search(reader, "pizz")
    assert [(h.kind, h.message_id) for h in hits] == [
        (HitKind.MESSAGE, "m2"),
        (HitKind.MESSAGE, "m3"),
        (HitKind.MESSAGE, "m1"),
    ]
    assert hits[0].snippet == f"{MARK_START}Pizza{MARK_END} délivered, thanks"
    assert (hits[0].thread_key, hits[0].customer_name) == ("t1", "Ada Lovelace")
    assert [h.message_id for h in search(reader, "pizza delivered")] == ["m2"]  # diacritics
    assert [h.message_id for h in search(reader, "pizza", limit=1)] == ["m2"]


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("text", ["pizz", "pizza", "Grace", "4420", "hopper pizza", "", "zzz"])
@pytest.mark.parametrize("limit", [1, 2, 50])
def test_matching_thread_ids_are_the_threads_of_the_hits(
    reader: sqlite3.Connection, text: str, limit: int
) -> None:
    hits = search(reader, text, limit=limit)
    expected = list(dict.fromkeys(hit.thread_id for hit in hits))
    assert matching_thread_ids(reader, text, limit=limit) == expected


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize(
    ("text", "thread_key"),
    [
        ("ada", "t1"),
        ("lovelace", "t1"),
        ("grace hop", "t2"),
        ("+14155550123", "t1"),
        ("4155550123", "t1"),
        ("(415) 555-0123", "t1"),
        ("415 555 0123", "t1"),
        ("0123", "t1"),
        ("5550", "t1"),
        ("2071234567", "t2"),
        ("acct-991", "t2"),
        ("991", "t2"),
    ],
)
@pytest.mark.parametrize("many", [1, 2000])
def test_contacts_by_name_number_digits_account(
    reader: sqlite3.Connection,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    thread_key: str,
    many: int,
) -> None:
    """With `many` at 1, every search takes the way of a name or number in thousands of
    threads (walking the threads newest first)."""
    monkeypatch.setattr(search_module, "_MANY_CONTACTS", many)
    contacts = [h for h in search(reader, text) if h.kind == HitKind.CONTACT]
    assert [h.thread_key for h in contacts] == [thread_key]
    assert contacts[0].message_id is None
    assert matching_thread_ids(reader, text, account="other") == []


@pytest.mark.usefixtures("seeded")
def test_index_follows_updates_and_deletes(write: Write, reader: sqlite3.Connection) -> None:
    write(
        writes.upsert_messages,
        ACCOUNT,
        "t2",
        [
            make_message("m3", "t2", 2, body="Sushi tonight instead"),
        ],
    )
    assert [h.message_id for h in search(reader, "pizzeria")] == []
    assert [h.message_id for h in search(reader, "sushi")] == ["m3"]
    write(
        writes.upsert_threads,
        ACCOUNT,
        [
            make_thread("t2", customer_name="Grace Brewster", customer_number="+15105550000"),
        ],
    )
    assert search(reader, "hopper") == []
    assert [h.thread_key for h in search(reader, "brewster")] == ["t2"]
    assert [h.thread_key for h in search(reader, "5105550000")] == ["t2"]
    assert [h.thread_key for h in search(reader, "2071234567")] == []
    write(time_index.index_backlog)
    write(lambda c: c.execute("DELETE FROM threads WHERE key = 't2'"))
    assert search(reader, "sushi") == [] and search(reader, "brewster") == []
    write(_fts_consistent)
    write(_time_index_agrees, ["sushi"])


def test_a_long_thread_does_not_hide_the_threads_before_it(
    write: Write, reader: sqlite3.Connection
) -> None:
    """The list is drawn from the threads with the newest matches, not from the newest
    matching messages, which one busy thread can fill."""
    write(writes.upsert_threads, ACCOUNT, [make_thread(k) for k in ("busy", "a", "b", "c")])
    for minutes, key in enumerate(("c", "b", "a")):
        write(
            writes.upsert_messages, ACCOUNT, key, [make_message(key, key, minutes, body="refund")]
        )
    busy = [make_message(f"busy{n}", "busy", 10 + n, body=f"refund {n}") for n in range(600)]
    write(writes.upsert_messages, ACCOUNT, "busy", busy)
    write(time_index.index_backlog, 300)
    ids = dict(reader.execute("SELECT key, id FROM threads").fetchall())
    expected = [ids[k] for k in ("busy", "a", "b", "c")]
    assert matching_thread_ids(reader, "refund", limit=50) == expected
    assert matching_thread_ids(reader, "refund", limit=2) == expected[:2]
    assert matching_thread_ids(reader, "refund", account="other", limit=50) == []
    with pytest.MonkeyPatch.context() as patch:  # the walk's bound: 256 keys are all busy's
        patch.setattr(search_module, "MAX_KEYS_WALKED", 256)
        assert matching_thread_ids(reader, "refund", limit=50) == expected[:1]


@pytest.mark.parametrize("many", [1, 2000])
def test_account_filter(
    write: Write, reader: sqlite3.Connection, monkeypatch: pytest.MonkeyPatch, many: int
) -> None:
    monkeypatch.setattr(search_module, "_MANY_CONTACTS", many)
    write(writes.ensure_account, "other", ProviderKind.ZOHO)
    for account in (ACCOUNT, "other"):
        write(writes.upsert_threads, account, [make_thread("t1")])
        write(writes.upsert_messages, account, "t1", [make_message("m1", body="shared words")])
    assert {h.account for h in search(reader, "shared")} == {ACCOUNT, "other"}
    assert {h.account for h in search(reader, "shared", account="other")} == {"other"}
    assert {h.account for h in search(reader, "ada", account=ACCOUNT)} == {ACCOUNT}
    ids = dict(reader.execute("SELECT account, id FROM threads").fetchall())
    assert matching_thread_ids(reader, "ada", account="other") == [ids["other"]]
    assert sorted(matching_thread_ids(reader, "ada")) == sorted(ids.values())


def _ranked(conn: sqlite3.Connection, text: str, account: str | None, limit: int) -> list[int]:
    """The newest matches the plain way, ranking every match by time: what the time-keyed
    index must give."""
    query = fts_query(text)
    rows = conn.execute(
        "SELECT m.id FROM messages_fts JOIN messages AS m ON m.id = messages_fts.rowid"
        " WHERE messages_fts MATCH ? AND (? IS NULL OR m.account = ?)"
        " ORDER BY m.at DESC, m.id DESC LIMIT ?",
        (query, account, account, limit),
    ).fetchall()
    return [message_id for (message_id,) in rows]


def _found(conn: sqlite3.Connection, text: str, account: str | None, limit: int) -> list[int]:
    hits = [h for h in search(conn, text, account=account, limit=limit) if h.message_id]
    ids = conn.execute(
        "SELECT m.id FROM json_each(?) AS v JOIN messages AS m ON m.vendor_id = v.value ->> 1"
        " AND m.account = v.value ->> 0 ORDER BY v.key",
        (json.dumps([[h.account, h.message_id] for h in hits]),),
    ).fetchall()
    return [message_id for (message_id,) in ids]


def _skip_thread_ids_to(conn: sqlite3.Connection, next_id: int) -> None:
    """The next thread stored gets id `next_id` (a copy of the newest thread takes the id
    before it)."""
    conn.execute("CREATE TEMP TABLE spare AS SELECT * FROM threads ORDER BY id DESC LIMIT 1")
    conn.execute("UPDATE spare SET id = ?, key = 'spare'", (next_id - 1,))
    conn.execute("INSERT INTO threads SELECT * FROM spare")
    conn.execute("DROP TABLE spare")


@pytest.mark.parametrize("batch", [1, 256])
@pytest.mark.parametrize("indexed", [0, 170, 10**6])
@pytest.mark.parametrize("far_ids", [False, True])
def test_newest_matches_whatever_the_insert_order(
    write: Write,
    reader: sqlite3.Connection,
    monkeypatch: pytest.MonkeyPatch,
    batch: int,
    indexed: int,
    far_ids: bool,
) -> None:
    """Threads are stored one after another, their messages interleaved in time, so ids
    and times disagree; a word in every message, a rare one and prefixes still give
    exactly the newest matches, per account too, before and after edits and deletes.
    A batch of 1 makes the index be read in many growing batches. The first `indexed` of
    the 360 messages are in the time-ordered index before the edits, the rest are its
    backlog; all of them after. With `far_ids`, the second account's thread ids are those
    of the first plus 2^20: their keys name the same threads, which search must tell apart
    through the messages."""
    monkeypatch.setattr(search_module, "_KEY_BATCH_MIN", batch)
    write(writes.ensure_account, "other", ProviderKind.ZOHO)
    for n, account in enumerate((ACCOUNT, "other")):
        if n and far_ids:
            write(_skip_thread_ids_to, 2**20 + 1)
        keys = [f"t{i}" for i in range(6)]
        write(writes.upsert_threads, account, [make_thread(k) for k in keys])
        for i, key in enumerate(keys):
            messages = [
                make_message(
                    f"{key}-{j}",
                    key,
                    (j * 7 + i * 3 + n) % 40,
                    body=f"hello there {'refund' if (i + j) % 9 == 0 else 'thanks'} {j}",
                )
                for j in range(30)
            ]
            write(writes.upsert_messages, account, key, messages)
    texts = ["hello", "refund", "ref", "th", "hello thanks", "zzz"]

    def check() -> None:
        for text in texts:
            for account in (None, "other"):
                for limit in (1, 7, 50, 400) if batch > 1 else (1, 7, 50):
                    expected = _ranked(reader, text, account, limit)
                    threads = matching_thread_ids(reader, text, account=account, limit=limit)
                    assert threads == _ranked_threads(reader, text, account, limit)
                    assert _found(reader, text, account, min(limit, 50)) == expected[:50]

    if indexed:
        assert write(time_index.index_backlog, indexed) == min(indexed, 360)
    check()
    write(_time_index_agrees)
    write(lambda c: c.execute("UPDATE messages SET at = at + 3600000 WHERE id % 5 = 0"))
    write(lambda c: c.execute("UPDATE messages SET body = 'gone' WHERE id % 7 = 0"))
    write(lambda c: c.execute("DELETE FROM messages WHERE id % 11 = 0"))
    check()
    write(time_index.index_backlog, 10**6)
    assert time_index.backlog_after(reader) is None
    check()
    write(_fts_consistent)
    write(_time_index_agrees)


def _time_index_agrees(conn: sqlite3.Connection, gone: Sequence[str] = ()) -> None:
    """The time-ordered index holds exactly the messages up to its mark, under their keys.
    It keeps no text, so FTS5's integrity check cannot tell; asking it for each word of
    the messages (and the `gone` words of deleted ones) can."""
    (through,) = conn.execute("SELECT indexed_through FROM time_index_state").fetchone()
    words = {w for (body,) in conn.execute("SELECT body FROM messages") for w in body.split()}
    for word in words | {"gone", "nowhere", *gone}:
        query = f'"{word}"'
        keys = conn.execute(
            "SELECT rowid FROM messages_fts_by_time WHERE messages_fts_by_time MATCH ?", (query,)
        ).fetchall()
        expected = conn.execute(
            f"SELECT {time_index.key_sql('m.')} FROM messages_fts JOIN messages AS m"
            " ON m.id = messages_fts.rowid WHERE messages_fts MATCH ? AND m.id <= ?",
            (query, through),
        ).fetchall()
        assert sorted(keys) == sorted(expected), word


def _ranked_threads(
    conn: sqlite3.Connection, text: str, account: str | None, limit: int
) -> list[int]:
    """The threads with the newest matches the plain way: every thread ranked by the key
    of its newest match (its second, then thread and id), as the walk of the index must."""
    rows = conn.execute(
        f"SELECT m.thread_id, max({time_index.key_sql('m.')}) AS key FROM messages_fts"
        " JOIN messages AS m ON m.id = messages_fts.rowid WHERE messages_fts MATCH ?"
        " AND (? IS NULL OR m.account = ?) GROUP BY m.thread_id ORDER BY key DESC LIMIT ?",
        (fts_query(text), account, account, limit),
    ).fetchall()
    return [thread_id for thread_id, _key in rows]


def test_query_quoting() -> None:
    assert fts_query('say "hi" NEAR') == '"say" """hi""" "NEAR"*'
    assert fts_query(" \t\n") is None
    assert fts_query("a\x00b") == '"a" "b"'
    assert fts_query("a\x00bc") == '"a" "bc"*'


@pytest.mark.usefixtures("seeded")
def test_one_letter_is_a_word_two_are_a_prefix(reader: sqlite3.Connection) -> None:
    assert fts_query("#9") == '"#9"' and fts_query("é") == '"é"' and fts_query("pi") == '"pi"*'
    assert search(reader, "p") == [] and search(reader, "#p") == []
    assert {h.message_id for h in search(reader, "pi")} == {"m1", "m2", "m3"}


NASTY = [
    "",
    " ",
    "\t\n",
    '"',
    '""',
    '"""',
    "'",
    "-",
    "--",
    "-pizza",
    "NOT",
    "AND",
    "OR",
    "NEAR",
    "NEAR(pizza thanks)",
    "pizza AND",
    "AND pizza",
    "*",
    "**",
    "pizza*",
    "^pizza",
    "(",
    ")",
    "((",
    "pizza)",
    "body:pizza",
    "{body}: x",
    "-body:pizza",
    "a + b",
    "\x00",
    "pizza\x00",
    "\\",
    "%",
    "_",
    "💥",
    "\u202e",
    "\ud7ff",
    "ß" * 500,
    "pizza " * 200,
]


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_nasty_input_never_raises(reader: sqlite3.Connection, text: str) -> None:
    assert isinstance(search(reader, text), list)


@pytest.fixture(scope="module")
def fuzz_reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    """A module-wide database: hypothesis runs many examples against one fixture value."""
    path = Path(tmp_path_factory.mktemp("fuzz")) / "fuzz.sqlite3"
    writer = Writer(path)
    writer.run_blocking(lambda c: writes.ensure_account(c, ACCOUNT, ProviderKind.ZOOM))
    writer.run_blocking(lambda c: writes.upsert_threads(c, ACCOUNT, [make_thread("t1")]))
    writer.run_blocking(
        lambda c: writes.upsert_messages(
            c,
            ACCOUNT,
            "t1",
            [
                replace(make_message("m1"), body='pizza "quoted" NEAR(x) -minus * (paren'),
            ],
        )
    )
    writer.close()
    conn = open_reader(path)
    yield conn
    conn.close()


SEARCH_ALPHABET = st.one_of(
    st.sampled_from(list("\"'-*()^:+{}[]\\ \t\x00NEARORANDNOT")),
    st.characters(blacklist_categories=("Cs",)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(SEARCH_ALPHABET, max_size=40))
def test_fuzzed_input_never_raises(fuzz_reader: sqlite3.Connection, text: str) -> None:
    hits = search(fuzz_reader, text)
    assert len(hits) <= 50
