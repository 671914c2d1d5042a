"""The strip under a transcript listing the thread's messages waiting in the vendor's
schedule (Zoho Voice): each with its time in the zone it was scheduled in, the agent's
own local time beside it when that differs, and its text, all as plain text. Hidden
when nothing is scheduled. It reads the store; sync keeps the schedule there."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from inbox_app.core.models import ScheduledMessage
from inbox_app.store.queries import ThreadRow
from inbox_app.store.scheduled import scheduled_for_thread
from inbox_app.ui.models.text import safe_text

MAX_HEIGHT = 180
SHOWN = 50


def scheduled_time(item: ScheduledMessage, local_zone: str | None = None) -> str:
    """'Scheduled for Tue 24 Nov 2026 09:30 (Asia/Kolkata) · 04:00 your time': the time as
    the vendor states it, then the agent's local time if it reads differently."""
    if item.at is None:
        return "Scheduled (Zoho gave no time)"
    zone_name = item.time_zone or "UTC"
    try:
        there = item.at.astimezone(ZoneInfo(zone_name))
    except (ZoneInfoNotFoundError, ValueError):
        there, zone_name = item.at, "UTC"
    text = f"Scheduled for {_wall(there)} ({zone_name})"
    here = item.at.astimezone(ZoneInfo(local_zone) if local_zone else None)
    if _wall(here) != _wall(there):
        same_day = here.date() == there.date()
        text += f" · {here:%H:%M} your time" if same_day else f" · {_wall(here)} your time"
    return text


def _wall(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b %Y %H:%M}"


class ScheduledStrip(QFrame):
    def __init__(self, conn: sqlite3.Connection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._conn = conn
        self._thread: ThreadRow | None = None
        self.setObjectName("scheduledStrip")
        self.setAccessibleName("Scheduled messages")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = _plain(name="Scheduled messages title")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self._small = self.font()
        self._small.setPointSizeF(self._small.pointSizeF() * 0.9)
        self._items = QWidget()
        self._items_layout = QVBoxLayout(self._items)
        self._items_layout.setContentsMargins(0, 0, 0, 0)
        self._items_layout.setSpacing(6)
        scroll = QScrollArea()
        scroll.setWidget(self._items)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMaximumHeight(MAX_HEIGHT)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(scroll)
        self.entries: list[tuple[QLabel, QLabel]] = []
        """(time label, text label) per scheduled message shown, soonest first."""
        self.hide()

    def show_thread(self, thread: ThreadRow | None) -> None:
        self._thread = thread
        self.refresh()

    def refresh(self) -> None:
        thread = self._thread
        items = (
            []
            if thread is None
            else scheduled_for_thread(
                self._conn, thread.account, thread.our_number, thread.customer_number, SHOWN
            )
        )
        for when, text in self.entries:
            when.deleteLater()
            text.deleteLater()
        self.entries = []
        for item in items:
            when = _plain(scheduled_time(item), name="Scheduled time")
            when.setFont(self._small)
            text = _plain(safe_text(item.body), name="Scheduled text")
            text.setWordWrap(True)
            text.setContentsMargins(12, 0, 0, 0)
            self._items_layout.addWidget(when)
            self._items_layout.addWidget(text)
            self.entries.append((when, text))
        count = len(items)
        self.title.setText(
            f"{count} scheduled message{'s' if count != 1 else ''}, not sent yet"
            if count < SHOWN
            else f"The next {SHOWN} scheduled messages"
        )
        self.setVisible(bool(items))


def _plain(text: str = "", *, name: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(name)
    return label
