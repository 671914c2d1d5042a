"""Saving attachments the vendor serves: the file name comes from the vendor and is
untrusted, so it is reduced to a plain, short, unique name inside the downloads folder;
the file is readable by the user only and is never opened automatically."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

_UNSAFE = re.compile(r"[^\w.\- ]+")
_MAX_NAME = 100
_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "video/mp4": ".mp4",
    "audio/mpeg": ".mp3",
    "application/pdf": ".pdf",
}


def safe_file_name(name: str, content_type: str, fallback: str = "attachment") -> str:
    """A name with no directory parts, control or shell characters, leading dots or
    reserved words, at most 100 characters, with an extension matching its type."""
    base = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip(" ._")[:_MAX_NAME] or fallback
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    wanted = _EXTENSIONS.get(content_type.lower())
    if wanted and f".{ext.lower()}" != wanted and not (wanted == ".jpg" and ext.lower() == "jpeg"):
        stem, ext = base, wanted[1:]
    if stem.upper() in {"CON", "PRN", "AUX", "NUL"} or re.fullmatch(r"(?i)(COM|LPT)\d", stem):
        stem = f"_{stem}"
    return f"{stem}.{ext}" if ext else stem


def save_bytes(directory: Path, name: str, data: bytes) -> Path:
    """Write under a name not taken yet ("x.jpg", "x (2).jpg", ...), mode 0600."""
    directory.mkdir(parents=True, exist_ok=True)
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    for number in range(1, 10_000):
        candidate = name if number == 1 else f"{stem} ({number}){'.' + ext if ext else ''}"
        path = directory / candidate
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return path
    raise FileExistsError(f"too many files named like {name} in {directory}")
