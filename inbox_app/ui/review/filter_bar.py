"""The review's filters: account, inbox, agent, direction, status, a date range, the
customer's number and free text. Every choice list is read from the store, so what can
be picked is what the cache holds, for every vendor alike."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time, timedelta

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from inbox_app.core.models import Direction, ThreadStatus
from inbox_app.store import queries, review
from inbox_app.store.review import ReviewFilter
from inbox_app.ui.icons import icon
from inbox_app.ui.models.text import one_line

TYPING_DELAY_MS = 300
_SEP = "\n"
"""Between account and channel key in an inbox choice's data (no name holds a newline)."""
NO_DATE = QDate(2000, 1, 1)
"""The date edits' minimum, shown as "any": a QDateEdit cannot be empty."""


def _combo(name: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setAccessibleName(name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setAccessibleName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText("any")
    edit.setDate(NO_DATE)
    return edit


class FilterBar(QWidget):
    changed = Signal()

    def __init__(self, conn: sqlite3.Connection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._conn = conn
        self.account = _combo("Account filter")
        self.inbox = _combo("Inbox filter")
        self.agent = _combo("Agent filter")
        self.direction = _combo("Direction filter")
        for label, value in (("Both directions", ""), ("Inbound", "in"), ("Outbound", "out")):
            self.direction.addItem(label, value)
        self.status = _combo("Status filter")
        self.status.addItem("Any status", "")
        for status in ThreadStatus:
            self.status.addItem(status.value.capitalize(), status.value)
        self.since = _date_edit("From date")
        self.until = _date_edit("To date")
        self.customer = QLineEdit()
        self.customer.setObjectName("Customer number filter")
        self.customer.setAccessibleName("Customer number filter")
        self.customer.setPlaceholderText("Customer number")
        self.customer.setClearButtonEnabled(True)
        self.search = QLineEdit()
        self.search.setObjectName("Search")
        self.search.setAccessibleName("Search")
        self.search.setPlaceholderText("Search messages, names and numbers  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.clear = QPushButton("Clear filters")
        self.clear.setObjectName("clearFilters")

        grid = QGridLayout(self)
        grid.setContentsMargins(6, 6, 6, 2)
        grid.addWidget(self.search, 0, 0, 1, 4)
        grid.addWidget(self.customer, 0, 4, 1, 2)
        grid.addWidget(self.clear, 0, 6)
        grid.addWidget(self.account, 1, 0)
        grid.addWidget(self.inbox, 1, 1)
        grid.addWidget(self.agent, 1, 2)
        grid.addWidget(self.direction, 1, 3)
        grid.addWidget(self.status, 1, 4)
        dates = QWidget()
        dates_row = QGridLayout(dates)
        dates_row.setContentsMargins(0, 0, 0, 0)
        dates_row.addWidget(QLabel("From"), 0, 0)
        dates_row.addWidget(self.since, 0, 1)
        dates_row.addWidget(QLabel("to"), 0, 2)
        dates_row.addWidget(self.until, 0, 3)
        grid.addWidget(dates, 1, 5, 1, 2)

        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_DELAY_MS)
        self._typing.timeout.connect(self.changed)
        self.reload_choices()
        for combo in (self.inbox, self.agent, self.direction, self.status):
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.account.currentIndexChanged.connect(self._account_changed)
        for edit in (self.since, self.until):
            edit.dateChanged.connect(lambda _d: self.changed.emit())
        for line in (self.customer, self.search):
            line.textChanged.connect(lambda _t: self._typing.start())
        self.clear.clicked.connect(self.reset)

    # --- the filter ----------------------------------------------------------------

    def current(self) -> ReviewFilter:
        account = self.account.currentData() or ""
        inbox = self.inbox.currentData() or ""
        direction = self.direction.currentData() or ""
        status = self.status.currentData() or ""
        return ReviewFilter(
            accounts=(account,) if account else (),
            inboxes=(tuple(inbox.split(_SEP, 1)),) if inbox else (),
            agent=self.agent.currentData() or "",
            direction=Direction(direction) if direction else None,
            statuses=(ThreadStatus(status),) if status else (),
            since=_local_start(self.since.date(), 0),
            until=_local_start(self.until.date(), 1),
            customer=self.customer.text().strip(),
            text=self.search.text().strip(),
        )

    def reset(self) -> None:
        """Every filter back to "all", as one change."""
        self.blockSignals(True)
        try:
            for combo in (self.account, self.inbox, self.agent, self.direction, self.status):
                combo.setCurrentIndex(0)
            self.since.setDate(NO_DATE)
            self.until.setDate(NO_DATE)
            self.customer.clear()
            self.search.clear()
            self._typing.stop()
        finally:
            self.blockSignals(False)
        self.changed.emit()

    # --- choices -------------------------------------------------------------------

    def reload_choices(self) -> None:
        """Re-read the accounts, inboxes and agents the cache holds, keeping the
        choices made where they still exist (and without announcing a change)."""
        self.blockSignals(True)
        try:
            accounts = [(a.name, a.name) for a in queries.list_accounts(self._conn)]
            _fill(self.account, "All accounts", accounts)
            self._fill_dependent()
        finally:
            self.blockSignals(False)

    def _account_changed(self, _index: int) -> None:
        self.blockSignals(True)
        try:
            self._fill_dependent()
        finally:
            self.blockSignals(False)
        self.changed.emit()

    def _fill_dependent(self) -> None:
        """Inboxes and agents of the chosen account (of all, with the account named)."""
        account = self.account.currentData() or ""
        several = not account and self.account.count() > 2
        inboxes = [
            (f"{i.account}: {i.name}" if several else i.name, f"{i.account}{_SEP}{i.key}")
            for i in review.list_inboxes(self._conn)
            if not account or i.account == account
        ]
        _fill(self.inbox, "All inboxes", inboxes)
        agents = [
            (f"{a.name} ({a.account})" if several else a.name, a.id)
            for a in review.list_agents(self._conn)
            if not account or a.account == account
        ]
        _fill(self.agent, "All agents", agents)


def _fill(combo: QComboBox, everything: str, items: list[tuple[str, str]]) -> None:
    """Replace a combo's items, keeping the current choice if it is still offered."""
    current = combo.currentData()
    combo.blockSignals(True)
    try:
        combo.clear()
        combo.addItem(everything, None)
        for label, value in items:
            combo.addItem(one_line(label, 60), value)
        found = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(found, 0))
    finally:
        combo.blockSignals(False)


def _local_start(day: QDate, plus_days: int) -> datetime | None:
    """The start of a local day (`plus_days` later), None for "any"."""
    if day == NO_DATE or not day.isValid():
        return None
    picked = date(day.year(), day.month(), day.day())
    start = datetime.combine(picked + timedelta(days=plus_days), time())
    return start.astimezone()
