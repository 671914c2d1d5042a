"""Chat bubbles for the transcript: inbound on the left, outbound on the right, the body
wrapped as plain text with QTextLayout (never a rich-text path: `<b>hi</b>` shows as those
characters), laid out right to left when the text is, with the time and delivery state
underneath and one line per attachment inside the bubble, a picture's thumbnail above
its line once the window gives the delegate a ThumbnailCache.

Measuring a wrapped 10 kB body is the expensive part of a transcript, so sizes are cached
by (message id, status, body, width); the cache empties when the width or font changes."""

from __future__ import annotations

import math
import unicodedata
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
)

from inbox_app.core.models import Attachment, Direction
from inbox_app.store.outbox import OutboxState
from inbox_app.store.views import Pending
from inbox_app.ui.delegates.thread_delegate import colour_group, error_colour
from inbox_app.ui.models.roles import Roles
from inbox_app.ui.models.text import full_time, message_time, one_line, size_label, tooltip
from inbox_app.ui.thumbnails import THUMB_SIZE, ThumbnailCache, is_picture

H_MARGIN = 10
V_MARGIN = 4
H_PAD = 10
V_PAD = 6
RADIUS = 12.0
MAX_FRACTION = 0.75
"""A bubble takes at most this share of the row, so the two sides stay apart."""
MIN_TEXT_WIDTH = 60
PART_GAP = 4
FOOTER_GAP = 2
PAPERCLIP = "\N{PAPERCLIP}"
_LAYOUTS_KEPT = 64
"""Laid-out bodies kept for painting: about two screens of bubbles."""
_FAILED_STATUSES = frozenset({"failed", "undelivered", "rejected", "error", "blocked"})
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class _Content:
    """A message measured for one width; where it goes in a row is `_place`'s business."""

    layout: QTextLayout | None
    line_width: float
    text_size: QSize
    attachments: tuple[tuple[Attachment, str, int], ...]
    """(attachment, its elided line, the height it takes: a line, or thumbnail + line)"""
    line_height: int
    bubble: QSize
    footer: str
    footer_height: int
    failed: bool
    rtl: bool
    size: QSize


@dataclass(frozen=True, slots=True)
class _Placed:
    bubble: QRect
    text_origin: QPointF
    attachments: tuple[tuple[QRect, Attachment, str], ...]
    footer: QRect


