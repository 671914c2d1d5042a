"""The drain with a Voximplant account: a reply goes out once by SendSmsMessage or
A2PSendSms and the next sync shows it as one bubble, a lost answer is settled from the
SMS history instead of texting twice, a refusal rolls back with the vendor's reason."""

from __future__ import annotations

from inbox_app.providers.errors import OutcomeUnknown
from inbox_app.simulator import FaultConfig
from inbox_app.store import queries
from inbox_app.store.outbox import OutboxState
from inbox_app.store.queries import ThreadRow
from inbox_app.sync import intents
from tests.outbox.harness import FaultOn, Harness

VOX = "Voximplant demo"


async def _thread(h: Harness, kind: str) -> ThreadRow:
    """The newest conversation of an SMS number or the A2P sender."""
    await h.sync(VOX)
    channels = await h.read(queries.list_channels, VOX)
    channel = next(c for c in channels if c.kind == kind)
    return (await h.threads(channel.key, VOX))[0]


async def test_reply_goes_out_once_and_the_next_sync_shows_one_bubble(h: Harness) -> None:
    thread = await _thread(h, "SMS")
    item_id = await h.act(intents.send_message, VOX, thread.key, "Booked for Tuesday", "")
    assert (await h.drain(VOX)).done == 1
    (sent,) = h.sends("Booked for Tuesday")
    assert sent.endpoint == "voximplant.send_sms"
    item = await h.item(item_id)
    assert item.result is not None and item.result["message_id"] == f"sms:{sent.message_id}"

    await h.sync(VOX)
    bubbles = [m for m in await h.messages(thread.key, VOX) if m.body == "Booked for Tuesday"]
    assert [m.id for m in bubbles] == [f"sms:{sent.message_id}"]
    assert bubbles[0].body_stored


async def test_a2p_conversation_replies_through_a2p(h: Harness) -> None:
    thread = await _thread(h, "A2P")
    await h.act(intents.send_message, VOX, thread.key, "Your parcel arrives today", "")
    assert (await h.drain(VOX)).done == 1
    (sent,) = h.sends("Your parcel arrives today")
    assert sent.endpoint == "voximplant.a2p_send"
    await h.sync(VOX)
    ids = [m.id for m in await h.messages(thread.key, VOX)]
    assert f"a2p:{sent.message_id}" in ids


async def test_answer_lost_after_the_vendor_sent_is_reconciled_not_resent(h: Harness) -> None:
    thread = await _thread(h, "SMS")
    item_id = await h.act(intents.send_message, VOX, thread.key, "Lost answer", "")
    lossy = FaultOn(h.sim, "/SendSmsMessage/", FaultConfig(drop_after_commit=1.0))

    result = await h.drain(VOX, provider=h.provider(VOX, transport=lossy))
    assert isinstance(result.stopped_by, OutcomeUnknown)
    assert result.done == 1
    (sent,) = h.sends("Lost answer")
    item = await h.item(item_id)
    assert item.state is OutboxState.DONE
    assert item.result is not None
    assert (item.result["message_id"], item.result["found"]) == (f"sms:{sent.message_id}", True)


async def test_too_long_for_sms_rolls_back_with_the_reason(h: Harness) -> None:
    thread = await _thread(h, "SMS")
    item_id = await h.act(intents.send_message, VOX, thread.key, "x" * 800, "")
    assert (await h.drain(VOX)).failed == 1
    item = await h.item(item_id)
    assert item.state is OutboxState.FAILED
    assert "at most 765 characters" in (item.last_error or "")
    assert h.sends("x" * 800) == []
    assert not any(m.body == "x" * 800 for m in await h.messages(thread.key, VOX))
