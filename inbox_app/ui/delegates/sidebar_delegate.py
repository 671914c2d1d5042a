"""Sidebar rows: the inbox name, its unread count as a pill and its total in grey, and
for an account row an icon saying whether it is syncing, synced, offline or failing."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from inbox_app.sync.changes import AccountStatus, SyncPhase
from inbox_app.ui.icons import icon
from inbox_app.ui.models.roles import Roles

_Index = QModelIndex | QPersistentModelIndex
_PHASE_ICONS = {
    SyncPhase.SYNCING: "syncing",
    SyncPhase.IDLE: "synced",
    SyncPhase.OFFLINE: "offline",
    SyncPhase.ERROR: "error",
    SyncPhase.AUTH_FAILED: "error",
}
_PAD = 6


class SidebarDelegate(QStyledItemDelegate):
    def initStyleOption(self, option: QStyleOptionViewItem, index: _Index) -> None:
        super().initStyleOption(option, index)
        status = index.data(Roles.SyncStatusRole)
        if isinstance(status, AccountStatus):
            option.icon = icon(_PHASE_ICONS[status.phase])
            option.features |= QStyleOptionViewItem.ViewItemFeature.HasDecoration

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        unread = int(index.data(Roles.UnreadRole) or 0)
        total = int(index.data(Roles.TotalRole) or 0)
        counts = self._counts_width(option, unread, total)
        narrowed = QStyleOptionViewItem(option)
        narrowed.rect = option.rect.adjusted(0, 0, -counts, 0)
        super().paint(painter, narrowed, index)
        if counts:
            self._paint_counts(painter, option, unread, total)

    def _counts_width(self, option: QStyleOptionViewItem, unread: int, total: int) -> int:
        metrics = QFontMetrics(option.font)
        width = metrics.horizontalAdvance(str(total)) + _PAD if total else 0
        if unread:
            width += metrics.horizontalAdvance(str(unread)) + 3 * _PAD
        return width + _PAD if width else 0

    def _paint_counts(
        self, painter: QPainter, option: QStyleOptionViewItem, unread: int, total: int
    ) -> None:
        painter.save()
        metrics = QFontMetrics(option.font)
        rect = option.rect.adjusted(0, 0, -_PAD, 0)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        group = QPalette.ColorGroup.Active
        text_role = (
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.PlaceholderText
        )
        if total:
            painter.setPen(option.palette.color(group, text_role))
            text = str(total)
            width = metrics.horizontalAdvance(text)
            painter.drawText(
                QRect(rect.right() - width, rect.top(), width, rect.height()),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                text,
            )
            rect.setRight(rect.right() - width - _PAD)
        if unread:
            text = str(unread)
            width = metrics.horizontalAdvance(text) + 2 * _PAD
            height = metrics.height() + 2
            pill = QRect(rect.right() - width, rect.center().y() - height // 2 + 1, width, height)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(option.palette.color(group, QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(pill, height / 2, height / 2)
            painter.setPen(option.palette.color(group, QPalette.ColorRole.HighlightedText))
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()
