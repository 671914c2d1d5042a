"""Custom data roles, one numbering for every model, so a delegate or proxy can ask any
model for e.g. `Roles.UnreadRole` without knowing which model it is."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import Qt

_FIRST = Qt.ItemDataRole.UserRole + 1


class Roles(IntEnum):
    # sidebar (InboxTreeModel); AccountRole, ProviderRole, ChannelKeyRole, UnreadRole and
    # StatusRole also on thread rows
    AccountRole = _FIRST
    ProviderRole = _FIRST + 1
    ChannelKeyRole = _FIRST + 2
    UnreadRole = _FIRST + 3
    TotalRole = _FIRST + 4
    PersonalRole = _FIRST + 5
    SyncStatusRole = _FIRST + 6
    # thread list (ThreadListModel)
    KeyRole = _FIRST + 7
    CustomerNameRole = _FIRST + 8
    CustomerNumberRole = _FIRST + 9
    PreviewRole = _FIRST + 10
    LastAtRole = _FIRST + 11
    StatusRole = _FIRST + 12
    DoNotContactRole = _FIRST + 13
    OptedOutRole = _FIRST + 14
    PendingRole = _FIRST + 15
    # transcript (MessageListModel)
    IdRole = _FIRST + 16
    DirectionRole = _FIRST + 17
    BodyRole = _FIRST + 18
    AtRole = _FIRST + 19
    StatusDetailRole = _FIRST + 20
    AttachmentsRole = _FIRST + 21
    # reference lists (AgentListModel, SimpleListModel)
    NameRole = _FIRST + 22
    LoginRole = _FIRST + 23
    ItemRole = _FIRST + 24
