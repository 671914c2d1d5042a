"""The window's log file: in the platform log directory, rotating, private, and scrubbed
of secrets; and the diagnostics text a user pastes into a support request."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from inbox_app import logs
from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import ProviderKind
from inbox_app.diagnostics import diagnostics_text, versions


def test_log_file_is_private_scrubbed_and_rotates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "LOG_MAX_BYTES", 2_000)
    log_dir = logs.default_log_dir()
    assert str(log_dir).startswith(str(tmp_path)), "tests/conftest.py isolates XDG dirs"
    secret_filter = logs.configure_logging(0, ["hunter2-secret"], log_dir=log_dir)
    secret_filter.add(["late-token-42"])
    log = logging.getLogger("inbox_app.test")
    log.info("signed in with %s and %s", "hunter2-secret", "late-token-42")
    for n in range(60):
        log.info("line %d with some padding to fill the file quickly", n)
    for handler in logging.getLogger().handlers:
        handler.flush()
    files = sorted(log_dir.iterdir())
    names = [f.name for f in files]
    assert "agent-inbox.log" in names and "agent-inbox.log.1" in names
    assert len(files) <= 1 + logs.LOG_BACKUPS
    assert stat.S_IMODE(log_dir.stat().st_mode) == 0o700
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    text = "".join(f.read_text(encoding="utf-8") for f in files)
    assert "line 59" in text
    assert "hunter2-secret" not in text and "late-token-42" not in text


def test_file_gets_info_while_the_terminal_gets_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.configure_logging(0, log_dir=tmp_path)
    logging.getLogger("inbox_app.test").info("quiet detail")
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "quiet detail" in (tmp_path / "agent-inbox.log").read_text(encoding="utf-8")
    assert "quiet detail" not in capsys.readouterr().err


def test_diagnostics_name_versions_paths_and_accounts_never_secrets(tmp_path: Path) -> None:
    account = AccountConfig(
        "LiveVox NA3",
        ProviderKind.LIVEVOX,
        "https://api.livevox.com",
        {"username": "agent1", "password": "pw-very-secret", "access_token": "tok-secret-1"},
    )
    db = tmp_path / "inbox.sqlite3"
    db.write_bytes(b"x" * 4096)
    text = diagnostics_text(
        versions=versions({"Qt": "6.9.9"}),
        config_path=tmp_path / "config.toml",
        db_path=db,
        log_dir=tmp_path / "log",
        accounts=[account],
        statuses={"LiveVox NA3": "synced 10:00:00"},
    )
    for name in ("Agent Inbox", "Python", "Qt: 6.9.9", "httpx", "SQLite", "Platform"):
        assert name in text
    assert f"Cache: {db} (4 KiB)" in text
    assert "LiveVox NA3 (livevox): synced 10:00:00" in text
    assert "pw-very-secret" not in text and "tok-secret-1" not in text and "agent1" not in text


def test_an_unwritable_log_directory_costs_the_file_not_the_app(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    logs.configure_logging(0, log_dir=blocker / "log")
    assert "no log file in" in capsys.readouterr().err
    assert len(logging.getLogger().handlers) == 1
