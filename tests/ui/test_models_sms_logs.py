"""SmsLogModel: pages newest first under a filter, refreshes in place, and shows vendor
text as one plain line; plus the scheduled strip's time wording."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QModelIndex, Qt

from inbox_app.core.models import Direction, ScheduledMessage
from inbox_app.store import queries, writes
from inbox_app.store.sms_logs import LogFilter
from inbox_app.ui.models.roles import Roles
from inbox_app.ui.models.sms_logs import COLUMNS, MESSAGE_COLUMN, PAGE_SIZE, SmsLogModel
from inbox_app.ui.scheduled_strip import scheduled_time


def _ids(model: SmsLogModel) -> list[str]:
    return [model.index(r, 0).data(Roles.IdRole) for r in range(model.rowCount())]


def test_pages_newest_first_and_passes_the_tester(ui_store, qtmodeltester, record_signals):
    model = SmsLogModel(ui_store.reader)
    model.set_filter(LogFilter(ui_store.LIVEVOX))
    qtmodeltester.check(model, force_py=True)
    big = [m.id for m in queries.list_messages(ui_store.reader, *ui_store.BIG)]
    odd = [m.id for m in queries.list_messages(ui_store.reader, *ui_store.ODD)]
    assert model.rowCount() >= PAGE_SIZE
    seen = record_signals(model)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert all(name == "rowsInserted" for name, _ in seen)
    assert sorted(_ids(model)) == sorted(big + odd)
    times = [model.index(r, 0).data(Roles.AtRole) for r in range(model.rowCount())]
    assert times == sorted(times, reverse=True)
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(len(COLUMNS))] == list(
        COLUMNS
    )

    model.set_filter(LogFilter(ui_store.LIVEVOX, direction=Direction.OUT, since=ui_store.NOW))
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())
    model.set_filter(None)
    assert model.rowCount() == 0


def test_odd_text_is_one_plain_line(ui_store, qtmodeltester):
    model = SmsLogModel(ui_store.reader)
    model.set_filter(LogFilter(ui_store.LIVEVOX, customer_number="+14155559999"))
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    qtmodeltester.check(model, force_py=True)
    cells = {
        model.index(r, 0).data(Roles.IdRole): model.index(r, MESSAGE_COLUMN).data()
        for r in range(model.rowCount())
    }
    bodies = ui_store.ODD_BODIES
    assert cells["odd-html"] == bodies["html"]  # as typed, never rendered
    assert cells["odd-rtl"] == bodies["rtl"]
    assert cells["odd-emoji"] == bodies["emoji"]
    assert "\x00" not in cells["odd-nul"] and "\x1b" not in cells["odd-nul"]
    assert "\n" not in cells["odd-newlines"] and len(cells["odd-long"]) <= 200
    assert cells["odd-attachments"].startswith("📎2 ")
    row = _ids(model).index("odd-img")
    tip = model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "<img" not in tip and "&lt;img" in tip


def test_refresh_adds_new_rows_at_the_top_and_updates_in_place(ui_store, record_signals):
    model = SmsLogModel(ui_store.reader)
    model.set_filter(LogFilter(ui_store.LIVEVOX, customer_number="+14155559999"))
    before = _ids(model)
    seen = record_signals(model)
    later = ui_store.NOW + timedelta(minutes=1)
    newest = ui_store.message("odd", "odd-new", later, "just in")
    changed = replace(
        queries.list_messages(ui_store.reader, *ui_store.ODD)[-1], status="undelivered"
    )
    ui_store.write(writes.upsert_messages, ui_store.LIVEVOX, "odd", [newest, changed])
    model.refresh()
    assert _ids(model) == ["odd-new", *before]
    assert {name for name, _ in seen} <= {"rowsInserted", "dataChanged", "rowsRemoved"}
    assert ("rowsInserted", ((-1, -1), 0, 0)) in seen
    row = _ids(model).index(changed.id)
    assert model.index(row, 4).data() == "undelivered"
    assert any(name == "dataChanged" for name, _ in seen)


def test_scheduled_time_says_the_zone_and_the_agents_own_time():
    at = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)
    item = ScheduledMessage("s", "j", "+1", "+2", "hi", at, "Asia/Kolkata", "IN_QUEUE")
    text = scheduled_time(item, local_zone="UTC")
    assert text == "Scheduled for Tue 24 Nov 2026 09:30 (Asia/Kolkata) · 04:00 your time"
    assert scheduled_time(item, local_zone="Asia/Kolkata") == (
        "Scheduled for Tue 24 Nov 2026 09:30 (Asia/Kolkata)"
    )
    next_day = scheduled_time(item, local_zone="America/Los_Angeles")
    assert next_day.endswith("· Mon 23 Nov 2026 20:00 your time")
    unknown = replace(item, time_zone="Mars/Olympus")
    assert scheduled_time(unknown, local_zone="UTC") == "Scheduled for Tue 24 Nov 2026 04:00 (UTC)"
    assert scheduled_time(replace(item, at=None)) == "Scheduled (Zoho gave no time)"
