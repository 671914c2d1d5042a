"""Hostile message bodies, end to end: customers text them in and the agent sends them out
through the simulator over loopback; after the drain and a sync the cache holds each one
byte for byte, search finds them without choking on their syntax, and the export gives
them back unchanged. (How the window paints them as plain text: tests/ui.)"""

from __future__ import annotations

from pathlib import Path

from inbox_app.store import queries
from inbox_app.store.search import search
from inbox_app.sync import intents
from tests.outbox.harness import LV, ZOHO, Harness

BODIES = {
    "html": "<b>bold?</b> <a href='https://evil.example'>link</a> &amp; <script>x()</script>",
    "img": '<img src="https://evil.example/p.png" onerror=alert(1)>',
    "rtl": "\u202eabc\u202c \u200f\u0645\u0631\u062d\u0628\u0627\u200f \u05e9\u05dc\u05d5\u05dd",
    "emoji": "👍🏽 thanks! 👨‍👩‍👧‍👦 🎉",
    "nul": "before\x00after\x1b[31m red",
    "long": ("ten kilobytes " * 800)[:10_240],
    "fts": 'NEAR("a" b) OR -c AND d* "unclosed',
}


async def test_hostile_bodies_round_trip_through_vendor_and_cache(
    h: Harness, tmp_path: Path
) -> None:
    await h.sync(ZOHO)
    lv_thread = (await h.threads(h.personal_key))[0]
    (zoho_thread, *_) = await h.threads("conversations", ZOHO)
    for name, body in BODIES.items():
        h.sim.world.livevox.receive(f"{name}: {body}", thread_id=lv_thread.key)
        h.sim.world.zoho.receive(zoho_thread.customer_number, f"{name}: {body}")
        await h.act(intents.send_message, LV, lv_thread.key, f"re {name}: {body}", "")
    assert (await h.drain()).done == len(BODIES)
    await h.sync(LV, ZOHO)

    stored_lv = {m.body for m in await h.messages(lv_thread.key)}
    stored_zoho = {m.body for m in await h.messages(zoho_thread.key, ZOHO)}
    missing = [
        (where, name)
        for name, body in BODIES.items()
        for where, bodies, text in (
            ("livevox in", stored_lv, f"{name}: {body}"),
            ("livevox out", stored_lv, f"re {name}: {body}"),
            ("zoho in", stored_zoho, f"{name}: {body}"),
        )
        if text not in bodies
    ]
    assert missing == []  # names only: a diff of 10 kB bodies would take pytest minutes
    assert len(h.sends(f"re long: {BODIES['long']}")) == 1

    for typed in [*BODIES.values(), '"', "*", "AND", "-", "((", 'a"b', "NEAR(", "^x", ":"]:
        await h.read(lambda c, t=typed: search(c, t))  # never raises
    hits = await h.read(lambda c: search(c, "evil.example", account=LV))
    assert {hit.thread_key for hit in hits} == {lv_thread.key}
    exported = await h.read(lambda c: list(queries.export_messages(c, LV)))
    assert any(m["body"] == f"re rtl: {BODIES['rtl']}" for m in exported)
