"""An intent needing attention (a send the vendor's history could not settle) holds back
its thread until the agent decides: send it again, or discard it."""

from __future__ import annotations

import pytest

from inbox_app.store import outbox, queries
from inbox_app.store.outbox import OutboxState
from inbox_app.sync import intents
from tests.outbox.harness import LV, Harness


async def _parked_send(h: Harness, body: str) -> tuple[str, int]:
    """A send the drain parked: claimed, then marked as needing a person."""
    thread = (await h.threads(h.personal_key))[0]
    item_id = await h.act(intents.send_message, LV, thread.key, body, "")
    await h.read(lambda c: outbox.claim_next(c, LV))
    await h.read(lambda c: outbox.fail(c, item_id, "Couldn't check", needs_attention=True))
    return thread.key, item_id


async def test_a_parked_send_holds_its_thread_until_sent_again(h: Harness) -> None:
    key, parked = await _parked_send(h, "Did this go out?")
    behind = await h.act(intents.send_message, LV, key, "Behind it", "")
    assert (await h.drain()).done == 0
    assert h.sends("Behind it") == []

    await h.act(intents.retry, parked)
    assert (await h.drain()).done == 2
    assert [len(h.sends(b)) for b in ("Did this go out?", "Behind it")] == [1, 1]
    assert (await h.item(behind)).state is OutboxState.DONE


async def test_discarding_rolls_back_and_frees_the_thread(h: Harness) -> None:
    key, parked = await _parked_send(h, "Maybe sent")
    await h.act(intents.discard, parked)
    item = await h.item(parked)
    assert (item.state, item.last_error) == (OutboxState.FAILED, "Discarded; nothing more is done.")
    assert not any(m.body == "Maybe sent" for m in await h.messages(key))
    assert await h.read(queries.get_draft, LV, key) == "Maybe sent"
    assert h.sends("Maybe sent") == []
    with pytest.raises(intents.IntentRefused):
        await h.act(intents.retry, parked)
