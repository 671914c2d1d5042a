"""Opening connections the one way the app needs them: WAL so readers never wait for the
writer, foreign keys on, a busy timeout instead of instant `database is locked`, and a
private file (0600 in a 0700 directory) because the cache holds customer conversations."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from inbox_app.store.errors import StoreError
from inbox_app.store.migrations import require_current, schema_version
from inbox_app.store.schema import LATEST_VERSION

BUSY_TIMEOUT_MS = 5000
MIN_SQLITE = (3, 37, 0)
"""STRICT tables (3.37), RETURNING (3.35) and MATERIALIZED CTEs (3.35) are used throughout."""
_CACHE_KIB = 32 * 1024

T = TypeVar("T")


def connect(path: str | os.PathLike[str], *, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (`isolation_level=None`): transactions are explicit,
    opened by the writer with BEGIN IMMEDIATE, so Python never starts one behind our back.

    The write connection creates the file and its directory with private permissions; a
    read-only one requires the file to exist. Read-only connections may be used from another
    thread than the one that opened them (the caller keeps them to one thread at a time).
    """
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        raise StoreError(
            f"SQLite {sqlite3.sqlite_version} is too old: the cache needs "
            f"{'.'.join(map(str, MIN_SQLITE))} or newer (a newer Python build bundles one)"
        )
    db_path = Path(path)
    if readonly:
        if not db_path.exists():
            raise FileNotFoundError(f"no database at {db_path}")
        conn = sqlite3.connect(
            db_path.resolve().as_uri() + "?mode=ro",
            uri=True,
            isolation_level=None,
            check_same_thread=False,
        )
    else:
        _create_private(db_path)
        conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
        conn.execute("PRAGMA temp_store = MEMORY")
        if readonly:
            conn.execute("PRAGMA query_only = ON")
        else:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                raise sqlite3.OperationalError(f"cannot switch {db_path} to WAL (got {mode})")
            conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        conn.close()
        raise
    return conn


def run_transaction(
    conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T], *, durable: bool = False
) -> T:
    """`fn(conn)` in one write transaction, rolled back if it raises. `durable` commits
    with synchronous=FULL (the outbox: a user's action must survive a power cut)."""
    if durable:
        conn.execute("PRAGMA synchronous = FULL")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        if durable:
            conn.execute("PRAGMA synchronous = NORMAL")
    return result


def open_reader(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """A read-only connection to a database the writer has already migrated."""
    conn = connect(path, readonly=True)
    try:
        require_current(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def needs_upgrade(path: str | os.PathLike[str]) -> bool:
    """Whether opening the cache for writing will migrate an existing, older schema (a
    new cache is created in no time). Errors are left for that opening to report."""
    if not Path(path).exists():
        return False
    try:
        conn = connect(path, readonly=True)
    except (sqlite3.Error, StoreError, OSError):
        return False
    try:
        return 0 < schema_version(conn) < LATEST_VERSION
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def _create_private(path: Path) -> None:
    """Create the directory (0700) and an empty file (0600) before SQLite does, so the umask
    never decides who can read the cache; SQLite gives -wal and -shm the file's mode."""
    directory = path.parent
    if not directory.exists():
        directory.mkdir(parents=True)
        directory.chmod(0o700)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    else:
        os.close(fd)
        path.chmod(0o600)
