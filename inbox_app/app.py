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
import dataclasses
import logging
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from inbox_app.config import (
    ConfigError,
    Settings,
    default_config_path,
    default_db_path,
    load_config,
)
from inbox_app.core.accounts import AccountConfig
from inbox_app.demo import demo_profile
from inbox_app.logs import configure_logging, default_log_dir
from inbox_app.providers.errors import ProviderError
from inbox_app.secret_store import SessionSecrets
from inbox_app.store.db import needs_upgrade
from inbox_app.store.errors import StoreError
from inbox_app.sync.runner import SyncRunner
from inbox_app.sync.service import InboxService
from inbox_app.ui.bridge import SyncBridge
from inbox_app.ui.cache_upgrade import CacheUpgradeNotice
from inbox_app.ui.errors import install_exception_hooks
from inbox_app.ui.icons import app_icon
from inbox_app.ui.main_window import MainWindow, describe_status
from inbox_app.ui.preferences.help_menu import HelpMenu
from inbox_app.ui.preferences.live import LiveSettings
from inbox_app.ui.preferences.secret_prompt import ask_for_secrets
from inbox_app.ui.preferences.welcome import DEMO, WelcomeWindow
from inbox_app.ui.qt_loop import new_event_loop
from inbox_app.ui.review.window import ReviewWindow

log = logging.getLogger(__name__)

DEMO_INTERVAL = 3.0


@dataclass(frozen=True, slots=True)
class GuiOptions:
    demo: bool = False
    config_path: Path | None = None
    db_path: Path | None = None
    interval: float | None = None
    """Seconds between syncs; None: the config's [settings] sync_interval."""
    verbosity: int = 0
    supervisor: bool = False
    """Open the read-only review window instead of the agent's."""


@dataclass(frozen=True, slots=True)
class _Profile:
    """What the window runs on; `config_path` is None for the demo (no settings)."""

    accounts: list[AccountConfig]
    db_path: Path
    settings: Settings
    config_path: Path | None = None
    memory: SessionSecrets | None = None


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
    secret_filter = configure_logging(options.verbosity, log_dir=default_log_dir())
    try:
        with asyncio.Runner(loop_factory=lambda: new_event_loop(app)) as runner:
            return runner.run(_main(options, secret_filter.add))
    except KeyboardInterrupt:
        return 130


async def _main(options: GuiOptions, add_secrets: Callable[[Iterable[str]], None]) -> int:
    install_exception_hooks(asyncio.get_running_loop())
    with contextlib.ExitStack() as stack:
        config_path = options.config_path or default_config_path()
        memory = SessionSecrets()
        demo_chosen = False
        if not options.demo and not config_path.exists():
            choice = await WelcomeWindow(config_path, memory).choose()
            if choice is None:
                return 0
            demo_chosen = choice == DEMO
        if options.demo or demo_chosen:
            demo = stack.enter_context(demo_profile())
            log.info(
                "demo: simulator at %s, accounts %s, cache %s",
                demo.simulator_url,
                ", ".join(repr(a.name) for a in demo.accounts),
                demo.db_path,
            )
            interval = min(options.interval or DEMO_INTERVAL, DEMO_INTERVAL)
            profile = _Profile(demo.accounts, demo.db_path, Settings(sync_interval=interval))
        else:
            try:
                config = load_config(config_path, secret_lookup=memory.lookup, ask_missing=True)
            except ConfigError as exc:
                await _tell("Agent Inbox cannot start", str(exc), _config_hint())
                return 2
            asked = await ask_for_secrets(config.pending, config_path, memory)
            settings = config.settings
            if options.interval is not None:
                settings = dataclasses.replace(settings, sync_interval=options.interval)
            db_path = options.db_path or default_db_path()
            accounts = [*config.accounts, *asked]
            profile = _Profile(accounts, db_path, settings, config_path, memory)
        add_secrets([s for a in profile.accounts for s in a.secrets()])
        return await _run_window(profile, add_secrets, options.supervisor)


async def _open_service(profile: _Profile, bridge: SyncBridge) -> InboxService:
    """The service over the cache. Opening it migrates the cache; after an upgrade of the
    app that runs off the loop, with a notice up, since it can take seconds."""

    def open_service() -> InboxService:
        return InboxService(
            profile.accounts,
            profile.db_path,
            on_change=bridge.on_change,
            on_status=bridge.on_status,
        )

    if not needs_upgrade(profile.db_path):
        return open_service()
    notice = CacheUpgradeNotice()
    notice.show()
    try:
        return await asyncio.to_thread(open_service)
    finally:
        notice.close()
        notice.deleteLater()


async def _run_window(
    profile: _Profile, add_secrets: Callable[[Iterable[str]], None], options_supervisor: bool
) -> int:
    """The agent window, or with `--supervisor` or the supervisor setting the read-only
    review window; both over the same syncing service."""
    bridge = SyncBridge()
    try:
        service = await _open_service(profile, bridge)
    except (StoreError, OSError) as exc:
        await _tell("Agent Inbox cannot open its cache", str(exc), f"Cache file: {profile.db_path}")
        return 2
    supervisor = options_supervisor or profile.settings.supervisor
    window: MainWindow | ReviewWindow = (
        ReviewWindow(profile.db_path, bridge) if supervisor else MainWindow(service, bridge)
    )
    runner = SyncRunner(service, profile.settings.sync_interval)
    live = None
    if profile.config_path is not None and profile.memory is not None:
        live = LiveSettings(
            window,
            runner,
            config_path=profile.config_path,
            memory=profile.memory,
            settings=profile.settings,
            accounts=profile.accounts,
            add_secrets=add_secrets,
        )
    menus = HelpMenu(
        window,
        config_path=profile.config_path,
        db_path=profile.db_path,
        log_dir=default_log_dir(),
        accounts=lambda: live.accounts if live is not None else profile.accounts,
        statuses=window.account_statuses,
        describe=describe_status,
    )
    if live is not None:
        menus.act_settings.triggered.connect(live.open_dialog)
    window.toolbar.addSeparator()
    window.toolbar.addAction(menus.act_settings)
    closed = asyncio.Event()
    window.closed.connect(closed.set)
    window.show()
    try:
        # The sync engine (and the network stack it imports) is built once the loop has
        # had a turn to paint the window, so the cache is on screen first; an account
        # that cannot be set up (a malformed key, say) still stops the start.
        await asyncio.sleep(0)
        await service.start_engine()
    except ProviderError as exc:
        window.hide()
        await window.aclose()
        await service.aclose()
        await _tell("Agent Inbox cannot start", str(exc), f"Config file: {profile.config_path}")
        return 2
    runner.start()
    try:
        await closed.wait()
    finally:
        if live is not None:
            await live.aclose()
        await runner.stop()
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
