"""The end of every fault run: the simulator's state set against the cache and the outbox.

A run records each intent it queued (`Planned`). `reckon` then counts what a user would
call a broken promise: messages the vendor holds that the cache lacks, texts that reached
the customer more than once, texts of one thread that arrived out of order, and intents
that vanished or claim an outcome the vendor does not show.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from inbox_app.core.phone import normalize_number
from inbox_app.simulator import Simulator
from inbox_app.store import outbox
from inbox_app.store.effects import IntentKind
from inbox_app.store.outbox import OutboxState
from tests.e2e.truth import livevox_threads, zoho_threads

LV = "LiveVox demo"
ZOHO = "Zoho demo"


@dataclass(frozen=True, slots=True)
class Planned:
    """One intent a run queued: its outbox id and what the vendor should show for it."""

    outbox_id: int
    account: str
    thread_key: str
    kind: IntentKind
    body: str = ""


@dataclass(slots=True)
class Tally:
    messages_checked: int = 0
    messages_lost: int = 0
    threads_lost: int = 0
    intents: int = 0
    intents_lost: int = 0
    """Queued intents whose row is gone, still open, or done without the vendor showing it,
    or failed although the vendor shows it."""
    intents_failed: int = 0
    """Refused with a reason the agent sees (a legitimate end, counted for the figures)."""
    sends: int = 0
    duplicate_sends: int = 0
    out_of_order: int = 0
    details: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def broken(self) -> int:
        return (
            self.messages_lost
            + self.threads_lost
            + self.intents_lost
            + (self.duplicate_sends + self.out_of_order)
        )


def reckon(sim: Simulator, conn: sqlite3.Connection, planned: list[Planned]) -> Tally:
    tally = Tally()
    _compare_messages(tally, conn, LV, livevox_threads(sim))
    _compare_messages(tally, conn, ZOHO, zoho_threads(sim))
    _check_intents(tally, sim, conn, planned)
    return tally


def _compare_messages(
    tally: Tally,
    conn: sqlite3.Connection,
    account: str,
    truth: dict[str, dict[str, tuple[str, str]]],
) -> None:
    cached: dict[str, set[str]] = {}
    for key, vendor_id in conn.execute(
        "SELECT t.key, m.vendor_id FROM threads AS t LEFT JOIN messages AS m"
        " ON m.thread_id = t.id WHERE t.account = ? AND t.status = 'active'",
        (account,),
    ):
        cached.setdefault(key, set())
        if vendor_id is not None:
            cached[key].add(vendor_id)
    for key, messages in truth.items():
        tally.messages_checked += len(messages)
        if key not in cached:
            tally.threads_lost += 1
            tally.messages_lost += len(messages)
            tally.details.append(f"{account}: thread {key} missing from the cache")
            continue
        missing = set(messages) - cached[key]
        if missing:
            tally.messages_lost += len(missing)
            tally.details.append(f"{account}: thread {key} lacks {sorted(missing)}")


def _check_intents(
    tally: Tally, sim: Simulator, conn: sqlite3.Connection, planned: list[Planned]
) -> None:
    ours = {p.body for p in planned if p.kind is IntentKind.SEND}
    sent = [s for s in sim.world.sends() if s.body in ours]
    copies = Counter(s.body for s in sent)
    tally.sends = len(sent)
    tally.duplicate_sends = sum(n - 1 for n in copies.values() if n > 1)
    tally.details += [f"sent {n} times: {body!r}" for body, n in copies.items() if n > 1]
    order = {p.body: index for index, p in enumerate(planned)}
    by_customer: dict[str, list[int]] = {}
    for record in sent:
        by_customer.setdefault(normalize_number(record.to_number), []).append(order[record.body])
    tally.out_of_order = sum(seq != sorted(seq) for seq in by_customer.values())

    actions = Counter((a.kind, a.thread_id) for a in sim.world.actions())
    for plan in planned:
        tally.intents += 1
        item = outbox.get(conn, plan.outbox_id)
        problem = _intent_problem(plan, item, copies, actions)
        if item is not None and item.state is OutboxState.FAILED and problem is None:
            tally.intents_failed += 1
        if problem is not None:
            tally.intents_lost += 1
            tally.details.append(f"intent {plan.outbox_id} ({plan.kind}): {problem}")


_ACTION_KINDS = {
    IntentKind.RESOLVE: ("resolve",),
    IntentKind.SET_READ: ("mark_read", "mark_unread"),
}


def _intent_problem(
    plan: Planned,
    item: outbox.OutboxItem | None,
    copies: Counter[str],
    actions: Counter[tuple[str, str]],
) -> str | None:
    if item is None:
        return "the outbox row is gone"
    if item.state not in (OutboxState.DONE, OutboxState.FAILED):
        return f"still {item.state} ({item.last_error})"
    if plan.kind is IntentKind.SEND:
        reached = copies[plan.body] > 0
    else:
        kinds = _ACTION_KINDS.get(plan.kind, ())
        reached = any(actions[(kind, plan.thread_key)] for kind in kinds)
    if item.state is OutboxState.DONE and not reached:
        return "done, but the vendor shows nothing"
    if item.state is OutboxState.FAILED and (reached and plan.kind is IntentKind.SEND):
        return f"failed ({item.last_error}), but the customer got it"
    if item.state is OutboxState.FAILED and not item.last_error:
        return "failed without a reason"
    return None
