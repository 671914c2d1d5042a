"""AgentListModel and SimpleListModel: small reference lists for the dialogs."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor

from inbox_app.core.models import Agent, Template, TermCode
from inbox_app.ui.models.agents import AgentListModel, status_rank
from inbox_app.ui.models.roles import Roles
from inbox_app.ui.models.simple_list import SimpleListModel

AGENTS = [
    Agent("4", "zed", "Zed Logged", "LOGGEDOFF"),
    Agent("3", "amy", "Amy Busy", "INCALL"),
    Agent("2", "bob", "Bob Ready", "READY"),
    Agent("5", "eve", "eve away", "Not Ready"),
    Agent("1", "al", "Al Ready", "ready"),
    Agent("6", "kim", "<b>Kim</b>", "ON_LUNCH"),
]


def test_agents_sort_ready_first_then_by_name(qtmodeltester):
    model = AgentListModel(AGENTS)
    qtmodeltester.check(model, force_py=True)
    ids = [model.index(r).data(Roles.IdRole) for r in range(model.rowCount())]
    assert ids == ["1", "2", "3", "5", "6", "4"]
    assert [status_rank(a.status) for a in AGENTS] == [4, 1, 0, 2, 0, 3]
    first = model.index(0)
    assert first.data() == "Al Ready (al)"
    assert first.data(Roles.NameRole) == "Al Ready"
    assert first.data(Roles.LoginRole) == "al"
    assert first.data(Roles.StatusRole) == "ready"
    assert first.data(Roles.ItemRole) == AGENTS[4]
    assert isinstance(first.data(Qt.ItemDataRole.DecorationRole), QColor)
    assert "&lt;b&gt;Kim" in model.index(4).data(Qt.ItemDataRole.ToolTipRole)
    model.set_items(AGENTS[:2])
    assert [model.item_at(r).id for r in range(model.rowCount())] == ["3", "4"]
    assert model.item_at(5) is None
    assert model.index(0).data(Roles.BodyRole) is None
    assert model.rowCount(model.index(0)) == 0
    assert not model.flags(QModelIndex())


def test_simple_list_shows_labels_and_hands_back_items(qtmodeltester):
    templates = [Template("t1", "Greeting", "Hello {name}", "+18005550100")]
    model: SimpleListModel[Template] = SimpleListModel(lambda t: t.name, lambda t: t.body)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 0
    model.set_items(templates)
    assert model.index(0).data() == "Greeting"
    assert model.index(0).data(Roles.ItemRole) is templates[0]
    assert model.index(0).data(Qt.ItemDataRole.ToolTipRole) == "<p>Hello {name}</p>"
    codes = SimpleListModel(
        lambda c: f"{c.category}: {c.name}", items=[TermCode("9", "Done", "Sales")]
    )
    qtmodeltester.check(codes, force_py=True)
    assert codes.index(0).data() == "Sales: Done"
    assert codes.index(0).data(Qt.ItemDataRole.ToolTipRole) is None
