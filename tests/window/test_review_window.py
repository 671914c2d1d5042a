"""The supervisor's review window over a cache synced from the simulator (LiveVox and
Zoho Voice over loopback): every thread of both vendors in one list, the filters
narrow it, nothing in it can act on a thread, and exports write what the list shows."""

from __future__ import annotations

import asyncio
import csv
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path

import pypdf
import pytest
import shiboken6
from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractButton,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QTextEdit,
)

from inbox_app.core.models import Direction
from inbox_app.core.phone import display_number
from inbox_app.demo import simulator_accounts
from inbox_app.simulator import RunningServer, Simulator
from inbox_app.store import queries, review
from inbox_app.store.review import ReviewFilter
from inbox_app.sync.service import InboxService
from inbox_app.ui.bridge import SyncBridge
from inbox_app.ui.composer import Composer
from inbox_app.ui.models.roles import Roles
from inbox_app.ui.review import export
from inbox_app.ui.review.export import ExportFormat
from inbox_app.ui.review.window import ReviewWindow
from tests.window.conftest import until

EXPORT_ACTIONS = {"exportThreadCsv", "exportThreadPdf", "exportSetCsv", "exportSetPdf"}


@pytest.fixture
async def service(
    sim: Simulator, running: RunningServer, tmp_path: Path
) -> AsyncIterator[tuple[InboxService, SyncBridge]]:
    bridge = SyncBridge()
    service = InboxService(
        simulator_accounts(running, sim.credentials),
        tmp_path / "inbox.sqlite3",
        on_change=bridge.on_change,
        on_status=bridge.on_status,
    )
    await service.engine.run_once()
    yield service, bridge
    await service.aclose()


@pytest.fixture
async def window(
    service: tuple[InboxService, SyncBridge], qtbot: object
) -> AsyncIterator[ReviewWindow]:
    inbox, bridge = service
    window = ReviewWindow(inbox.db_path, bridge)
    window.show()
    await until(lambda: window.totals is not None)
    yield window
    window.close()
    await window.aclose()
    window.deleteLater()
    await until(lambda: not shiboken6.isValid(window))


def all_rows(window: ReviewWindow) -> list[tuple[str, str]]:
    model = window.threads
    while model.canFetchMore(model.index(-1, 0).parent()):
        model.fetchMore(model.index(-1, 0).parent())
    return [
        (model.index(r, 0).data(Roles.AccountRole), model.index(r, 0).data(Roles.KeyRole))
        for r in range(model.rowCount())
    ]


def expected(window: ReviewWindow, f: ReviewFilter) -> list[tuple[str, str]]:
    return [(t.account, t.key) for t in review.thread_page(window.conn, f, limit=100_000)]


async def settle(window: ReviewWindow, f: ReviewFilter) -> None:
    """Until the filter bar's filter is `f` and the counts for it are shown."""
    await until(lambda: window.review_filter == f)
    await until(
        lambda: window.totals is not None and window.totals.threads == len(expected(window, f))
    )


async def test_every_thread_of_every_vendor_in_one_read_only_list(window: ReviewWindow) -> None:
    rows = all_rows(window)
    stored = window.conn.execute("SELECT count(*) FROM threads").fetchone()[0]
    assert len(rows) == stored == window.totals.threads  # type: ignore[union-attr]
    assert {account for account, _key in rows} == {
        "LiveVox demo",
        "Zoho demo",
        "Voximplant demo",
        "Zoom demo",
    }
    assert window.summary.text().startswith(f"{stored:,} conversations")
    messages = window.conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    assert window.totals.messages == messages  # type: ignore[union-attr]

    account, key = rows[0]
    assert window.thread_list.currentIndex().row() == 0
    await until(lambda: window.pane.model.rowCount() > 0)
    assert window.pane.model.rowCount() == len(queries.list_messages(window.conn, account, key))

    assert window.findChildren(Composer) == []
    editors = window.findChildren(QTextEdit) + window.findChildren(QPlainTextEdit)
    assert all(e.isReadOnly() for e in editors)
    named = {
        a.objectName() for a in window.actions() + window.findChildren(type(window.act_set_csv))
    }
    assert {n for n in named if n and not n.startswith("_q_")} == EXPORT_ACTIONS | {"focusSearch"}
    words = " ".join(b.text() for b in window.findChildren(QAbstractButton)).lower()
    for verb in ("send", "resolve", "transfer", "mark", "reply"):
        assert verb not in words


