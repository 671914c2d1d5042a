"""The counts the sidebar and the window title read (`thread_counts`, schema version 7):
kept by triggers, they must always equal counting the threads themselves."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any

from inbox_app.core.models import ProviderKind, ThreadStatus
from inbox_app.store import migrations, queries, schema, views, writes
from inbox_app.store.db import connect
from inbox_app.sync import intents
from tests.store.store_helpers import make_thread, migrate_to

COUNTED = (
    "SELECT account, channel_key, status, count(*), count(*) FILTER (WHERE unread)"
    " FROM threads GROUP BY account, channel_key, status ORDER BY 1, 2, 3"
)
KEPT = (
    "SELECT account, channel_key, status, total, unread FROM thread_counts"
    " WHERE total > 0 ORDER BY 1, 2, 3"
)
STATUSES = list(ThreadStatus)


def _kept_and_counted(conn: sqlite3.Connection) -> tuple[list[Any], list[Any]]:
    return conn.execute(KEPT).fetchall(), conn.execute(COUNTED).fetchall()


def _random_thread(rng: random.Random) -> Any:
    return make_thread(
        f"t{rng.randrange(60)}",
        channel_key=rng.choice(["group", "personal", "other"]),
        unread=rng.random() < 0.5,
        status=rng.choice(STATUSES),
    )


def test_counts_follow_every_kind_of_thread_change(tmp_path: Path) -> None:
    conn = connect(tmp_path / "db.sqlite3")
    migrations.migrate(conn)
    rng = random.Random(7)
    accounts = ["acme", "globex"]
    for account in accounts:
        writes.ensure_account(conn, account, ProviderKind.LIVEVOX)
    for step in range(300):
        account = rng.choice(accounts)
        roll = rng.random()
        if roll < 0.5:
            page = [_random_thread(rng) for _ in range(rng.randrange(1, 12))]
            writes.upsert_threads(conn, account, list({t.key: t for t in page}.values()))
        elif roll < 0.7:
            keys = [
                r[0] for r in conn.execute("SELECT key FROM threads WHERE account = ?", (account,))
            ]
            if keys:
                columns = {"unread": int(rng.random() < 0.5), "status": str(rng.choice(STATUSES))}
                effects_update(conn, account, rng.choice(keys), columns)
        elif roll < 0.85:
            seen = [f"t{n}" for n in rng.sample(range(60), 30)]
            writes.close_missing_threads(conn, account, rng.choice(["group", "personal"]), seen)
        elif roll < 0.9:
            writes.forget_account(conn, account)
            writes.ensure_account(conn, account, ProviderKind.LIVEVOX)
        kept, counted = _kept_and_counted(conn)
        assert kept == counted, f"step {step}"
    assert conn.execute("SELECT count(*) FROM threads").fetchone()[0] > 0


def effects_update(
    conn: sqlite3.Connection, account: str, key: str, columns: dict[str, Any]
) -> None:
    """As an intent's optimistic effect writes a thread (store/effects.py)."""
    assignments = ", ".join(f"{c} = ?" for c in columns)
    conn.execute(
        f"UPDATE threads SET {assignments} WHERE account = ? AND key = ?",
        (*columns.values(), account, key),
    )


def test_readers_give_the_same_numbers_as_counting(tmp_path: Path) -> None:
    conn = connect(tmp_path / "db.sqlite3")
    migrations.migrate(conn)
    writes.ensure_account(conn, "acme", ProviderKind.LIVEVOX)
    rng = random.Random(3)
    writes.upsert_threads(
        conn, "acme", list({t.key: t for t in (_random_thread(rng) for _ in range(80))}.values())
    )
    for statuses in [(ThreadStatus.ACTIVE,), (ThreadStatus.RESOLVED, ThreadStatus.CLOSED), ()]:
        wanted = [str(s) for s in statuses]
        for unread_only in (False, True):
            counted = sum(
                1
                for status, unread in conn.execute("SELECT status, unread FROM threads")
                if status in wanted and (unread or not unread_only)
            )
            assert (
                queries.count_threads(conn, unread_only=unread_only, statuses=statuses) == counted
            )
        per_channel = {
            (c.account, c.channel_key): (c.total, c.unread)
            for c in views.channel_counts(conn, tuple(wanted))
        }
        for (account, channel), (total, unread) in per_channel.items():
            assert total == queries.count_threads(conn, account, channel, statuses=statuses)
            assert unread == queries.count_threads(
                conn, account, channel, unread_only=True, statuses=statuses
            )
        assert all(total > 0 for total, _ in per_channel.values())


def test_upgrading_a_version_6_cache_counts_its_threads(tmp_path: Path) -> None:
    conn = connect(tmp_path / "db.sqlite3")
    migrate_to(conn, 6)
    writes.ensure_account(conn, "acme", ProviderKind.LIVEVOX)
    rng = random.Random(5)
    writes.upsert_threads(
        conn, "acme", list({t.key: t for t in (_random_thread(rng) for _ in range(50))}.values())
    )
    conn.commit()
    assert migrations.migrate(conn) == schema.LATEST_VERSION
    kept, counted = _kept_and_counted(conn)
    assert kept == counted and len(kept) > 3


def test_an_intent_moves_the_counts_at_once(tmp_path: Path) -> None:
    """Marking a thread read is an intent with an optimistic effect: the sidebar must
    show it before the vendor has heard of it."""
    conn = connect(tmp_path / "db.sqlite3")
    migrations.migrate(conn)
    writes.ensure_account(conn, "acme", ProviderKind.LIVEVOX)
    writes.upsert_threads(conn, "acme", [make_thread("t1", unread=True)])
    assert queries.count_threads(conn, "acme", unread_only=True) == 1
    intents.set_read(conn, "acme", "t1", True)
    assert queries.count_threads(conn, "acme", unread_only=True) == 0
    assert queries.count_threads(conn, "acme") == 1