def is_rtl(text: str) -> bool:
    """Whether the first strongly directional character is right-to-left (Arabic, Hebrew):
    the paragraph direction a reader of that text expects."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def layout_text(text: str, font: QFont, width: float) -> QTextLayout:
    """Plain `text` wrapped to `width`, right-aligned and right-to-left when it is RTL.
    Lines start at y = 0 and are `width` wide."""
    layout = QTextLayout(text.replace("\n", "\u2028"), font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    if is_rtl(text):
        option.setTextDirection(Qt.LayoutDirection.RightToLeft)
        option.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignAbsolute)
    else:
        option.setTextDirection(Qt.LayoutDirection.LeftToRight)
        option.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignAbsolute)
    layout.setTextOption(option)
    layout.setCacheEnabled(True)
    layout.beginLayout()
    y = 0.0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        line.setPosition(QPointF(0, y))
        y += line.height()
    layout.endLayout()
    return layout


def measure_text(layout: QTextLayout) -> QSize:
    """The laid-out text's size: its widest line and the lines' total height."""
    width = 0.0
    height = 0.0
    for n in range(layout.lineCount()):
        line = layout.lineAt(n)
        width = max(width, line.naturalTextWidth())
        height = max(height, line.y() + line.height())
    return QSize(math.ceil(width), math.ceil(height))


def footer_text(index: _Index) -> tuple[str, bool]:
    """The line under a bubble and whether it reports a failure."""
    pending: Pending | None = index.data(Roles.PendingRole)
    if pending is not None:
        reason = one_line(pending.last_error or "", 300)
        if pending.state in (OutboxState.QUEUED, OutboxState.IN_FLIGHT):
            return "Sending…", False
        if pending.state == OutboxState.FAILED:
            return f"Not sent: {reason or 'refused'}", True
        if pending.state == OutboxState.NEEDS_ATTENTION:
            return f"Not confirmed: {reason or 'outcome unknown'}", True
    at = index.data(Roles.AtRole)
    parts = [message_time(at)] if at is not None else []
    status = str(index.data(Roles.StatusRole) or "")
    if pending is not None:
        parts.append("Sent")
    elif status:
        # Codes (Zoho's DELIVERED, IN_QUEUE) read better in sentence case; a vendor's
        # own mixed-case phrase ("SMS MT Delivered") is shown as the vendor wrote it.
        text = one_line(status.replace("_", " "), 40)
        parts.append(text.capitalize() if text.isupper() or text.islower() else text)
    return " · ".join(parts), status.casefold() in _FAILED_STATUSES


class BubbleDelegate(QStyledItemDelegate):
    """Paints MessageListModel rows. Use it in a QListView with ResizeMode.Adjust and
    ScrollPerPixel, without uniform item sizes."""

    attachment_activated = Signal(QModelIndex, object)
    """(message index, core Attachment) when an attachment line is clicked."""

    def __init__(self, parent: QAbstractItemView | None = None) -> None:
        super().__init__(parent)
        self._sizes: dict[Hashable, QSize] = {}
        self._layouts: OrderedDict[Hashable, _Content] = OrderedDict()
        self._context: tuple[int, str] | None = None
        self.layouts_built = 0
        """How many messages were measured (the cache's misses)."""
        self.thumbnails: ThumbnailCache | None = None
        """Where picture thumbnails come from; without one, pictures are lines too."""

    def clear_cache(self) -> None:
        """Forget every measurement (e.g. after a font or style change)."""
        self._sizes.clear()
        self._layouts.clear()

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        width = _available_width(option)
        context = (width, option.font.key())
        if context != self._context:
            self.clear_cache()
            self._context = context
        key = _cache_key(index, width)
        size = self._sizes.get(key)
        if size is None:
            size = self._content(option.font, index, key, width).size
        return QSize(size)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        width = option.rect.width()
        content = self._content(option.font, index, _cache_key(index, width), width)
        outbound = index.data(Roles.DirectionRole) == Direction.OUT
        placed = _place(option.rect, content, outbound)
        palette = option.palette
        group = colour_group(option)
        if outbound:
            fill = palette.color(group, QPalette.ColorRole.Highlight)
            ink = palette.color(group, QPalette.ColorRole.HighlightedText)
            link = ink
        else:
            fill = palette.color(group, QPalette.ColorRole.AlternateBase)
            ink = palette.color(group, QPalette.ColorRole.Text)
            link = palette.color(group, QPalette.ColorRole.Link)

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if option.state & QStyle.StateFlag.State_Selected:
            shade = QColor(palette.color(group, QPalette.ColorRole.Highlight))
            shade.setAlpha(48)
            painter.fillRect(option.rect, shade)
        if outbound:
            painter.setPen(Qt.PenStyle.NoPen)
        else:
            painter.setPen(palette.color(group, QPalette.ColorRole.Mid))
        painter.setBrush(fill)
        painter.drawRoundedRect(
            QRectF(placed.bubble).adjusted(0.5, 0.5, -0.5, -0.5), RADIUS, RADIUS
        )
        painter.setPen(ink)
        if content.layout is not None:
            content.layout.draw(painter, placed.text_origin)
        if placed.attachments:
            link_font = QFont(option.font)
            link_font.setUnderline(True)
            painter.setFont(link_font)
            painter.setPen(link)
            for rect, attachment, line in placed.attachments:
                text_rect = QRect(rect)
                if rect.height() > content.line_height:
                    text_rect.setTop(rect.bottom() + 1 - content.line_height)
                    self._paint_thumbnail(painter, option, rect, attachment, ink)
                    painter.setFont(link_font)
                    painter.setPen(link)
                painter.drawText(text_rect, _single_line(content.rtl), line)
        painter.setFont(_small(option.font))
        secondary = palette.color(group, QPalette.ColorRole.PlaceholderText)
        painter.setPen(error_colour(palette) if content.failed else secondary)
        painter.drawText(placed.footer, _single_line(outbound), content.footer)
        painter.restore()

    def helpEvent(
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: _Index,
    ) -> bool:
        """The status description under the footer; type and size over an attachment."""
        if event.type() == QEvent.Type.ToolTip and index.isValid():
            text = self._tooltip_at(option, index, event.pos())
            if text:
                QToolTip.showText(event.globalPos(), tooltip(text), view)
                return True
        return super().helpEvent(event, view, option, index)

    def editorEvent(
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: _Index,
    ) -> bool:
        """A left click on an attachment line emits `attachment_activated`."""
        if (
            isinstance(event, QMouseEvent)
            and event.type() == QEvent.Type.MouseButtonRelease
            and event.button() == Qt.MouseButton.LeftButton
            and index.isValid()
        ):
            attachment = self.attachment_at(option, index, event.position().toPoint())
            if attachment is not None:
                self.attachment_activated.emit(
                    model.index(index.row(), index.column(), index.parent()), attachment
                )
                return True
        return super().editorEvent(event, model, option, index)

    def attachment_at(
        self, option: QStyleOptionViewItem, index: _Index, pos: QPoint
    ) -> Attachment | None:
        """The attachment drawn at `pos` (view coordinates) in the row at `option.rect`."""
        for rect, attachment, _line in self._place_row(option, index).attachments:
            if rect.contains(pos):
                return attachment
        return None

    # --- internals ----------------------------------------------------------------------

    def _paint_thumbnail(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        rect: QRect,
        attachment: Attachment,
        ink: QColor,
    ) -> None:
        """The picture fitted into its box, or a framed box saying why there is none yet."""
        box = QRect(
            rect.left(), rect.top(), min(THUMB_SIZE.width(), rect.width()), THUMB_SIZE.height()
        )
        pixmap = self.thumbnails.lookup(attachment) if self.thumbnails is not None else None
        if pixmap is not None:
            scaled = pixmap.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(box.topLeft(), scaled)
            painter.drawPixmap(target, pixmap)
            return
        failure = self.thumbnails.failure(attachment) if self.thumbnails is not None else None
        painter.setPen(ink)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(box).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        painter.setFont(_small(option.font))
        text = "No preview" if failure else "Loading preview…"
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), text)

    def _tooltip_at(self, option: QStyleOptionViewItem, index: _Index, pos: QPoint) -> str:
        placed = self._place_row(option, index)
        for rect, attachment, _line in placed.attachments:
            if rect.contains(pos):
                details = [attachment.content_type, size_label(attachment.size)]
                return f"{attachment.name} ({', '.join(d for d in details if d)})"
        if placed.footer.contains(pos):
            pending: Pending | None = index.data(Roles.PendingRole)
            at = index.data(Roles.AtRole)
            lines = [full_time(at)] if at is not None else []
            detail = (pending.last_error if pending else None) or index.data(Roles.StatusDetailRole)
            if detail:
                lines.append(str(detail))
            return "\n".join(lines)
        return ""

    def _place_row(self, option: QStyleOptionViewItem, index: _Index) -> _Placed:
        width = option.rect.width()
        content = self._content(option.font, index, _cache_key(index, width), width)
        return _place(option.rect, content, index.data(Roles.DirectionRole) == Direction.OUT)

    def _content(self, font: QFont, index: _Index, key: Hashable, width: int) -> _Content:
        content = self._layouts.get(key)
        if content is not None:
            self._layouts.move_to_end(key)
            return content
        content = self._measure(font, index, width)
        self.layouts_built += 1
        self._layouts[key] = content
        if len(self._layouts) > _LAYOUTS_KEPT:
            self._layouts.popitem(last=False)
        self._sizes[key] = content.size
        return content

    def _measure(self, font: QFont, index: _Index, width: int) -> _Content:
        body = str(index.data(Roles.BodyRole) or "")
        attachments: list[Attachment] = index.data(Roles.AttachmentsRole) or []
        max_bubble = max(min(int(width * MAX_FRACTION), width - 2 * H_MARGIN), 0)
        max_text = max(max_bubble - 2 * H_PAD, MIN_TEXT_WIDTH)
        metrics = QFontMetrics(font)
        layout = None
        text_size = QSize(0, 0)
        if body or not attachments:
            layout = layout_text(body, font, max_text)
            text_size = measure_text(layout)
        line_height = metrics.height()
        thumbnails = self.thumbnails is not None
        lines = tuple(
            (
                a,
                metrics.elidedText(
                    f"{PAPERCLIP} {_attachment_label(a)}", Qt.TextElideMode.ElideMiddle, max_text
                ),
                line_height
                + (THUMB_SIZE.height() + PART_GAP if thumbnails and is_picture(a) else 0),
            )
            for a in attachments
        )
        widths = [metrics.horizontalAdvance(line) for _a, line, _h in lines]
        if any(height > line_height for _a, _line, height in lines):
            widths.append(min(THUMB_SIZE.width(), max_text))
        content_width = max([text_size.width(), *widths])
        content_height = text_size.height() + sum(height for _a, _line, height in lines)
        if layout is not None and lines:
            content_height += PART_GAP
        bubble = QSize(content_width + 2 * H_PAD, content_height + 2 * V_PAD)
        footer, failed = footer_text(index)
        small = QFontMetrics(_small(font))
        footer = small.elidedText(footer, Qt.TextElideMode.ElideRight, max_bubble)
        size = QSize(width, 2 * V_MARGIN + bubble.height() + FOOTER_GAP + small.height())
        return _Content(
            layout=layout,
            line_width=float(max_text),
            text_size=text_size,
            attachments=lines,
            line_height=line_height,
            bubble=bubble,
            footer=footer,
            footer_height=small.height(),
            failed=failed,
            rtl=is_rtl(body),
            size=size,
        )


