"""Intents in the store alone: each action is an outbox row plus its optimistic effect in
one transaction, refusals write nothing, and an undo restores exactly what was there
(and leaves alone what a sync changed since)."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

from inbox_app.core.models import Direction, ThreadStatus
from inbox_app.store import effects, outbox, writes
from inbox_app.store.effects import IntentKind, IntentRefused
from inbox_app.store.outbox import OutboxState
from inbox_app.store.queries import ThreadRow
from inbox_app.sync import intents
from tests.outbox.harness import LV, ZOHO, Harness


def _comparable(row: ThreadRow) -> ThreadRow:
    return dataclasses.replace(row, updated_at=row.updated_at.min)


async def _thread_in(h: Harness, channel_key: str, *, unread: bool | None = None) -> ThreadRow:
    rows = await h.threads(channel_key)
    return next(r for r in rows if unread is None or r.unread == unread)


async def _fail_now(h: Harness, item_id: int, reason: str = "refused") -> set[str]:
    """What the drain does on a refusal: claim, fail, undo, in one transaction."""

    def run(conn: sqlite3.Connection) -> set[str]:
        claimed = outbox.claim_next(conn, LV)
        assert claimed is not None and claimed.id == item_id
        return effects.undo_effect(conn, outbox.fail(conn, item_id, reason))

    return await h.writer.run(run, durable=True)


async def test_send_queues_the_intent_and_shows_a_pending_bubble(h: Harness) -> None:
    thread = await _thread_in(h, h.personal_key)
    await h.act(writes.save_draft, LV, thread.key, "On my way")
    item_id = await h.act(intents.send_message, LV, thread.key, "  On my way \n", "")

    item = await h.item(item_id)
    assert (item.kind, item.state) == (IntentKind.SEND, OutboxState.QUEUED)
    assert item.payload == {"body": "On my way", "sender": "", "template_id": None}
    bubble = (await h.messages(thread.key))[-1]
    assert (bubble.id, bubble.direction, bubble.body, bubble.status) == (
        f"local:{item_id}",
        Direction.OUT,
        "On my way",
        "pending",
    )
    assert bubble.our_number == thread.our_number
    after = await h.thread(thread.key)
    assert after.preview == "On my way"
    assert thread.last_message_at is not None and after.last_message_at is not None
    assert after.last_message_at >= thread.last_message_at
    assert await h.read(lambda c: c.execute("SELECT count(*) FROM drafts").fetchone()[0]) == 0


async def test_a_failure_inside_the_transaction_leaves_neither_row_nor_effect(
    h: Harness,
) -> None:
    thread = await _thread_in(h, h.personal_key, unread=True)
    before = await h.thread(thread.key)
    await h.act(writes.save_draft, LV, thread.key, "draft")

    def send_then_crash(conn: sqlite3.Connection) -> None:
        intents.send_message(conn, LV, thread.key, "Hello", "")
        intents.set_read(conn, LV, thread.key, True)
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        await h.writer.run(send_then_crash, durable=True)
    assert await h.outbox_count() == 0
    assert [m.body for m in await h.messages(thread.key)] == [
        m.body for m in await h.messages(before.key)
    ]
    assert not any(m.id.startswith("local:") for m in await h.messages(thread.key))
    assert _comparable(await h.thread(thread.key)) == _comparable(before)
    assert await h.read(lambda c: c.execute("SELECT body FROM drafts").fetchall()) == [("draft",)]


@pytest.mark.parametrize(
    ("body", "flags", "expected"),
    [
        ("", {}, "empty"),
        (" \n\t ", {}, "empty"),
        ("Hi", {"do_not_contact": 1}, "do-not-contact"),
        ("Hi", {"opted_out": 1}, "opted out"),
        ("Hi", {"status": "resolved"}, "left your inbox"),
    ],
)
async def test_sends_the_app_must_not_make_are_refused_and_write_nothing(
    h: Harness, body: str, flags: dict[str, Any], expected: str
) -> None:
    thread = await _thread_in(h, h.personal_key)
    if flags:
        sets = ", ".join(f"{column} = ?" for column in flags)
        await h.writer.run(
            lambda c: c.execute(
                f"UPDATE threads SET {sets} WHERE account = ? AND key = ?",
                (*flags.values(), LV, thread.key),
            )
        )
    with pytest.raises(IntentRefused, match=expected):
        await h.act(intents.send_message, LV, thread.key, body, "")
    assert await h.outbox_count() == 0
    assert not any(m.id.startswith("local:") for m in await h.messages(thread.key))


async def test_actions_a_vendor_cannot_do_are_refused(h: Harness) -> None:
    await h.sync(ZOHO)
    (conversation, *_) = await h.threads("conversations", ZOHO)
    actions: list[tuple[Callable[..., int], tuple[Any, ...]]] = [
        (intents.set_read, (True,)),
        (intents.move_to_inbox, (True,)),
        (intents.transfer, ("713080", "Someone")),
        (intents.resolve, (None,)),
    ]
    for action, args in actions:
        with pytest.raises(IntentRefused, match="Zoho Voice doesn't let this app"):
            await h.act(action, ZOHO, conversation.key, *args)
    with pytest.raises(IntentRefused, match="isn't in the inbox"):
        await h.act(intents.set_read, LV, "no-such-thread", True)
    assert await h.outbox_count() == 0


async def test_mark_read_moves_the_flag_and_the_channel_count_and_undo_restores_them(
    h: Harness,
) -> None:
    thread = await _thread_in(h, h.personal_key, unread=True)
    channel = await h.channel(h.personal_key)

    item_id = await h.act(intents.set_read, LV, thread.key, True)
    assert not (await h.thread(thread.key)).unread
    assert (await h.channel(h.personal_key)).unread == channel.unread - 1
    assert (await h.item(item_id)).payload == {"read": True}

    assert await _fail_now(h, item_id) == {h.personal_key}
    assert _comparable(await h.thread(thread.key)) == _comparable(thread)
    assert await h.channel(h.personal_key) == channel


async def test_mark_unread_of_an_unread_thread_changes_no_count(h: Harness) -> None:
    thread = await _thread_in(h, h.personal_key, unread=True)
    channel = await h.channel(h.personal_key)
    await h.act(intents.set_read, LV, thread.key, False)
    assert (await h.thread(thread.key)).unread
    assert await h.channel(h.personal_key) == channel


async def test_move_to_group_changes_channel_and_counts_and_undo_restores_them(
    h: Harness,
) -> None:
    thread = await _thread_in(h, h.personal_key, unread=True)
    group_key = f"group:SMS:{thread.vendor_ref['serviceId']}"
    personal, group = await h.channel(h.personal_key), await h.channel(group_key)

    item_id = await h.act(intents.move_to_inbox, LV, thread.key, False)
    moved = await h.thread(thread.key)
    assert moved.channel_key == group_key
    assert moved.vendor_ref["personal"] == "false"
    assert moved.vendor_ref["channelId"] == thread.vendor_ref["serviceId"]
    assert moved.assigned_agent == ""
    assert (await h.channel(h.personal_key)).total == personal.total - 1
    assert (await h.channel(h.personal_key)).unread == personal.unread - 1
    assert (await h.channel(group_key)).total == group.total + 1
    assert (await h.channel(group_key)).unread == group.unread + 1

    assert await _fail_now(h, item_id) == {h.personal_key, group_key}
    assert _comparable(await h.thread(thread.key)) == _comparable(thread)
    assert (await h.channel(h.personal_key), await h.channel(group_key)) == (personal, group)


async def test_move_to_the_inbox_it_is_in_is_refused(h: Harness) -> None:
    thread = await _thread_in(h, h.personal_key)
    with pytest.raises(IntentRefused, match="already in Personal SMS"):
        await h.act(intents.move_to_inbox, LV, thread.key, True)


@pytest.mark.parametrize(
    ("kind", "status"), [("transfer", ThreadStatus.CLOSED), ("resolve", ThreadStatus.RESOLVED)]
)
async def test_transfer_and_resolve_take_the_thread_out_of_the_inbox(
    h: Harness, kind: str, status: ThreadStatus
) -> None:
    thread = await _thread_in(h, h.personal_key, unread=True)
    channel = await h.channel(h.personal_key)
    if kind == "transfer":
        item_id = await h.act(intents.transfer, LV, thread.key, "713080", "Sam Smith")
        assert (await h.item(item_id)).payload == {"agent_id": "713080", "agent_name": "Sam Smith"}
    else:
        item_id = await h.act(intents.resolve, LV, thread.key, "3100")
        assert (await h.item(item_id)).payload == {"term_code_id": "3100"}
    assert (await h.thread(thread.key)).status is status
    assert thread.key not in {t.key for t in await h.threads(h.personal_key)}
    after = await h.channel(h.personal_key)
    assert (after.unread, after.total) == (channel.unread - 1, channel.total - 1)
    with pytest.raises(IntentRefused, match="left your inbox"):
        await h.act(intents.resolve, LV, thread.key, None)

    await _fail_now(h, item_id)
    assert _comparable(await h.thread(thread.key)) == _comparable(thread)
    assert await h.channel(h.personal_key) == channel


async def test_undo_leaves_alone_what_a_sync_changed_since(h: Harness) -> None:
    thread = await _thread_in(h, h.personal_key, unread=True)
    item_id = await h.act(intents.set_read, LV, thread.key, True)
    # A sync meanwhile: the vendor says the thread is unread again and recounts.
    synced = dataclasses.replace(thread.to_thread(), unread=True, preview="newer")
    await h.writer.run(lambda c: writes.upsert_threads(c, LV, [synced]))
    counts = await h.channel(h.personal_key)

    assert await _fail_now(h, item_id) == set()
    assert (await h.thread(thread.key)).preview == "newer"
    assert await h.channel(h.personal_key) == counts


async def test_a_sync_rewriting_a_thread_keeps_the_effects_of_intents_under_way(
    h: Harness,
) -> None:
    resolved, read, replied = (await h.threads(h.personal_key))[:3]
    await h.act(intents.resolve, LV, resolved.key, None)
    await h.act(intents.set_read, LV, read.key, read.unread)  # flip it
    await h.act(intents.send_message, LV, replied.key, "Queued reply", "")
    vendor_rows = [
        dataclasses.replace(t.to_thread(), preview="from the list")
        for t in (resolved, read, replied)
    ]

    def sync_page(conn: sqlite3.Connection) -> set[str]:
        return effects.reapply_open(conn, LV, writes.upsert_threads(conn, LV, vendor_rows))

    assert await h.writer.run(sync_page) == {resolved.key, read.key}
    assert (await h.thread(resolved.key)).status is ThreadStatus.RESOLVED
    assert (await h.thread(read.key)).unread is not read.unread
    assert any(m.body == "Queued reply" for m in await h.messages(replied.key))


async def test_undo_of_a_send_removes_the_bubble_and_gives_the_text_back(h: Harness) -> None:
    thread = await _thread_in(h, h.personal_key)
    before = await h.messages(thread.key)
    item_id = await h.act(intents.send_message, LV, thread.key, "Typed text", "")

    await _fail_now(h, item_id)
    assert await h.messages(thread.key) == before
    assert _comparable(await h.thread(thread.key)) == _comparable(thread)
    draft = await h.read(lambda c: c.execute("SELECT body FROM drafts").fetchall())
    assert draft == [("Typed text",)]


async def test_undo_of_a_send_keeps_a_draft_started_since(h: Harness) -> None:
    thread = await _thread_in(h, h.personal_key)
    item_id = await h.act(intents.send_message, LV, thread.key, "First", "")
    await h.act(writes.save_draft, LV, thread.key, "Second thoughts")
    await _fail_now(h, item_id)
    draft = await h.read(lambda c: c.execute("SELECT body FROM drafts").fetchall())
    assert draft == [("Second thoughts",)]


async def test_local_message_gives_way_to_the_vendor_row_a_sync_already_stored(
    h: Harness,
) -> None:
    thread = await _thread_in(h, h.personal_key)
    item_id = await h.act(intents.send_message, LV, thread.key, "Race", "")
    local = (await h.messages(thread.key))[-1]
    vendor = dataclasses.replace(local, id="vendor-1", status="SMS MT Queued")
    await h.writer.run(lambda c: writes.upsert_messages(c, LV, thread.key, [vendor]))

    await h.writer.run(
        lambda c: effects.settle_sent(c, LV, thread.key, item_id, "vendor-1", "accepted", None)
    )
    bodies = [(m.id, m.status) for m in await h.messages(thread.key) if m.body == "Race"]
    assert bodies == [("vendor-1", "SMS MT Queued")]
    assert (await h.thread(thread.key)).messages_fingerprint is None


async def test_pending_actions_show_each_threads_latest_unfinished_intent(h: Harness) -> None:
    first, second, third = (await h.threads(h.personal_key))[:3]
    sent = await h.act(intents.send_message, LV, first.key, "A", "")
    await h.act(intents.set_read, LV, first.key, False)
    marked = await h.act(intents.set_read, LV, first.key, True)
    parked = await h.act(intents.send_message, LV, second.key, "B", "")
    await h.act(intents.set_read, LV, second.key, False)
    done = await h.act(intents.set_read, LV, third.key, True)

    def settle(conn: sqlite3.Connection) -> None:
        assert outbox.claim_next(conn, LV) is not None  # `sent`
        outbox.complete(conn, sent, None)
        assert outbox.claim_next(conn, LV) is not None  # `parked`
        outbox.fail(conn, parked, "check first", needs_attention=True)
        assert outbox.claim_next(conn, LV) is not None  # `done`
        outbox.complete(conn, done, None)

    await h.writer.run(settle)
    shown = {
        (p.thread_key, p.outbox_id, p.kind, p.state, p.last_error)
        for p in await h.read(intents.pending_actions, LV)
    }
    assert shown == {
        (first.key, marked, IntentKind.SET_READ, OutboxState.QUEUED, None),
        (second.key, parked, IntentKind.SEND, OutboxState.NEEDS_ATTENTION, "check first"),
    }
    assert await h.read(intents.pending_actions, ZOHO) == []
    assert {p.account for p in await h.read(intents.pending_actions)} == {LV}
