"""A cold full sync with the window open, on the app's own qasync loop: a 5 ms precise
timer records how late the loop serves it while the sync runs. Prints one JSON line."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

from common import VENDORS, SimProcess, percentile
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication

from inbox_app.demo import simulator_accounts
from inbox_app.sync.service import InboxService
from inbox_app.ui.bridge import SyncBridge
from inbox_app.ui.main_window import MainWindow
from inbox_app.ui.qt_loop import new_event_loop

TICK_MS = 5


async def main(sim: SimProcess, db_path: Path) -> dict[str, object]:
    bridge = SyncBridge()
    service = InboxService(
        simulator_accounts(sim, sim.credentials, VENDORS),
        db_path,
        on_change=bridge.on_change,
        on_status=bridge.on_status,
    )
    window = MainWindow(service, bridge)
    window.resize(1280, 800)
    window.show()
    lateness: list[float] = []
    last = time.perf_counter()

    def tick() -> None:
        nonlocal last
        now = time.perf_counter()
        lateness.append(max(0.0, (now - last) * 1000 - TICK_MS))
        last = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    # As the app does once the window is up, before its sync starts.
    await service.start_engine()
    await asyncio.sleep(0.2)
    start = time.perf_counter()
    last = start
    timer.start()
    await service.engine.run_once()
    # The change sets the pass emitted are handled in the window after it returns.
    await asyncio.sleep(0.1)
    timer.stop()
    seconds = time.perf_counter() - start
    window.close()
    await window.aclose()
    await service.aclose()
    return {
        "seconds": seconds,
        "lateness_ms": {
            "p50": percentile(lateness, 0.5),
            "p99": percentile(lateness, 0.99),
            "max": max(lateness),
            "samples": len(lateness),
        },
    }


if __name__ == "__main__":
    args = json.loads(sys.argv[1])
    settings = tempfile.mkdtemp(prefix="inbox-perf-settings-")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings)
    app = QApplication(["inbox-perf"])
    app.setQuitOnLastWindowClosed(False)
    sim = SimProcess(args["port"], args["credentials"])
    with asyncio.Runner(loop_factory=lambda: new_event_loop(app)) as runner:
        answer = runner.run(main(sim, Path(args["db"])))
    print(json.dumps(answer), flush=True)
