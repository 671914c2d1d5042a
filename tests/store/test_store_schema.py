"""Migrations, version checks, connection settings and file permissions."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest
from store_helpers import migrate_to

from inbox_app.store import migrations, schema
from inbox_app.store.db import connect, needs_upgrade, open_reader
from inbox_app.store.errors import SchemaNotReadyError, SchemaTooNewError, StoreError
from inbox_app.store.writer import Writer

TABLES = {
    "accounts",
    "channels",
    "threads",
    "messages",
    "agents",
    "templates",
    "sender_ids",
    "term_codes",
    "sync_state",
    "outbox",
    "drafts",
    "messages_fts",
    "contacts_fts",
}


def _schema_sql(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()


def test_migrate_from_empty_creates_everything(tmp_path: Path) -> None:
    conn = connect(tmp_path / "db.sqlite3")
    assert migrations.schema_version(conn) == 0
    assert migrations.migrate(conn) == schema.LATEST_VERSION
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert names >= TABLES
    assert migrations.schema_version(conn) == schema.LATEST_VERSION
    assert not conn.in_transaction


def test_migrate_again_is_a_no_op(tmp_path: Path) -> None:
    conn = connect(tmp_path / "db.sqlite3")
    migrations.migrate(conn)
    before = _schema_sql(conn)
    migrations.migrate(conn)
    assert _schema_sql(conn) == before
    assert migrations.schema_version(conn) == schema.LATEST_VERSION


def test_newer_database_is_refused_clearly(db_path: Path) -> None:
    Writer(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {schema.LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNewError, match="newer Agent Inbox"):
        Writer(db_path)
    with pytest.raises(SchemaTooNewError):
        open_reader(db_path)


def test_reader_refuses_unmigrated_database(tmp_path: Path) -> None:
    connect(tmp_path / "db.sqlite3").close()
    with pytest.raises(SchemaNotReadyError):
        open_reader(tmp_path / "db.sqlite3")
    with pytest.raises(FileNotFoundError):
        open_reader(tmp_path / "missing.sqlite3")


def test_failed_migration_leaves_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = connect(tmp_path / "db.sqlite3")
    migrations.migrate(conn)
    broken = "CREATE TABLE half_done (a INTEGER) STRICT; SELECT no_such_function();"
    monkeypatch.setattr(migrations, "MIGRATIONS", (*schema.MIGRATIONS, broken))
    monkeypatch.setattr(migrations, "LATEST_VERSION", schema.LATEST_VERSION + 1)
    with pytest.raises(sqlite3.OperationalError, match="no_such_function"):
        migrations.migrate(conn)
    assert migrations.schema_version(conn) == schema.LATEST_VERSION
    assert (
        conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone()[0]
        == 0
    )


def test_needs_upgrade_only_for_an_older_cache(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    assert not needs_upgrade(db)
    conn = connect(db)
    assert not needs_upgrade(db)  # empty: created in no time
    migrate_to(conn, schema.LATEST_VERSION - 1)
    assert needs_upgrade(db)
    migrations.migrate(conn)
    assert not needs_upgrade(db)
    conn.close()
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"not a database at all" * 100)
    assert not needs_upgrade(garbage)


def test_private_file_and_directory(db_path: Path) -> None:
    writer = Writer(db_path)
    try:
        assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
        wal = db_path.with_name(db_path.name + "-wal")
        assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    finally:
        writer.close()


def test_existing_loose_file_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    path.touch(mode=0o644)
    path.chmod(0o644)
    connect(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_old_sqlite_is_refused_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 31, 1))
    with pytest.raises(StoreError, match="too old"):
        connect(tmp_path / "db.sqlite3")


def test_connection_settings(writer: Writer, reader: sqlite3.Connection) -> None:
    def pragmas(conn: sqlite3.Connection) -> tuple[object, ...]:
        return tuple(
            conn.execute(f"PRAGMA {p}").fetchone()[0]
            for p in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        )

    assert writer.run_blocking(pragmas) == ("wal", 1, 5000, 1)
    assert pragmas(reader)[:3] == ("wal", 1, 5000)
    with pytest.raises(sqlite3.OperationalError):
        reader.execute("DELETE FROM accounts")