def _available_width(option: QStyleOptionViewItem) -> int:
    """The row width: a QListView gives sizeHint an arbitrary option.rect, but every row
    spans its viewport."""
    view = option.widget
    if isinstance(view, QAbstractItemView):
        return view.viewport().width()
    return option.rect.width()


def _cache_key(index: _Index, width: int) -> Hashable:
    pending: Pending | None = index.data(Roles.PendingRole)
    return (
        index.data(Roles.IdRole),
        index.data(Roles.StatusRole),
        None if pending is None else (pending.state, pending.last_error),
        hash(index.data(Roles.BodyRole)),
        width,
    )


def _place(rect: QRect, content: _Content, outbound: bool) -> _Placed:
    bubble_width = content.bubble.width()
    left = rect.right() - H_MARGIN - bubble_width + 1 if outbound else rect.left() + H_MARGIN
    bubble = QRect(left, rect.top() + V_MARGIN, bubble_width, content.bubble.height())
    content_left = bubble.left() + H_PAD
    content_width = bubble_width - 2 * H_PAD
    top = bubble.top() + V_PAD
    origin_x = content_left + content_width - content.line_width if content.rtl else content_left
    y = top + content.text_size.height() + (PART_GAP if content.layout is not None else 0)
    attachments = []
    for attachment, line, height in content.attachments:
        attachments.append((QRect(content_left, y, content_width, height), attachment, line))
        y += height
    footer_top = bubble.bottom() + 1 + FOOTER_GAP
    footer = QRect(bubble.left(), footer_top, bubble_width, content.footer_height)
    if outbound:
        footer.setLeft(rect.left() + H_MARGIN)
    else:
        footer.setRight(rect.right() - H_MARGIN)
    return _Placed(bubble, QPointF(origin_x, top), tuple(attachments), footer)


def _attachment_label(attachment: Attachment) -> str:
    name = one_line(attachment.name, 120) or attachment.content_type or "attachment"
    size = size_label(attachment.size)
    return f"{name} ({size})" if size else name


def _small(font: QFont) -> QFont:
    small = QFont(font)
    if small.pointSizeF() > 0:
        small.setPointSizeF(small.pointSizeF() * 0.85)
    else:
        small.setPixelSize(max(round(small.pixelSize() * 0.85), 8))
    return small


def _single_line(trailing: bool) -> int:
    align = Qt.AlignmentFlag.AlignRight if trailing else Qt.AlignmentFlag.AlignLeft
    return int(Qt.TextFlag.TextSingleLine | Qt.AlignmentFlag.AlignVCenter | align)
