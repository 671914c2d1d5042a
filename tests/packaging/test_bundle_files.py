"""The packaging files agree with each other and with the app, checked without building
(the build and its smoke test are `python3 packaging/build.py`: minutes, not for here)."""

from __future__ import annotations

import ast
import configparser
import shutil
import struct
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "agent-inbox.spec"
DESKTOP = ROOT / "packaging" / "agent-inbox.desktop"
APP_ICON = ROOT / "resources" / "app-icon"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)


def spec_call(name: str) -> ast.Call:
    calls = [
        node
        for node in ast.walk(ast.parse(SPEC.read_text(), str(SPEC)))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name
    ]
    assert len(calls) == 1, f"{name}() in the spec"
    return calls[0]


def spec_strings(call: str, keyword: str) -> list[str]:
    value = next(k.value for k in spec_call(call).keywords if k.arg == keyword)
    if isinstance(value, ast.Constant):
        return [value.value]
    assert isinstance(value, ast.List)
    return [e.value for e in value.elts if isinstance(e, ast.Constant)]


def desktop_entry() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(DESKTOP.read_text())
    return parser


def test_the_executable_the_desktop_entry_and_the_command_share_one_name() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    entry = desktop_entry()["Desktop Entry"]
    assert spec_strings("EXE", "name") == ["inbox-app"]
    assert "inbox-app" in scripts
    assert entry["Exec"].split()[0] == "inbox-app"
    assert entry["Icon"] == "agent-inbox"
    for key in ("Type", "Name", "Comment", "Categories"):
        assert entry[key], key
    assert entry["Terminal"] == "false"


def test_the_spec_bundles_the_icons_and_imports_that_exist() -> None:
    from importlib.util import find_spec

    source = SPEC.read_text()
    assert '"resources" / "icons"), "resources/icons"' in source
    hidden = spec_strings("Analysis", "hiddenimports")
    assert hidden and [name for name in hidden if find_spec(name) is None] == []


def test_the_spec_excludes_nothing_the_app_imports() -> None:
    excluded = set(spec_strings("Analysis", "excludes"))
    imported: set[str] = set()
    for path in (ROOT / "inbox_app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module)
    clashes = {
        name for name in imported for ex in excluded if name == ex or name.startswith(ex + ".")
    }
    assert clashes == set()


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and header[12:16] == b"IHDR", path.name
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_every_icon_size_exists_as_a_png_of_that_size() -> None:
    assert (ROOT / "resources" / "icons" / "agent-inbox.svg").is_file()
    for size in PNG_SIZES:
        assert png_size(APP_ICON / f"agent-inbox-{size}.png") == (size, size)


def test_the_windows_and_macos_icons_hold_their_sizes() -> None:
    ico = (APP_ICON / "agent-inbox.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1)
    sizes = {ico[6 + 16 * i] or 256 for i in range(count)}
    assert sizes == {s for s in PNG_SIZES if s <= 256}
    icns = (APP_ICON / "agent-inbox.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="no desktop-file-utils")
def test_the_desktop_entry_is_valid() -> None:
    result = subprocess.run(
        ["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_a_bundle_finds_its_resources_where_it_unpacked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from inbox_app.ui.icons import resource_root

    assert (resource_root() / "resources" / "icons" / "agent-inbox.svg").is_file()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_root() == tmp_path
