"""Thread-list rows: two lines of plain text, an unread dot and a marker for an action
still on its way (a clock) or stuck (a red "!"), all at one height so the view can use
uniform row sizes and scroll thousands of rows without measuring them."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QHelpEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
)

from inbox_app.store.outbox import OutboxState
from inbox_app.store.views import Pending
from inbox_app.ui.models.roles import Roles
from inbox_app.ui.models.text import short_time, tooltip

H_PAD = 8
V_PAD = 6
LINE_GAP = 2
DOT = 8
"""Unread dot diameter; the left gutter is this plus H_PAD."""
MARKER = 14
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class _Geometry:
    dot: QRect
    name: QRect
    time: QRect
    preview: QRect
    marker: QRect


def error_colour(palette: QPalette) -> QColor:
    """A red that reads on the palette's base, light or dark."""
    dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
    return QColor(255, 110, 110) if dark else QColor(190, 30, 30)


def colour_group(option: QStyleOptionViewItem) -> QPalette.ColorGroup:
    if not option.state & QStyle.StateFlag.State_Enabled:
        return QPalette.ColorGroup.Disabled
    if not option.state & QStyle.StateFlag.State_Active:
        return QPalette.ColorGroup.Inactive
    return QPalette.ColorGroup.Normal


def pending_text(pending: Pending) -> str:
    """What an unfinished action is doing, in words (tooltips, the marker)."""
    kind = pending.kind.replace("_", " ")
    if pending.state == OutboxState.NEEDS_ATTENTION:
        return f"{kind} needs attention: {pending.last_error or 'outcome unknown'}"
    text = f"{kind} {'in progress' if pending.state == OutboxState.IN_FLIGHT else 'queued'}"
    return f"{text} (last error: {pending.last_error})" if pending.last_error else text


class ThreadDelegate(QStyledItemDelegate):
    """Paints ThreadListModel rows. The name and preview come from the customer and the
    vendor: they are drawn with QPainter.drawText as plain text only."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        """The same for every row (only fonts decide it), for uniformItemSizes."""
        regular = QFontMetrics(option.font)
        bold = QFontMetrics(_bold(option.font))
        height = 2 * V_PAD + bold.height() + LINE_GAP + regular.height()
        return QSize(regular.averageCharWidth() * 24, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)

        unread = bool(index.data(Roles.UnreadRole))
        name = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        preview = str(index.data(Roles.PreviewRole) or "")
        when = short_time(index.data(Roles.LastAtRole))
        pending = index.data(Roles.PendingRole)
        geometry = _geometry(opt, when, pending is not None)

        group = colour_group(opt)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette = opt.palette
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        text = palette.color(group, text_role)
        secondary = text if selected else palette.color(group, QPalette.ColorRole.PlaceholderText)

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        name_font = _bold(opt.font) if unread else QFont(opt.font)
        flags = Qt.TextFlag.TextSingleLine | Qt.AlignmentFlag.AlignVCenter
        align = _leading(opt)
        painter.setFont(name_font)
        painter.setPen(text)
        painter.drawText(
            geometry.name,
            flags | align,
            QFontMetrics(name_font).elidedText(
                name, Qt.TextElideMode.ElideRight, geometry.name.width()
            ),
        )
        painter.setFont(opt.font)
        painter.setPen(text if unread else secondary)
        painter.drawText(geometry.time, flags | _trailing(opt), when)
        painter.setPen(secondary)
        painter.drawText(
            geometry.preview,
            flags | align,
            QFontMetrics(opt.font).elidedText(
                preview, Qt.TextElideMode.ElideRight, geometry.preview.width()
            ),
        )
        if unread:
            accent = text if selected else palette.color(group, QPalette.ColorRole.Highlight)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(accent)
            painter.drawEllipse(geometry.dot)
        if pending is not None:
            _draw_marker(painter, geometry.marker, pending, secondary, error_colour(palette))
        painter.restore()

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: _Index,
    ) -> bool:
        """Over the marker: what the pending action is doing or why it is stuck."""
        pending = index.data(Roles.PendingRole) if index.isValid() else None
        if event.type() == QEvent.Type.ToolTip and pending is not None:
            when = short_time(index.data(Roles.LastAtRole))
            if _geometry(option, when, True).marker.contains(event.pos()):
                QToolTip.showText(event.globalPos(), tooltip(pending_text(pending)), view)
                return True
        return super().helpEvent(event, view, option, index)


def _bold(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setBold(True)
    return bold


def _leading(option: QStyleOptionViewItem) -> Qt.AlignmentFlag:
    return QStyle.visualAlignment(option.direction, Qt.AlignmentFlag.AlignLeft)


def _trailing(option: QStyleOptionViewItem) -> Qt.AlignmentFlag:
    return QStyle.visualAlignment(option.direction, Qt.AlignmentFlag.AlignRight)


def _geometry(option: QStyleOptionViewItem, when: str, has_marker: bool) -> _Geometry:
    """Rects for one row, laid out left to right and mirrored for a right-to-left UI."""
    regular = QFontMetrics(option.font)
    bold = QFontMetrics(_bold(option.font))
    rect = option.rect
    left = rect.left() + H_PAD + DOT + H_PAD // 2
    right = rect.right() - H_PAD
    top = rect.top() + V_PAD
    line1 = bold.height()
    line2_top = top + line1 + LINE_GAP
    time_width = regular.horizontalAdvance(when) if when else 0
    marker_space = MARKER + H_PAD // 2 if has_marker else 0

    def visual(r: QRect) -> QRect:
        return QStyle.visualRect(option.direction, rect, r)

    return _Geometry(
        dot=visual(QRect(rect.left() + H_PAD, top + (line1 - DOT) // 2, DOT, DOT)),
        name=visual(QRect(left, top, max(right - left - time_width - H_PAD, 0), line1)),
        time=visual(QRect(right - time_width, top, time_width + 1, line1)),
        preview=visual(
            QRect(left, line2_top, max(right - left - marker_space, 0), regular.height())
        ),
        marker=visual(
            QRect(
                right - MARKER + 1,
                line2_top + (regular.height() - MARKER) // 2,
                MARKER,
                MARKER,
            )
        ),
    )


def _draw_marker(
    painter: QPainter, rect: QRect, pending: Pending, colour: QColor, error: QColor
) -> None:
    """A clock for an action on its way, a red "!" for one that needs a person."""
    box = rect.toRectF().adjusted(1, 1, -1, -1)
    centre = box.center()
    if pending.state == OutboxState.NEEDS_ATTENTION:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(error)
        painter.drawEllipse(box)
        pen = QPen(QColor(255, 255, 255), max(box.width() / 7, 1.5))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawLine(
            QPointF(centre.x(), box.top() + box.height() * 0.22),
            QPointF(centre.x(), box.top() + box.height() * 0.58),
        )
        painter.drawPoint(QPointF(centre.x(), box.top() + box.height() * 0.78))
        return
    pen = QPen(colour, 1.2)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(box)
    painter.drawLine(centre, QPointF(centre.x(), box.top() + box.height() * 0.25))
    painter.drawLine(centre, QPointF(box.right() - box.width() * 0.25, centre.y()))
