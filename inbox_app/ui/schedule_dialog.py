"""Picking when a scheduled send goes out: a date and time read as wall-clock time in a
chosen IANA zone (as Zoho Voice states it), with the agent's own time shown beside it so
"9:30 in Kolkata" is never mistaken for 9:30 here. Opened with open() and awaited
through `finished` (exec() inside a qasync task breaks the loop)."""

from __future__ import annotations

import asyncio
import functools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from inbox_app.core.models import ScheduledMessage
from inbox_app.ui.scheduled_strip import scheduled_time

DEFAULT_LEAD = timedelta(hours=1)


@functools.cache
def _zones() -> list[str]:
    """Every IANA zone name, read from the zone database when first needed (reading it
    at import cost the window's start 25 ms)."""
    return sorted(available_timezones())


def local_zone_name() -> str:
    """The desktop's IANA zone, UTC when it has none the zone database knows."""
    name = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
    return name if name in _zones() else "UTC"


class ScheduleDialog(QDialog):
    def __init__(self, who: str, zone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Schedule message")
        self.setObjectName("scheduleDialog")
        self.setModal(True)
        self.setMinimumWidth(440)
        prompt = QLabel(f"Send this message to {who} later, at:")
        prompt.setTextFormat(Qt.TextFormat.PlainText)
        prompt.setWordWrap(True)
        self.zone = QComboBox()
        self.zone.setEditable(True)
        self.zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone.addItems(_zones())
        self.zone.setAccessibleName("Time zone")
        completer = QCompleter(_zones(), self.zone)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.zone.setCompleter(completer)
        self.zone.setCurrentText(zone if zone in _zones() else "UTC")
        self.when = QDateTimeEdit()
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.when.setAccessibleName("Date and time")
        self.preview = QLabel()
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setWordWrap(True)
        self.preview.setAccessibleName("When it goes out")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Schedule")
        form = QFormLayout()
        form.addRow("Date and time", self.when)
        form.addRow("Time zone", self.zone)
        layout = QVBoxLayout(self)
        layout.addWidget(prompt)
        layout.addLayout(form)
        layout.addWidget(self.preview)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.set_moment(datetime.now(UTC) + DEFAULT_LEAD)
        self.when.dateTimeChanged.connect(lambda _d: self._update())
        self.zone.currentTextChanged.connect(lambda _t: self._update())
        self._update()

    def set_moment(self, moment: datetime) -> None:
        """Show `moment` (aware) as wall-clock time in the chosen zone, on a whole minute."""
        zone = self._zone_info() or UTC
        wall = moment.astimezone(zone).replace(second=0, microsecond=0, tzinfo=None)
        day = QDate(wall.year, wall.month, wall.day)
        self.when.setDateTime(QDateTime(day, QTime(wall.hour, wall.minute)))

    def choice(self) -> tuple[datetime, str] | None:
        """(the aware moment, the zone's name), or None while the zone is unknown."""
        zone = self._zone_info()
        if zone is None:
            return None
        value = self.when.dateTime()
        date, clock = value.date(), value.time()
        wall = datetime(date.year(), date.month(), date.day(), clock.hour(), clock.minute())
        return wall.replace(tzinfo=zone), self.zone.currentText().strip()

    async def ask(self) -> tuple[datetime, str] | None:
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.finished.connect(lambda result: _settle(done, result))
        self.open()
        if await done != QDialog.DialogCode.Accepted.value:
            return None
        return self.choice()

    def _zone_info(self) -> ZoneInfo | None:
        name = self.zone.currentText().strip()
        if name not in _zones():
            return None
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return None

    def _update(self) -> None:
        chosen = self.choice()
        if chosen is None:
            self.preview.setText("Choose a time zone from the list, e.g. America/New_York.")
            self.ok.setEnabled(False)
            return
        moment, zone = chosen
        if moment <= datetime.now(UTC):
            self.preview.setText("That time has passed; pick a later one.")
            self.ok.setEnabled(False)
            return
        shown = ScheduledMessage("", "", "", "", "", moment.astimezone(UTC), zone, "")
        self.preview.setText(scheduled_time(shown).replace("Scheduled for", "Zoho sends it on"))
        self.ok.setEnabled(True)


def _settle(future: asyncio.Future[int], result: int) -> None:
    if not future.done():
        future.set_result(result)
