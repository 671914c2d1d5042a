""" "Copy diagnostics": what a person helping the user needs to know (versions, paths,
accounts and how their sync went), and never a secret: account values are not read,
only names, providers and statuses."""

from __future__ import annotations

import platform
import sqlite3
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

from inbox_app import __version__
from inbox_app.core.accounts import AccountConfig


def versions(toolkit: Mapping[str, str] | None = None) -> dict[str, str]:
    """Versions of the app and what it runs on; `toolkit` adds the GUI's (Qt, PySide6)."""
    return {
        "Agent Inbox": __version__,
        "Python": platform.python_version(),
        **(toolkit or {}),
        "httpx": _package_version("httpx"),
        "SQLite": sqlite3.sqlite_version,
    }


def diagnostics_text(
    *,
    versions: Mapping[str, str],
    config_path: Path | None,
    db_path: Path,
    log_dir: Path,
    accounts: Iterable[AccountConfig],
    statuses: Mapping[str, str],
) -> str:
    lines = [f"{name}: {version}" for name, version in versions.items()]
    lines.append(f"Platform: {platform.platform()} ({sys.platform})")
    lines.append(f"Config: {config_path if config_path is not None else '(demo profile)'}")
    lines.append(f"Cache: {db_path} ({_size(db_path)})")
    lines.append(f"Logs: {log_dir}")
    lines.append("Accounts:")
    listed = False
    for account in accounts:
        listed = True
        status = statuses.get(account.name, "not synced yet")
        lines.append(f"  {account.name} ({account.provider.value}): {status}")
    if not listed:
        lines.append("  (none)")
    return "\n".join(lines) + "\n"


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _size(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError:
        return "not created yet"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"
