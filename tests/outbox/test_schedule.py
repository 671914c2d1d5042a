"""Scheduling a Zoho Voice send through the outbox, against the simulator over loopback:
it reaches Zoho's schedule once, shows on the thread at once, gives the text back when
refused, and is never scheduled twice when the answer is lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from inbox_app.simulator import FaultConfig
from inbox_app.store import queries, writes
from inbox_app.store.effects import IntentKind, IntentRefused
from inbox_app.store.outbox import OutboxState
from inbox_app.store.queries import ThreadRow
from inbox_app.store.scheduled import scheduled_for_thread
from inbox_app.sync import intents
from tests.outbox.harness import LV, ZOHO, FaultOn, Harness

ODD = "<b>Visit</b> at 9 — موعدك 📅"


def in_hours(hours: float) -> datetime:
    return datetime.now(UTC) + timedelta(hours=hours)


async def _conversation(h: Harness) -> ThreadRow:
    await h.sync(ZOHO)
    return next(t for t in await h.threads("conversations", ZOHO) if t.our_number)


async def _scheduled(h: Harness, thread: ThreadRow) -> list[tuple[str, str, str]]:
    rows = await h.read(scheduled_for_thread, ZOHO, thread.our_number, thread.customer_number)
    return [(s.id, s.body, s.time_zone) for s in rows]


async def test_scheduled_send_reaches_zoho_once_and_shows_on_the_thread(h: Harness) -> None:
    thread = await _conversation(h)
    await h.act(writes.save_draft, ZOHO, thread.key, ODD)
    when = in_hours(3)
    await h.act(intents.schedule_message, ZOHO, thread.key, ODD, "", when, "Asia/Kolkata")
    assert await h.read(queries.get_draft, ZOHO, thread.key) is None
    (pending,) = await h.read(intents.pending_actions, ZOHO)
    assert (pending.kind, pending.state) == (IntentKind.SCHEDULE, OutboxState.QUEUED)

    result = await h.drain(ZOHO)
    assert (result.done, result.failed) == (1, 0)
    (job,) = h.sim.world.zoho.scheduled()
    assert (job.body, job.time_zone) == (ODD, "Asia/Kolkata")
    kolkata = when.astimezone(ZoneInfo("Asia/Kolkata"))
    assert job.scheduled_time == kolkata.strftime("%Y-%m-%d %H:%M:%S")
    assert await _scheduled(h, thread) == [(job.logid, ODD, "Asia/Kolkata")]
    assert any(thread.key in c.scheduled for c in h.changes)

    await h.sync(ZOHO)  # the mirror of Zoho's schedule agrees
    assert await _scheduled(h, thread) == [(job.logid, ODD, "Asia/Kolkata")]
    assert len(h.sends(ODD)) == 1


async def test_impossible_schedules_are_refused_and_queue_nothing(h: Harness) -> None:
    thread = await _conversation(h)
    livevox = (await h.threads(h.personal_key))[0]
    before = await h.outbox_count()
    cases = [
        (LV, livevox.key, "hi", in_hours(1), "UTC", "doesn't let this app schedule"),
        (ZOHO, thread.key, "  ", in_hours(1), "UTC", "nothing to schedule"),
        (ZOHO, thread.key, "hi", in_hours(1), "Mars/Olympus", "not a time zone"),
        (ZOHO, thread.key, "hi", in_hours(-1), "UTC", "two minutes from now"),
        (ZOHO, thread.key, "hi", in_hours(1).replace(tzinfo=None), "UTC", "two minutes"),
    ]
    for account, key, body, when, zone, why in cases:
        with pytest.raises(IntentRefused, match=why):
            await h.act(intents.schedule_message, account, key, body, "", when, zone)
    assert await h.outbox_count() == before


async def test_refused_schedule_gives_the_text_back_with_zohos_reason(h: Harness) -> None:
    thread = await _conversation(h)
    item_id = await h.act(intents.schedule_message, ZOHO, thread.key, ODD, "", in_hours(0.1), "UTC")
    h.sim.world.clock.advance(3600)  # by the time it is handed over, the time has passed
    result = await h.drain(ZOHO)
    assert result.failed == 1
    item = await h.item(item_id)
    assert item.state is OutboxState.FAILED
    assert item.last_error is not None and "ZVSMS-4029" in item.last_error
    assert await h.read(queries.get_draft, ZOHO, thread.key) == ODD
    assert await _scheduled(h, thread) == [] and h.sim.world.zoho.scheduled() == []


async def test_lost_answer_needs_attention_and_never_schedules_twice(h: Harness) -> None:
    thread = await _conversation(h)
    item_id = await h.act(
        intents.schedule_message, ZOHO, thread.key, "Reminder", "", in_hours(2), "UTC"
    )
    lossy = FaultOn(h.sim, "/v2/sms/send", FaultConfig(drop_after_commit=1.0))
    await h.drain(ZOHO, h.provider(ZOHO, transport=lossy))
    item = await h.item(item_id)
    assert item.state is OutboxState.NEEDS_ATTENTION
    assert item.last_error is not None and "scheduled messages" in item.last_error
    await h.drain(ZOHO)
    assert len(h.sim.world.zoho.scheduled()) == 1  # Zoho took it once; nothing repeated it
    await h.sync(ZOHO)
    assert [body for _, body, _ in await _scheduled(h, thread)] == ["Reminder"]
