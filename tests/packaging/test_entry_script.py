"""The bundle's entry script is also the store's helper process: a frozen app starts
itself with `--store-helper` (there is no `python -c` in a bundle)."""

from __future__ import annotations

import asyncio
import functools
import os
import sys
from pathlib import Path

import pytest

from inbox_app.core.models import ProviderKind
from inbox_app.store import writes
from inbox_app.store.writer import Writer

LAUNCH = Path(__file__).resolve().parents[2] / "packaging" / "launch.py"


def test_a_frozen_app_starts_itself_as_the_store_helper(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = tmp_path / "inbox-app"
    app.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{LAUNCH}" "$@"\n')
    app.chmod(0o755)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(app))
    writer = Writer(tmp_path / "cache.sqlite3")
    try:
        writer.start_helper(wait=True).result()
        pid = writer.helper_pid
        assert pid is not None
        assert b"--store-helper" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        writer.run_blocking(lambda c: writes.ensure_account(c, "A", ProviderKind.LIVEVOX))
        job = functools.partial(writes.record_sync_ok, account="A", scope="x")
        asyncio.run(writer.run_portable(job))
        assert writer.helper_jobs == 1
    finally:
        writer.close()
    assert not os.path.exists(f"/proc/{pid}")  # closed and reaped
