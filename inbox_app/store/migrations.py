"""Applying the versioned schema under `PRAGMA user_version`, one transaction per migration,
so a crash mid-upgrade leaves the database at the previous version rather than half-built."""

from __future__ import annotations

import sqlite3

from inbox_app.store.errors import SchemaNotReadyError, SchemaTooNewError
from inbox_app.store.schema import LATEST_VERSION, MIGRATIONS


def schema_version(conn: sqlite3.Connection) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the database to LATEST_VERSION and return it; a no-op when already there.

    Raises SchemaTooNewError for a database from a newer app instead of guessing at it.
    """
    version = _check_not_newer(conn)
    for target in range(version + 1, LATEST_VERSION + 1):
        # executescript commits any open transaction first, so BEGIN/COMMIT live inside the
        # script; user_version is part of the database header and commits with it.
        script = (
            f"BEGIN IMMEDIATE;\n{MIGRATIONS[target - 1]}\nPRAGMA user_version = {target};\nCOMMIT;"
        )
        try:
            conn.executescript(script)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return LATEST_VERSION


def require_current(conn: sqlite3.Connection) -> None:
    """For readers, which never migrate: fail clearly instead of on a missing table."""
    version = _check_not_newer(conn)
    if version < LATEST_VERSION:
        raise SchemaNotReadyError(
            f"database schema is version {version}, this app needs {LATEST_VERSION}; "
            "open it for writing first so it is migrated"
        )


def _check_not_newer(conn: sqlite3.Connection) -> int:
    version = schema_version(conn)
    if version > LATEST_VERSION:
        raise SchemaTooNewError(
            f"database schema is version {version} but this app only knows up to "
            f"{LATEST_VERSION}: it was written by a newer Agent Inbox; upgrade the app "
            "(or move the cache file aside to start afresh)"
        )
    return version
