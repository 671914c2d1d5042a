"""A read-only history account (Zoom Contact Center) in the window: its queues with
their counts in the sidebar, its engagements in the list, every action and the reply box
disabled with the reason."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex

from inbox_app.ui.main_window import MainWindow
from inbox_app.ui.models.roles import Roles
from tests.window.conftest import until

ZOOM = "Zoom demo"


def zoom_queue(window: MainWindow) -> QModelIndex:
    model = window.inboxes
    for a in range(model.rowCount()):
        account = model.index(a, 0)
        if account.data() == ZOOM:
            assert model.rowCount(account) > 0
            return model.index(0, 0, account)
    raise AssertionError("no Zoom account in the sidebar")


async def test_zoom_queue_shows_engagements_read_only(window: MainWindow) -> None:
    queue = zoom_queue(window)
    total = queue.data(Roles.TotalRole)
    assert total > 0 and queue.data(Roles.UnreadRole) == 0
    window.sidebar.setCurrentIndex(queue)
    await until(lambda: window.threads.filter.channel_key == queue.data(Roles.ChannelKeyRole))
    await until(lambda: window.threads.rowCount() > 0)
    assert window.thread_list.currentIndex().row() == 0
    thread = window.selected_thread()
    assert thread is not None and thread.account == ZOOM
    assert " received, " in thread.preview and not thread.unread
    assert window.conversation.model.rowCount() == 0  # no text is kept: none is invented
    note = window.conversation.empty_note
    assert note.isVisible() and thread.preview in note.text()
    for action in window.thread_actions:
        assert not action.isEnabled()
        assert "doesn't let the app" in action.toolTip()
    composer = window.conversation.composer
    assert not composer.send_button.isEnabled()
    assert composer.editor.isReadOnly()
    assert "doesn't let the app send" in composer.blocked.text()
    window.sidebar.setCurrentIndex(window.inboxes.index_of("LiveVox demo"))
    await until(lambda: window.conversation.model.rowCount() > 0)
    assert not note.isVisible()
