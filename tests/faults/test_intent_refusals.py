"""A send the vendor would refuse for want of a sender is refused before it is queued."""

from __future__ import annotations

import pytest

from inbox_app.sync import intents
from tests.outbox.harness import ZOHO, Harness


async def test_a_zoho_conversation_without_our_number_needs_a_sender(h: Harness) -> None:
    await h.sync(ZOHO)
    (thread, *_) = await h.threads("conversations", ZOHO)
    # What the provider stores for a chat-list row without senderId (some seeds have one).
    await h.read(
        lambda c: c.execute("UPDATE threads SET our_number = '' WHERE key = ?", (thread.key,))
    )
    nameless = await h.thread(thread.key, ZOHO)
    with pytest.raises(intents.IntentRefused, match="Choose a number to send from"):
        await h.act(intents.send_message, ZOHO, nameless.key, "Hello", "")
    assert await h.outbox_count() == 0
    await h.act(intents.send_message, ZOHO, nameless.key, "Hello", thread.our_number)
    assert (await h.drain(ZOHO)).done == 1
    assert len(h.sends("Hello")) == 1
