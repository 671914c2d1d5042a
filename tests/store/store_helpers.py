"""Factories for core values, so store tests spell out only what they care about, and a
table dump for idempotency checks. (A uniquely named module: `conftest` is ambiguous.)"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from inbox_app.core.models import Direction, Message, Thread, ThreadStatus
from inbox_app.store import migrations, schema

ACCOUNT = "acme"
BASE_TIME = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def migrate_to(conn: sqlite3.Connection, version: int) -> None:
    """The schema as a release with the first `version` migrations left it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(migrations, "MIGRATIONS", schema.MIGRATIONS[:version])
        patch.setattr(migrations, "LATEST_VERSION", version)
        migrations.migrate(conn)


def make_thread(key: str = "t1", **changes: Any) -> Thread:
    thread = Thread(
        key=key,
        channel_key="group",
        customer_number="+14155550123",
        customer_name="Ada Lovelace",
        our_number="+18005550100",
        unread=True,
        status=ThreadStatus.ACTIVE,
        last_message_at=BASE_TIME,
        preview="hello",
        fingerprint="fp1",
        vendor_ref={"service": "s1"},
    )
    return replace(thread, **changes)


def make_message(
    id: str = "m1", thread_key: str = "t1", minutes: int = 0, **changes: Any
) -> Message:
    message = Message(
        id=id,
        thread_key=thread_key,
        direction=Direction.IN,
        body=f"body of {id}",
        at=BASE_TIME + timedelta(minutes=minutes),
        status="delivered",
    )
    return replace(message, **changes)


def dump(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ordinary table (FTS shadow tables included), for idempotency checks."""
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
            " ORDER BY name"
        )
    ]
    return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables}
