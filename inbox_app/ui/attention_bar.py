"""The bar that asks the agent to decide on an action the app could not settle: a send
whose outcome the vendor's history could not confirm either way (or any other action
cut off mid-call). The app never repeats such an action on its own, since that could
text the customer twice; the agent sends it again or discards it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from inbox_app.store.effects import IntentKind
from inbox_app.store.outbox import OutboxState
from inbox_app.store.views import Pending

_WHAT = {
    IntentKind.SEND: "This message",
    IntentKind.SCHEDULE: "This scheduled message",
    IntentKind.SET_READ: "Marking read or unread",
    IntentKind.MOVE: "The move between inboxes",
    IntentKind.TRANSFER: "The transfer",
    IntentKind.RESOLVE: "Resolving",
}


class AttentionBar(QWidget):
    send_again = Signal(int)
    """outbox id"""
    discard = Signal(int)
    """outbox id"""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attentionBar")
        self.setAccessibleName("Action needing a decision")
        self.setAutoFillBackground(True)
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.again_button = QPushButton("Send again")
        self.discard_button = QPushButton("Discard")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.again_button)
        layout.addWidget(self.discard_button)
        self._outbox_id: int | None = None
        self.again_button.clicked.connect(lambda: self._emit(self.send_again))
        self.discard_button.clicked.connect(lambda: self._emit(self.discard))
        self.hide()

    def show_pending(self, pending: Pending | None) -> None:
        """Shown for an item needing attention, hidden for anything else."""
        if pending is None or pending.state is not OutboxState.NEEDS_ATTENTION:
            self._outbox_id = None
            self.hide()
            return
        self._outbox_id = pending.id
        what = _WHAT.get(IntentKind(pending.kind), "This action")
        reason = pending.last_error or "the vendor's answer was lost"
        self.text.setText(
            f"{what} was not confirmed ({reason}). The app will not repeat it on its own:"
            " check with the customer's history, then send it again or discard it."
        )
        sending = pending.kind in (IntentKind.SEND, IntentKind.SCHEDULE)
        self.again_button.setText("Send again" if sending else "Try again")
        self.show()

    def _emit(self, signal: SignalInstance) -> None:
        if self._outbox_id is not None:
            signal.emit(self._outbox_id)
