"""The on-disk thumbnail cache: private files, named by hash, never half-written."""

from __future__ import annotations

import stat
from pathlib import Path

from inbox_app.sync.previews import PreviewCache


def test_round_trip_is_private_and_named_by_hash(tmp_path: Path) -> None:
    cache = PreviewCache(tmp_path / "previews")
    assert cache.get("Zoho demo", "../../etc/passwd") is None
    cache.put("Zoho demo", "../../etc/passwd", b"\x89PNG data")
    assert cache.get("Zoho demo", "../../etc/passwd") == b"\x89PNG data"
    assert cache.get("Other account", "../../etc/passwd") is None
    (file,) = (tmp_path / "previews").iterdir()
    assert len(file.name) == 64 and "passwd" not in file.name
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "previews").stat().st_mode) == 0o700


def test_a_second_put_replaces_the_first(tmp_path: Path) -> None:
    cache = PreviewCache(tmp_path)
    cache.put("a", "1", b"old")
    cache.put("a", "1", b"new")
    assert cache.get("a", "1") == b"new"
    assert [p.suffix for p in tmp_path.iterdir()] == [""]
