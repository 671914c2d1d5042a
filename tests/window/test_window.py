"""The agent window against the simulator: what an agent sees and what lands in the
store and at the vendor."""

from __future__ import annotations

from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QModelIndex

from inbox_app.simulator import Simulator
from inbox_app.store import queries
from inbox_app.sync.changes import ChangeSet
from inbox_app.ui import thread_actions
from inbox_app.ui.bridge import SyncBridge
from inbox_app.ui.dialogs import ChoiceDialog
from inbox_app.ui.main_window import MainWindow
from inbox_app.ui.models.roles import Roles
from tests.window.conftest import open_mms_message, until


def sidebar_rows(window: MainWindow) -> list[tuple[str, int, int]]:
    model = window.inboxes
    rows = []
    for a in range(model.rowCount()):
        account = model.index(a, 0)
        rows.append((account.data(), account.data(Roles.UnreadRole), account.data(Roles.TotalRole)))
        for c in range(model.rowCount(account)):
            channel = model.index(c, 0, account)
            rows.append(
                (channel.data(), channel.data(Roles.UnreadRole), channel.data(Roles.TotalRole))
            )
    return rows


async def test_opens_populated_with_the_first_thread_shown(
    window: MainWindow, sim: Simulator
) -> None:
    rows = sidebar_rows(window)
    names = [r[0] for r in rows]
    assert "LiveVox demo" in names and "Zoho demo" in names
    assert "Personal SMS" in names
    assert window.threads.rowCount() > 0
    assert window.thread_list.currentIndex().row() == 0
    await until(lambda: window.conversation.model.rowCount() > 0)
    thread = window.selected_thread()
    assert thread is not None
    stored = queries.list_messages(window.conn, thread.account, thread.key)
    assert window.conversation.model.rowCount() == len(stored)
    assert window.conversation.header.name.text() in (
        thread.customer_name,
        window.conversation.header.name.text(),
    )
    unread = queries.count_threads(window.conn, unread_only=True)
    assert window.windowTitle() == f"Agent Inbox ({unread} unread)"


async def test_the_first_conversation_opens_only_once_the_list_has_painted(
    window: MainWindow,
) -> None:
    """Its transcript would hold back the window's first appearance."""
    again = MainWindow(window.service, SyncBridge())
    try:
        assert again.threads.rowCount() > 0
        assert not again.thread_list.currentIndex().isValid()
        assert again.conversation.model.rowCount() == 0
        again.show()
        await until(lambda: again.conversation.model.rowCount() > 0)
        assert again.thread_list.currentIndex().row() == 0
    finally:
        again.close()
        await again.aclose()
        again.deleteLater()
        await until(lambda: not shiboken6.isValid(again))


def pick(window: MainWindow, account: str, personal: bool | None = None) -> None:
    """Select the first thread of `account` (in its personal or group inbox)."""
    model = window.threads
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        channel = index.data(Roles.ChannelKeyRole) or ""
        if index.data(Roles.AccountRole) != account:
            continue
        if personal is not None and channel.startswith("personal:") != personal:
            continue
        window.thread_list.setCurrentIndex(index)
        return
    raise AssertionError(f"no thread of {account} in the list")


def bubbles(window: MainWindow) -> list[tuple[str, str]]:
    model = window.conversation.model
    return [
        (model.index(r, 0).data(Roles.BodyRole), model.index(r, 0).data(Roles.StatusRole))
        for r in range(model.rowCount())
    ]


async def test_inbound_message_updates_list_and_counts_without_a_click(
    window: MainWindow, sim: Simulator
) -> None:
    lv = sim.world.livevox
    agent = lv.default_agent
    oldest = lv.personal_inbox(agent.agent_id)[-1]
    unread_before = queries.count_threads(window.conn, unread_only=True)
    lv.receive("Can I pay on Friday instead? 🙂", thread_id=oldest.thread_id)

    await window.service.engine.run_once()
    await until(lambda: window.threads.index(0, 0).data(Roles.KeyRole) == oldest.thread_id)
    top = window.threads.index(0, 0)
    assert top.data(Roles.PreviewRole).startswith("Can I pay on Friday")
    assert top.data(Roles.UnreadRole)
    assert queries.count_threads(window.conn, unread_only=True) >= unread_before
    assert window.windowTitle().endswith("unread)")


