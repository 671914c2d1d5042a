"""The reply box: sender, templates, a live segment counter, and the reasons a send is
not allowed shown where the agent looks instead of a disabled button without words."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inbox_app.core.models import SenderId, Template
from inbox_app.core.segments import segment_info
from inbox_app.ui.icons import icon

DRAFT_SAVE_DELAY_MS = 600


@dataclass(frozen=True, slots=True)
class ComposerContext:
    """What the composer needs to know about the selected thread."""

    our_number: str
    senders: tuple[SenderId, ...]
    templates: tuple[Template, ...]
    blocked_reason: str
    draft: str
    can_schedule: bool = False


class Composer(QWidget):
    send_requested = Signal(str, str, object)
    """(body, sender, template id or None)"""
    schedule_requested = Signal(str, str)
    """(body, sender): send it later, at a time the agent picks next."""
    draft_changed = Signal(str)
    """The text to keep as this thread's draft, debounced."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._template_id: str | None = None
        self._loading = False
        self._blocked = False

        self.blocked = QLabel()
        self.blocked.setTextFormat(Qt.TextFormat.PlainText)
        self.blocked.setWordWrap(True)
        self.blocked.setObjectName("composerBlocked")
        self.blocked.setStyleSheet(
            "color: palette(bright-text); background: #b23b3b;"
            " padding: 4px 8px; border-radius: 4px;"
        )
        self.blocked.hide()

        self.from_number = QComboBox()
        self.from_number.setAccessibleName("Send from")
        self.from_number.setToolTip("The number or short code this reply is sent from")
        self.templates = QToolButton()
        self.templates.setIcon(icon("template"))
        self.templates.setText("Templates")
        self.templates.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.templates.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.templates.setAccessibleName("Insert a template")
        self.templates.setMenu(QMenu(self.templates))

        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("Write a reply…  (Ctrl+Enter sends)")
        self.editor.setAccessibleName("Reply text")
        self.editor.setTabChangesFocus(True)
        self.editor.setMaximumHeight(120)
        self.counter = QLabel()
        self.counter.setTextFormat(Qt.TextFormat.PlainText)
        self.counter.setAccessibleName("Characters and SMS segments")
        self.send_button = QPushButton(icon("send"), "Send")
        self.send_button.setAccessibleName("Send reply")
        self.send_button.setToolTip("Send (Ctrl+Enter)")
        self.schedule_button = QPushButton("Schedule…")
        self.schedule_button.setAccessibleName("Schedule reply")
        self.schedule_button.setToolTip("Have the vendor send this later, at a time you pick")
        self.schedule_button.hide()

        send_action = QAction(self)
        send_action.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        send_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        send_action.triggered.connect(self._send)
        self.addAction(send_action)

        top = QHBoxLayout()
        top.addWidget(QLabel("From"))
        top.addWidget(self.from_number, 1)
        top.addWidget(self.templates)
        bottom = QHBoxLayout()
        bottom.addWidget(self.counter, 1)
        bottom.addWidget(self.schedule_button)
        bottom.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.addWidget(self.blocked)
        layout.addLayout(top)
        layout.addWidget(self.editor)
        layout.addLayout(bottom)

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_SAVE_DELAY_MS)
        self._draft_timer.timeout.connect(lambda: self.draft_changed.emit(self.text()))
        self.editor.textChanged.connect(self._text_changed)
        self.send_button.clicked.connect(self._send)
        self.schedule_button.clicked.connect(self._schedule)
        self.set_context(None)

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_context(self, context: ComposerContext | None) -> None:
        """Show the composer for a thread (or disable it with none selected)."""
        self._draft_timer.stop()
        self._loading = True
        self._template_id = None
        self.from_number.clear()
        menu = self.templates.menu()
        menu.clear()
        if context is None:
            self.editor.clear()
            self.blocked.hide()
            self._blocked = False
            self.setEnabled(False)
            self._loading = False
            self._update_counter()
            return
        self.setEnabled(True)
        numbers = [s.code for s in context.senders] or [context.our_number]
        if context.our_number and context.our_number not in numbers:
            numbers.insert(0, context.our_number)
        for number in numbers:
            self.from_number.addItem(number)
        if context.our_number:
            self.from_number.setCurrentText(context.our_number)
        for template in context.templates:
            action = menu.addAction(template.name or template.body[:40])
            action.setToolTip(template.body)
            action.triggered.connect(lambda _=False, t=template: self._insert_template(t))
        self.templates.setEnabled(bool(context.templates))
        self.editor.setPlainText(context.draft)
        self._blocked = bool(context.blocked_reason)
        self.blocked.setText(context.blocked_reason)
        self.blocked.setVisible(bool(context.blocked_reason))
        self.editor.setReadOnly(bool(context.blocked_reason))
        self.schedule_button.setVisible(context.can_schedule)
        self._loading = False
        self._update_counter()

    def stop_draft_timer(self) -> None:
        self._draft_timer.stop()

    def clear_after_send(self) -> None:
        self._template_id = None
        self.editor.clear()

    def _insert_template(self, template: Template) -> None:
        self._template_id = template.id
        self.editor.setPlainText(template.body)
        if template.sender:
            index = self.from_number.findText(template.sender)
            if index >= 0:
                self.from_number.setCurrentIndex(index)
        self.editor.setFocus()

    def _text_changed(self) -> None:
        self._update_counter()
        if not self._loading:
            self._draft_timer.start()

    def _update_counter(self) -> None:
        text = self.text()
        info = segment_info(text)
        self.counter.setText(
            f"{len(text)} characters · {info.segments} SMS ({info.encoding}) · "
            f"{info.remaining} left in this part"
        )
        self.send_button.setEnabled(self.isEnabled() and bool(text.strip()) and not self._blocked)
        self.schedule_button.setEnabled(self.send_button.isEnabled())

    def _send(self) -> None:
        if not self.send_button.isEnabled():
            return
        self._draft_timer.stop()
        self.send_requested.emit(self.text(), self.from_number.currentText(), self._template_id)

    def _schedule(self) -> None:
        if self.schedule_button.isEnabled():
            self._draft_timer.stop()
            self.schedule_requested.emit(self.text(), self.from_number.currentText())
