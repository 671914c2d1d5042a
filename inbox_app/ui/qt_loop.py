"""The asyncio loop on the Qt main thread, as the app and its tests create it."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from functools import partial
from typing import Any

import qasync
import shiboken6
from PySide6.QtCore import QObject, Qt, QTimerEvent
from PySide6.QtWidgets import QApplication


class _DelayedCalls(QObject):
    """Callbacks due later, each on a Qt timer of this object, forgotten the moment they
    are cancelled. qasync keeps a cancelled callback, and its Qt timer, until it falls
    due: every HTTP request schedules read timeouts of 20 s or more and cancels them when
    the answer comes, so a cold sync left some 30,000 of them alive, and the
    interpreter's full garbage collections walked all of them on the window's loop."""

    def __init__(self) -> None:
        super().__init__()
        self._due: dict[int, _CancellableHandle] = {}

    def add(self, handle: _CancellableHandle, delay: float) -> None:
        timer_id = self.startTimer(max(0, round(delay * 1000)), Qt.TimerType.PreciseTimer)
        self._due[timer_id] = handle
        handle.forget = partial(self.forget, timer_id)

    def forget(self, timer_id: int) -> None:
        if self._due.pop(timer_id, None) is not None:
            self.killTimer(timer_id)

    def pending(self) -> int:
        return len(self._due)

    def timerEvent(self, event: QTimerEvent) -> None:
        timer_id = event.timerId()
        self.killTimer(timer_id)
        handle = self._due.pop(timer_id, None)
        if handle is not None and not handle.cancelled():
            handle._run()


class _CancellableHandle(asyncio.TimerHandle):
    forget: Callable[[], None] | None = None

    def cancel(self) -> None:
        if self.forget is not None:
            self.forget()
            self.forget = None
        super().cancel()


class QtEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's loop, with two repairs.

    Delayed callbacks (`call_later`, `call_at`, so every timeout) run on
    `_DelayedCalls`, which lets go of a cancelled one at once.

    Closed for good: qasync's close() only flags its timer object as stopped, so Qt
    keeps delivering the timers still registered on it (call_later handles) to an object
    that is already garbage; when Python's GC frees it during one of those deliveries,
    Qt crashes. Deleting it here unregisters every timer at once. The app runs one loop
    for its life; tests run one per test and hit this."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.delayed_calls = _DelayedCalls()

    def call_later(
        self, delay: float, callback: Callable[..., object], *args: object, context: Any = None
    ) -> asyncio.Handle:
        if delay <= 0:
            soon: asyncio.Handle = super().call_later(delay, callback, *args, context=context)
            return soon
        self._check_closed()
        handle = _CancellableHandle(self.time() + delay, callback, args, self, context)
        self.delayed_calls.add(handle, delay)
        return handle

    def close(self) -> None:
        timer = self._timer
        super().close()
        for qt_object in (timer, self.delayed_calls):
            if shiboken6.isValid(qt_object):
                shiboken6.delete(qt_object)


GIL_SWITCH_INTERVAL_S = 0.001
"""Python's default is 5 ms: each time the loop thread gives up the GIL (every socket
call, every Qt event), a parsing or writing thread may keep it that long, and a few of
those in one callback make the window visibly late. Worker threads yield it sooner."""


def new_event_loop(app: QApplication) -> QtEventLoop:
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    return QtEventLoop(app)
