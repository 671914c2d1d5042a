"""Window tests run as coroutines on a qasync loop (the app's own loop), so the service's
tasks and Qt's events interleave exactly as in the product; the simulator serves the
vendors over real loopback HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import keyring
import pytest
import shiboken6
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError
from PySide6.QtCore import QModelIndex, QSettings
from PySide6.QtWidgets import QApplication

from inbox_app.demo import simulator_accounts
from inbox_app.simulator import RunningServer, SimConfig, Simulator, serve_in_thread
from inbox_app.sync.service import InboxService
from inbox_app.ui.bridge import SyncBridge
from inbox_app.ui.main_window import MainWindow
from inbox_app.ui.qt_loop import new_event_loop


def _qasync_loop() -> asyncio.AbstractEventLoop:
    app = QApplication.instance() or QApplication(["inbox-app-tests"])
    assert isinstance(app, QApplication)
    # As in the app: closing the window must not stop the loop under the shutdown.
    app.setQuitOnLastWindowClosed(False)
    return new_event_loop(app)


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, object]:
    return {"qasync": _qasync_loop}


async def until(predicate: Callable[[], object], within: float = 10.0) -> None:
    """Yield to the loop until `predicate()` holds (qtbot.waitUntil for coroutines)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {predicate}")
        await asyncio.sleep(0.01)


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path) -> Iterator[None]:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings")
    )
    yield


@pytest.fixture
def sim() -> Simulator:
    return Simulator(SimConfig(seed=11, frozen_clock=True))


@pytest.fixture
def running(sim: Simulator) -> Iterator[RunningServer]:
    with serve_in_thread(sim) as server:
        yield server


@pytest.fixture
async def window(
    sim: Simulator, running: RunningServer, tmp_path: Path, qtbot: object
) -> AsyncIterator[MainWindow]:
    bridge = SyncBridge()
    service = InboxService(
        simulator_accounts(running, sim.credentials),
        tmp_path / "inbox.sqlite3",
        on_change=bridge.on_change,
        on_status=bridge.on_status,
    )
    await service.engine.run_once()
    main = MainWindow(service, bridge)
    main.show()
    await until(lambda: main.thread_list.currentIndex().isValid())  # after the first paint
    yield main
    main.close()
    await main.aclose()
    # Destroy the window now, in C++ order, not whenever Python's GC gets to it.
    main.deleteLater()
    await until(lambda: not shiboken6.isValid(main))
    await service.aclose()


async def open_mms_message(window: MainWindow) -> QModelIndex:
    """Select a Zoho thread holding an MMS and return its message's transcript index."""
    row = window.conn.execute(
        "SELECT t.key, m.vendor_id FROM messages m JOIN threads t ON t.id = m.thread_id"
        " WHERE m.account = 'Zoho demo' AND m.attachments != '[]' LIMIT 1"
    ).fetchone()
    assert row is not None, "the simulator seeds MMS on Zoho conversations"
    window.sidebar.setCurrentIndex(window.inboxes.index_of("Zoho demo"))
    window.status_filter.setCurrentText("All")
    thread_row = window.threads.row_of("Zoho demo", row[0])
    while thread_row is None and window.threads.canFetchMore(QModelIndex()):
        window.threads.fetchMore(QModelIndex())
        thread_row = window.threads.row_of("Zoho demo", row[0])
    assert thread_row is not None
    window.thread_list.setCurrentIndex(window.threads.index(thread_row, 0))
    transcript = window.conversation.model
    await until(lambda: transcript.row_of(row[1]) is not None)
    message_row = transcript.row_of(row[1])
    assert message_row is not None
    return transcript.index(message_row, 0)


class MemoryKeyring(KeyringBackend):
    """Stands in for the OS keyring (outside the product) where a test needs one."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
