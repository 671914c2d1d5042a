"""The window scenarios on a generated cache, one per process so each starts cold and its
memory is its own: `python qt_child.py MODE DB`. Prints one JSON line (cold-start modes
print "painted" the moment the first paint is done; the parent times the process).

Modes: empty (an empty QMainWindow, the cold-start floor), app (the main window on the
cache), open-thread, search, scroll. The cold-start modes print "painted" and the
`time.time()` at which that paint finished: the parent times the process from its start
to then, not to whenever the line is read (work queued after the paint, such as the
window opening its first conversation, is not part of "painted")."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(1, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget


class PaintProbe(QObject):
    """Notes when `widget` has finished a paint: the Paint event starts it, and a zero
    timer posted from there fires once that event (the whole paint) is done."""

    def __init__(self, widget: QWidget, ready: Callable[[], bool] = lambda: True) -> None:
        super().__init__(widget)
        self.ready = ready
        self.done_at: float | None = None
        self.done_wall = 0.0
        """`time.time()` at `done_at`: a clock the parent process shares."""
        self.paints = 0
        widget.installEventFilter(self)

    def arm(self) -> None:
        self.done_at = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.ready():
            QTimer.singleShot(0, self._done)
        return False

    def _done(self) -> None:
        self.paints += 1
        if self.done_at is None:
            self.done_at = time.perf_counter()
            self.done_wall = time.time()


def _isolated_settings() -> None:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat,
        QSettings.Scope.UserScope,
        tempfile.mkdtemp(prefix="inbox-perf-settings-"),
    )


async def _until(probe: PaintProbe, within: float = 30.0) -> float:
    deadline = time.perf_counter() + within
    while probe.done_at is None:
        if time.perf_counter() > deadline:
            raise TimeoutError("no paint")
        await asyncio.sleep(0)
    return probe.done_at


def _window(db: Path):  # type: ignore[no-untyped-def]
    from inbox_app.core.models import ProviderKind
    from inbox_app.demo import simulator_accounts
    from inbox_app.sync.service import InboxService
    from inbox_app.ui.bridge import SyncBridge
    from inbox_app.ui.main_window import MainWindow

    class Nowhere:
        """Accounts are configured as in real use; nothing is synced before the paint."""

        livevox_url = zoho_url = zoho_accounts_url = "http://127.0.0.1:9"

    # As common.VENDORS, not imported: this child times its own imports.
    LIVEVOX_AND_ZOHO = (ProviderKind.LIVEVOX, ProviderKind.ZOHO)
    fake = {"access_token": "x", "client_id": "x", "client_secret": "x", "refresh_token": "x"}
    accounts = simulator_accounts(Nowhere(), {"livevox": fake, "zoho": fake}, LIVEVOX_AND_ZOHO)
    bridge = SyncBridge()
    service = InboxService(accounts, db, on_change=bridge.on_change, on_status=bridge.on_status)
    window = MainWindow(service, bridge)
    window.resize(1280, 800)
    return service, window


async def app_mode(db: Path) -> dict[str, object]:
    _service, window = _window(db)
    probe = PaintProbe(window.thread_list.viewport(), lambda: window.threads.rowCount() > 0)
    window.show()
    await _until(probe)
    print(f"painted {probe.done_wall!r}", flush=True)
    os._exit(0)


async def open_thread_mode(db: Path) -> dict[str, object]:
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    _service, window = _window(db)
    window.show()
    list_probe = PaintProbe(window.thread_list.viewport(), lambda: window.threads.rowCount() > 0)
    await _until(list_probe)
    model = window.conversation.model
    probe = PaintProbe(window.conversation.transcript.viewport(), lambda: model.rowCount() > 0)
    timings = []
    for attempt in range(8):
        row = (attempt + 1) % 2
        await asyncio.sleep(0.05)
        probe.arm()
        rect = window.thread_list.visualRect(window.threads.index(row, 0))
        start = time.perf_counter()
        QTest.mouseClick(
            window.thread_list.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
            QPoint(rect.center()),
        )
        timings.append((await _until(probe) - start) * 1000)
    key = window.threads.key_at(0)
    return {"ms": timings, "rows_loaded": model.rowCount(), "thread": key}


SEARCHES = (
    "r", "re", "ref", "refu", "refund", "refund l", "refund late",
    "p", "pl", "ple", "please",
    "Mar", "Maria", "Maria Gar", "Garcia",
    "415", "4150001", "(415) 000-12", "+1 415 000 1234",
    "deliv", "delivery damaged", "outage technician", "#1234", "#9",
    "code", "verification code", "hello", "thanks", "stop", "xyzzy",
    "\"quoted", "AND", "NEAR(", "a-b", "* wildcard",
)  # fmt: skip


async def search_mode(db: Path) -> dict[str, object]:
    from inbox_app.store.db import open_reader
    from inbox_app.ui.models.thread_list import ThreadFilter, ThreadListModel

    conn = open_reader(db)
    model = ThreadListModel(conn)
    statuses = ("active", "resolved", "closed")
    timings = []
    for _round in range(2):
        for text in SEARCHES:
            start = time.perf_counter()
            model.set_filter(ThreadFilter(search=text, statuses=statuses))
            model.rowCount()
            timings.append((time.perf_counter() - start) * 1000)
    worst = sorted(zip(timings, SEARCHES * 2, strict=True), reverse=True)[:5]
    return {"ms": timings, "worst": [[round(t, 1), q] for t, q in worst]}


async def scroll_mode(db: Path) -> dict[str, object]:
    from common import rss_mb

    before = rss_mb()
    _service, window = _window(db)
    window.show()
    probe = PaintProbe(window.thread_list.viewport(), lambda: window.threads.rowCount() > 0)
    await _until(probe)
    bar = window.thread_list.verticalScrollBar()
    start = time.perf_counter()
    peak = rss_mb()
    steps = 0
    while True:
        probe.arm()
        bar.setValue(bar.maximum())
        await _until(probe)
        steps += 1
        peak = max(peak, rss_mb())
        if not window.threads.canFetchMore(window.threads.index(0, 0).parent()):
            break
    return {
        "rows": window.threads.rowCount(),
        "steps": steps,
        "seconds": time.perf_counter() - start,
        "rss_before_window_mb": before,
        "rss_mb": rss_mb(),
        "peak_mb": max(peak, rss_mb("VmHWM")),
    }


async def empty_mode(db: Path) -> dict[str, object]:
    window = QMainWindow()
    window.resize(1280, 800)
    probe = PaintProbe(window)
    window.show()
    await _until(probe)
    print(f"painted {probe.done_wall!r}", flush=True)
    os._exit(0)


MODES = {
    "empty": empty_mode,
    "app": app_mode,
    "open-thread": open_thread_mode,
    "search": search_mode,
    "scroll": scroll_mode,
}


def main() -> None:
    mode, db = sys.argv[1], Path(sys.argv[2])
    _isolated_settings()
    app = QApplication(["inbox-perf"])
    app.setQuitOnLastWindowClosed(False)
    if mode == "empty":
        import qasync

        loop = qasync.QEventLoop(app)
    else:
        from inbox_app.ui.qt_loop import new_event_loop

        loop = new_event_loop(app)
    with asyncio.Runner(loop_factory=lambda: loop) as runner:
        answer = runner.run(MODES[mode](db))
    print(json.dumps(answer), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
