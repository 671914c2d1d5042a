"""ThreadDelegate: every kind of row paints cleanly in light and dark palettes at any
pixel ratio, rows are uniform, and the pending marker explains itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QRect, QSize
from PySide6.QtGui import QColor, QFont, QHelpEvent, QImage, QPainter, QPalette
from PySide6.QtWidgets import QListView, QStyle, QStyleOptionViewItem, QToolTip

import inbox_app.ui.delegates as delegates_package
from inbox_app.store import outbox
from inbox_app.ui.delegates.thread_delegate import DOT, H_PAD, ThreadDelegate
from inbox_app.ui.models.roles import Roles
from inbox_app.ui.models.text import short_time
from inbox_app.ui.models.thread_list import ThreadFilter, ThreadListModel

WIDTH = 360


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, QColor(37, 37, 38)),
        (QPalette.ColorRole.Base, QColor(30, 30, 30)),
        (QPalette.ColorRole.AlternateBase, QColor(45, 45, 48)),
        (QPalette.ColorRole.Text, QColor(230, 230, 230)),
        (QPalette.ColorRole.PlaceholderText, QColor(150, 150, 150)),
        (QPalette.ColorRole.Highlight, QColor(38, 79, 120)),
        (QPalette.ColorRole.HighlightedText, QColor(255, 255, 255)),
        (QPalette.ColorRole.Link, QColor(90, 170, 255)),
        (QPalette.ColorRole.Mid, QColor(70, 70, 70)),
    ):
        palette.setColor(role, colour)
    return palette


def option(view: QListView, rect: QRect, palette: QPalette, selected: bool) -> QStyleOptionViewItem:
    opt = QStyleOptionViewItem()
    opt.rect = rect
    opt.palette = palette
    opt.font = QFont(view.font())
    opt.widget = view
    opt.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Active
    if selected:
        opt.state |= QStyle.StateFlag.State_Selected
    return opt


@pytest.fixture
def thread_view(ui_store, qtbot):
    """A list of the LiveVox group inbox with a queued and a stuck action on two rows."""
    model = ThreadListModel(ui_store.reader)
    model.set_filter(ThreadFilter(account=ui_store.LIVEVOX, channel_key="group"))
    queued = model.key_at(1)
    stuck = model.key_at(2)
    ui_store.write(outbox.enqueue, *queued, "send", {}, None)
    item = ui_store.write(outbox.enqueue, *stuck, "transfer", {}, None)
    ui_store.write(outbox.fail, item, "<img src=x onerror=alert(1)> refused", True)
    model.refresh()
    view = QListView()
    qtbot.addWidget(view)
    view.setModel(model)
    delegate = ThreadDelegate(view)
    view.setItemDelegate(delegate)
    view.setUniformItemSizes(True)
    view.resize(WIDTH, 400)
    return view, model, delegate


@pytest.mark.parametrize("palette", [QPalette(), dark_palette()], ids=["light", "dark"])
@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_every_row_paints_without_warnings(thread_view, palette, ratio):
    view, model, delegate = thread_view
    height = delegate.sizeHint(option(view, QRect(), palette, False), model.index(0)).height()
    rows = model.rowCount()
    image = QImage(QSize(WIDTH, height * rows) * ratio, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(ratio)
    image.fill(palette.color(QPalette.ColorRole.Base))
    painter = QPainter(image)
    for row in range(rows):
        rect = QRect(0, row * height, WIDTH, height)
        delegate.paint(painter, option(view, rect, palette, row == 3), model.index(row))
    painter.end()
    highlight = palette.color(QPalette.ColorRole.Highlight)
    for row in range(rows):
        # the unread dot is drawn in the highlight colour, only on unread rows
        centre = QPoint(H_PAD + DOT // 2, row * height + 6 + DOT // 2 + 1) * ratio
        if row == 3:
            continue
        hits = any(
            image.pixelColor(centre + QPoint(dx, dy)) == highlight
            for dx in (-1, 0, 1)
            for dy in (-2, -1, 0, 1, 2)
        )
        assert hits == model.index(row).data(Roles.UnreadRole), row


def test_rows_are_uniform(thread_view):
    view, model, delegate = thread_view
    sizes = {
        delegate.sizeHint(option(view, QRect(), QPalette(), False), model.index(r)).height()
        for r in range(model.rowCount())
    }
    assert len(sizes) == 1
    assert sizes.pop() >= 2 * view.fontMetrics().height()


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform's limit
def test_the_pending_marker_explains_itself_in_plain_text(thread_view, qtbot):
    view, model, delegate = thread_view
    view.show()
    qtbot.waitExposed(view)
    index = model.index(2)
    rect = view.visualRect(index)
    opt = option(view, rect, view.palette(), False)
    marker = QPoint(rect.right() - 8 - 6, rect.bottom() - 6 - view.fontMetrics().height() // 2)
    event = QHelpEvent(QEvent.Type.ToolTip, marker, view.viewport().mapToGlobal(marker))
    assert delegate.helpEvent(event, view, opt, index)
    assert "&lt;img src=x onerror=alert(1)&gt; refused" in QToolTip.text()
    assert "needs attention" in QToolTip.text()
    QToolTip.hideText()


def test_times_read_today_this_week_and_older():
    now = datetime(2024, 5, 15, 12, 0, tzinfo=UTC).astimezone()
    today = now.replace(hour=9, minute=5)
    assert short_time(today, now) == "09:05"
    assert short_time(now - timedelta(days=2), now) == f"{now - timedelta(days=2):%a}"
    older = now - timedelta(days=40)
    assert short_time(older, now) == f"{older.day} {older:%b}"
    last_year = now - timedelta(days=400)
    assert short_time(last_year, now).endswith(str(last_year.year))
    assert short_time(None) == ""


def test_delegates_never_take_a_rich_text_path():
    for path in Path(delegates_package.__file__).parent.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for word in ("QTextDocument", "setHtml", "RichText", "QLabel"):
            assert word not in source, (path.name, word)
