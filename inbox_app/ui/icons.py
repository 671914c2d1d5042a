"""Icons from resources/icons as SVG: Qt's SVG icon engine renders them at whatever
size and device-pixel ratio a screen asks for, so they stay crisp on any display.

resources/ sits beside the package in a checkout; a PyInstaller bundle carries it in
the folder it unpacks to (sys._MEIPASS), see packaging/agent-inbox.spec."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter


def resource_root() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    return Path(bundle) if bundle else Path(__file__).resolve().parents[2]


ICON_DIR = resource_root() / "resources" / "icons"


@cache
def icon(name: str) -> QIcon:
    """The named icon, or an empty one if the file is missing (never an exception for a
    cosmetic asset)."""
    path = ICON_DIR / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


def app_icon() -> QIcon:
    return icon("agent-inbox")


def badge_icon(count: int, size: int = 64) -> QIcon:
    """The app icon with the unread count in a red badge, for the tray (and a taskbar
    that shows the window icon); no badge at zero."""
    if count <= 0:
        return app_icon()
    pixmap = app_icon().pixmap(QSize(size, size))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    text = "99+" if count > 99 else str(count)
    diameter = size * (0.62 if len(text) > 2 else 0.52)
    badge = QRectF(size - diameter, 0, diameter, diameter)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#d93025"))
    painter.drawEllipse(badge)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(diameter * (0.42 if len(text) > 2 else 0.55)))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return QIcon(pixmap)
