"""The review's thread list model (the agent's list over `store.review`) and its volume
chart, on the populated UI store."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from PySide6.QtCore import QModelIndex

from inbox_app.core.models import Direction, ThreadStatus
from inbox_app.store import review, writes
from inbox_app.store.review import DayVolume, ReviewFilter
from inbox_app.ui.models.roles import Roles
from inbox_app.ui.review.thread_model import ReviewThreadModel
from inbox_app.ui.review.volume_chart import VolumeChart


def load_all(model: ReviewThreadModel) -> list[tuple[str, str] | None]:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    return [model.key_at(row) for row in range(model.rowCount())]


def test_passes_the_model_tester_through_filters_pages_and_refreshes(ui_store, qtmodeltester):
    model = ReviewThreadModel(ui_store.reader)
    qtmodeltester.check(model, force_py=True)  # and stays connected, checking every change
    everything = load_all(model)
    stored = ui_store.reader.execute("SELECT count(*) FROM threads").fetchone()[0]
    assert len(everything) == review.count_threads(ui_store.reader, ReviewFilter()) == stored
    for f in (
        ReviewFilter(accounts=(ui_store.ZOHO,)),
        ReviewFilter(direction=Direction.OUT, statuses=(ThreadStatus.ACTIVE,)),
        ReviewFilter(text="number 4"),
        ReviewFilter(inboxes=((ui_store.LIVEVOX, "group"),), customer="415"),
    ):
        model.set_review_filter(f)
        shown = load_all(model)
        assert shown == [
            (t.account, t.key) for t in review.thread_page(ui_store.reader, f, limit=1000)
        ]
    model.set_review_filter(ReviewFilter())
    thread = ui_store.thread(ui_store.ZOHO, "+18005550101-4")
    ui_store.write(
        writes.upsert_threads,
        ui_store.ZOHO,
        [replace(thread, last_message_at=ui_store.NOW + timedelta(minutes=1))],
    )
    model.refresh()
    assert model.key_at(0) == (ui_store.ZOHO, "+18005550101-4")
    assert model.index(0, 0).data(Roles.AccountRole) == ui_store.ZOHO


def test_chart_fills_quiet_days_and_describes_itself(qtbot) -> None:
    chart = VolumeChart()
    qtbot.addWidget(chart)
    chart.resize(400, 120)
    assert chart.accessibleDescription() == "No messages in this set."
    first = date(2024, 5, 1)
    chart.set_days([DayVolume(first, 3, 1), DayVolume(first + timedelta(days=3), 0, 7)])
    assert [(d.day.day, d.inbound, d.outbound) for d in chart.days] == [
        (1, 3, 1),
        (2, 0, 0),
        (3, 0, 0),
        (4, 0, 7),
    ]
    assert chart.accessibleDescription() == (
        "3 inbound and 8 outbound messages over 4 days from Wed 1 May 2024 to"
        " Sat 4 May 2024; busiest Sat 4 May 2024: 0 inbound, 7 outbound."
    )
    assert chart.day_at(5) is None or chart.day_at(5).day == first
    assert chart.day_at(chart.width() - 8).day == first + timedelta(days=3)
    assert not chart.grab().isNull()
