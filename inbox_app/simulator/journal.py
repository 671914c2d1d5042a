"""What clients did to the world, kept so tests can check outcomes the APIs don't show.

A client that retries a send whose answer was lost must not send twice: `sends` holds
every send the vendors accepted, duplicates included. `actions` holds every thread
action (read flags, moves, transfers, resolves) whoever made it, a client or live traffic.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SendRecord:
    """One accepted send. `endpoint` names the API used, e.g. "livevox.agent_send"."""

    vendor: str
    endpoint: str
    message_id: str
    from_number: str
    to_number: str
    body: str
    at_ms: int
    scheduled: bool = False


@dataclass(frozen=True)
class ActionRecord:
    """One thread action. `by` is "agent:<id>" for a client call, "traffic" for live traffic.

    kind is one of mark_read, mark_unread, switch_public, switch_private, transfer,
    resolve; `detail` holds the target agent id, inbox or term code where there is one.
    """

    vendor: str
    kind: str
    thread_id: str
    by: str
    at_ms: int
    detail: str = ""


@dataclass
class Journal:
    sends: list[SendRecord] = field(default_factory=list)
    actions: list[ActionRecord] = field(default_factory=list)
