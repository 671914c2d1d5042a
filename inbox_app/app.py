"""Composition root of the window: QApplication and the qasync loop, the service below,
the main window on top, and an orderly shutdown.

qasync runs asyncio on the Qt main thread. Per its known traps the window is created
inside the running loop, dialogs use open() rather than exec(), unexpected exceptions
(also from asyncSlot and tasks) go to a hook that logs and shows them without killing
the app, and closing the window shuts down explicitly: tasks cancelled, HTTP clients
and the database closed, the demo simulator stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from inbox_app.config import ConfigError, default_config_path, default_db_path, load_config
from inbox_app.core.accounts import AccountConfig
from inbox_app.demo import demo_profile
from inbox_app.logs import configure_logging
from inbox_app.store.errors import StoreError
from inbox_app.sync.service import InboxService
from inbox_app.ui.bridge import SyncBridge
from inbox_app.ui.errors import install_exception_hooks
from inbox_app.ui.icons import app_icon
from inbox_app.ui.main_window import MainWindow
from inbox_app.ui.qt_loop import new_event_loop
from inbox_app.ui.review.window import ReviewWindow

log = logging.getLogger(__name__)

DEMO_INTERVAL = 3.0


@dataclass(frozen=True, slots=True)
class GuiOptions:
    demo: bool = False
    config_path: Path | None = None
    db_path: Path | None = None
    interval: float = 30.0
    verbosity: int = 0
    supervisor: bool = False
    """Open the read-only review window instead of the agent's."""


def run_gui(options: GuiOptions, argv: Sequence[str] = ()) -> int:
    if _no_display():
        print(
            "inbox-app: error: no display to open the window on (DISPLAY and WAYLAND_DISPLAY"
            " are unset); run it in a desktop session or under xvfb-run, or try the"
            " headless demo: inbox-app sync --demo",
            file=sys.stderr,
        )
        return 2
    QCoreApplication.setApplicationName("Agent Inbox")
    QCoreApplication.setOrganizationName("Agent Inbox")
    app = QApplication.instance() or QApplication(["inbox-app", *argv])
    assert isinstance(app, QApplication)
    app.setDesktopFileName("agent-inbox")
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)
    secret_filter = configure_logging(options.verbosity)
    try:
        with asyncio.Runner(loop_factory=lambda: new_event_loop(app)) as runner:
            return runner.run(_main(options, secret_filter.add))
    except KeyboardInterrupt:
        return 130


async def _main(options: GuiOptions, add_secrets: Callable[[Iterable[str]], None]) -> int:
    install_exception_hooks(asyncio.get_running_loop())
    with contextlib.ExitStack() as stack:
        if options.demo:
            demo = stack.enter_context(demo_profile())
            log.info("demo: simulator at %s, cache %s", demo.simulator_url, demo.db_path)
            accounts, db_path = demo.accounts, demo.db_path
            interval = min(options.interval, DEMO_INTERVAL)
        else:
            try:
                config = load_config(options.config_path)
            except ConfigError as exc:
                await _tell("Agent Inbox cannot start", str(exc), _config_hint())
                return 2
            accounts, db_path = list(config.accounts), options.db_path or default_db_path()
            interval = options.interval
        add_secrets([s for a in accounts for s in a.secrets()])
        return await _run_window(accounts, db_path, interval, supervisor=options.supervisor)


async def _run_window(
    accounts: Sequence[AccountConfig], db_path: Path, interval: float, *, supervisor: bool
) -> int:
    bridge = SyncBridge()
    try:
        service = InboxService(
            accounts,
            db_path,
            on_change=bridge.on_change,
            on_status=bridge.on_status,
        )
    except (StoreError, OSError) as exc:
        await _tell("Agent Inbox cannot open its cache", str(exc), f"Cache file: {db_path}")
        return 2
    window = ReviewWindow(db_path, bridge) if supervisor else MainWindow(service, bridge)
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    window.show()
    sync = asyncio.create_task(service.run(interval), name="sync")
    try:
        await closed.wait()
    finally:
        sync.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sync
        await window.aclose()
        await service.aclose()
    return 0


def _no_display() -> bool:
    """Qt aborts the process without a usable platform; say why in one line instead."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _config_hint() -> str:
    return (
        f"Create {default_config_path()} with your [[accounts]] (see README), "
        "or start with `inbox-app --demo` to try the app on the built-in simulator."
    )


async def _tell(title: str, text: str, detail: str) -> None:
    """A modal-free message box awaited through its finished signal (exec() inside a
    running qasync task would break the loop)."""
    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setInformativeText(detail)
    done = asyncio.Event()
    box.finished.connect(lambda _result: done.set())
    box.open()
    await done.wait()