async def test_send_shows_pending_then_sent(window: MainWindow, sim: Simulator) -> None:
    pick(window, "LiveVox demo", personal=True)
    thread = window.selected_thread()
    assert thread is not None and not thread.do_not_contact and not thread.opted_out
    composer = window.conversation.composer
    composer.editor.setPlainText("Your payment of $40 is confirmed, thank you!")
    composer.send_button.click()
    await until(lambda: bubbles(window)[-1][1] == "pending")
    assert bubbles(window)[-1][0] == "Your payment of $40 is confirmed, thank you!"
    assert composer.text() == ""

    await window.service.engine.run_once()
    await until(lambda: bubbles(window)[-1][1] not in ("pending", ""))
    sends = [s for s in sim.world.sends("livevox") if "payment of $40" in s.body]
    assert len(sends) == 1
    assert [b for b in bubbles(window) if "payment of $40" in b[0]] == [bubbles(window)[-1]]


async def test_mark_read_and_unread_reach_the_vendor(window: MainWindow, sim: Simulator) -> None:
    pick(window, "LiveVox demo")
    thread = window.selected_thread()
    assert thread is not None
    action = window.act_unread if not thread.unread else window.act_read
    assert action.isEnabled()
    action.trigger()
    await until(lambda: window.selected_thread().unread != thread.unread)  # type: ignore[union-attr]
    await window.service.engine.run_once()
    assert sim.world.livevox.thread(thread.key).read == thread.unread


async def loaded_dialog(window: MainWindow) -> ChoiceDialog:  # type: ignore[type-arg]
    await until(lambda: window.findChild(ChoiceDialog) is not None)
    dialog = window.findChild(ChoiceDialog)
    assert dialog is not None
    await until(lambda: dialog.count() > 0)
    return dialog


async def choose_in_dialog(window: MainWindow, pick_row: object) -> ChoiceDialog:  # type: ignore[type-arg]
    dialog = await loaded_dialog(window)
    row = pick_row(dialog) if callable(pick_row) else 0
    dialog.select(row)
    dialog.ok.click()
    return dialog


async def test_transfer_lists_the_vendors_agents_and_moves_the_thread(
    window: MainWindow, sim: Simulator
) -> None:
    pick(window, "LiveVox demo", personal=True)
    thread = window.selected_thread()
    assert thread is not None
    window.act_transfer.trigger()
    dialog = await choose_in_dialog(window, 0)
    chosen = dialog.text(0)
    await until(lambda: window.threads.row_of(thread.account, thread.key) is None)
    await window.service.engine.run_once()
    moved = sim.world.livevox.thread(thread.key)
    target = next(a for a in sim.world.livevox.agent_list() if a.agent_id == moved.owner_agent_id)
    assert target.login_id in chosen
    assert target.agent_id != sim.world.livevox.default_agent.agent_id


async def test_resolve_with_a_term_code_leaves_the_inbox(
    window: MainWindow, sim: Simulator
) -> None:
    pick(window, "LiveVox demo")
    thread = window.selected_thread()
    assert thread is not None
    window.act_resolve.trigger()
    await choose_in_dialog(window, lambda d: d.count() - 1)
    await until(lambda: window.threads.row_of(thread.account, thread.key) is None)
    await window.service.engine.run_once()
    resolved = sim.world.livevox.thread(thread.key)
    assert resolved.resolved and resolved.term_code_id is not None
    assert queries.get_thread(window.conn, thread.account, thread.key).status == "resolved"  # type: ignore[union-attr]


async def test_refused_action_rolls_back_with_the_vendors_reason(
    window: MainWindow, sim: Simulator
) -> None:
    pick(window, "LiveVox demo", personal=True)
    thread = window.selected_thread()
    assert thread is not None
    window.act_transfer.trigger()
    dialog = await loaded_dialog(window)
    # Someone else resolves it at the vendor before our transfer is carried out.
    sim.world.livevox.supervisor_resolve(thread.key)
    dialog.select(0)
    dialog.ok.click()
    await until(lambda: window.threads.row_of(thread.account, thread.key) is None)
    await window.service.engine.run_once()
    pending = queries.get_thread(window.conn, thread.account, thread.key)
    assert pending is not None and pending.status != "active"
    window.status_filter.setCurrentText("All")
    await until(lambda: window.threads.row_of(thread.account, thread.key) is not None)
    row = window.threads.row_of(thread.account, thread.key)
    state = window.threads.index(row, 0).data(Roles.PendingRole)
    assert state is not None and "failed" in str(state).lower()


async def test_zoho_threads_disable_what_zoho_cannot_do(window: MainWindow) -> None:
    pick(window, "Zoho demo")
    assert not window.act_transfer.isEnabled()
    assert "doesn't let the app transfer" in window.act_transfer.toolTip()
    assert window.conversation.composer.isEnabled()


