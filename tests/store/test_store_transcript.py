"""CSV transcripts: opened again with the csv module, they hold every message of the set
with its thread's facts, vendor text as typed (never as a formula), and a cancelled or
failed export leaves nothing behind."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from review_world import FORMULA_BODY, HTML_BODY, ZOHO, build
from store_helpers import ACCOUNT

from inbox_app.core.models import Direction
from inbox_app.store import review
from inbox_app.store.review import ReviewFilter
from inbox_app.store.transcript import CSV_COLUMNS, ExportCancelled, export_csv

Write = Callable[..., Any]


@pytest.fixture
def world(write: Write, reader: sqlite3.Connection) -> sqlite3.Connection:
    build(write)
    return reader


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
        return list(reader)


def test_filtered_set_to_csv(world: sqlite3.Connection, tmp_path: Path) -> None:
    target = tmp_path / "set.csv"
    written = export_csv(world, ReviewFilter(), target)
    rows = read_csv(target)
    assert written == len(rows) == 6
    assert target.read_bytes().startswith(b"\xef\xbb\xbf"), "a BOM, for spreadsheets"
    by_id = {r["message_id"]: r for r in rows}
    assert by_id["m2"] == {
        "account": ACCOUNT,
        "vendor": "livevox",
        "inbox": "Group - Billing",
        "thread": "t1",
        "customer_number": "+14155550123",
        "customer_name": "Ada Lovelace",
        "message_id": "m2",
        "direction": "out",
        "time": "2024-05-02T12:00:00.000Z",
        "status": "delivered",
        "body": HTML_BODY,
        "attachments": "receipt.pdf",
    }
    assert by_id["z-1"]["vendor"] == "zoho"
    assert by_id["z-1"]["body"] == "'" + FORMULA_BODY, "a formula stays text"
    assert by_id["z-2"]["body"] == 'AND NEAR -x "quote'
    assert [r["message_id"] for r in rows] == ["z-1", "z-2", "m3", "m4", "m1", "m2"]


def test_one_thread_and_a_narrowed_set(world: sqlite3.Connection, tmp_path: Path) -> None:
    one = tmp_path / "one.csv"
    export_csv(world, ReviewFilter(accounts=(ACCOUNT,), thread_key="t2"), one)
    assert [r["body"] for r in read_csv(one)] == ["where is my order", "shipped today"]
    inbound = tmp_path / "in.csv"
    export_csv(world, ReviewFilter(direction=Direction.IN, accounts=(ZOHO,)), inbound)
    assert [r["message_id"] for r in read_csv(inbound)] == ["z-2"]


def test_to_a_stream_without_bom(world: sqlite3.Connection) -> None:
    out = io.StringIO()
    assert export_csv(world, ReviewFilter(thread_key="t1"), out) == 2
    text = out.getvalue()
    assert text.startswith("account,vendor,")
    assert len(list(csv.DictReader(io.StringIO(text)))) == 2


def test_progress_reports_each_batch_and_can_cancel(
    world: sqlite3.Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review, "EXPORT_BATCH", 2)
    real = review.transcript_batches
    monkeypatch.setattr(review, "transcript_batches", lambda conn, f: real(conn, f, batch_size=2))
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        seen.append((done, total))
        return True

    out = tmp_path / "exports"
    out.mkdir()
    target = out / "all.csv"
    export_csv(world, ReviewFilter(), target, progress)
    assert seen == [(2, 6), (4, 6), (6, 6)]

    target.write_text("an older export", encoding="utf-8")
    with pytest.raises(ExportCancelled):
        export_csv(world, ReviewFilter(), target, lambda done, total: done < 4)
    assert target.read_text(encoding="utf-8") == "an older export"
    assert [p.name for p in out.iterdir()] == ["all.csv"], "no partial file left"


def test_an_empty_set_is_a_header(world: sqlite3.Connection, tmp_path: Path) -> None:
    target = tmp_path / "none.csv"
    assert export_csv(world, ReviewFilter(text="no such words"), target) == 0
    assert read_csv(target) == []
