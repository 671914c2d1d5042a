"""ThreadListModel: paging, filters, search with hostile input, and live refreshes that
keep the user's selection on the same thread."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import QListView

from inbox_app.core.models import ThreadStatus
from inbox_app.store import outbox, queries, views, writes
from inbox_app.store.outbox import OutboxState
from inbox_app.ui.models.roles import Roles
from inbox_app.ui.models.text import one_line
from inbox_app.ui.models.thread_list import PAGE_SIZE, ThreadFilter, ThreadListModel


def _load_all(model: ThreadListModel) -> None:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())


def _keys(model: ThreadListModel) -> list[tuple[str, str] | None]:
    return [model.key_at(row) for row in range(model.rowCount())]


def test_passes_the_model_tester_through_filters_pages_and_refreshes(ui_store, qtmodeltester):
    model = ThreadListModel(ui_store.reader)
    qtmodeltester.check(model, force_py=True)
    _load_all(model)
    model.set_filter(ThreadFilter(account=ui_store.LIVEVOX, channel_key="group"))
    model.set_filter(ThreadFilter(unread_only=True, statuses=("active", "resolved")))
    model.set_filter(ThreadFilter(search="number"))
    model.set_filter(ThreadFilter())
    thread = ui_store.thread(ui_store.ZOHO, "+18005550101-4")
    ui_store.write(
        writes.upsert_threads,
        ui_store.ZOHO,
        [replace(thread, last_message_at=ui_store.NOW + timedelta(minutes=1), unread=False)],
    )
    model.refresh()
    assert model.key_at(0) == (ui_store.ZOHO, "+18005550101-4")


def test_pages_through_every_thread_newest_first(ui_store):
    model = ThreadListModel(ui_store.reader)
    total = queries.count_threads(ui_store.reader)
    assert total > 3 * PAGE_SIZE
    fetched = PAGE_SIZE
    assert model.rowCount() == PAGE_SIZE
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        fetched += PAGE_SIZE
        assert model.rowCount() <= fetched
    assert model.rowCount() == total
    expected = [(t.account, t.key) for t in queries.list_threads(ui_store.reader, limit=1000)]
    assert _keys(model) == expected
    # threads without any message come last, after the oldest dated one
    assert model.index(total - 1).data(Roles.LastAtRole) is None
    assert model.index(0).data(Roles.LastAtRole) is not None


@pytest.mark.parametrize(
    "thread_filter",
    [
        ThreadFilter(account="LiveVox NA3"),
        ThreadFilter(account="Zoho Voice", channel_key="+18005550101"),
        ThreadFilter(unread_only=True),
        ThreadFilter(statuses=("active", "resolved")),
        ThreadFilter(statuses=("resolved",), account="LiveVox NA3"),
        ThreadFilter(statuses=()),
    ],
)
def test_filters_show_what_count_threads_counts(ui_store, thread_filter):
    model = ThreadListModel(ui_store.reader)
    model.set_filter(thread_filter)
    _load_all(model)
    expected = queries.count_threads(
        ui_store.reader,
        thread_filter.account,
        thread_filter.channel_key,
        unread_only=thread_filter.unread_only,
        statuses=thread_filter.statuses,
    )
    assert model.rowCount() == expected
    assert len(set(_keys(model))) == expected


def test_roles_describe_the_thread(ui_store):
    model = ThreadListModel(ui_store.reader)
    model.set_filter(ThreadFilter(account=ui_store.LIVEVOX, channel_key="group"))
    big = model.index(model.row_of(*ui_store.BIG))
    assert big.data() == "big customer <b>"
    assert big.data(Roles.CustomerNameRole) == "big customer <b>"
    assert big.data(Roles.CustomerNumberRole) == "+1 415-555-9999"
    assert big.data(Roles.KeyRole) == "big"
    assert big.data(Roles.AccountRole) == ui_store.LIVEVOX
    assert big.data(Roles.ProviderRole) == "livevox"
    assert big.data(Roles.ChannelKeyRole) == "group"
    assert big.data(Roles.UnreadRole) is True
    assert big.data(Roles.StatusRole) == ThreadStatus.ACTIVE
    assert big.data(Qt.ItemDataRole.FontRole).bold()
    last_at = big.data(Roles.LastAtRole)
    assert isinstance(last_at, datetime) and last_at.tzinfo is not None
    assert big.data(Roles.PreviewRole).startswith("message number 500")
    assert big.data(Roles.PendingRole) is None
    assert "&lt;b&gt;" in big.data(Qt.ItemDataRole.ToolTipRole)
    assert "big customer <b>" in big.data(Qt.ItemDataRole.AccessibleTextRole)

    nameless = model.index(model.row_of(ui_store.LIVEVOX, "group-10"))
    assert nameless.data(Roles.CustomerNameRole) == ""
    assert nameless.data() == nameless.data(Roles.CustomerNumberRole)
    assert nameless.data(Qt.ItemDataRole.FontRole) is None
    assert "\n" not in nameless.data(Roles.PreviewRole)
    flagged = model.index(model.row_of(ui_store.LIVEVOX, "group-5"))
    assert flagged.data(Roles.DoNotContactRole) is True
    assert flagged.data(Roles.OptedOutRole) is False
    assert model.index(model.row_of(ui_store.LIVEVOX, "group-6")).data(Roles.OptedOutRole)
    assert model.key_at(-1) is None and model.key_at(model.rowCount()) is None
    assert model.row_of(ui_store.ZOHO, "big") is None


def test_refresh_keeps_the_selected_thread_selected_when_a_thread_arrives_on_top(
    ui_store, qtbot, record_signals
):
    model = ThreadListModel(ui_store.reader)
    view = QListView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setUniformItemSizes(True)
    view.resize(300, 400)
    selection = view.selectionModel()
    selection.setCurrentIndex(model.index(5), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    chosen = model.key_at(5)
    template = ui_store.thread(*ui_store.BIG)
    ui_store.write(
        writes.upsert_threads,
        ui_store.ZOHO,
        [
            replace(
                template,
                key="brand-new",
                channel_key="+18005550100",
                customer_name="New Customer",
                last_message_at=ui_store.NOW + timedelta(minutes=5),
            )
        ],
    )
    seen = record_signals(model)
    model.refresh()
    assert model.key_at(0) == (ui_store.ZOHO, "brand-new")
    assert model.row_of(*chosen) == 6
    assert selection.currentIndex().row() == 6
    assert [i.row() for i in selection.selectedIndexes()] == [6]
    assert [name for name, _args in seen] == ["rowsInserted"]
    assert seen[0][1][1:] == (0, 0)


def test_refresh_moves_a_thread_with_a_new_message_to_the_top_keeping_selection(
    ui_store, qtbot, record_signals, qtmodeltester
):
    model = ThreadListModel(ui_store.reader)
    view = QListView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.selectionModel().setCurrentIndex(
        model.index(10), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    account, key = model.key_at(10)
    before = _keys(model)
    ui_store.write(
        writes.upsert_messages,
        account,
        key,
        [ui_store.message(key, "fresh", ui_store.NOW + timedelta(minutes=3), "new text")],
    )
    qtmodeltester.check(model, force_py=True)
    seen = record_signals(model)
    model.refresh()
    assert model.key_at(0) == (account, key)
    assert view.selectionModel().currentIndex().row() == 0
    assert model.index(0).data(Roles.PreviewRole) == "new text"
    names = [name for name, _args in seen]
    assert "rowsMoved" in names and "modelReset" not in names and "rowsRemoved" not in names
    assert _keys(model)[1:11] == before[:10]


def test_refresh_removes_resolved_threads_and_updates_changed_ones(
    ui_store, qtmodeltester, record_signals
):
    model = ThreadListModel(ui_store.reader)
    model.set_filter(ThreadFilter(account=ui_store.LIVEVOX, channel_key="west"))
    qtmodeltester.check(model, force_py=True)
    first, second = model.key_at(0), model.key_at(1)
    unread = model.index(0).data(Roles.UnreadRole)
    t1 = ui_store.thread(*first)
    t2 = ui_store.thread(*second)
    ui_store.write(
        writes.upsert_threads,
        ui_store.LIVEVOX,
        [replace(t1, unread=not unread), replace(t2, status=ThreadStatus.RESOLVED)],
    )
    count = model.rowCount()
    seen = record_signals(model)
    model.refresh()
    assert model.rowCount() == count - 1
    assert model.row_of(*second) is None
    assert model.index(0).data(Roles.UnreadRole) is (not unread)
    assert {name for name, _args in seen} == {"rowsRemoved", "dataChanged"}


def test_refresh_leaves_threads_below_the_loaded_window_to_fetch_more(ui_store):
    model = ThreadListModel(ui_store.reader)
    assert model.canFetchMore(QModelIndex())
    last = queries.list_threads(ui_store.reader, limit=1, offset=250)[0]
    ui_store.write(
        writes.upsert_threads, last.account, [replace(last.to_thread(), customer_name="Zed")]
    )
    model.refresh()
    assert model.rowCount() == PAGE_SIZE
    assert model.row_of(last.account, last.key) is None
    _load_all(model)
    assert model.index(model.row_of(last.account, last.key)).data() == "Zed"


def test_refresh_of_a_fully_loaded_list_finds_a_reopened_old_thread(ui_store):
    model = ThreadListModel(ui_store.reader)
    model.set_filter(ThreadFilter(account=ui_store.ZOHO, channel_key="+18005550100"))
    _load_all(model)
    assert not model.canFetchMore(QModelIndex())
    resolved = ui_store.thread(ui_store.ZOHO, "+18005550100-8")
    ui_store.write(
        writes.upsert_threads, ui_store.ZOHO, [replace(resolved, status=ThreadStatus.ACTIVE)]
    )
    model.refresh()
    assert model.row_of(ui_store.ZOHO, "+18005550100-8") is not None


def test_pending_role_follows_the_outbox(ui_store):
    model = ThreadListModel(ui_store.reader)
    account, key = model.key_at(3)
    item = ui_store.write(outbox.enqueue, account, key, "set_read", {"read": True}, None)
    model.refresh()
    pending = model.index(3).data(Roles.PendingRole)
    assert (pending.kind, pending.state) == ("set_read", OutboxState.QUEUED)
    ui_store.write(outbox.fail, item, "<b>timeout</b>", True)
    model.refresh()
    pending = model.index(3).data(Roles.PendingRole)
    assert pending.state == OutboxState.NEEDS_ATTENTION
    assert pending.last_error == "<b>timeout</b>"
    assert "needs attention" in model.index(3).data(Qt.ItemDataRole.AccessibleTextRole)
    ui_store.write(outbox.requeue, item)
    ui_store.write(outbox.claim_next, account)
    ui_store.write(outbox.complete, item, None)
    model.refresh()
    assert model.index(3).data(Roles.PendingRole) is None


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "*",
        "NEAR(",
        "-",
        "",
        "   ",
        'a"b',
        "\x00",
        "AND",
        "OR NOT x",
        "(",
        "')",
        '*"*',
        "^",
        ":",
        "customer_name:x",
        "\\",
        "%",
        "🙂",
        "مرحبا",
    ],
)
def test_search_never_raises_for_any_input(ui_store, qtmodeltester, text):
    model = ThreadListModel(ui_store.reader)
    qtmodeltester.check(model, force_py=True)
    model.set_filter(ThreadFilter(search=text))
    model.refresh()
    _load_all(model)
    if not text.strip():
        assert model.rowCount() == queries.count_threads(ui_store.reader)


def test_search_finds_message_and_contact_matches_within_the_other_filters(ui_store):
    model = ThreadListModel(ui_store.reader)
    model.set_filter(ThreadFilter(search="message number"))
    assert _keys(model) == [ui_store.BIG]
    model.set_filter(ThreadFilter(search="4155559999"))
    assert set(_keys(model)) == {ui_store.BIG, ui_store.ODD}
    assert _keys(model) == [ui_store.BIG, ui_store.ODD]  # newest first
    model.set_filter(ThreadFilter(search="4155559999", account=ui_store.ZOHO))
    assert model.rowCount() == 0
    model.set_filter(ThreadFilter(search="Customer Zoho", account=ui_store.ZOHO))
    _load_all(model)
    assert model.rowCount() > 0
    assert {model.index(r).data(Roles.AccountRole) for r in range(model.rowCount())} == {
        ui_store.ZOHO
    }
    model.set_filter(ThreadFilter(search="مرحبا"))
    assert _keys(model) == [ui_store.ODD]


def test_search_results_follow_new_messages_on_refresh(ui_store):
    model = ThreadListModel(ui_store.reader)
    model.set_filter(ThreadFilter(search="pineapple"))
    assert model.rowCount() == 0
    key = "+18005550101-2"
    ui_store.write(
        writes.upsert_messages,
        ui_store.ZOHO,
        key,
        [ui_store.message(key, "pine", ui_store.NOW, "a pineapple please")],
    )
    model.refresh()
    assert _keys(model) == [(ui_store.ZOHO, key)]


def test_rows_share_their_strings_rather_than_copy_them(ui_store):
    """A list scrolled 100,000 rows deep holds an account name once, not once a row, and
    a name or preview already on one line is kept, not copied."""
    summaries = views.newest_summaries(ui_store.reader, [], [], 1000)
    assert len(summaries) > 10
    assert len({id(s.account) for s in summaries}) == len({s.account for s in summaries})
    assert len({id(s.channel_key) for s in summaries}) == len({s.channel_key for s in summaries})
    plain = "Ada Lovelace"
    assert one_line(plain) is plain
    assert one_line("Ada\nLovelace") == plain
    assert one_line("x" * 90, 80) == "x" * 79 + "…"


@pytest.mark.parametrize("scope", ["all", "unread", "resolved", "one inbox"])
def test_a_search_pages_like_the_list_it_narrows(ui_store, scope):
    """Most threads' names match "customer": the searched list, page after page, is the
    list without the search, less the threads that do not match."""
    narrow = {
        "all": {},
        "unread": {"unread_only": True},
        "resolved": {"statuses": ("resolved",)},
        "one inbox": {"account": ui_store.LIVEVOX, "channel_key": "group"},
    }[scope]
    searched = ThreadListModel(ui_store.reader)
    searched.set_filter(ThreadFilter(search="customer", **narrow))
    _load_all(searched)
    plain = ThreadListModel(ui_store.reader)
    plain.set_filter(ThreadFilter(**narrow))
    _load_all(plain)
    matching = set(views.search_thread_ids(ui_store.reader, "customer"))
    expected = [key for key in _keys(plain) if views.thread_id(ui_store.reader, *key) in matching]
    assert 0 < len(expected) < plain.rowCount()
    assert _keys(searched) == expected
    if scope == "all":
        assert len(expected) > PAGE_SIZE
