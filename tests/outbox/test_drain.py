"""The drain against the simulator over loopback: actions reach the vendor and survive
the next sync, refusals roll back with the vendor's reason, and no intent ever texts the
customer twice, whatever the network does to the request or its answer."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from inbox_app.core.models import ThreadStatus
from inbox_app.providers.errors import AuthError, NetworkError, OutcomeUnknown, RateLimited
from inbox_app.simulator import FaultConfig
from inbox_app.simulator.livevox_model import QUEUED
from inbox_app.store import outbox
from inbox_app.store.effects import IntentKind
from inbox_app.store.outbox import OutboxState
from inbox_app.store.queries import ThreadRow
from inbox_app.sync import intents
from tests.outbox.harness import LV, ZOHO, FaultOn, Harness, closed_port_url


async def _personal(h: Harness, index: int = 0) -> ThreadRow:
    return (await h.threads(h.personal_key))[index]


async def _unread(h: Harness) -> ThreadRow:
    return next(t for t in await h.threads(h.personal_key) if t.unread)


async def test_send_reaches_the_vendor_once_and_the_next_sync_shows_one_bubble(
    h: Harness,
) -> None:
    thread = await _personal(h)
    item_id = await h.act(intents.send_message, LV, thread.key, "Your refund is on its way", "")

    result = await h.drain()
    assert (result.done, result.failed, result.requeued, result.stopped_by) == (1, 0, 0, None)
    (sent,) = h.sends("Your refund is on its way")
    assert sent.to_number.endswith(thread.customer_number[-10:])
    item = await h.item(item_id)
    assert item.state is OutboxState.DONE
    assert item.result is not None and item.result["message_id"] == sent.message_id
    (bubble,) = [m for m in await h.messages(thread.key) if m.body == sent.body]
    assert bubble.id == sent.message_id
    assert (await h.thread(thread.key)).messages_fingerprint is None
    assert any(thread.key in c.messages for c in h.changes)

    await h.sync()
    (bubble,) = [m for m in await h.messages(thread.key) if m.body == sent.body]
    assert (bubble.id, bubble.status) == (sent.message_id, QUEUED)
    assert not any(m.id.startswith("local:") for m in await h.messages(thread.key))
    assert await h.read(intents.pending_actions) == []


async def test_zoho_send_reaches_the_vendor_once(h: Harness) -> None:
    await h.sync(ZOHO)
    (conversation, *_) = await h.threads("conversations", ZOHO)
    await h.act(intents.send_message, ZOHO, conversation.key, "Zoho says hi", "")

    assert (await h.drain(ZOHO)).done == 1
    (sent,) = h.sends("Zoho says hi")
    await h.sync(ZOHO)
    bubbles = [m for m in await h.messages(conversation.key, ZOHO) if m.body == "Zoho says hi"]
    assert [m.id for m in bubbles] == [sent.message_id]


async def test_mark_read_and_unread_reach_the_vendor_and_survive_the_sync(h: Harness) -> None:
    thread = await _unread(h)
    lv = h.sim.world.livevox
    await h.act(intents.set_read, LV, thread.key, True)
    assert (await h.drain()).done == 1
    assert lv.thread(thread.key).read
    await h.sync()
    assert not (await h.thread(thread.key)).unread

    await h.act(intents.set_read, LV, thread.key, False)
    assert (await h.drain()).done == 1
    assert not lv.thread(thread.key).read
    await h.sync()
    assert (await h.thread(thread.key)).unread
    assert [a.kind for a in h.sim.world.actions() if a.thread_id == thread.key] == [
        "mark_read",
        "mark_unread",
    ]


async def test_moves_between_inboxes_reach_the_vendor_and_survive_the_sync(h: Harness) -> None:
    thread = await _personal(h)
    group_key = f"group:SMS:{thread.vendor_ref['serviceId']}"
    lv = h.sim.world.livevox

    await h.act(intents.move_to_inbox, LV, thread.key, False)
    assert (await h.drain()).done == 1
    assert lv.thread(thread.key).owner_agent_id is None
    await h.sync()
    assert (await h.thread(thread.key)).channel_key == group_key
    assert thread.key in {t.key for t in await h.threads(group_key)}

    await h.act(intents.move_to_inbox, LV, thread.key, True)
    assert (await h.drain()).done == 1
    assert lv.thread(thread.key).owner_agent_id == h.agent_id
    await h.sync()
    back = await h.thread(thread.key)
    assert (back.channel_key, back.status) == (h.personal_key, ThreadStatus.ACTIVE)


async def test_transfer_reaches_the_vendor_and_the_thread_stays_out_of_the_inbox(
    h: Harness,
) -> None:
    thread = await _personal(h)
    await h.act(intents.transfer, LV, thread.key, "713080", "Colleague")
    assert (await h.drain()).done == 1
    assert h.sim.world.livevox.thread(thread.key).owner_agent_id == 713080
    await h.sync()
    assert (await h.thread(thread.key)).status is ThreadStatus.CLOSED
    assert thread.key not in {t.key for t in await h.threads(h.personal_key)}


async def test_resolve_reaches_the_vendor_and_survives_the_sync(h: Harness) -> None:
    thread = await _personal(h)
    code = str(h.sim.world.livevox.term_codes[int(thread.vendor_ref["serviceId"])][0].term_code_id)
    await h.act(intents.resolve, LV, thread.key, code)
    assert (await h.drain()).done == 1
    vendor = h.sim.world.livevox.thread(thread.key)
    assert (vendor.resolved, str(vendor.term_code_id)) == (True, code)
    await h.sync()
    assert (await h.thread(thread.key)).status is ThreadStatus.RESOLVED


@pytest.mark.parametrize(
    ("kind", "argument", "reason"),
    [("transfer", "999999", "Agent 999999 not found"), ("resolve", "1", "Unknown termCodeId 1")],
)
async def test_a_refused_action_rolls_back_and_shows_the_vendors_reason(
    h: Harness, kind: str, argument: str, reason: str
) -> None:
    thread = await _unread(h)
    channel = await h.channel(h.personal_key)
    if kind == "transfer":
        item_id = await h.act(intents.transfer, LV, thread.key, argument, "Nobody")
    else:
        item_id = await h.act(intents.resolve, LV, thread.key, argument)

    result = await h.drain()
    assert (result.done, result.failed) == (0, 1)
    restored = await h.thread(thread.key)
    assert (restored.status, restored.unread) == (ThreadStatus.ACTIVE, True)
    assert await h.channel(h.personal_key) == channel
    (shown,) = await h.read(intents.pending_actions, LV)
    assert (shown.outbox_id, shown.state) == (item_id, OutboxState.FAILED)
    assert shown.last_error is not None and reason in shown.last_error
    assert any(h.personal_key in c.channels for c in h.changes)
    assert not h.sim.world.livevox.thread(thread.key).resolved


async def test_answer_lost_after_the_vendor_sent_is_reconciled_not_resent(h: Harness) -> None:
    thread = await _personal(h)
    item_id = await h.act(intents.send_message, LV, thread.key, "Lost answer", "")
    lossy = FaultOn(h.sim, "/agent/message/send", FaultConfig(drop_after_commit=1.0))

    result = await h.drain(provider=h.provider(transport=lossy))
    assert isinstance(result.stopped_by, OutcomeUnknown)
    assert result.done == 1
    (sent,) = h.sends("Lost answer")
    item = await h.item(item_id)
    assert item.state is OutboxState.DONE
    assert item.result is not None
    assert (item.result["message_id"], item.result["found"]) == (sent.message_id, True)

    assert (await h.drain()).done == 0
    await h.sync()
    assert [m.id for m in await h.messages(thread.key) if m.body == "Lost answer"] == [
        sent.message_id
    ]


async def test_an_unanswered_send_is_never_resent_before_the_vendor_is_checked(
    h: Harness,
) -> None:
    thread = await _personal(h)
    item_id = await h.act(intents.send_message, LV, thread.key, "Flaky network", "")
    await h.provider().login()
    h.sim.faults = FaultConfig(drop_after_commit=1.0)  # the history check fails too

    result = await h.drain()
    assert isinstance(result.stopped_by, NetworkError)
    assert (result.done, result.requeued, result.unresolved) == (0, 0, 1)
    assert (await h.item(item_id)).state is OutboxState.IN_FLIGHT
    result = await h.drain()  # still down: checked again, never resent
    assert result.unresolved == 1
    assert len(h.sends("Flaky network")) == 1

    h.sim.faults = FaultConfig()
    assert (await h.drain()).done == 1
    (sent,) = h.sends("Flaky network")
    item = await h.item(item_id)
    assert item.result is not None and item.result["message_id"] == sent.message_id


async def test_a_send_dropped_before_the_vendor_saw_it_is_checked_then_resent_once(
    h: Harness,
) -> None:
    thread = await _personal(h)
    item_id = await h.act(intents.send_message, LV, thread.key, "Dropped", "")
    dropping = FaultOn(h.sim, "/agent/message/send", FaultConfig(drop=1.0))

    result = await h.drain(provider=h.provider(transport=dropping))
    assert (result.done, result.requeued) == (0, 1)
    assert isinstance(result.stopped_by, OutcomeUnknown)
    item = await h.item(item_id)
    assert item.state is OutboxState.QUEUED
    assert h.sends("Dropped") == []

    assert (await h.drain()).done == 1
    assert len(h.sends("Dropped")) == 1
    assert (await h.item(item_id)).attempts == 2


async def test_an_unknown_send_waits_for_the_history_and_holds_back_only_its_thread(
    h: Harness,
) -> None:
    first, other = await _personal(h, 0), await _personal(h, 1)
    held = await h.act(intents.send_message, LV, first.key, "Held", "")
    behind = await h.act(intents.send_message, LV, first.key, "Behind it", "")
    free = await h.act(intents.set_read, LV, other.key, True)
    lossy = FaultOn(h.sim, "/agent/message/send", FaultConfig(drop_after_commit=1.0))

    result = await h.drain(provider=h.provider(transport=lossy), settle_seconds=600)
    assert (result.done, result.unresolved) == (0, 1)
    result = await h.drain(settle_seconds=600)  # too soon to trust the history
    assert (result.done, result.unresolved) == (1, 1)
    assert (await h.item(held)).state is OutboxState.IN_FLIGHT
    assert (await h.item(behind)).state is OutboxState.QUEUED
    assert (await h.item(free)).state is OutboxState.DONE
    assert h.sends("Behind it") == []

    result = await h.drain()
    assert result.done == 2
    assert [len(h.sends(body)) for body in ("Held", "Behind it")] == [1, 1]


async def test_a_network_outage_loses_nothing(h: Harness) -> None:
    thread = await _unread(h)
    other = next(t for t in await h.threads(h.personal_key) if t.key != thread.key)
    ids = [
        await h.act(intents.send_message, LV, thread.key, "While offline", ""),
        await h.act(intents.set_read, LV, thread.key, True),
        await h.act(intents.move_to_inbox, LV, other.key, False),
    ]
    offline = h.provider(base_url=closed_port_url())

    for _ in range(2):
        result = await h.drain(provider=offline)
        assert (result.done, result.failed, result.requeued) == (0, 0, 1)
        assert isinstance(result.stopped_by, NetworkError)
    items = [await h.item(i) for i in ids]
    assert [i.state for i in items] == [OutboxState.QUEUED] * 3
    assert items[0].last_error is not None and "Can't reach" in items[0].last_error
    assert any(m.body == "While offline" for m in await h.messages(thread.key))
    assert not (await h.thread(thread.key)).unread
    shown = {(p.thread_key, p.kind, p.state) for p in await h.read(intents.pending_actions, LV)}
    assert shown == {
        (thread.key, IntentKind.SET_READ, OutboxState.QUEUED),
        (other.key, IntentKind.MOVE, OutboxState.QUEUED),
    }

    assert (await h.drain()).done == 3
    assert len(h.sends("While offline")) == 1
    lv = h.sim.world.livevox
    assert lv.thread(thread.key).read
    assert lv.thread(other.key).owner_agent_id is None


@pytest.mark.parametrize("error", [AuthError, RateLimited])
async def test_passing_failures_requeue_and_stop(h: Harness, error: type[Exception]) -> None:
    thread = await _personal(h)
    ids = [
        await h.act(intents.send_message, LV, thread.key, "Not yet", ""),
        await h.act(intents.send_message, LV, thread.key, "Nor this", ""),
    ]
    if error is AuthError:
        provider = h.provider(password="wrong")
    else:
        limited = FaultConfig(rate_429=1.0, retry_after_s=120)
        provider = h.provider(transport=FaultOn(h.sim, "/agent/message/send", limited))
    result = await h.drain(provider=provider)
    assert isinstance(result.stopped_by, error)
    assert (result.requeued, result.done) == (1, 0)
    assert [(await h.item(i)).state for i in ids] == [OutboxState.QUEUED] * 2
    assert h.sends("Not yet") == []

    assert (await h.drain()).done == 2
    assert [s.body for s in h.sim.world.sends()][-2:] == ["Not yet", "Nor this"]


async def _claim(h: Harness) -> None:
    """The app took the next item and then died (before or after calling the vendor)."""
    claimed = await h.writer.run(lambda c: outbox.claim_next(c, LV), durable=True)
    assert claimed is not None


async def test_in_flight_at_start_up_a_send_never_made_is_sent_once(h: Harness) -> None:
    thread = await _personal(h)
    item_id = await h.act(intents.send_message, LV, thread.key, "Crashed before", "")
    await _claim(h)

    result = await h.drain()
    assert (result.requeued, result.done) == (1, 1)
    assert len(h.sends("Crashed before")) == 1
    assert (await h.item(item_id)).state is OutboxState.DONE


async def test_in_flight_at_start_up_a_send_made_is_not_made_again(h: Harness) -> None:
    thread = await _personal(h)
    item_id = await h.act(intents.send_message, LV, thread.key, "Crashed after", "")
    await _claim(h)
    await h.provider().send_message(thread.to_thread(), "Crashed after", "")

    result = await h.drain()
    assert (result.done, result.requeued) == (1, 0)
    (sent,) = h.sends("Crashed after")
    item = await h.item(item_id)
    assert item.result is not None and item.result["message_id"] == sent.message_id
    bubbles = [m.id for m in await h.messages(thread.key) if m.body == "Crashed after"]
    assert bubbles == [sent.message_id]


async def test_in_flight_at_start_up_a_thread_action_is_simply_repeated(h: Harness) -> None:
    thread = await _unread(h)
    item_id = await h.act(intents.set_read, LV, thread.key, True)
    await _claim(h)
    result = await h.drain()
    assert (result.requeued, result.done) == (1, 1)
    assert (await h.item(item_id)).state is OutboxState.DONE
    assert h.sim.world.livevox.thread(thread.key).read


async def test_a_resolve_repeated_after_a_lost_answer_is_not_rolled_back(h: Harness) -> None:
    thread = await _personal(h)
    item_id = await h.act(intents.resolve, LV, thread.key, None)
    lossy = FaultOn(h.sim, "/agent/thread/resolve", FaultConfig(drop_after_commit=1.0))

    result = await h.drain(provider=h.provider(transport=lossy))
    assert isinstance(result.stopped_by, OutcomeUnknown)
    assert result.requeued == 1
    assert h.sim.world.livevox.thread(thread.key).resolved

    result = await h.drain()  # LiveVox refuses the repeat: the thread is gone already
    assert (result.done, result.failed) == (1, 0)
    item = await h.item(item_id)
    assert (item.state, item.result) == (OutboxState.DONE, {"left_inbox": True})
    assert (await h.thread(thread.key)).status is ThreadStatus.RESOLVED
    assert len(h.sim.world.actions("resolve")) == 1


async def test_a_thread_resolved_elsewhere_meanwhile_gets_nothing(h: Harness) -> None:
    thread = await _personal(h)
    item_id = await h.act(intents.send_message, LV, thread.key, "Too late", "")
    h.sim.world.livevox.supervisor_resolve(thread.key)
    await h.sync()
    assert (await h.thread(thread.key)).status is ThreadStatus.CLOSED

    result = await h.drain()
    assert (result.failed, result.done) == (1, 0)
    assert h.sends("Too late") == []
    item = await h.item(item_id)
    assert item.last_error == "This thread was moved or resolved elsewhere; nothing was sent."
    assert not any(m.body == "Too late" for m in await h.messages(thread.key))
    draft = await h.read(lambda c: c.execute("SELECT body FROM drafts").fetchall())
    assert draft == [("Too late",)]


@pytest.mark.parametrize("flag", ["opted_out", "dnc"])
async def test_a_customer_who_opted_out_meanwhile_gets_nothing(h: Harness, flag: str) -> None:
    thread = await _personal(h)
    item_id = await h.act(intents.send_message, LV, thread.key, "Offer", "")
    lv = h.sim.world.livevox
    if flag == "opted_out":
        lv.receive("STOP", thread_id=thread.key)
    else:
        with lv.lock:
            lv.threads[thread.key].contact.dnc = True
    await h.sync()

    result = await h.drain()
    assert result.failed == 1
    assert h.sends("Offer") == []
    assert "nothing was sent" in ((await h.item(item_id)).last_error or "")


async def test_a_threads_intents_reach_the_vendor_in_order(h: Harness) -> None:
    first, second = await _personal(h, 0), await _personal(h, 1)
    bodies = [f"Part {n}" for n in range(1, 5)]
    for n, body in enumerate(bodies):
        await h.act(intents.send_message, LV, (first if n % 2 == 0 else second).key, body, "")
    await h.act(intents.send_message, LV, first.key, "Part 5", "")
    assert (await h.drain()).done == 5
    sent = [s.body for s in h.sim.world.sends() if s.body.startswith("Part")]
    assert sent == [*bodies, "Part 5"]


async def test_at_most_one_copy_of_each_message_under_random_faults(h: Harness) -> None:
    threads = (await h.threads(h.personal_key))[:3]
    bodies = [f"Message {n}" for n in range(12)]
    for n, body in enumerate(bodies):
        await h.act(intents.send_message, LV, threads[n % len(threads)].key, body, "")
    h.sim.faults = FaultConfig(
        drop=0.15, drop_after_commit=0.15, error_5xx=0.15, rate_429=0.1, retry_after_s=0
    )
    for _ in range(30):
        await h.drain()
        assert all(len(h.sends(body)) <= 1 for body in bodies)
    assert sum(h.sim.fault_counts.values()) > 10

    h.sim.faults = FaultConfig()
    await h.drain()
    assert [len(h.sends(body)) for body in bodies] == [1] * len(bodies)
    pending = await h.read(lambda c: outbox.pending(c, LV))
    assert pending == []
    assert {i.kind for i in await h.read(lambda c: _all_items(c))} == {IntentKind.SEND}
    await h.sync()
    for thread in threads:
        stored = [m for m in await h.messages(thread.key) if m.body.startswith("Message")]
        assert len(stored) == len({m.body for m in stored})
        assert not any(m.id.startswith("local:") for m in stored)


def _all_items(conn: sqlite3.Connection) -> list[outbox.OutboxItem]:
    ids = [row[0] for row in conn.execute("SELECT id FROM outbox")]
    return [item for i in ids if (item := outbox.get(conn, i)) is not None]


async def test_every_outcome_is_reported_for_the_thread(h: Harness) -> None:
    thread = await _personal(h)
    await h.act(intents.set_read, LV, thread.key, False)
    await h.drain(provider=h.provider(base_url=closed_port_url()))
    await h.drain()
    assert [dataclasses.astuple(c)[:3] for c in h.changes] == [
        (LV, set(), {thread.key}),
        (LV, set(), {thread.key}),
    ]
