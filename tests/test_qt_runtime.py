"""Guards against a Qt binding that breaks the app's concurrency model: the writer
thread wakes the qasync loop with call_soon_threadsafe, a queued cross-thread signal."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import os, threading
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

app = QCoreApplication([])
class Sender(QObject):
    signal = Signal(object, tuple)
sender = Sender()
received = []
sender.signal.connect(lambda callback, args: received.append(callback(*args)))
def emit_from_thread():
    for _ in range(2000):
        sender.signal.emit(len, ((),))
worker = threading.Thread(target=emit_from_thread)
worker.start()
worker.join()
QTimer.singleShot(0, app.quit)
app.exec()
assert len(received) == 2000, len(received)
"""


def test_cross_thread_signals_survive_interpreter_exit() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
