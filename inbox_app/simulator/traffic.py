"""Live traffic: what happens at the vendors while a client is not looking.

One `tick` is 1-3 seeded events: customers text in (on open threads, as new threads, on
Zoho conversations old and new), a supervisor moves or resolves a thread the default
agent can see, an agent changes status; due scheduled Zoho SMS go out; now and then a
Zoom Contact Center SMS engagement completes. Voximplant customers text in too, drawn
from that vendor's own random stream. The same seed and
the same sequence of calls give the same events.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import corpus
from .livevox_model import AGENT_STATUSES, Thread
from .zoho_seed import seeded_media

if TYPE_CHECKING:
    from .world import World


ZOOM_ENGAGEMENT_CHANCE = 0.3
"""Per tick, from Zoom's own generator so the other vendors' traffic is unchanged."""


@dataclass(frozen=True)
class TrafficEvent:
    """`ref` is a LiveVox thread id, a Zoho "sender:customer" conversation key or a
    Zoom engagement id."""

    vendor: str
    kind: str
    ref: str
    message_id: str = ""


def _customer_line(rng: random.Random) -> str:
    if rng.random() < 0.02:
        return rng.choice(corpus.OPT_OUT_WORDS)
    topic = rng.choice(corpus.TOPICS)
    context = corpus.conversation_context(rng, "there", "your agent")
    return rng.choice(topic.customer).format_map(context)


def tick(world: World) -> list[TrafficEvent]:
    with world.lock:
        rng = world.rng
        events = [
            TrafficEvent("zoho", "scheduled_sent", "") for _ in range(world.zoho.release_due())
        ]
        for _ in range(rng.randint(1, 3)):
            roll = rng.random()
            if roll < 0.45:
                events.append(_livevox_inbound(world, rng))
            elif roll < 0.58:
                events.append(_livevox_new_thread(world, rng))
            elif roll < 0.68:
                events.append(_livevox_move(world, rng))
            elif roll < 0.73:
                events.append(_livevox_resolve(world, rng))
            elif roll < 0.76:
                agent = rng.choice(list(world.livevox.agents.values())[1:])
                agent.status = rng.choice(AGENT_STATUSES)
                events.append(TrafficEvent("livevox", "agent_status", str(agent.agent_id)))
            elif roll < 0.94:
                events.append(_zoho_inbound(world, rng))
            else:
                events.append(_zoho_new_conversation(world, rng))
        if world.zoom.rng.random() < ZOOM_ENGAGEMENT_CHANCE:
            engagement = world.zoom.complete_engagement()
            events.append(TrafficEvent("zoom", "engagement", engagement.engagement_id))
        events += _voximplant_inbound(world)
        return events


def _voximplant_inbound(world: World) -> list[TrafficEvent]:
    """Now and then a customer texts one of our Voximplant numbers, mostly on a pair
    that already has history (a busy pair more likely), sometimes as a new customer."""
    state = world.voximplant
    rng = state.rng
    if rng.random() >= 0.5:
        return []
    known = rng.choice(state.records) if state.records and rng.random() < 0.8 else None
    if known is not None and known.kind == "sms":
        ours, customer = known.ours, known.customer
    else:
        ours, customer = rng.choice(state.sms_numbers()).number, rng.choice(world.customer_numbers)
    record = state.receive(customer, _customer_line(rng), ours)
    if record is None:
        return []
    return [TrafficEvent("voximplant", "inbound", f"{ours}:{customer}", str(record.message_id))]


def _default_visible(world: World) -> list[Thread]:
    """Open threads in the default agent's personal and group inboxes."""
    state = world.livevox
    agent = state.agents[state.default_agent_id]
    return [
        t
        for t in state.threads.values()
        if not t.resolved
        and (
            t.owner_agent_id == agent.agent_id
            or (t.owner_agent_id is None and t.service_id in agent.service_ids)
        )
    ]


def _open_threads(world: World, rng: random.Random) -> list[Thread]:
    visible = _default_visible(world)
    if visible and rng.random() < 0.7:
        return visible
    return [t for t in world.livevox.threads.values() if not t.resolved]


def _livevox_inbound(world: World, rng: random.Random) -> TrafficEvent:
    threads = [t for t in _open_threads(world, rng) if t.contact.reachable]
    if not threads:
        return _livevox_new_thread(world, rng)
    thread = rng.choice(threads)
    message = world.livevox.receive(_customer_line(rng), thread_id=thread.thread_id)
    return TrafficEvent("livevox", "inbound", thread.thread_id, message.id)


def _livevox_new_thread(world: World, rng: random.Random) -> TrafficEvent:
    service = rng.choice(list(world.livevox.services.values()))
    message = world.livevox.receive(
        _customer_line(rng), customer=rng.choice(world.customer_numbers), sms_code=service.sms_code
    )
    return TrafficEvent("livevox", "new_thread", message.thread_id or "", message.id)


def _livevox_move(world: World, rng: random.Random) -> TrafficEvent:
    state = world.livevox
    visible = _default_visible(world)
    if not visible:
        return _livevox_new_thread(world, rng)
    thread = rng.choice(visible)
    colleagues = [
        a.agent_id
        for a in state.agents.values()
        if a.agent_id != state.default_agent_id and thread.service_id in a.service_ids
    ]
    if thread.owner_agent_id is None:
        target: int | None = rng.choice(colleagues)
    else:
        target = None if rng.random() < 0.5 else rng.choice(colleagues)
    state.supervisor_move(thread.thread_id, target)
    kind = "to_group" if target is None else "transfer"
    return TrafficEvent("livevox", kind, thread.thread_id)


def _livevox_resolve(world: World, rng: random.Random) -> TrafficEvent:
    visible = _default_visible(world)
    if not visible:
        return _livevox_new_thread(world, rng)
    thread = rng.choice(visible)
    world.livevox.supervisor_resolve(thread.thread_id)
    return TrafficEvent("livevox", "resolve", thread.thread_id)


def _zoho_inbound(world: World, rng: random.Random) -> TrafficEvent:
    conversations = [c for c in world.zoho.conversations.values() if c.sender and not c.opted_out]
    if not conversations:
        return _zoho_new_conversation(world, rng)
    conversation = rng.choice(conversations)
    media = (
        (seeded_media(rng, world.zoho.org_id, world.clock.now_ms()),) if rng.random() < 0.05 else ()
    )
    entry = world.zoho.receive(
        conversation.customer, _customer_line(rng), conversation.sender, media
    )
    return TrafficEvent("zoho", "inbound", f"{entry.sender}:{entry.customer}", entry.logid)


def _zoho_new_conversation(world: World, rng: random.Random) -> TrafficEvent:
    sender = rng.choice(list(world.zoho.numbers))
    entry = world.zoho.receive(rng.choice(world.customer_numbers), _customer_line(rng), sender)
    return TrafficEvent("zoho", "new_conversation", f"{entry.sender}:{entry.customer}", entry.logid)
