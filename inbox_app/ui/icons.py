"""Icons from resources/icons as SVG: Qt's SVG icon engine renders them at whatever
size and device-pixel ratio a screen asks for, so they stay crisp on any display."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

ICON_DIR = Path(__file__).resolve().parents[2] / "resources" / "icons"


@cache
def icon(name: str) -> QIcon:
    """The named icon, or an empty one if the file is missing (never an exception for a
    cosmetic asset)."""
    path = ICON_DIR / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


def app_icon() -> QIcon:
    return icon("agent-inbox")
