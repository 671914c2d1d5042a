"""The asyncio loop on the Qt main thread, as the app and its tests create it."""

from __future__ import annotations

import sys

import qasync
import shiboken6
from PySide6.QtWidgets import QApplication


class QtEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's loop, closed for good: qasync's close() only flags its timer object as
    stopped, so Qt keeps delivering the timers still registered on it (call_later
    handles) to an object that is already garbage; when Python's GC frees it during one
    of those deliveries, Qt crashes. Deleting it here unregisters every timer at once.
    The app runs one loop for its life; tests run one per test and hit this."""

    def close(self) -> None:
        timer = self._timer
        super().close()
        if shiboken6.isValid(timer):
            shiboken6.delete(timer)


GIL_SWITCH_INTERVAL_S = 0.001
"""Python's default is 5 ms: each time the loop thread gives up the GIL (every socket
call, every Qt event), a parsing or writing thread may keep it that long, and a few of
those in one callback make the window visibly late. Worker threads yield it sooner."""


def new_event_loop(app: QApplication) -> QtEventLoop:
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    return QtEventLoop(app)
