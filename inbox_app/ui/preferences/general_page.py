"""The General page: sync interval, notifications, theme, supervisor profile. Each change
is saved at once (there is no separate Apply) and announced through `changed`."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QSpinBox, QWidget

from inbox_app.config import THEMES, Settings

THEME_LABELS = {"system": "Follow the system", "light": "Light", "dark": "Dark"}


class GeneralPage(QWidget):
    changed = Signal(object)
    """The new Settings."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.interval = QSpinBox()
        self.interval.setRange(5, 86400)
        self.interval.setSuffix(" s")
        self.interval.setAccessibleName("Sync interval in seconds")
        self.interval.setValue(int(settings.sync_interval))
        self.interval.setToolTip("How often every account is synced; actions go out at once.")
        self.notifications = QCheckBox("Show a desktop notification for new messages")
        self.notifications.setChecked(settings.notifications)
        self.theme = QComboBox()
        self.theme.setAccessibleName("Theme")
        for theme in THEMES:
            self.theme.addItem(THEME_LABELS[theme], theme)
        self.theme.setCurrentIndex(THEMES.index(settings.theme))
        self.supervisor = QCheckBox("Supervisor profile")
        self.supervisor.setChecked(settings.supervisor)
        supervisor_note = QLabel(
            "Review the conversations of other agents. Takes effect at the next start."
        )
        supervisor_note.setTextFormat(Qt.TextFormat.PlainText)
        supervisor_note.setWordWrap(True)

        layout = QFormLayout(self)
        layout.addRow("Sync every", self.interval)
        layout.addRow("Notifications", self.notifications)
        layout.addRow("Theme", self.theme)
        layout.addRow("Profile", self.supervisor)
        layout.addRow("", supervisor_note)

        self.interval.editingFinished.connect(self._emit)
        self.notifications.toggled.connect(lambda _c: self._emit())
        self.theme.currentIndexChanged.connect(lambda _i: self._emit())
        self.supervisor.toggled.connect(lambda _c: self._emit())

    def settings(self) -> Settings:
        return Settings(
            sync_interval=float(self.interval.value()),
            notifications=self.notifications.isChecked(),
            theme=str(self.theme.currentData()),
            supervisor=self.supervisor.isChecked(),
        )

    def _emit(self) -> None:
        self.changed.emit(self.settings())
