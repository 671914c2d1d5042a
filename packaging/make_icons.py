"""Renders the app icon set in resources/app-icon/ from resources/icons/agent-inbox.svg.

The PNGs are drawn by the same Qt SVG engine and the same `app_icon()` the window uses,
so the desktop, the taskbar and the window show one icon. Run it after changing the SVG
(it needs the `[package]` extra for Pillow, which writes the .ico and .icns):

    python3 packaging/make_icons.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "app-icon"
NAME = "agent-inbox"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICNS_LARGEST = 1024


def render_pngs(work: Path) -> dict[int, Path]:
    """The PNG set, plus a 1024 px one in `work` for the .icns (512 px @2x)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QGuiApplication

    from inbox_app.ui.icons import app_icon

    app = QGuiApplication.instance() or QGuiApplication([])
    icon = app_icon()
    if icon.isNull():
        raise SystemExit(f"make_icons: no app icon at {ROOT / 'resources/icons'}")
    paths = {}
    for size in (*PNG_SIZES, ICNS_LARGEST):
        path = (work if size == ICNS_LARGEST else OUT) / f"{NAME}-{size}.png"
        pixmap = icon.pixmap(QSize(size, size))
        if pixmap.width() != size or not pixmap.save(str(path), "PNG"):
            raise SystemExit(f"make_icons: could not render {path.name}")
        paths[size] = path
    del app
    return paths


def write_ico_and_icns(pngs: dict[int, Path]) -> None:
    """Each size Qt rendered goes in as is, rather than Pillow scaling the largest down."""
    from PIL import Image

    images = {size: Image.open(path) for size, path in pngs.items()}
    ico = [size for size in PNG_SIZES if size <= 256]
    images[max(ico)].save(
        OUT / f"{NAME}.ico",
        sizes=[(s, s) for s in ico],
        append_images=[images[s] for s in ico[:-1]],
    )
    images[ICNS_LARGEST].save(OUT / f"{NAME}.icns", append_images=[images[s] for s in PNG_SIZES])
    for image in images.values():
        image.close()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        pngs = render_pngs(Path(work))
        write_ico_and_icns(pngs)
    print(f"make_icons: wrote {len(PNG_SIZES)} PNGs, .ico and .icns to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
