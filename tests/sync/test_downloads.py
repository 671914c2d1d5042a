import stat
from pathlib import Path

import pytest

from inbox_app.sync.downloads import safe_file_name, save_bytes


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("photo.jpg", "image/jpeg", "photo.jpg"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("../../etc/passwd", "text/plain", "passwd"),
        ("..\\..\\evil.exe", "image/png", "evil.exe.png"),
        (".bashrc", "text/plain", "bashrc"),
        ("a\x00b\nc.png", "image/png", "a_b_c.png"),
        ("", "image/gif", "attachment.gif"),
        ("CON", "text/plain", "_CON"),
        ("invoice<script>.pdf", "application/pdf", "invoice_script_.pdf"),
        ("697950588-mms-669069956", "image/jpeg", "697950588-mms-669069956.jpg"),
    ],
)
def test_safe_file_name(name: str, content_type: str, expected: str) -> None:
    assert safe_file_name(name, content_type) == expected


def test_long_names_are_cut() -> None:
    assert len(safe_file_name("x" * 500 + ".png", "image/png")) <= 104


def test_save_never_overwrites_and_is_private(tmp_path: Path) -> None:
    first = save_bytes(tmp_path / "dl", "a.png", b"one")
    second = save_bytes(tmp_path / "dl", "a.png", b"two")
    assert (first.name, second.name) == ("a.png", "a (2).png")
    assert first.read_bytes() == b"one" and second.read_bytes() == b"two"
    assert stat.S_IMODE(second.stat().st_mode) == 0o600
