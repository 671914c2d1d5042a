"""Thumbnail bytes kept on disk beside the cache, so a transcript's pictures show again
offline and after a restart without asking the vendor twice.

Files are named by a hash of (account, attachment id), never by the vendor's file name,
and are readable by the user only; a corrupt or partial file is just fetched again."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PREVIEW_LIMIT = 2_000_000
"""Bytes: a preview larger than this is not fetched; the attachment can still be saved."""


class PreviewCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, account: str, attachment_id: str) -> Path:
        digest = hashlib.sha256(f"{account}\0{attachment_id}".encode()).hexdigest()
        return self.directory / digest

    def get(self, account: str, attachment_id: str) -> bytes | None:
        try:
            return self._path(account, attachment_id).read_bytes()
        except OSError:
            return None

    def put(self, account: str, attachment_id: str, data: bytes) -> None:
        """Written to a temporary name and renamed, so a reader never sees half a file."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self._path(account, attachment_id)
        temporary = path.with_suffix(".part")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
