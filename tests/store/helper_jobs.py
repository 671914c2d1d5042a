"""Writer jobs for the helper tests. They live in a module of their own because the
helper process imports them by name to run them; the tests' own module would drag
pytest in."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


class NeedsTwo(Exception):
    """Pickles, but cannot be rebuilt from its pickle (the constructor wants two)."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} {second}")


def make_table(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS notes (text TEXT NOT NULL, pid INTEGER)")


def pid(conn: sqlite3.Connection) -> int:
    return os.getpid()


def note(conn: sqlite3.Connection, text: str) -> int:
    conn.execute("INSERT INTO notes VALUES (?, ?)", (text, os.getpid()))
    return os.getpid()


def note_then_fail(conn: sqlite3.Connection, text: str) -> None:
    note(conn, text)
    raise ValueError(f"refused {text}")


def fail_oddly(conn: sqlite3.Connection) -> None:
    raise NeedsTwo("odd", "error")


def note_unless_helper(conn: sqlite3.Connection, text: str, parent: int) -> int:
    """Dies half-way through (its note written, not committed) when run by the helper."""
    note(conn, text)
    if os.getpid() != parent:
        os._exit(3)
    return os.getpid()


def notes_after_fifo(conn: sqlite3.Connection, count: int, fifo: str) -> int:
    """Writes half the notes, says so in a file beside `fifo`, waits for the fifo to be
    written, then writes the rest."""
    conn.executemany("INSERT INTO notes VALUES (?, ?)", [("early", os.getpid())] * (count // 2))
    Path(fifo + ".started").touch()
    Path(fifo).read_text()
    conn.executemany("INSERT INTO notes VALUES (?, ?)", [("late", os.getpid())] * (count // 2))
    return os.getpid()


def wait_for_fifo(conn: sqlite3.Connection, fifo: str) -> int:
    """Blocks until `fifo` is written (a helper stuck in a job)."""
    Path(fifo).read_text()
    return os.getpid()
