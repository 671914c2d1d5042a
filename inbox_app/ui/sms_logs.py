"""The "SMS logs" window of a Zoho Voice account: every message of the account, newest
first, filtered the way Zoho's logs endpoint filters (direction, customer number, our
number, date range, MMS only). It reads the store (see `store.sms_logs` for why), so it
opens instantly, works offline and follows each sync pass without losing its place.
`sms_log_launcher.SmsLogLauncher` opens it from the main window."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, time

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inbox_app.core.models import Direction
from inbox_app.core.phone import display_number, normalize_number
from inbox_app.store.sms_logs import LogFilter, our_numbers
from inbox_app.sync.changes import ChangeSet
from inbox_app.ui.models.sms_logs import MESSAGE_COLUMN, SmsLogModel

FILTER_DELAY_MS = 300
DIRECTIONS = {"In and out": None, "Incoming": Direction.IN, "Outgoing": Direction.OUT}


class SmsLogDialog(QDialog):
    """Non-modal; one per account, kept and raised again by the launcher."""

    def __init__(self, conn: sqlite3.Connection, account: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.account = account
        self._conn = conn
        self.setWindowTitle(f"SMS logs: {account}")
        self.setObjectName("smsLogs")
        self.resize(980, 560)

        self.direction = QComboBox()
        self.direction.addItems(list(DIRECTIONS))
        self.direction.setAccessibleName("Direction")
        self.customer = QLineEdit()
        self.customer.setPlaceholderText("Customer number")
        self.customer.setAccessibleName("Customer number")
        self.customer.setClearButtonEnabled(True)
        self.our_number = QComboBox()
        self.our_number.setAccessibleName("Our number")
        self.our_number.addItem("All our numbers", "")
        for number in our_numbers(conn, account):
            self.our_number.addItem(display_number(number), number)
        today = QDate.currentDate()
        self.use_from = QCheckBox("From")
        self.from_date = _date_edit(today.addDays(-7), "From date")
        self.use_to = QCheckBox("To")
        self.to_date = _date_edit(today, "To date")
        self.mms_only = QCheckBox("MMS only")
        self.hint = QLabel()
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setAccessibleName("Log status")

        self.model = SmsLogModel(conn, self)
        self.table = QTableView()
        self.table.setAccessibleName("SMS logs")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(MESSAGE_COLUMN, QHeaderView.ResizeMode.Stretch)

        filters = QHBoxLayout()
        controls: tuple[QWidget, ...] = (
            self.direction,
            self.customer,
            self.our_number,
            self.use_from,
            self.from_date,
            self.use_to,
            self.to_date,
            self.mms_only,
        )
        for widget in controls:
            filters.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hint)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FILTER_DELAY_MS)
        self._timer.timeout.connect(self.apply_filter)
        self.customer.textChanged.connect(lambda _t: self._timer.start())
        for combo in (self.direction, self.our_number):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        for box in (self.use_from, self.use_to, self.mms_only):
            box.toggled.connect(lambda _c: self.apply_filter())
        for edit in (self.from_date, self.to_date):
            edit.dateChanged.connect(lambda _d: self.apply_filter())
        self.model.rowsInserted.connect(lambda *_: self._update_hint())
        self.model.rowsRemoved.connect(lambda *_: self._update_hint())
        self.apply_filter()

    def current_filter(self) -> LogFilter | None:
        """The filter the controls describe; None while the customer number is unusable."""
        typed = self.customer.text().strip()
        customer = normalize_number(typed) if typed else ""
        if typed and not any(ch.isdigit() for ch in customer):
            return None
        return LogFilter(
            account=self.account,
            direction=DIRECTIONS[self.direction.currentText()],
            customer_number=customer,
            our_number=str(self.our_number.currentData() or ""),
            since=_start_of(self.from_date.date()) if self.use_from.isChecked() else None,
            until=_start_of(self.to_date.date().addDays(1)) if self.use_to.isChecked() else None,
            mms_only=self.mms_only.isChecked(),
        )

    def apply_filter(self) -> None:
        self._timer.stop()
        self.from_date.setEnabled(self.use_from.isChecked())
        self.to_date.setEnabled(self.use_to.isChecked())
        self.model.set_filter(self.current_filter())
        self._update_hint()

    def on_change(self, changes: ChangeSet) -> None:
        if changes.account == self.account and changes.messages:
            self.model.refresh()
            self._update_hint()

    def _update_hint(self) -> None:
        if self.model.log_filter is None:
            self.hint.setText("Type a customer number with digits, e.g. +1 415 555 0123.")
        elif not self.model.rowCount():
            self.hint.setText("No messages match these filters.")
        else:
            more = " (scroll for more)" if self.model.canFetchMore(self.table.rootIndex()) else ""
            self.hint.setText(f"{self.model.rowCount()} messages shown{more}.")


def _date_edit(date: QDate, name: str) -> QDateEdit:
    edit = QDateEdit(date)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setAccessibleName(name)
    edit.setEnabled(False)
    return edit


def _start_of(day: QDate) -> datetime:
    """Local midnight at the start of `day`, as an aware datetime."""
    return datetime.combine(date(day.year(), day.month(), day.day()), time()).astimezone()