async def test_search_finds_by_message_text_and_ignores_fts_syntax(
    window: MainWindow, sim: Simulator
) -> None:
    lv = sim.world.livevox
    thread = lv.personal_inbox(lv.default_agent.agent_id)[-1]
    lv.receive("zebracrossing appointment please", thread_id=thread.thread_id)
    await window.service.engine.run_once()
    window.search.setText("zebracross")
    await until(lambda: window.threads.rowCount() == 1)
    assert window.threads.index(0, 0).data(Roles.KeyRole) == thread.thread_id
    for nasty in ['"', "NEAR(", "-", "*", "a AND", "'); DROP TABLE threads;--"]:
        window.search.setText(nasty)
        await until(lambda text=nasty: window.threads.filter.search == text)
    window.search.clear()
    await until(lambda: window.threads.rowCount() > 1)


async def test_keyboard_moves_between_threads(window: MainWindow) -> None:
    first = window.thread_list.currentIndex().row()
    window.act_next.trigger()
    assert window.thread_list.currentIndex().row() == first + 1
    window.act_prev.trigger()
    assert window.thread_list.currentIndex().row() == first


async def test_attachment_is_downloaded_through_the_vendor_and_saved_safely(
    window: MainWindow, sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(thread_actions, "downloads_folder", lambda: tmp_path / "downloads")
    index = await open_mms_message(window)
    (attachment, *_) = index.data(Roles.AttachmentsRole)
    window.conversation.delegate.attachment_activated.emit(index, attachment)
    # The status line changes once the file is complete; the file exists a moment earlier.
    await until(lambda: "Saved" in window.statusBar().currentMessage())
    (saved,) = (tmp_path / "downloads").iterdir()
    assert saved.stat().st_size > 0
    assert "/" not in saved.name and not saved.name.startswith(".")


async def test_draft_is_kept_per_thread(window: MainWindow) -> None:
    first = window.selected_thread()
    assert first is not None
    composer = window.conversation.composer
    composer.editor.setPlainText("Half-written reply")
    await until(lambda: queries.get_draft(window.conn, first.account, first.key) is not None)
    window.act_next.trigger()
    assert composer.text() == ""
    window.act_prev.trigger()
    assert composer.text() == "Half-written reply"
    assert queries.get_draft(window.conn, first.account, first.key) == "Half-written reply"


async def test_composer_counts_segments_and_blocks_opted_out_customers(
    window: MainWindow, sim: Simulator
) -> None:
    composer = window.conversation.composer
    composer.editor.setPlainText("x" * 161)
    assert "2 SMS (GSM-7)" in composer.counter.text()
    composer.editor.setPlainText("Привет")
    assert "1 SMS (UCS-2)" in composer.counter.text()
    blocked = window.conn.execute(
        "SELECT account, key FROM threads WHERE (opted_out OR do_not_contact)"
        " AND status = 'active' LIMIT 1"
    ).fetchone()
    if blocked is None:
        pytest.skip("this seed has no blocked customer")
    window.sidebar.setCurrentIndex(window.inboxes.index_of(blocked[0]))
    row = window.threads.row_of(blocked[0], blocked[1])
    while row is None and window.threads.canFetchMore(QModelIndex()):
        window.threads.fetchMore(QModelIndex())
        row = window.threads.row_of(blocked[0], blocked[1])
    assert row is not None
    window.thread_list.setCurrentIndex(window.threads.index(row, 0))
    assert composer.blocked.text()
    composer.editor.setPlainText("hello")
    assert not composer.send_button.isEnabled()


async def test_change_sets_arriving_together_refresh_the_window_once(
    window: MainWindow, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    refreshes = []
    refresh = window.threads.refresh
    monkeypatch.setattr(window.threads, "refresh", lambda: refreshes.append(1) or refresh())
    lv = sim.world.livevox
    oldest = lv.personal_inbox(lv.default_agent.agent_id)[-1]
    lv.receive("Is the Friday slot still open?", thread_id=oldest.thread_id)
    await window.service.engine.run_once()
    await until(lambda: window.threads.index(0, 0).data(Roles.KeyRole) == oldest.thread_id)
    await until(lambda: not window._refresh_timer.isActive())
    refreshes.clear()

    window._changed(ChangeSet("LiveVox demo", threads={oldest.thread_id}))
    window._changed(ChangeSet("Zoho demo", messages={"nothing-new"}))
    window._changed(ChangeSet("LiveVox demo", messages={oldest.thread_id}))
    assert refreshes == []
    await until(lambda: refreshes == [1])
    assert not window._refresh_timer.isActive() and not window._pending
    top = window.threads.index(0, 0)
    assert top.data(Roles.PreviewRole).startswith("Is the Friday slot")
