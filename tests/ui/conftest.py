"""A populated store for the UI tests: two accounts, several channels, enough threads to
page (350), one long thread (500 messages), and bodies a vendor might send to break a
renderer (markup, RTL, emoji, NUL, 10 kB). Written through the real Writer and write
functions, read through a real read-only connection, as the window does."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex

from inbox_app.core.models import (
    Attachment,
    Channel,
    Direction,
    Message,
    ProviderKind,
    Thread,
    ThreadStatus,
)
from inbox_app.store import queries, writes
from inbox_app.store.db import open_reader
from inbox_app.store.writer import Writer

LIVEVOX = "LiveVox NA3"
ZOHO = "Zoho Voice"
NOW = datetime.now(UTC).replace(microsecond=0)
"""Thread times count back from now, so 'today' and 'this week' rows exist."""

CHANNELS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    LIVEVOX: (
        ("group", "Group SMS", False),
        ("personal", "Personal SMS", True),
        ("west", "West", False),
    ),
    ZOHO: (("+18005550100", "Main line", False), ("+18005550101", "Support line", False)),
}
THREADS_PER_CHANNEL = 70
"""5 channels x 70 = 350 threads."""
BIG_THREAD = (LIVEVOX, "big")
BIG_MESSAGES = 500
ODD_THREAD = (LIVEVOX, "odd")
ODD_BODIES: dict[str, str] = {
    "html": "<b>bold?</b> <i>no</i> <a href='https://evil.example'>link</a>",
    "img": "<img src=x onerror=alert(1)>",
    "rtl": "مرحبا، كيف يمكنني مساعدتك اليوم؟ أرجو الرد في أقرب وقت ممكن. شكرا جزيلا لك",
    "emoji": "👍🏽 thanks! 🎉🎉 👨‍👩‍👧‍👦 ok",
    "nul": "before\x00after\x01\x1b[31m",
    "long": ("ten kilobytes of text " * 470)[:10_240],
    "newlines": "line one\n\nline three\r\n\tindented",
    "empty": "",
}


def _channels(account: str) -> list[Channel]:
    return [
        Channel(key, name, "sms", personal, unread=999, total=999, vendor_id=key)
        for key, name, personal in CHANNELS[account]
    ]


def _customer_name(account: str, n: int, i: int) -> str:
    """Mostly plain names; some missing (the number shows instead), one right-to-left."""
    if i % 7 == 3:
        return ""
    return f"عميل رقم {n}" if i == 11 else f"Customer {account[:4]} {n}"


def _threads(account: str) -> list[Thread]:
    threads: list[Thread] = []
    n = 0
    for channel in _channels(account):
        for i in range(THREADS_PER_CHANNEL):
            n += 1
            key = f"{channel.key}-{i}"
            status = ThreadStatus.RESOLVED if i % 10 == 8 else ThreadStatus.ACTIVE
            threads.append(
                Thread(
                    key=key,
                    channel_key=channel.key,
                    customer_number=f"+1415555{n:04d}",
                    customer_name=_customer_name(account, n, i),
                    our_number="+18005550100",
                    unread=i % 3 == 0,
                    status=status,
                    last_message_at=(
                        None if i == THREADS_PER_CHANNEL - 1 else NOW - timedelta(hours=n * 7)
                    ),
                    preview=f"preview {key}\nsecond line",
                    fingerprint="fp",
                    do_not_contact=i == 5,
                    opted_out=i == 6,
                )
            )
    if account == LIVEVOX:
        for key, minutes in ((BIG_THREAD[1], 1), (ODD_THREAD[1], 2)):
            threads.append(
                Thread(
                    key=key,
                    channel_key="group",
                    customer_number="+14155559999",
                    customer_name=f"{key} customer <b>",
                    our_number="+18005550100",
                    unread=True,
                    status=ThreadStatus.ACTIVE,
                    last_message_at=NOW - timedelta(minutes=minutes),
                    preview="",
                    fingerprint="fp",
                )
            )
    return threads


def message(thread_key: str, id: str, at: datetime, body: str = "hi", **changes: Any) -> Message:
    fields: dict[str, Any] = {
        "id": id,
        "thread_key": thread_key,
        "direction": Direction.IN,
        "body": body,
        "at": at,
        "status": "delivered",
        **changes,
    }
    return Message(**fields)


def _big_messages() -> list[Message]:
    start = NOW - timedelta(minutes=1) - timedelta(minutes=BIG_MESSAGES)
    return [
        message(
            BIG_THREAD[1],
            f"big-{i:03d}",
            start + timedelta(minutes=i),
            f"message number {i} " + "word " * (i % 30),
            direction=Direction.OUT if i % 2 else Direction.IN,
            status="delivered" if i % 5 else "failed",
            status_detail="" if i % 5 else "Carrier rejected",
        )
        for i in range(1, BIG_MESSAGES + 1)
    ]


def _odd_messages() -> list[Message]:
    start = NOW - timedelta(minutes=2) - timedelta(minutes=len(ODD_BODIES) + 1)
    rows = [
        message(
            ODD_THREAD[1],
            f"odd-{name}",
            start + timedelta(minutes=i),
            body,
            direction=Direction.OUT if i % 2 else Direction.IN,
        )
        for i, (name, body) in enumerate(ODD_BODIES.items())
    ]
    rows.append(
        message(
            ODD_THREAD[1],
            "odd-attachments",
            start + timedelta(minutes=len(ODD_BODIES)),
            "see attached",
            attachments=(
                Attachment("a1", "photo <1>.jpg", "image/jpeg", 123_456),
                Attachment("a2", "unknown-size.pdf", "application/pdf", None),
            ),
        )
    )
    return rows


def _populate(conn: sqlite3.Connection) -> None:
    for account, provider in ((LIVEVOX, ProviderKind.LIVEVOX), (ZOHO, ProviderKind.ZOHO)):
        writes.ensure_account(conn, account, provider)
        writes.replace_channels(conn, account, _channels(account))
        writes.upsert_threads(conn, account, _threads(account))
    writes.upsert_messages(conn, LIVEVOX, BIG_THREAD[1], _big_messages())
    writes.upsert_messages(conn, LIVEVOX, ODD_THREAD[1], _odd_messages())
    writes.upsert_messages(
        conn,
        ZOHO,
        "+18005550100-0",
        [message("+18005550100-0", "z-1", NOW - timedelta(hours=7), "hello from zoho")],
    )


@dataclass
class UiStore:
    """A populated database: `write(fn, *args)` runs `fn(conn, *args)` in the writer,
    `reader` is the read-only connection models are given. The constants name what the
    fixture wrote, so tests need not import this module."""

    path: Path
    writer: Writer
    reader: sqlite3.Connection

    LIVEVOX: ClassVar[str] = LIVEVOX
    ZOHO: ClassVar[str] = ZOHO
    NOW: ClassVar[datetime] = NOW
    BIG: ClassVar[tuple[str, str]] = BIG_THREAD
    BIG_MESSAGES: ClassVar[int] = BIG_MESSAGES
    ODD: ClassVar[tuple[str, str]] = ODD_THREAD
    ODD_BODIES: ClassVar[dict[str, str]] = ODD_BODIES

    def write(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.writer.run_blocking(lambda conn: fn(conn, *args))

    def thread(self, account: str, key: str) -> Thread:
        """A stored thread as a core Thread, to `dataclasses.replace` and upsert again."""
        row = queries.get_thread(self.reader, account, key)
        assert row is not None
        return row.to_thread()

    def message(
        self, thread_key: str, id: str, at: datetime, body: str = "hi", **changes: Any
    ) -> Message:
        return message(thread_key, id, at, body, **changes)


@pytest.fixture
def ui_store(tmp_path: Path) -> Iterator[UiStore]:
    path = tmp_path / "data" / "inbox.sqlite3"
    writer = Writer(path)
    writer.run_blocking(_populate)
    reader = open_reader(path)
    yield UiStore(path, writer, reader)
    reader.close()
    writer.close()


@pytest.fixture
def record_signals() -> Callable[[QAbstractItemModel], list[tuple[str, tuple[Any, ...]]]]:
    """`record_signals(model)` returns a list that fills with (signal name, arguments) for
    every structural or data signal the model emits from then on."""

    def record(model: QAbstractItemModel) -> list[tuple[str, tuple[Any, ...]]]:
        seen: list[tuple[str, tuple[Any, ...]]] = []
        for name in (
            "dataChanged",
            "rowsInserted",
            "rowsRemoved",
            "rowsMoved",
            "modelReset",
            "layoutChanged",
        ):
            getattr(model, name).connect(lambda *args, name=name: seen.append((name, _plain(args))))
        return seen

    return record


def _plain(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Signal arguments with indexes turned into (row, parent row) while still valid."""
    return tuple((a.row(), a.parent().row()) if isinstance(a, QModelIndex) else a for a in args)
