"""Builds the one-folder bundle dist/agent-inbox/ with PyInstaller and smoke-tests it.

    python3 packaging/build.py [--no-install] [--no-smoke-test]

It first installs what the build needs into the running Python (the app's dependencies
and the `[package]` extra, from pyproject.toml; pip leaves what is already there), but
not the app itself: the bundle is built from this checkout. Prints the build time, the
bundle's size and the smoke test's time to first sync; exits non-zero with one line
saying why if any step fails.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "agent-inbox.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
BUNDLE = DIST / "agent-inbox"


def requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["package"]]


def run(step: str, command: list[str]) -> None:
    """Runs a step, its output shown; a failure ends the build with one line."""
    if subprocess.run(command, cwd=ROOT, check=False).returncode != 0:
        raise SystemExit(f"build failed: {step} ({' '.join(command[:4])} …)")


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-install", action="store_true", help="use what is installed")
    parser.add_argument("--no-smoke-test", action="store_true", help="only build")
    args = parser.parse_args(argv)
    if sys.platform.startswith("linux") and shutil.which("objdump") is None:
        raise SystemExit("build failed: PyInstaller needs objdump (Debian/Ubuntu: binutils)")
    if not args.no_install:
        run(
            "installing the build requirements",
            [sys.executable, "-m", "pip", "install", "--quiet", *requirements()],
        )
    started = time.monotonic()
    run(
        "PyInstaller",
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(DIST),
            "--workpath",
            str(WORK),
            str(SPEC),
        ],
    )
    build_s = time.monotonic() - started
    size_mb = size_of(BUNDLE) / 1e6
    print(f"built {BUNDLE.relative_to(ROOT)}/ in {build_s:.0f} s: {size_mb:.0f} MB")
    if args.no_smoke_test:
        return 0
    smoke = [sys.executable, str(ROOT / "packaging" / "smoke_test.py"), str(BUNDLE / "inbox-app")]
    return subprocess.run(smoke, cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
