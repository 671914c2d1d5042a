"""Smoke test of a built bundle: `inbox-app --demo -v` headless must start, sync every
demo account, stay up, and stop cleanly on Ctrl-C without a traceback.

    python3 packaging/smoke_test.py [dist/agent-inbox/inbox-app]

Exit 0 and the figures on success; otherwise exit 1 with one line saying why (the full
log of the run is kept beside the bundle as smoke-test.log).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EXE = ROOT / "dist" / "agent-inbox" / "inbox-app"
# What the app needs from the bundle beyond Python code: the icons and the Qt plugins
# that draw them, and the platform plugins for X11, Wayland and headless runs.
BUNDLED = (
    "resources/icons/agent-inbox.svg",
    "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
    "PySide6/Qt/plugins/imageformats/libqsvg.so",
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqwayland.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",
)
DEMO_ACCOUNTS = re.compile(r"demo: simulator at \S+, accounts (.+), cache ")
SYNCED = re.compile(r"account '(.+)': synced")
STAY_UP_S = 8.0  # more than two demo sync intervals (3 s) after the first sync
STOP_TIMEOUT_S = 30.0
EXIT_ON_CTRL_C = 130


class SmokeFailure(Exception):
    pass


class Run:
    """The app under test, its stderr read line by line in the background so the test
    can poll it with deadlines."""

    def __init__(self, exe: Path, profile: Path) -> None:
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "XDG_CONFIG_HOME": str(profile / "config"),
            "XDG_DATA_HOME": str(profile / "data"),
            "XDG_CACHE_HOME": str(profile / "cache"),
            "TMPDIR": str(profile),
        }
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [str(exe), "--demo", "-v"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._queue.put(line)
        self._queue.put(None)

    def next_line(self, deadline: float) -> str | None:
        """The next line of stderr; None once the output ended or the deadline passed."""
        try:
            line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None
        if line is not None:
            self.lines.append(line)
        return line

    def drain(self) -> None:
        while (line := self.next_line(time.monotonic() + 5)) is not None:
            del line

    @property
    def log(self) -> str:
        return "".join(self.lines)


def check_bundle(exe: Path) -> None:
    if not os.access(exe, os.X_OK):
        raise SmokeFailure(f"no executable at {exe} (build it: python3 packaging/build.py)")
    internal = exe.parent / "_internal"
    missing = [name for name in BUNDLED if not (internal / name).exists()]
    if missing:
        raise SmokeFailure(f"the bundle lacks {', '.join(missing)}")


def wait_for_first_sync(run: Run, timeout: float) -> float:
    """Seconds from start until every demo account has completed a sync pass."""
    deadline = run.started + timeout
    accounts: set[str] | None = None
    synced: set[str] = set()
    while accounts is None or not accounts <= synced:
        line = run.next_line(deadline)
        if line is None:
            if time.monotonic() < deadline:  # the output ended: the app is exiting
                with contextlib.suppress(subprocess.TimeoutExpired):
                    run.process.wait(timeout=STOP_TIMEOUT_S)
                code, why = run.process.returncode, error_line(run.lines)
                raise SmokeFailure(f"the app ended with {code} before syncing: {why}")
            pending = describe(accounts, synced)
            raise SmokeFailure(f"no completed sync of {pending} in {timeout:g} s")
        if match := DEMO_ACCOUNTS.search(line):
            accounts = set(re.findall(r"'([^']+)'", match.group(1)))
        elif match := SYNCED.search(line):
            synced.add(match.group(1))
    return time.monotonic() - run.started


def describe(accounts: Iterable[str] | None, synced: set[str]) -> str:
    if accounts is None:
        return "the demo (it never logged its accounts)"
    return ", ".join(sorted(set(accounts) - synced))


def stay_up(run: Run, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while (now := time.monotonic()) < deadline:
        run.next_line(min(deadline, now + 0.5))
        if run.process.poll() is not None:
            raise SmokeFailure(f"the app exited with {run.process.returncode} after syncing")


def stop(run: Run) -> None:
    run.process.send_signal(signal.SIGINT)
    try:
        code = run.process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        run.process.kill()
        run.process.wait()
        raise SmokeFailure(f"the app did not stop within {STOP_TIMEOUT_S:g} s of Ctrl-C") from None
    run.drain()
    if code != EXIT_ON_CTRL_C:
        raise SmokeFailure(f"the app exited with {code} on Ctrl-C, not {EXIT_ON_CTRL_C}")
    if "Traceback" in run.log or "Fatal" in run.log:
        raise SmokeFailure("an error in the log: " + error_line(run.lines))


def error_line(lines: list[str]) -> str:
    """The exception line of the last traceback, else the last line."""
    starts = [i for i, line in enumerate(lines) if "Traceback" in line or "Fatal" in line]
    if not starts:
        return lines[-1].strip() if lines else "(no output)"
    after = lines[starts[-1] + 1 :]
    unindented = [line.strip() for line in after if line.strip() and not line[0].isspace()]
    return unindented[0] if unindented else lines[starts[-1]].strip()


def smoke_test(exe: Path, timeout: float) -> float:
    """Seconds to the first complete sync; raises SmokeFailure with the reason."""
    check_bundle(exe)
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        # Started as a background job of a script: the app would inherit Ctrl-C ignored.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    log_path = exe.parent.parent / "smoke-test.log"
    with tempfile.TemporaryDirectory(prefix="agent-inbox-smoke-") as profile:
        run = Run(exe, Path(profile))
        try:
            first_sync = wait_for_first_sync(run, timeout)
            stay_up(run, STAY_UP_S)
            stop(run)
        except SmokeFailure as failure:
            if run.process.poll() is None:
                run.process.kill()
                run.process.wait()
            raise SmokeFailure(f"{failure} (log: {log_path})") from None
        finally:
            log_path.write_text(run.log)
    return first_sync


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exe", nargs="?", type=Path, default=DEFAULT_EXE)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to first sync")
    args = parser.parse_args(argv)
    try:
        first_sync = smoke_test(args.exe.resolve(), args.timeout)
    except SmokeFailure as failure:
        print(f"smoke test failed: {failure}", file=sys.stderr)
        return 1
    print(
        f"smoke test passed: first sync of every demo account {first_sync:.1f} s after start,"
        f" up {STAY_UP_S:g} s more, clean exit on Ctrl-C"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
