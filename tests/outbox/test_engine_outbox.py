"""The engine and the outbox together: a pass drains before it reads, a kick drains at
once between passes, and a pass never undoes an action still waiting to go out."""

from __future__ import annotations

import asyncio
from typing import Any

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import ThreadStatus
from inbox_app.providers.base import Provider
from inbox_app.providers.registry import create_provider
from inbox_app.simulator import FaultConfig
from inbox_app.store.outbox import OutboxState
from inbox_app.sync import intents
from inbox_app.sync.changes import AccountStatus, ChangeSet, SyncPhase
from inbox_app.sync.engine import SyncEngine
from tests.outbox.harness import FAST, LV, FaultOn, Harness


def _engine(h: Harness, transport: FaultOn | None = None, **callbacks: Any) -> SyncEngine:
    def factory(account: AccountConfig) -> Provider:
        return create_provider(account, transport=transport, retry=FAST)

    return SyncEngine([h.accounts[LV]], h.writer, provider_factory=factory, **callbacks)


async def test_a_pass_drains_first_and_reads_the_sent_message_back(h: Harness) -> None:
    (thread, *_) = await h.threads(h.personal_key)
    await h.act(intents.send_message, LV, thread.key, "Sent by the pass", "")
    engine = _engine(h)
    await engine.run_once()
    await engine.aclose()
    (sent,) = h.sends("Sent by the pass")
    bubbles = [(m.id, m.status) for m in await h.messages(thread.key) if m.body == sent.body]
    assert bubbles == [(sent.message_id, "SMS MT Queued")]


async def test_a_kick_drains_between_passes(h: Harness) -> None:
    (thread, *_) = await h.threads(h.personal_key)
    sent = asyncio.Event()

    def on_change(change: ChangeSet) -> None:
        if thread.key in change.messages:
            sent.set()

    def on_status(status: AccountStatus) -> None:
        if status.phase is SyncPhase.IDLE:
            first_pass.set()

    first_pass = asyncio.Event()
    engine = _engine(h, on_change=on_change, on_status=on_status)
    task = asyncio.create_task(engine.run_forever(3600))
    await asyncio.wait_for(first_pass.wait(), 10)
    await h.act(intents.send_message, LV, thread.key, "Kicked", "")
    engine.kick(LV)
    await asyncio.wait_for(sent.wait(), 10)
    task.cancel()
    await engine.aclose()
    assert len(h.sends("Kicked")) == 1


async def test_a_pass_keeps_an_action_still_waiting_to_go_out(h: Harness) -> None:
    (thread, *_) = await h.threads(h.personal_key)
    item_id = await h.act(intents.resolve, LV, thread.key, None)
    limited = FaultOn(h.sim, "/agent/thread/resolve", FaultConfig(rate_429=1.0, retry_after_s=120))
    engine = _engine(h, limited)
    await engine.run_once()
    assert (await h.item(item_id)).state is OutboxState.QUEUED
    assert (await h.thread(thread.key)).status is ThreadStatus.RESOLVED
    assert thread.key not in {t.key for t in await h.threads(h.personal_key)}
    await engine.run_once()
    await engine.aclose()
    assert (await h.item(item_id)).state is OutboxState.DONE
    assert h.sim.world.livevox.thread(thread.key).resolved
