"""Agents to transfer a thread to, the ones who can take it now first."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from inbox_app.core.models import Agent
from inbox_app.ui.models.roles import Roles
from inbox_app.ui.models.simple_list import SimpleListModel
from inbox_app.ui.models.text import one_line

_Index = QModelIndex | QPersistentModelIndex
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
_ORDER = {
    "READY": 0,
    "AVAILABLE": 0,
    "ONLINE": 0,
    "WRAPUP": 1,
    "INCALL": 1,
    "BUSY": 1,
    "NOTREADY": 2,
    "AWAY": 2,
    "BREAK": 2,
    "LOGGEDOFF": 4,
    "OFFLINE": 4,
}
"""Vendors spell statuses differently ("NOT_READY", "Not Ready", "NOTREADY"); compared
upper-case with punctuation dropped. Unknown statuses sort between away and offline."""
_UNKNOWN = 3
_COLOURS = {0: QColor(46, 160, 67), 1: QColor(210, 153, 34), 2: QColor(207, 34, 46)}
_GREY = QColor(140, 140, 140)


def status_rank(status: str) -> int:
    """0 for agents who can take a thread now, up to 4 for logged-off ones."""
    return _ORDER.get(_NON_ALNUM.sub("", status.upper()), _UNKNOWN)


class AgentListModel(SimpleListModel[Agent]):
    """Agents sorted READY first, then by name. DisplayRole 'Name (login)'; NameRole,
    LoginRole, StatusRole, IdRole, ItemRole (the Agent); DecorationRole a status colour."""

    def __init__(self, agents: Sequence[Agent] = (), parent: QObject | None = None) -> None:
        super().__init__(_label, _describe, _sorted(agents), parent)

    def set_items(self, items: Sequence[Agent]) -> None:
        super().set_items(_sorted(items))

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        agent = self.item_at(index.row()) if index.isValid() else None
        if agent is None:
            return None
        match role:
            case Roles.NameRole:
                return one_line(agent.name or agent.login, 120)
            case Roles.LoginRole:
                return agent.login
            case Roles.StatusRole:
                return agent.status
            case Roles.IdRole:
                return agent.id
            case Qt.ItemDataRole.DecorationRole:
                return _COLOURS.get(status_rank(agent.status), _GREY)
        return super().data(index, role)


def _sorted(agents: Sequence[Agent]) -> list[Agent]:
    return sorted(agents, key=lambda a: (status_rank(a.status), a.name.casefold(), a.id))


def _label(agent: Agent) -> str:
    if agent.name and agent.login and agent.login != agent.name:
        return f"{agent.name} ({agent.login})"
    return agent.name or agent.login or agent.id


def _describe(agent: Agent) -> str:
    return f"{_label(agent)}: {agent.status or 'status unknown'}"
