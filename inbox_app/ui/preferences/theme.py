"""The theme setting: follow the system, or force Qt's light or dark colour scheme."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

SCHEMES = {"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}


def apply_theme(theme: str) -> None:
    hints = QGuiApplication.styleHints()
    if not hasattr(hints, "setColorScheme"):  # Qt before 6.8 follows the system only
        return
    if theme in SCHEMES:
        hints.setColorScheme(SCHEMES[theme])
    else:
        hints.unsetColorScheme()
