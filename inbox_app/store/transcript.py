"""Transcript exports: the rows of `review.transcript_batches` written to a file a batch
at a time, with progress reports that can cancel. A file is written beside its target
and renamed into place only when complete, so a cancelled or failed export never leaves
half a transcript (or clobbers an older one)."""

from __future__ import annotations

import contextlib
import csv
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Protocol

from inbox_app.core.models import Attachment
from inbox_app.core.timeparse import iso_utc
from inbox_app.store import review
from inbox_app.store.review import ReviewFilter, TranscriptRow

Progress = Callable[[int, int], bool]
"""`progress(done, total)` after each batch; returning False cancels the export."""

CSV_COLUMNS = (
    "account",
    "vendor",
    "inbox",
    "thread",
    "customer_number",
    "customer_name",
    "message_id",
    "direction",
    "time",
    "status",
    "body",
    "attachments",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportCancelled(Exception):
    """The progress callback asked to stop; nothing was written."""


class TranscriptSink(Protocol):
    """A transcript file being written: rows in order, then `finish` or `abort`."""

    def write(self, rows: Sequence[TranscriptRow]) -> None: ...
    def finish(self) -> None: ...
    def abort(self) -> None: ...


class PendingFile:
    """A temporary file beside `target`, renamed onto it by `commit`, removed by `discard`."""

    def __init__(self, target: Path) -> None:
        self.target = target
        fd, name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent or Path(".")
        )
        os.close(fd)
        self.path = Path(name)

    def commit(self) -> None:
        os.replace(self.path, self.target)

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def csv_cell(text: str) -> str:
    """Free text as a cell no spreadsheet runs as a formula: vendor text is untrusted,
    and `=HYPERLINK(...)` in a customer's message must stay text (OWASP's quote prefix)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def attachment_label(attachment: Attachment) -> str:
    """Its file name, or its vendor id where the vendor gave no name."""
    return attachment.name or f"(unnamed {attachment.id})"


def csv_record(row: TranscriptRow) -> list[str]:
    return [
        row.account,
        str(row.vendor),
        row.inbox,
        row.thread,
        row.customer_number,
        csv_cell(row.customer_name),
        row.message_id,
        str(row.direction),
        iso_utc(row.at),
        row.status,
        csv_cell(row.body),
        csv_cell("; ".join(attachment_label(a) for a in row.attachments)),
    ]


class CsvTranscript:
    """One row per message under a header of `CSV_COLUMNS`. To a file: UTF-8 with a byte
    order mark (so spreadsheets read it as UTF-8), written via a `PendingFile`. To a
    stream (stdout): plain UTF-8 as it comes."""

    def __init__(self, target: Path | IO[str]) -> None:
        self._pending: PendingFile | None = None
        self._file: IO[str] | None = None
        if isinstance(target, Path):
            self._pending = PendingFile(target)
            self._file = self._pending.path.open("w", encoding="utf-8-sig", newline="")
            out: IO[str] = self._file
        else:
            out = target
        self._writer = csv.writer(out)
        self._writer.writerow(CSV_COLUMNS)

    def write(self, rows: Sequence[TranscriptRow]) -> None:
        self._writer.writerows(csv_record(row) for row in rows)

    def finish(self) -> None:
        if self._file is not None and self._pending is not None:
            self._file.close()
            self._pending.commit()

    def abort(self) -> None:
        if self._file is not None and self._pending is not None:
            self._file.close()
            self._pending.discard()


def write_all(
    batches: Iterable[Sequence[TranscriptRow]],
    sink: TranscriptSink,
    total: int,
    progress: Progress | None = None,
) -> int:
    """Drive `sink` through every batch; returns the number of messages written. Raises
    ExportCancelled when `progress` says stop; any failure aborts the sink first."""
    done = 0
    try:
        for rows in batches:
            sink.write(rows)
            done += len(rows)
            if progress is not None and not progress(done, total):
                raise ExportCancelled
        sink.finish()
    except BaseException:
        sink.abort()
        raise
    return done


def export_csv(
    conn: sqlite3.Connection,
    f: ReviewFilter,
    target: Path | IO[str],
    progress: Progress | None = None,
) -> int:
    """The filter's transcript as CSV; returns the number of messages written."""
    total = review.count_messages(conn, f)
    return write_all(review.transcript_batches(conn, f), CsvTranscript(target), total, progress)