async def test_filters_narrow_the_list(window: ReviewWindow) -> None:
    bar = window.filters
    bar.account.setCurrentIndex(bar.account.findData("Zoho demo"))
    zoho = ReviewFilter(accounts=("Zoho demo",))
    await settle(window, zoho)
    assert all_rows(window) == expected(window, zoho)
    assert {a for a, _k in all_rows(window)} == {"Zoho demo"}

    bar.direction.setCurrentIndex(bar.direction.findData("in"))
    await settle(window, ReviewFilter(accounts=("Zoho demo",), direction=Direction.IN))

    bar.account.setCurrentIndex(bar.account.findData("LiveVox demo"))
    personal = next(i for i in range(bar.inbox.count()) if bar.inbox.itemText(i) == "Personal SMS")
    bar.inbox.setCurrentIndex(personal)
    await until(lambda: len(window.review_filter.inboxes) == 1)
    f = window.review_filter
    assert f.accounts == ("LiveVox demo",) and f.inboxes[0][1].startswith("personal:")
    await settle(window, f)
    assert all_rows(window) == expected(window, f) != []

    bar.reset()
    await settle(window, ReviewFilter())

    # Text and number boxes apply after a pause in typing.
    account, key = all_rows(window)[5]
    thread = queries.get_thread(window.conn, account, key)
    assert thread is not None
    bar.customer.setText(display_number(thread.customer_number))
    digits = ReviewFilter(customer=display_number(thread.customer_number))
    await settle(window, digits)
    assert (account, key) in all_rows(window)

    bar.reset()
    word = queries.list_messages(window.conn, account, key)[0].body.split()[0]
    bar.search.setText(word)
    await settle(window, ReviewFilter(text=word))
    assert (account, key) in all_rows(window)

    bar.reset()
    bar.status.setCurrentIndex(bar.status.findData("resolved"))
    await until(lambda: window.review_filter.statuses != ())
    await settle(window, window.review_filter)

    bar.reset()
    tomorrow = date.today() + timedelta(days=2)
    bar.since.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
    await until(lambda: window.review_filter.since is not None)
    await until(lambda: window.totals is not None and window.totals.threads == 0)
    assert window.threads.rowCount() == 0
    assert window.pane.header.name.text() == "No conversation selected"
    assert not window.act_set_pdf.isEnabled() and not window.act_thread_csv.isEnabled()
    assert window.summary.text() == "0 conversations · 0 messages"


async def test_chart_shows_the_set_per_day(window: ReviewWindow) -> None:
    chart = window.chart
    totals = window.totals
    assert totals is not None and chart.days
    assert sum(d.inbound + d.outbound for d in chart.days) == totals.messages
    assert (
        sum(d.inbound for d in chart.days)
        == window.conn.execute("SELECT count(*) FROM messages WHERE direction = 'in'").fetchone()[0]
    )
    assert chart.accessibleName() == "Messages per day"
    assert "inbound" in chart.accessibleDescription()
    day = chart.day_at(chart.width() - 10)
    assert day is not None and day == chart.days[-1]
    assert not chart.grab().isNull()

    window.filters.direction.setCurrentIndex(window.filters.direction.findData("out"))
    await until(lambda: window.totals is not None and window.totals is not totals)
    await until(lambda: all(d.inbound == 0 for d in window.chart.days))


async def test_new_traffic_appears_after_a_sync(
    window: ReviewWindow, service: tuple[InboxService, SyncBridge], sim: Simulator
) -> None:
    before = window.totals.messages  # type: ignore[union-attr]
    lv = sim.world.livevox
    oldest = lv.personal_inbox(lv.default_agent.agent_id)[-1]
    lv.receive("A question for the supervisor", thread_id=oldest.thread_id)
    await service[0].engine.run_once()
    await until(lambda: window.totals is not None and window.totals.messages == before + 1)
    await until(lambda: window.threads.index(0, 0).data(Roles.KeyRole) == oldest.thread_id)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


async def test_exports_a_thread_and_a_filtered_set_with_progress(
    window: ReviewWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = window.selected_thread()
    assert thread is not None
    one = tmp_path / "thread.csv"
    assert await window.export_to(one, "thread", ExportFormat.CSV) is not None
    rows = read_csv(one)
    stored = queries.list_messages(window.conn, thread.account, thread.key)
    assert [r["body"] for r in rows] == [m.body for m in stored]
    assert {(r["account"], r["thread"]) for r in rows} == {(thread.account, thread.key)}
    assert window.export_job is not None and window.export_job.relay.shown == 0, "no dialog"

    bar = window.filters
    bar.account.setCurrentIndex(bar.account.findData("Zoho demo"))
    bar.direction.setCurrentIndex(bar.direction.findData("in"))
    f = ReviewFilter(accounts=("Zoho demo",), direction=Direction.IN)
    await settle(window, f)
    total = window.totals.messages  # type: ignore[union-attr]
    monkeypatch.setattr(export, "PROGRESS_FROM", 1)
    target = tmp_path / "set.pdf"
    written = await window.export_to(target, "set", ExportFormat.PDF)
    assert written == total == review.count_messages(window.conn, f)
    assert window.export_job.relay.shown == total  # type: ignore[union-attr]
    assert not any(d.isVisible() for d in window.findChildren(QProgressDialog))
    assert f"Exported {total:,} messages" in window.statusBar().currentMessage()

    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(target).pages)
    assert "Zoho demo" in text and "Page 1" in text
    assert text.count("Customer · ") == total and "Agent · " not in text
    csv_path = tmp_path / "set.csv"
    await window.export_to(csv_path, "set", ExportFormat.CSV)
    names = {r["customer_name"] or display_number(r["customer_number"]) for r in read_csv(csv_path)}
    assert [n for n in names if n not in text] == []


