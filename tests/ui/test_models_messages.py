"""MessageListModel: the newest page first, older pages inserted above, live refreshes
that append and update, and unconfirmed local sends showing their outbox state."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from PySide6.QtCore import QModelIndex, Qt

from inbox_app.core.models import Attachment, Direction, Thread
from inbox_app.store import outbox, queries, writes
from inbox_app.store.effects import local_id
from inbox_app.store.outbox import OutboxState
from inbox_app.ui.models.messages import FIRST_PAGE, PAGE_SIZE, MessageListModel
from inbox_app.ui.models.roles import Roles


def _ids(model: MessageListModel) -> list[str]:
    return [model.index(row).data(Roles.IdRole) for row in range(model.rowCount())]


def test_pages_upward_from_the_newest_messages(ui_store, qtmodeltester, record_signals):
    model = MessageListModel(ui_store.reader)
    qtmodeltester.check(model, force_py=True)
    model.set_thread(*ui_store.BIG)
    expected = [m.id for m in queries.list_messages(ui_store.reader, *ui_store.BIG)]
    assert len(expected) == ui_store.BIG_MESSAGES
    loaded = model.rowCount()
    assert loaded >= FIRST_PAGE  # the tester may already have fetched a page
    assert _ids(model) == expected[-loaded:]
    seen = record_signals(model)
    while model.canFetchMore(QModelIndex()):
        before = model.rowCount()
        model.fetchMore(QModelIndex())
        assert model.rowCount() <= before + PAGE_SIZE
    assert _ids(model) == expected
    assert all(name == "rowsInserted" and args[1] == 0 for name, args in seen)
    assert model.shown_thread == ui_store.BIG


def test_a_chat_view_loads_older_pages_only_when_asked(ui_store):
    model = MessageListModel(ui_store.reader)
    model.older_on_demand = True
    model.set_thread(*ui_store.BIG)
    assert model.rowCount() == FIRST_PAGE
    assert model.has_older() and not model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == FIRST_PAGE
    model.fetch_older()
    assert model.rowCount() == FIRST_PAGE + PAGE_SIZE
    expected = [m.id for m in queries.list_messages(ui_store.reader, *ui_store.BIG)]
    assert _ids(model) == expected[-model.rowCount() :]


def test_paging_by_time_and_id_handles_messages_with_the_same_time(ui_store):
    template = ui_store.thread(*ui_store.BIG)
    ui_store.write(writes.upsert_threads, ui_store.LIVEVOX, [replace(template, key="same-time")])
    at = ui_store.NOW - timedelta(days=30)
    burst = [ui_store.message("same-time", f"s-{n:03d}", at, f"burst {n}") for n in range(450)]
    ui_store.write(writes.upsert_messages, ui_store.LIVEVOX, "same-time", burst)
    model = MessageListModel(ui_store.reader)
    model.set_thread(ui_store.LIVEVOX, "same-time")
    assert model.rowCount() == FIRST_PAGE
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert _ids(model) == [m.id for m in burst]


def test_refresh_appends_new_messages_and_updates_changed_ones(
    ui_store, qtmodeltester, record_signals
):
    model = MessageListModel(ui_store.reader)
    model.set_thread(*ui_store.ODD)
    qtmodeltester.check(model, force_py=True)
    count = model.rowCount()
    first = model.index(0).data(Roles.IdRole)
    changed = ui_store.message(
        ui_store.ODD[1],
        first,
        model.index(0).data(Roles.AtRole),
        ui_store.ODD_BODIES["html"],
        status="undelivered",
        status_detail="Carrier <rejected>",
    )
    new = ui_store.message(
        ui_store.ODD[1], "odd-new", ui_store.NOW + timedelta(minutes=1), "and another"
    )
    ui_store.write(writes.upsert_messages, ui_store.LIVEVOX, ui_store.ODD[1], [changed, new])
    seen = record_signals(model)
    model.refresh()
    assert model.rowCount() == count + 1
    assert model.index(count).data(Roles.IdRole) == "odd-new"
    assert model.index(0).data(Roles.StatusRole) == "undelivered"
    assert model.index(0).data(Roles.StatusDetailRole) == "Carrier <rejected>"
    assert [name for name, _args in seen] == ["rowsInserted", "dataChanged"]
    seen.clear()
    model.refresh()
    assert seen == []


def test_a_local_send_shows_its_outbox_state_until_the_vendor_confirms_it(ui_store):
    account, key = ui_store.BIG
    model = MessageListModel(ui_store.reader)
    model.set_thread(account, key)
    item = ui_store.write(outbox.enqueue, account, key, "send", {"body": "on my way"}, None)
    local = ui_store.message(
        key,
        local_id(item),
        ui_store.NOW,
        "on my way",
        direction=Direction.OUT,
        status="pending",
    )
    ui_store.write(writes.upsert_messages, account, key, [local])
    model.refresh()
    last = model.index(model.rowCount() - 1)
    assert last.data(Roles.IdRole) == local_id(item)
    assert last.data(Roles.PendingRole).state == OutboxState.QUEUED
    ui_store.write(outbox.claim_next, account)
    ui_store.write(outbox.fail, item, "Number opted out")
    model.refresh()
    pending = model.index(model.rowCount() - 1).data(Roles.PendingRole)
    assert (pending.kind, pending.state, pending.last_error) == (
        "send",
        OutboxState.FAILED,
        "Number opted out",
    )
    assert "Number opted out" in model.index(model.rowCount() - 1).data(
        Qt.ItemDataRole.AccessibleTextRole
    )
    assert model.index(0).data(Roles.PendingRole) is None


def test_roles_of_odd_messages_are_safe_plain_text(ui_store, qtmodeltester):
    model = MessageListModel(ui_store.reader)
    qtmodeltester.check(model, force_py=True)
    model.set_thread(*ui_store.ODD)
    by_id = {model.index(r).data(Roles.IdRole): model.index(r) for r in range(model.rowCount())}
    html = by_id["odd-html"]
    assert html.data() == html.data(Roles.BodyRole) == ui_store.ODD_BODIES["html"]
    assert "\x00" not in by_id["odd-nul"].data(Roles.BodyRole)
    assert "\x1b" not in by_id["odd-nul"].data(Roles.BodyRole)
    assert by_id["odd-newlines"].data(Roles.BodyRole) == "line one\n\nline three\n\tindented"
    assert len(by_id["odd-long"].data(Roles.BodyRole)) == 10_240
    attachments = by_id["odd-attachments"].data(Roles.AttachmentsRole)
    assert attachments == [
        Attachment("a1", "photo <1>.jpg", "image/jpeg", 123_456),
        Attachment("a2", "unknown-size.pdf", "application/pdf", None),
    ]
    assert by_id["odd-img"].data(Roles.DirectionRole) == Direction.OUT
    at = by_id["odd-img"].data(Roles.AtRole)
    assert isinstance(at, datetime) and at.tzinfo is not None
    assert by_id["odd-html"].data(Qt.ItemDataRole.ToolTipRole).startswith("<p>Customer, ")
    assert model.row_of("odd-rtl") is not None and model.row_of("nope") is None
    assert not model.canFetchMore(QModelIndex())


def test_unknown_threads_clear_and_vanishing_threads_empty_the_list(ui_store, qtmodeltester):
    model = MessageListModel(ui_store.reader)
    qtmodeltester.check(model, force_py=True)
    model.set_thread("nobody", "nothing")
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())
    model.refresh()
    assert model.rowCount() == 0
    model.set_thread(ui_store.ZOHO, "+18005550100-0")
    assert _ids(model) == ["z-1"]
    model.clear()
    assert model.rowCount() == 0 and model.shown_thread is None
    model.refresh()
    assert model.rowCount() == 0


def test_a_thread_without_messages_fills_in_on_refresh(ui_store):
    thread: Thread = ui_store.thread(ui_store.ZOHO, "+18005550101-3")
    model = MessageListModel(ui_store.reader)
    model.set_thread(ui_store.ZOHO, thread.key)
    assert model.rowCount() == 0
    messages = [
        ui_store.message(thread.key, f"late-{n}", ui_store.NOW + timedelta(seconds=n))
        for n in range(3)
    ]
    ui_store.write(writes.upsert_messages, ui_store.ZOHO, thread.key, messages)
    model.refresh()
    assert _ids(model) == ["late-0", "late-1", "late-2"]
