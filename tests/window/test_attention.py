"""A send the app could not settle waits for the agent: the bar says so, "Send again"
sends it once, "Discard" rolls it back and returns the text to the reply box."""

from __future__ import annotations

from inbox_app.simulator import Simulator
from inbox_app.store import outbox
from inbox_app.store.outbox import OutboxState
from inbox_app.sync.changes import ChangeSet
from inbox_app.ui.main_window import MainWindow
from tests.window.conftest import until
from tests.window.test_window import pick

LV = "LiveVox demo"


async def park_a_send(window: MainWindow, body: str) -> int:
    """Send from the composer, then let the drain give up on it as it does when neither
    the vendor's answer nor its history settles the outcome."""
    pick(window, LV, personal=True)
    thread = window.selected_thread()
    assert thread is not None
    composer = window.conversation.composer
    composer.editor.setPlainText(body)
    composer.send_button.click()
    await until(lambda: composer.text() == "")

    def give_up(conn):  # type: ignore[no-untyped-def]
        item = outbox.claim_next(conn, LV)
        assert item is not None and item.payload["body"] == body
        reason = "the connection dropped; history unreadable"
        outbox.fail(conn, item.id, reason, needs_attention=True)
        return item.id

    item_id: int = await window.service.writer.run(give_up)
    window._changed(ChangeSet(LV, threads={thread.key}))
    return item_id


async def test_discard_rolls_back_and_gives_the_text_back(
    window: MainWindow, sim: Simulator
) -> None:
    item_id = await park_a_send(window, "Did this one go out?")
    bar = window.conversation.attention
    await until(bar.isVisible)
    assert "was not confirmed (the connection dropped; history unreadable)" in bar.text.text()
    assert bar.again_button.text() == "Send again"
    bar.discard_button.click()
    composer = window.conversation.composer
    await until(lambda: composer.text() == "Did this one go out?")
    await until(lambda: not bar.isVisible())
    item = await window.service.writer.run(lambda c: outbox.get(c, item_id))
    assert item is not None and item.state is OutboxState.FAILED
    assert not [s for s in sim.world.sends("livevox") if s.body == "Did this one go out?"]


async def test_send_again_sends_it_once(window: MainWindow, sim: Simulator) -> None:
    item_id = await park_a_send(window, "Please confirm the 3 pm slot")
    bar = window.conversation.attention
    await until(bar.isVisible)
    bar.again_button.click()
    await until(lambda: not bar.isVisible())
    await window.service.engine.run_once()
    item = await window.service.writer.run(lambda c: outbox.get(c, item_id))
    assert item is not None and item.state is OutboxState.DONE
    sends = [s for s in sim.world.sends("livevox") if s.body == "Please confirm the 3 pm slot"]
    assert len(sends) == 1
