"""BubbleDelegate: hostile bodies paint as plain text, sizes are cached per width, RTL
text runs right to left, and attachments can be clicked."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from PySide6.QtCore import QEvent, QModelIndex, QPoint, QRect, QSize, Qt
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
    QHelpEvent,
    QImage,
    QPainter,
    QPalette,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import QListView, QStyle, QStyleOptionViewItem, QToolTip

from inbox_app.core.models import Attachment, Direction
from inbox_app.store import outbox, queries, writes
from inbox_app.store.effects import local_id
from inbox_app.store.outbox import OutboxState
from inbox_app.store.views import Pending
from inbox_app.ui.delegates.bubble_delegate import (
    BubbleDelegate,
    footer_text,
    layout_text,
    measure_text,
)
from inbox_app.ui.models.messages import MessageListModel
from inbox_app.ui.models.roles import Roles

WIDTH = 480
pytestmark = pytest.mark.usefixtures("qapp")


def dark_palette() -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Base, Qt.GlobalColor.black)
    palette.setColor(QPalette.ColorRole.AlternateBase, Qt.GlobalColor.darkGray)
    palette.setColor(QPalette.ColorRole.Text, Qt.GlobalColor.white)
    palette.setColor(QPalette.ColorRole.Highlight, Qt.GlobalColor.darkBlue)
    palette.setColor(QPalette.ColorRole.HighlightedText, Qt.GlobalColor.white)
    return palette


def option(rect: QRect, palette: QPalette | None = None, selected: bool = False):
    opt = QStyleOptionViewItem()
    opt.rect = rect
    opt.palette = palette or QPalette()
    opt.font = QFont()
    opt.state = QStyle.StateFlag.State_Enabled | QStyle.StateFlag.State_Active
    if selected:
        opt.state |= QStyle.StateFlag.State_Selected
    return opt


def message_model(*bodies: str, roles: dict[int, object] | None = None) -> QStandardItemModel:
    """Rows carrying just the roles the delegate reads; `roles` overrides the defaults."""
    model = QStandardItemModel()
    for n, body in enumerate(bodies):
        item = QStandardItem()
        values = {
            Roles.IdRole: f"m{n}",
            Roles.BodyRole: body,
            Roles.DirectionRole: Direction.IN,
            Roles.StatusRole: "delivered",
            Roles.AttachmentsRole: [],
            Roles.PendingRole: None,
            **(roles or {}),
        }
        for role, value in values.items():
            item.setData(value, role)
        model.appendRow(item)
    return model


@pytest.fixture
def transcript(ui_store):
    """The odd thread plus local sends in every outbox state."""
    account, key = ui_store.ODD
    states = []
    for state in ("done", "failed", "needs_attention", "queued"):
        item = ui_store.write(outbox.enqueue, account, key, "send", {}, None)
        if state == "done":
            ui_store.write(outbox.claim_next, account)
            ui_store.write(outbox.complete, item, None)
        elif state != "queued":
            ui_store.write(outbox.fail, item, "Carrier said <no>", state == "needs_attention")
        states.append((item, state))
    local = [
        ui_store.message(
            key,
            local_id(item),
            ui_store.NOW + timedelta(seconds=item),
            f"sent while {state}",
            direction=Direction.OUT,
            status="pending",
        )
        for item, state in states
    ]
    ui_store.write(writes.upsert_messages, account, key, local)
    model = MessageListModel(ui_store.reader)
    model.set_thread(account, key)
    return model


@pytest.mark.parametrize("palette", [QPalette(), dark_palette()], ids=["light", "dark"])
@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_every_kind_of_message_paints_without_warnings(transcript, palette, ratio):
    delegate = BubbleDelegate()
    heights = [
        delegate.sizeHint(option(QRect(0, 0, WIDTH, 0)), transcript.index(r)).height()
        for r in range(transcript.rowCount())
    ]
    image = QImage(QSize(WIDTH, sum(heights)) * ratio, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(ratio)
    image.fill(palette.color(QPalette.ColorRole.Base))
    painter = QPainter(image)
    top = 0
    for row, height in enumerate(heights):
        opt = option(QRect(0, top, WIDTH, height), palette, selected=row == 2)
        delegate.paint(painter, opt, transcript.index(row))
        top += height
    painter.end()
    assert len({image.pixel(x, y) for x in range(0, image.width(), 7) for y in (20, 40)}) > 2


def test_footers_say_what_happened_to_each_send(transcript):
    footers = {
        transcript.index(r).data(Roles.BodyRole): footer_text(transcript.index(r))
        for r in range(transcript.rowCount())
    }
    assert footers["sent while queued"] == ("Sending…", False)
    assert footers["sent while failed"] == ("Not sent: Carrier said <no>", True)
    assert footers["sent while needs_attention"] == ("Not confirmed: Carrier said <no>", True)
    text, failed = footers["sent while done"]
    assert text.endswith(" · Sent") and not failed
    text, failed = footers["see attached"]
    assert text.endswith(" · Delivered") and not failed


def test_size_hints_are_cached_per_width(transcript):
    delegate = BubbleDelegate()
    long_row = transcript.index(transcript.row_of("odd-long"))
    narrow = delegate.sizeHint(option(QRect(0, 0, 300, 0)), long_row)
    built = delegate.layouts_built
    assert delegate.sizeHint(option(QRect(0, 0, 300, 0)), long_row) == narrow
    assert delegate.layouts_built == built
    wide = delegate.sizeHint(option(QRect(0, 0, 900, 0)), long_row)
    assert delegate.layouts_built == built + 1
    assert wide.height() < narrow.height()
    assert (narrow.width(), wide.width()) == (300, 900)
    # the width changed: the earlier measurement is gone
    assert delegate.sizeHint(option(QRect(0, 0, 300, 0)), long_row) == narrow
    assert delegate.layouts_built == built + 2
    delegate.clear_cache()
    delegate.sizeHint(option(QRect(0, 0, 300, 0)), long_row)
    assert delegate.layouts_built == built + 3


def test_a_changed_status_is_measured_again(ui_store, transcript):
    delegate = BubbleDelegate()
    row = transcript.row_of("odd-emoji")
    delegate.sizeHint(option(QRect(0, 0, WIDTH, 0)), transcript.index(row))
    built = delegate.layouts_built
    stored = [
        m for m in queries.list_messages(ui_store.reader, *ui_store.ODD) if m.id == "odd-emoji"
    ]
    ui_store.write(
        writes.upsert_messages,
        ui_store.LIVEVOX,
        ui_store.ODD[1],
        [replace(stored[0], status="failed")],
    )
    transcript.refresh()
    delegate.sizeHint(option(QRect(0, 0, WIDTH, 0)), transcript.index(row))
    assert delegate.layouts_built == built + 1


def test_markup_is_measured_and_drawn_as_the_characters_it_is():
    font = QFont()
    metrics = QFontMetrics(font)
    size = measure_text(layout_text("<b>x</b>", font, 1000))
    assert abs(size.width() - metrics.horizontalAdvance("<b>x</b>")) <= 1
    assert size.width() > 3 * metrics.horizontalAdvance("x")
    delegate = BubbleDelegate()
    model = message_model("<b>x</b>", "abcdefgh", "<img src=x onerror=alert(1)>")
    hints = [delegate.sizeHint(option(QRect(0, 0, WIDTH, 0)), model.index(r, 0)) for r in range(3)]
    assert hints[0] == hints[1] == hints[2]


def test_right_to_left_text_is_laid_out_right_to_left():
    font = QFont()
    arabic = "مرحبا، كيف يمكنني مساعدتك اليوم؟ أرجو الرد في أقرب وقت ممكن. شكرا"
    layout = layout_text(arabic, font, 150)
    assert layout.textOption().textDirection() == Qt.LayoutDirection.RightToLeft
    assert layout.lineCount() > 1
    last = layout.lineAt(layout.lineCount() - 1)
    assert last.naturalTextRect().left() > 1  # short last line hugs the right edge
    english = layout_text("hello there, how can I help you today? please reply soon", font, 150)
    assert english.textOption().textDirection() == Qt.LayoutDirection.LeftToRight
    assert english.lineAt(english.lineCount() - 1).naturalTextRect().left() == 0


def test_a_ten_kilobyte_body_wraps_into_a_tall_bubble():
    delegate = BubbleDelegate()
    model = message_model("word " * 2048, "word")
    big = delegate.sizeHint(option(QRect(0, 0, WIDTH, 0)), model.index(0, 0))
    small = delegate.sizeHint(option(QRect(0, 0, WIDTH, 0)), model.index(1, 0))
    assert big.height() > 50 * small.height() // 2


def test_clicking_an_attachment_emits_it(ui_store, qtbot):
    model = MessageListModel(ui_store.reader)
    model.set_thread(*ui_store.ODD)
    view = QListView()
    qtbot.addWidget(view)
    view.setModel(model)
    delegate = BubbleDelegate(view)
    view.setItemDelegate(delegate)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
    view.resize(WIDTH, 600)
    view.show()
    qtbot.waitExposed(view)
    index = model.index(model.row_of("odd-attachments"))
    view.scrollTo(index)
    rect = view.visualRect(index)
    opt = option(rect)
    opt.font = view.font()
    opt.widget = view
    point = next(
        QPoint(x, y)
        for y in range(rect.top(), rect.bottom(), 2)
        for x in range(rect.left(), rect.right(), 4)
        if delegate.attachment_at(opt, index, QPoint(x, y)) is not None
    )
    with qtbot.waitSignal(delegate.attachment_activated) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    activated_index, attachment = blocker.args
    assert isinstance(activated_index, QModelIndex)
    assert activated_index.data(Roles.IdRole) == "odd-attachments"
    assert attachment == Attachment("a1", "photo <1>.jpg", "image/jpeg", 123_456)


@pytest.mark.qt_log_ignore("does not support raise")  # the offscreen platform's limit
def test_the_footer_tooltip_gives_the_status_description(qtbot):
    model = message_model(
        "hello",
        roles={
            Roles.StatusRole: "failed",
            Roles.StatusDetailRole: "Carrier <rejected>",
            Roles.PendingRole: Pending(1, "send", OutboxState.DONE, None),
        },
    )
    view = QListView()
    qtbot.addWidget(view)
    view.setModel(model)
    delegate = BubbleDelegate(view)
    view.setItemDelegate(delegate)
    view.resize(WIDTH, 300)
    view.show()
    qtbot.waitExposed(view)
    index = model.index(0, 0)
    rect = view.visualRect(index)
    opt = option(rect)
    opt.font = view.font()
    pos = QPoint(rect.left() + 14, rect.bottom() - 6)
    event = QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos))
    assert delegate.helpEvent(event, view, opt, index)
    assert "Carrier &lt;rejected&gt;" in QToolTip.text()
    QToolTip.hideText()
