"""Picture attachments show as thumbnails fetched through the vendor's preview stream,
kept on disk beside the cache, and never block the transcript."""

from __future__ import annotations

import stat

from inbox_app.core.models import Attachment
from inbox_app.simulator import Simulator
from inbox_app.sync.service import LookupFailed
from inbox_app.ui.main_window import MainWindow
from inbox_app.ui.models.roles import Roles
from inbox_app.ui.thumbnails import THUMB_SIZE, ThumbnailCache
from tests.window.conftest import open_mms_message, until


async def test_picture_attachment_shows_as_a_thumbnail_cached_on_disk(
    window: MainWindow, sim: Simulator
) -> None:
    index = await open_mms_message(window)
    (attachment, *_) = index.data(Roles.AttachmentsRole)
    assert attachment.content_type.startswith("image/")
    thumbnails = window.conversation.delegate.thumbnails
    assert thumbnails is not None
    transcript = window.conversation.transcript
    transcript.scrollTo(index)
    assert transcript.visualRect(index).height() > THUMB_SIZE.height()
    transcript.viewport().grab()
    await until(lambda: thumbnails.lookup(attachment) is not None)
    pixmap = thumbnails.lookup(attachment)
    assert pixmap is not None and not pixmap.isNull()
    assert pixmap.width() <= THUMB_SIZE.width() and pixmap.height() <= THUMB_SIZE.height()
    (cached,) = window.service.previews.directory.iterdir()
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600
    assert attachment.id not in cached.name
    assert cached.read_bytes() == await window.service.attachment_preview("Zoho demo", attachment)


async def test_bytes_that_are_no_picture_say_no_preview(window: MainWindow) -> None:
    loads: list[str] = []

    async def load(account: str, attachment: Attachment) -> bytes:
        loads.append(attachment.id)
        if attachment.id == "gone":
            raise LookupFailed("The file is no longer on the vendor's server")
        return b"<html>not a picture</html>"

    spawned = []
    cache = ThumbnailCache(load, lambda work: spawned.append(window._spawn(work)))
    cache.account = "Zoho demo"
    junk = Attachment("junk", "x.png", "image/png", 30)
    gone = Attachment("gone", "y.png", "image/png", 30)
    assert cache.lookup(junk) is None and cache.lookup(gone) is None
    await until(lambda: cache.failure(junk) is not None and cache.failure(gone) is not None)
    assert cache.failure(junk) == "The file is not a picture this app can show"
    assert cache.failure(gone) == "The file is no longer on the vendor's server"
    assert cache.lookup(junk) is None
    assert loads == ["junk", "gone"], "a failed preview is not fetched again on every paint"
