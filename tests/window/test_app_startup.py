"""Start-up failures a user can cause end in a dialog naming the problem, not a crash."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from inbox_app import app
from inbox_app.store.schema import LATEST_VERSION


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    calls: list[tuple[str, str, str]] = []

    async def tell(title: str, text: str, detail: str) -> None:
        calls.append((title, text, detail))

    monkeypatch.setattr(app, "_tell", tell)
    # _main installs the app's exception hook; the next test gets pytest's back.
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    return calls


async def test_broken_config_is_shown_with_file_and_line(
    tmp_path: Path, told: list[tuple[str, str, str]]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[[accounts]]\nname = "X"\nprovider = "twilio"\n', encoding="utf-8")
    code = await app._main(app.GuiOptions(config_path=config), lambda _secrets: None)
    assert code == 2
    ((title, text, detail),) = told
    assert title == "Agent Inbox cannot start"
    assert text.startswith(f"{config}:3: account 'X': unknown provider 'twilio'")
    assert "--demo" in detail


async def test_cache_from_a_newer_app_is_refused_with_a_reason(
    tmp_path: Path, told: list[tuple[str, str, str]]
) -> None:
    import sqlite3

    db = tmp_path / "inbox.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    code = await app._main(app.GuiOptions(config_path=config, db_path=db), lambda _s: None)
    assert code == 2
    ((title, text, _detail),) = told
    assert title == "Agent Inbox cannot open its cache"
    assert "newer" in text or str(LATEST_VERSION + 1) in text