async def test_cancel_stops_an_export_and_leaves_no_file(
    window: ReviewWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The worker waits after its first batch until Cancel is clicked, so the click
    # lands mid-export however fast the machine is.
    clicked = threading.Event()
    real = review.transcript_batches

    def gated(conn: object, f: ReviewFilter) -> Iterator[list[object]]:
        for n, batch in enumerate(real(conn, f, batch_size=50)):  # type: ignore[arg-type]
            yield batch  # type: ignore[misc]
            if n == 0:
                clicked.wait(10)

    monkeypatch.setattr(review, "transcript_batches", gated)
    monkeypatch.setattr(export, "PROGRESS_FROM", 1)
    folder = tmp_path / "exports"
    folder.mkdir()
    task = asyncio.ensure_future(window.export_to(folder / "all.pdf", "set", ExportFormat.PDF))
    await until(lambda: window.export_job is not None and window.export_job.relay.shown > 0)
    assert not window.act_set_csv.isEnabled(), "one export at a time"
    dialog = window.export_job.relay.dialog  # type: ignore[union-attr]
    assert dialog is not None and dialog.isVisible()
    assert dialog.maximum() == window.totals.messages  # type: ignore[union-attr]
    (cancel,) = dialog.findChildren(QPushButton)
    cancel.click()
    clicked.set()
    assert await task is None
    assert list(folder.iterdir()) == []
    assert window.statusBar().currentMessage().startswith("Export cancelled")
    assert window.act_set_csv.isEnabled()


async def test_supervisor_option_opens_the_review_on_the_demo(
    monkeypatch: pytest.MonkeyPatch, qtbot: object
) -> None:
    import sys

    from PySide6.QtWidgets import QApplication

    from inbox_app import app

    # _main installs the app's exception hook; the next test gets pytest's back.
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    options = app.GuiOptions(demo=True, supervisor=True)
    run = asyncio.ensure_future(app._main(options, lambda _secrets: None))

    def review() -> ReviewWindow | None:
        found = [w for w in QApplication.topLevelWidgets() if isinstance(w, ReviewWindow)]
        return found[0] if found else None

    await until(lambda: review() is not None, within=30)
    window = review()
    assert window is not None
    await until(lambda: window.totals is not None and window.totals.threads > 0, within=30)
    accounts = {window.filters.account.itemText(i) for i in range(window.filters.account.count())}
    assert {"LiveVox demo", "Zoho demo"} <= accounts
    window.close()
    assert await run == 0
    window.deleteLater()
    await until(lambda: not shiboken6.isValid(window))


async def test_supervisor_setting_opens_the_review_with_settings_and_help(
    monkeypatch: pytest.MonkeyPatch, sim: Simulator, running: RunningServer, tmp_path: Path
) -> None:
    import sys

    from PySide6.QtWidgets import QApplication

    from inbox_app import app
    from inbox_app.simulator.cli import accounts_toml

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    config = tmp_path / "config.toml"
    config.write_text(
        accounts_toml(running, sim.credentials) + "\n\n[settings]\nsupervisor = true\n",
        encoding="utf-8",
    )
    options = app.GuiOptions(config_path=config, db_path=tmp_path / "inbox.sqlite3")
    run = asyncio.ensure_future(app._main(options, lambda _secrets: None))

    def review() -> ReviewWindow | None:
        found = [w for w in QApplication.topLevelWidgets() if isinstance(w, ReviewWindow)]
        return found[0] if found else None

    await until(lambda: review() is not None, within=30)
    window = review()
    assert window is not None
    await until(lambda: len(window.account_statuses()) == 4, within=30)
    actions = {a.objectName() for a in window.toolbar.actions()}
    assert "settings" in actions
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert "Help" in menus
    assert window.findChild(Composer) is None
    window.close()
    assert await run == 0
    window.deleteLater()
    await until(lambda: not shiboken6.isValid(window))
