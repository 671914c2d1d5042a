"""The app's event loop (qasync with repairs, ui/qt_loop.py)."""

from __future__ import annotations

import asyncio
import gc
import weakref

from inbox_app.ui.qt_loop import QtEventLoop


async def test_a_cancelled_timeout_is_let_go_at_once() -> None:
    """Every HTTP request arms timeouts and cancels them when its answer comes; qasync
    kept each one until it fell due."""
    loop = asyncio.get_running_loop()
    assert isinstance(loop, QtEventLoop)
    before = loop.delayed_calls.pending()
    fired: list[int] = []
    handles = [loop.call_later(60, fired.append, n) for n in range(100)]
    assert loop.delayed_calls.pending() == before + 100
    for handle in handles:
        handle.cancel()
    assert loop.delayed_calls.pending() == before
    first = weakref.ref(handles[0])
    del handles, handle
    gc.collect()
    assert first() is None
    async with asyncio.timeout(60):
        await asyncio.sleep(0)
    assert loop.delayed_calls.pending() == before
    assert fired == []


async def test_delayed_calls_still_run_in_order() -> None:
    loop = asyncio.get_running_loop()
    ran: list[str] = []
    done = asyncio.Event()
    loop.call_later(0.03, lambda: (ran.append("later"), done.set()))
    loop.call_later(0.01, ran.append, "sooner")
    loop.call_at(loop.time() + 0.02, ran.append, "between")
    with_timeout = asyncio.create_task(asyncio.wait_for(asyncio.sleep(10), 0.01))
    await asyncio.wait_for(done.wait(), 5)
    assert ran == ["sooner", "between", "later"]
    assert isinstance(with_timeout.exception(), TimeoutError)
