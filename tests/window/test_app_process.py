"""The real entry point: `inbox-app --demo` starts, syncs, and shuts down cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


def test_demo_window_starts_syncs_and_stops_cleanly(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "inbox_app", "--demo", "-v"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stderr is not None
    seen: list[str] = []
    try:
        for line in process.stderr:
            seen.append(line)
            if "logged in to LiveVox" in line:
                break
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
    rest = process.stderr.read()
    log = "".join(seen) + rest
    assert any("logged in to LiveVox" in line for line in seen), log[-3000:]
    assert code == 130, log[-3000:]
    assert "Traceback" not in log and "Fatal" not in log, log[-3000:]
    log_file = tmp_path / "state" / "agent-inbox" / "log" / "agent-inbox.log"
    assert "logged in to LiveVox" in log_file.read_text(encoding="utf-8")


def test_without_a_display_the_error_is_one_line(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    result = subprocess.run(
        [sys.executable, "-m", "inbox_app", "--demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("inbox-app: error: no display")
    assert "sync --demo" in result.stderr and "Traceback" not in result.stderr
