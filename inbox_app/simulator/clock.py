"""The one clock the simulated vendors read, so tests move time instead of sleeping."""

from __future__ import annotations

import threading
import time


class Clock:
    """Epoch seconds that start at `start` and then follow wall time (unless frozen).

    `advance()` jumps forward: sessions and tokens expire, queued messages are
    delivered and scheduled SMS fall due exactly as if that much time had passed.
    The clock never goes backwards.
    """

    def __init__(self, start: float, *, frozen: bool = False) -> None:
        self._start = start
        self._frozen = frozen
        self._offset = 0.0
        self._origin = time.monotonic()
        self._lock = threading.Lock()

    @property
    def start(self) -> float:
        """The world's "now" when it was generated."""
        return self._start

    def now(self) -> float:
        with self._lock:
            running = 0.0 if self._frozen else time.monotonic() - self._origin
            return self._start + self._offset + running

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
