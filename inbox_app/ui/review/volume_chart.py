"""Messages per day of the reviewed set, inbound and outbound side by side, drawn with
QPainter (PySide6-Essentials has no QtCharts). Hovering a day says its numbers; a screen
reader gets the totals and the busiest day from the accessible description."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from inbox_app.store.review import DayVolume

INBOUND = QColor(52, 120, 198)
OUTBOUND = QColor(230, 140, 40)
_PAD = 6


def day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


class VolumeChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("volumeChart")
        self.setAccessibleName("Messages per day")
        self.setMinimumHeight(90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self._days: tuple[DayVolume, ...] = ()
        self._update_description()

    @property
    def days(self) -> tuple[DayVolume, ...]:
        return self._days

    def set_days(self, days: Sequence[DayVolume]) -> None:
        """Days with messages (oldest first); the days between them show as empty."""
        self._days = tuple(_with_gaps(days))
        self._update_description()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(400, 110)

    def day_at(self, x: float) -> DayVolume | None:
        plot = self._plot_rect()
        if not self._days or not plot.left() <= x < plot.right():
            return None
        slot = plot.width() / len(self._days)
        return self._days[min(int((x - plot.left()) / slot), len(self._days) - 1)]

    # --- painting ------------------------------------------------------------------

    def _legend_height(self) -> int:
        return self.fontMetrics().height() + _PAD

    def _plot_rect(self) -> QRectF:
        legend = self._legend_height()
        axis = self.fontMetrics().height() + 2
        return QRectF(
            _PAD, legend, self.width() - 2 * _PAD, max(1, self.height() - legend - axis - _PAD)
        )

    def paintEvent(self, _event: object) -> None:
        painter = QPainter(self)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        painter.setPen(text)
        metrics = self.fontMetrics()
        if not self._days:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No messages in this set")
            return
        top = max(max(d.inbound, d.outbound) for d in self._days) or 1
        self._draw_legend(painter, top)
        plot = self._plot_rect()
        slot = plot.width() / len(self._days)
        bar = max(1.0, slot * 0.4)
        for n, day in enumerate(self._days):
            x = plot.left() + n * slot + max(0.0, (slot - 2 * bar) / 2)
            for value, colour, offset in (
                (day.inbound, INBOUND, 0.0),
                (day.outbound, OUTBOUND, bar),
            ):
                height = plot.height() * value / top
                painter.fillRect(QRectF(x + offset, plot.bottom() - height, bar, height), colour)
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        painter.setPen(text)
        baseline = plot.bottom() + metrics.ascent() + 2
        first, last = self._days[0].day, self._days[-1].day
        painter.drawText(QPointF(plot.left(), baseline), f"{first.day} {first:%b %Y}")
        if last != first:
            label = f"{last.day} {last:%b %Y}"
            painter.drawText(
                QPointF(plot.right() - metrics.horizontalAdvance(label), baseline), label
            )

    def _draw_legend(self, painter: QPainter, top: int) -> None:
        metrics = self.fontMetrics()
        x = float(_PAD)
        y = _PAD / 2
        box = metrics.ascent() * 0.8
        for label, colour in (("Inbound", INBOUND), ("Outbound", OUTBOUND)):
            painter.fillRect(QRectF(x, y + (metrics.height() - box) / 2, box, box), colour)
            x += box + 4
            painter.drawText(QPointF(x, y + metrics.ascent()), label)
            x += metrics.horizontalAdvance(label) + 14
        peak = f"peak {top:,} a day"
        painter.drawText(
            QPointF(self.width() - _PAD - metrics.horizontalAdvance(peak), y + metrics.ascent()),
            peak,
        )

    # --- tooltips and accessibility ------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            day = self.day_at(event.pos().x())
            if day is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), describe_day(day), self)
            return True
        return super().event(event)

    def _update_description(self) -> None:
        if not self._days:
            text = "No messages in this set."
        else:
            inbound = sum(d.inbound for d in self._days)
            outbound = sum(d.outbound for d in self._days)
            busiest = max(self._days, key=lambda d: d.inbound + d.outbound)
            text = (
                f"{inbound:,} inbound and {outbound:,} outbound messages over"
                f" {len(self._days)} days from {day_label(self._days[0].day)} to"
                f" {day_label(self._days[-1].day)}; busiest {describe_day(busiest)}."
            )
        self.setAccessibleDescription(text)
        self.setToolTip("" if self._days else text)


def describe_day(day: DayVolume) -> str:
    return f"{day_label(day.day)}: {day.inbound:,} inbound, {day.outbound:,} outbound"


def _with_gaps(days: Sequence[DayVolume]) -> list[DayVolume]:
    if not days:
        return []
    given = {d.day: d for d in days}
    first, last = days[0].day, days[-1].day
    return [
        given.get(first + timedelta(days=n), DayVolume(first + timedelta(days=n), 0, 0))
        for n in range((last - first).days + 1)
    ]
