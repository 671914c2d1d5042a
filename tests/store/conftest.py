"""Fixtures for the store tests: a fresh database per test, its writer and a reader."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from store_helpers import ACCOUNT

from inbox_app.core.models import ProviderKind
from inbox_app.store import writes
from inbox_app.store.db import open_reader
from inbox_app.store.writer import Writer


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "cache.sqlite3"


@pytest.fixture
def writer(db_path: Path) -> Iterator[Writer]:
    w = Writer(db_path)
    w.run_blocking(lambda c: writes.ensure_account(c, ACCOUNT, ProviderKind.LIVEVOX))
    yield w
    w.close()


@pytest.fixture
def reader(writer: Writer, db_path: Path) -> Iterator[sqlite3.Connection]:
    conn = open_reader(db_path)
    yield conn
    conn.close()


@pytest.fixture
def write(writer: Writer) -> Callable[..., Any]:
    """`write(fn, *args)` runs `fn(conn, *args)` through the writer and returns its result."""

    def run(fn: Callable[..., Any], *args: Any) -> Any:
        return writer.run_blocking(lambda conn: fn(conn, *args))

    return run
