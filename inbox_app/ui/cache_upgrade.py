"""The notice shown while the cache is upgraded to this version's schema: the window
cannot open the cache before that, and on years of history it takes seconds (8 s at
2M messages for schema version 10), which would otherwise look like a start that hangs."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QVBoxLayout, QWidget

from inbox_app.ui.icons import app_icon

TEXT = (
    "Updating your conversations for this version of Agent Inbox. This happens once and"
    " can take a minute with years of history; nothing is lost."
)


class CacheUpgradeNotice(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("Agent Inbox")
        self.setWindowIcon(app_icon())
        self.setMinimumWidth(420)
        label = QLabel(TEXT)
        label.setWordWrap(True)
        busy = QProgressBar()
        busy.setRange(0, 0)
        busy.setTextVisible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(busy)
