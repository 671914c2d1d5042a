"""Thumbnails for picture attachments, fetched once through the service (which keeps the
bytes on disk) and decoded off the UI thread, so a transcript full of photos scrolls
without stalls. The bubble delegate asks `lookup()` while painting; a miss starts a
load and `changed` tells the view to repaint when it lands."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap

from inbox_app.core.models import Attachment
from inbox_app.sync.service import LookupFailed

THUMB_SIZE = QSize(180, 135)
_KEPT = 96
"""Decoded thumbnails kept in memory: a few screens of a picture-heavy transcript."""

Loader = Callable[[str, Attachment], Awaitable[bytes]]
Spawner = Callable[[Coroutine[Any, Any, None]], None]


def is_picture(attachment: Attachment) -> bool:
    return attachment.content_type.lower().startswith("image/")


def decode_thumbnail(data: bytes) -> QImage:
    """The picture scaled to fit THUMB_SIZE; a null image when the bytes are not one.
    QImage (unlike QPixmap) may be built on any thread."""
    image = QImage.fromData(data)
    if image.isNull():
        return image
    return image.scaled(
        THUMB_SIZE,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )


class ThumbnailCache(QObject):
    changed = Signal()

    def __init__(self, load: Loader, spawn: Spawner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._load = load
        self._spawn = spawn
        self._pixmaps: OrderedDict[tuple[str, str], QPixmap] = OrderedDict()
        self._loading: set[tuple[str, str]] = set()
        self._failed: dict[tuple[str, str], str] = {}
        self.account = ""
        """The account of the transcript being shown; attachment ids are per account."""

    def lookup(self, attachment: Attachment) -> QPixmap | None:
        """The thumbnail if it is ready; otherwise None, and a load starts unless one
        is running or already failed (see `failure`)."""
        key = (self.account, attachment.id)
        pixmap = self._pixmaps.get(key)
        if pixmap is not None:
            self._pixmaps.move_to_end(key)
            return pixmap
        if self.account and key not in self._loading and key not in self._failed:
            self._loading.add(key)
            self._spawn(self._fetch(key, attachment))
        return None

    def failure(self, attachment: Attachment) -> str | None:
        """Why no thumbnail can be shown, once a load has failed."""
        return self._failed.get((self.account, attachment.id))

    async def _fetch(self, key: tuple[str, str], attachment: Attachment) -> None:
        try:
            data = await self._load(key[0], attachment)
            image = await asyncio.to_thread(decode_thumbnail, data)
        except LookupFailed as exc:
            self._failed[key] = str(exc) or "The preview could not be downloaded"
        else:
            if image.isNull():
                self._failed[key] = "The file is not a picture this app can show"
            else:
                self._pixmaps[key] = QPixmap.fromImage(image)
                if len(self._pixmaps) > _KEPT:
                    self._pixmaps.popitem(last=False)
        finally:
            self._loading.discard(key)
        self.changed.emit()
