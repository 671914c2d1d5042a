"""Start-up failures a user can cause end in a dialog naming the problem, not a crash;
a cache from an older version is upgraded behind a notice."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from inbox_app import app
from inbox_app.store import migrations, schema
from inbox_app.store.schema import LATEST_VERSION
from inbox_app.ui.cache_upgrade import CacheUpgradeNotice
from inbox_app.ui.main_window import MainWindow
from tests.window.conftest import until
from tests.window.preferences_helpers import visible


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


async def test_an_older_cache_is_upgraded_behind_a_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, told: list[tuple[str, str, str]]
) -> None:
    """The upgrade is held until the test has seen the notice, as a large cache holds it
    for seconds; the window opens on the upgraded cache once it is done."""
    db = tmp_path / "inbox.sqlite3"
    with monkeypatch.context() as patch, sqlite3.connect(db, isolation_level=None) as conn:
        patch.setattr(migrations, "MIGRATIONS", schema.MIGRATIONS[:-1])
        patch.setattr(migrations, "LATEST_VERSION", LATEST_VERSION - 1)
        migrations.migrate(conn)
    conn.close()
    release = threading.Event()
    open_service = app.InboxService

    def held_open(*args: Any, **kwargs: Any) -> app.InboxService:
        assert release.wait(timeout=30)
        return open_service(*args, **kwargs)

    monkeypatch.setattr(app, "InboxService", held_open)
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    options = app.GuiOptions(config_path=config, db_path=db, interval=60.0)
    task = asyncio.ensure_future(app._main(options, lambda _s: None))
    await until(lambda: visible(CacheUpgradeNotice))
    assert not visible(MainWindow)
    release.set()
    await until(lambda: visible(MainWindow))
    assert not visible(CacheUpgradeNotice)
    with sqlite3.connect(db) as check:
        assert migrations.schema_version(check) == LATEST_VERSION
    check.close()
    (window,) = visible(MainWindow)
    window.close()
    assert await task == 0
    assert told == []
