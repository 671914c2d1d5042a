"""The theme setting: follow the system, or force light or dark. Qt's own colour-scheme
switch is used where the platform honours it; elsewhere (plain X11, many Linux desktops)
the Fusion style with a light or dark palette does the same job."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

SCHEMES = {"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}
_R = QPalette.ColorRole
_DARK = {
    _R.Window: "#2b2d30",
    _R.WindowText: "#e6e6e6",
    _R.Base: "#1f2023",
    _R.AlternateBase: "#2b2d30",
    _R.Text: "#e6e6e6",
    _R.Button: "#35373b",
    _R.ButtonText: "#e6e6e6",
    _R.BrightText: "#ffffff",
    _R.Highlight: "#2f6fb7",
    _R.HighlightedText: "#ffffff",
    _R.ToolTipBase: "#35373b",
    _R.ToolTipText: "#e6e6e6",
    _R.PlaceholderText: "#8c8f94",
    _R.Link: "#6ea8fe",
    _R.Light: "#4a4c50",
    _R.Midlight: "#3c3e42",
    _R.Mid: "#2f3134",
    _R.Dark: "#1a1b1d",
    _R.Shadow: "#0d0d0e",
}
_DISABLED_TEXT = "#7b7e83"


class _System:
    """The style and palette the app started with, to go back to "follow the system"."""

    style: str | None = None
    palette: QPalette | None = None


def apply_theme(theme: str) -> None:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if _System.style is None:
        _System.style, _System.palette = app.style().name(), QPalette(app.palette())
    hints = app.styleHints()
    scheme = SCHEMES.get(theme)
    if scheme is None:
        hints.unsetColorScheme()
    else:
        hints.setColorScheme(scheme)
    if scheme is None or hints.colorScheme() == scheme:
        app.setStyle(_System.style)
        app.setPalette(_System.palette or QPalette())
        return
    app.setStyle("Fusion")
    app.setPalette(_palette(theme))


def _palette(theme: str) -> QPalette:
    fusion = QStyleFactory.create("Fusion")
    palette = QPalette(fusion.standardPalette())
    if theme != "dark":
        return palette
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role in (_R.Text, _R.WindowText, _R.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(_DISABLED_TEXT))
    return palette
