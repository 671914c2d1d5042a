"""The style rules are part of the build: ruff and mypy run with the tests, so CI
refuses what a reviewer would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_is_clean() -> None:
    result = _run("ruff", "check", "inbox_app", "tests", "packaging")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean_outside_ui() -> None:
    result = _run("mypy", "inbox_app")
    assert result.returncode == 0, result.stdout + result.stderr


def test_nothing_below_ui_imports_qt() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "inbox_app").rglob("*.py")
        if path.parts[len(ROOT.parts) + 1] not in ("ui",)
        and path.name not in ("app.py",)
        and any(
            line.startswith(("from PySide6", "import PySide6", "import qasync", "from qasync"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert offenders == []
