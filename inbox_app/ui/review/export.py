"""Exports from the review window. The file is written on a worker thread with its own
read-only connection (a PDF page costs tens of milliseconds, far over a frame), while
the window stays live; a set of `PROGRESS_FROM` messages or more gets a cancellable
progress dialog. Qt's PDF writer and QTextDocument are reentrant, so the worker owns
its own and nothing it makes is touched by the UI thread."""

from __future__ import annotations

import asyncio
import threading
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from inbox_app.store import review
from inbox_app.store.db import open_reader
from inbox_app.store.review import ReviewFilter
from inbox_app.store.transcript import CsvTranscript, TranscriptSink, write_all
from inbox_app.ui.review.pdf import PdfTranscript

PROGRESS_FROM = 2000
"""Messages from which an export shows a progress dialog (smaller ones take a blink)."""


class ExportFormat(StrEnum):
    CSV = "csv"
    PDF = "pdf"


def _sink(fmt: ExportFormat, target: Path, title: str) -> TranscriptSink:
    return CsvTranscript(target) if fmt is ExportFormat.CSV else PdfTranscript(target, title)


def _write(
    db_path: Path,
    f: ReviewFilter,
    fmt: ExportFormat,
    target: Path,
    title: str,
    report: ProgressRelay,
) -> int:
    """The whole export, on the worker thread."""
    conn = open_reader(db_path)
    try:
        total = review.count_messages(conn, f)
        report.started(total)
        return write_all(
            review.transcript_batches(conn, f), _sink(fmt, target, title), total, report.progress
        )
    finally:
        conn.close()


class ProgressRelay:
    """Carries the worker's progress to the UI thread and the Cancel button back."""

    def __init__(self, loop: asyncio.AbstractEventLoop, parent: QWidget, label: str) -> None:
        self._loop = loop
        self._parent = parent
        self._label = label
        self._cancel = threading.Event()
        self._closed = False
        self.dialog: QProgressDialog | None = None
        self.shown = 0
        """The highest progress the dialog showed (0 when there was none)."""

    def started(self, total: int) -> None:
        if total >= PROGRESS_FROM:
            self._loop.call_soon_threadsafe(self._open, total)

    def progress(self, done: int, total: int) -> bool:
        self._loop.call_soon_threadsafe(self._show, done)
        return not self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def close(self) -> None:
        self._closed = True
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None

    def _open(self, total: int) -> None:
        if self._cancel.is_set() or self._closed:
            return
        # Not modal: QProgressDialog.setValue runs a nested event loop for a modal dialog,
        # which would re-enter the asyncio loop.
        dialog = QProgressDialog(
            f"{self._label}: {total:,} messages…", "Cancel", 0, total, self._parent
        )
        dialog.setObjectName("exportProgress")
        dialog.setWindowTitle("Exporting")
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.setAutoReset(False)
        dialog.setAutoClose(False)
        dialog.setMinimumDuration(0)
        dialog.canceled.connect(self.cancel)
        dialog.show()
        self.dialog = dialog

    def _show(self, done: int) -> None:
        if self.dialog is not None and not self._cancel.is_set():
            self.dialog.setValue(min(done, self.dialog.maximum()))
            self.shown = self.dialog.value()


class ExportJob:
    """One export: `run` writes the transcript of `f` to `target` and returns the number
    of messages; it raises ExportCancelled (Cancel, or `cancel`) or OSError."""

    def __init__(
        self,
        parent: QWidget,
        db_path: Path,
        f: ReviewFilter,
        fmt: ExportFormat,
        target: Path,
        *,
        title: str,
    ) -> None:
        self.relay = ProgressRelay(asyncio.get_running_loop(), parent, title)
        self._args = (db_path, f, fmt, target, title, self.relay)

    async def run(self) -> int:
        try:
            return await asyncio.to_thread(_write, *self._args)
        finally:
            self.relay.close()

    def cancel(self) -> None:
        self.relay.cancel()
