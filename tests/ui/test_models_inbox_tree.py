"""InboxTreeModel: counts that agree with the thread list, and reloads that insert,
remove and update rows instead of resetting the sidebar."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, Qt

from inbox_app.core.models import Channel, ProviderKind
from inbox_app.store import queries, writes
from inbox_app.sync.changes import AccountStatus, SyncPhase
from inbox_app.ui.models.inbox_tree import InboxTreeModel
from inbox_app.ui.models.roles import Roles


def _rows(model: InboxTreeModel, parent: QModelIndex = QModelIndex()) -> list[QModelIndex]:  # noqa: B008
    return [model.index(row, 0, parent) for row in range(model.rowCount(parent))]


def _assert_counts_agree(model: InboxTreeModel, reader) -> None:
    for account in _rows(model):
        name = account.data(Roles.AccountRole)
        assert account.data(Roles.TotalRole) == queries.count_threads(reader, name)
        assert account.data(Roles.UnreadRole) == queries.count_threads(
            reader, name, unread_only=True
        )
        for channel in _rows(model, account):
            key = channel.data(Roles.ChannelKeyRole)
            assert channel.data(Roles.AccountRole) == name
            assert channel.data(Roles.TotalRole) == queries.count_threads(reader, name, key)
            assert channel.data(Roles.UnreadRole) == queries.count_threads(
                reader, name, key, unread_only=True
            )


def test_accounts_and_channels_in_order_with_counts_that_agree(ui_store, qtmodeltester):
    model = InboxTreeModel(ui_store.reader)
    qtmodeltester.check(model, force_py=True)
    assert [a.data() for a in _rows(model)] == [ui_store.LIVEVOX, ui_store.ZOHO]
    livevox, zoho = _rows(model)
    assert [c.data() for c in _rows(model, livevox)] == ["Group SMS", "Personal SMS", "West"]
    assert [c.data(Roles.ChannelKeyRole) for c in _rows(model, zoho)] == [
        "+18005550100",
        "+18005550101",
    ]
    assert livevox.data(Roles.ProviderRole) == ProviderKind.LIVEVOX
    assert livevox.data(Roles.ChannelKeyRole) is None
    assert model.index(1, 0, livevox).data(Roles.PersonalRole) is True
    assert model.index(0, 0, livevox).data(Roles.PersonalRole) is False
    assert livevox.data(Qt.ItemDataRole.FontRole).bold()
    assert "unread of" in model.index(0, 0, livevox).data(Qt.ItemDataRole.AccessibleTextRole)
    _assert_counts_agree(model, ui_store.reader)


def test_reload_updates_counts_with_data_changed_only(ui_store, qtmodeltester, record_signals):
    model = InboxTreeModel(ui_store.reader)
    qtmodeltester.check(model, force_py=True)
    thread = ui_store.thread(ui_store.ZOHO, "+18005550101-1")
    assert not thread.unread
    ui_store.write(writes.upsert_threads, ui_store.ZOHO, [replace(thread, unread=True)])
    seen = record_signals(model)
    model.reload()
    assert [name for name, _args in seen] == ["dataChanged", "dataChanged"]
    assert {args[0] for _name, args in seen} == {(1, -1), (1, 1)}
    _assert_counts_agree(model, ui_store.reader)
    seen.clear()
    model.reload()
    assert seen == []


def test_channels_and_accounts_that_appear_or_vanish_are_inserted_or_removed(
    ui_store, qtmodeltester, record_signals
):
    model = InboxTreeModel(ui_store.reader)
    qtmodeltester.check(model, force_py=True)
    zoho_channels = [
        Channel("+18005550100", "Main line", "sms", False, 0, 0, "+18005550100"),
        Channel("+18005550102", "New line", "sms", False, 0, 0, "+18005550102"),
    ]
    ui_store.write(writes.replace_channels, ui_store.ZOHO, zoho_channels)
    ui_store.write(writes.ensure_account, "Another", ProviderKind.ZOHO)
    seen = record_signals(model)
    model.reload()
    names = [name for name, _args in seen]
    assert "modelReset" not in names and "layoutChanged" not in names
    assert ("rowsInserted", ((-1, -1), 0, 0)) in seen  # "Another" sorts first
    zoho = model.index_of(ui_store.ZOHO)
    assert [c.data() for c in _rows(model, zoho)] == [
        "Main line",
        "New line",
        # no longer listed by the vendor, but its threads are still active
        "+18005550101",
    ]
    assert "no longer listed" in model.index(2, 0, zoho).data(Qt.ItemDataRole.ToolTipRole)
    _assert_counts_agree(model, ui_store.reader)

    ui_store.write(writes.replace_channels, ui_store.ZOHO, zoho_channels[:1])
    seen.clear()
    model.reload()
    assert ("rowsRemoved", ((2, -1), 1, 1)) in seen
    assert [c.data() for c in _rows(model, model.index_of(ui_store.ZOHO))] == [
        "Main line",
        "+18005550101",
    ]
    _assert_counts_agree(model, ui_store.reader)


def test_set_status_changes_the_account_row(ui_store, qtmodeltester, record_signals):
    model = InboxTreeModel(ui_store.reader)
    qtmodeltester.check(model, force_py=True)
    seen = record_signals(model)
    status = AccountStatus(
        ui_store.ZOHO, SyncPhase.ERROR, datetime(2024, 5, 1, tzinfo=UTC), "<b>HTTP 503</b>"
    )
    model.set_status(status)
    zoho = model.index_of(ui_store.ZOHO)
    assert seen == [("dataChanged", ((1, -1), (1, -1), []))]
    assert zoho.data(Roles.SyncStatusRole) == status
    tip = zoho.data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;HTTP 503&lt;/b&gt;" in tip and "sync failed" in tip
    assert model.index_of(ui_store.LIVEVOX).data(Roles.SyncStatusRole) is None
    model.set_status(AccountStatus("not shown", SyncPhase.IDLE))
    assert len(seen) == 1


def test_index_of_finds_accounts_and_channels(ui_store):
    model = InboxTreeModel(ui_store.reader)
    west = model.index_of(ui_store.LIVEVOX, "west")
    assert west.data() == "West"
    assert west.parent() == model.index_of(ui_store.LIVEVOX)
    assert not model.index_of(ui_store.LIVEVOX, "nope").isValid()
    assert not model.index_of("nobody").isValid()
    assert model.parent() is None  # QObject.parent() still works
