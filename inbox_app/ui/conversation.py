"""The right-hand pane: who the customer is, the transcript as bubbles, and the reply
box. Every vendor string goes into plain-text labels: vendor data is untrusted and a
QLabel would otherwise guess at rich text."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QVBoxLayout,
    QWidget,
)

from inbox_app.core.phone import display_number
from inbox_app.store.queries import ThreadRow
from inbox_app.ui.attention_bar import AttentionBar
from inbox_app.ui.composer import Composer
from inbox_app.ui.models.messages import MessageListModel
from inbox_app.ui.scheduled_strip import ScheduledStrip
from inbox_app.ui.thumbnails import ThumbnailCache

if TYPE_CHECKING:
    from inbox_app.ui.delegates.bubble_delegate import BubbleDelegate


def plain_label(text: str = "", *, name: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
        label.setAccessibleName(name)
    return label


class ConversationHeader(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = plain_label(name="Customer name")
        font = self.name.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.name.setFont(font)
        self.details = plain_label(name="Customer details")
        self.flags = plain_label(name="Contact flags")
        self.flags.setStyleSheet("color: #b23b3b; font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 4)
        layout.setSpacing(2)
        row = QHBoxLayout()
        row.addWidget(self.name, 1)
        row.addWidget(self.flags)
        layout.addLayout(row)
        layout.addWidget(self.details)
        self.show_thread(None)

    def show_thread(self, thread: ThreadRow | None) -> None:
        if thread is None:
            self.name.setText("No conversation selected")
            self.details.setText("")
            self.flags.setText("")
            return
        number = display_number(thread.customer_number)
        self.name.setText(thread.customer_name or number or "Unknown customer")
        parts = [number]
        if thread.customer_account:
            parts.append(f"account {thread.customer_account}")
        parts.append(f"{thread.account} · to {display_number(thread.our_number) or '—'}")
        if thread.status != "active":
            parts.append(thread.status)
        self.details.setText("   ·   ".join(p for p in parts if p))
        flags = []
        if thread.do_not_contact:
            flags.append("Do not contact")
        if thread.opted_out:
            flags.append("Opted out of SMS")
        self.flags.setText("  ".join(flags))


class ConversationPane(QWidget):
    attachment_activated = Signal(str, object)
    """(account, core Attachment)"""

    def __init__(self, conn: sqlite3.Connection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = ConversationHeader()
        self.model = MessageListModel(conn, self)
        self.model.older_on_demand = True
        self.transcript = QListView()
        self.transcript.setAccessibleName("Conversation transcript")
        self.transcript.setModel(self.model)
        self._delegate: BubbleDelegate | None = None
        self._thumbnails: ThumbnailCache | None = None
        self.transcript.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.transcript.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.transcript.setWordWrap(True)
        self.transcript.setResizeMode(QListView.ResizeMode.Adjust)
        self.transcript.setUniformItemSizes(False)
        self.empty_note = plain_label(name="Transcript note")
        self.empty_note.setWordWrap(True)
        self.empty_note.setContentsMargins(12, 12, 12, 12)
        self.empty_note.hide()
        self.scheduled = ScheduledStrip(conn)
        self.attention = AttentionBar()
        self.composer = Composer()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.empty_note)
        layout.addWidget(self.transcript, 1)
        layout.addWidget(self.scheduled)
        layout.addWidget(self.attention)
        layout.addWidget(self.composer)
        self._account = ""
        self._thread: ThreadRow | None = None
        self.model.rowsInserted.connect(self._rows_inserted)
        self.model.rowsInserted.connect(self._update_empty_note)
        self.model.modelReset.connect(self._update_empty_note)
        self._from_bottom: int | None = None
        """Distance from the bottom to keep while older rows are laid out above."""
        bar = self.transcript.verticalScrollBar()
        bar.valueChanged.connect(self._scrolled)
        bar.rangeChanged.connect(self._range_changed)

    @property
    def delegate(self) -> BubbleDelegate:
        """The bubbles, made when first needed (the first conversation shown): their Qt
        classes took a twentieth of the window's start before its first paint."""
        if self._delegate is None:
            from inbox_app.ui.delegates.bubble_delegate import BubbleDelegate

            self._delegate = BubbleDelegate(self.transcript)
            self._delegate.thumbnails = self._thumbnails
            self._delegate.attachment_activated.connect(
                lambda _index, attachment: self.attachment_activated.emit(self._account, attachment)
            )
            self.transcript.setItemDelegate(self._delegate)
        return self._delegate

    def use_thumbnails(self, thumbnails: ThumbnailCache) -> None:
        """Show pictures as thumbnails from `thumbnails` (repainting as they arrive)."""
        self._thumbnails = thumbnails
        if self._delegate is not None:
            self._delegate.thumbnails = thumbnails
            self._delegate.clear_cache()
        viewport = self.transcript.viewport()
        # Through a Python function: connecting the overloaded C++ `update` straight to a
        # signal made PySide6 load its signature machinery, a tenth of a second of
        # every start, before the first paint.
        thumbnails.changed.connect(lambda: viewport.update())

    def show_thread(self, thread: ThreadRow | None) -> None:
        self.header.show_thread(thread)
        self._account = "" if thread is None else thread.account
        if self._thumbnails is not None:
            self._thumbnails.account = self._account
        self.scheduled.show_thread(thread)
        self._thread = thread
        if thread is None:
            self.model.clear()
        else:
            _ = self.delegate  # before any bubble is laid out
            self.model.set_thread(thread.account, thread.key)
            self.transcript.scrollToBottom()
        self._update_empty_note()

    def _update_empty_note(self) -> None:
        """A conversation with nothing stored (Zoom keeps no message text) says so, with
        the vendor's summary, instead of showing a blank pane."""
        thread = self._thread
        empty = thread is not None and self.model.rowCount() == 0
        if empty and thread is not None:
            text = "No messages are stored for this conversation."
            if thread.preview:
                text += f"\n\nSummary: {thread.preview}"
            self.empty_note.setText(text)
        self.empty_note.setVisible(empty)

    def refresh(self) -> None:
        self.model.refresh()
        self.scheduled.refresh()

    def _rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        if last == self.model.rowCount() - 1:
            self.transcript.scrollToBottom()

    def _scrolled(self, value: int) -> None:
        """Near the top: the page of older messages, keeping the reader's place."""
        bar = self.transcript.verticalScrollBar()
        if value > bar.pageStep() // 2 or bar.maximum() == 0 or not self.model.has_older():
            return
        self._from_bottom = bar.maximum() - value
        self.model.fetch_older()

    def _range_changed(self, _minimum: int, maximum: int) -> None:
        if self._from_bottom is not None:
            self.transcript.verticalScrollBar().setValue(maximum - self._from_bottom)
            self._from_bottom = None
