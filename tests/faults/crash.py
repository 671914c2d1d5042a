"""Kill runs: `inbox-app sync --once` in a child process, SIGKILLed at a random moment
of its outbox drain or sync pass, many times over one cache; after every kill the cache
must pass `PRAGMA integrity_check` and `foreign_key_check`, hold no half-applied batch
and keep every intent queued so far. Then the app (in-process, faults off) carries on
from what the kills left, and `reckon` compares the simulator with the cache and outbox.

A half-applied batch would show as a thread whose stored messages claim to match its list
row (`messages_fingerprint = fingerprint`) while a vendor message no later than the row's
last message is missing: the messages and the mark that they were fetched are one
transaction, so that can only happen if a transaction was torn. (A thread with an intent
still open is left out: its pending reply moved the row's last message time to the local
clock, and a send cut off mid call is in the vendor's history but not yet in the cache,
by design, until the drain reconciles it.)
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from inbox_app.core.phone import normalize_number
from inbox_app.demo import simulator_accounts
from inbox_app.simulator import FaultConfig, SimConfig, Simulator, serve_in_thread
from inbox_app.simulator.cli import accounts_toml
from inbox_app.store import outbox
from tests.faults.reckoning import LV, ZOHO, Planned
from tests.faults.scenarios import Run, RunFigures

KILL_AT_REQUEST = (1, 45)
"""A kill lands as the simulator receives the child's n-th request, n drawn from this
range: a warm `sync --once` makes about forty, so most kills cut a drain or a pass
short, whatever the machine's speed (a wall-clock moment missed them all on a fast one)."""
_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class KillFigures:
    kills: int = 0
    finished: int = 0
    """Children that completed before their kill came."""
    integrity_failures: int = 0
    half_batches: int = 0
    outbox_rows_lost: int = 0
    mid_drain: int = 0
    """Kills that left an intent in flight: the drain was cut off mid call."""
    problems: list[str] = field(default_factory=list)


def _vendor_times(sim: Simulator) -> dict[tuple[str, str], dict[str, int]]:
    """(account, thread key) -> {vendor message id: time in ms} for every thread."""
    times: dict[tuple[str, str], dict[str, int]] = {}
    lv = sim.world.livevox
    with sim.world.lock:
        for thread in lv.threads.values():
            times[(LV, thread.thread_id)] = {m.id: m.date_ms for m in thread.messages}
    for conversation in sim.world.zoho.conversation_list():
        key = f"{normalize_number(conversation.sender)}|{normalize_number(conversation.customer)}"
        times[(ZOHO, key)] = {log.logid: log.submitted_ms for log in conversation.logs}
    return times


def check_cache(db: Path, sim: Simulator, queued: set[int], figures: KillFigures) -> None:
    """What must hold after any kill."""
    conn = sqlite3.connect(db)
    try:
        if conn.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
            figures.integrity_failures += 1
            figures.problems.append("integrity_check failed")
        if conn.execute("PRAGMA foreign_key_check").fetchall():
            figures.integrity_failures += 1
            figures.problems.append("foreign_key_check found orphans")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "outbox" not in tables:
            if tables:  # a migration is one transaction: all of the schema or none of it
                figures.integrity_failures += 1
                figures.problems.append(f"half a schema: {sorted(tables)}")
            return
        present = {row[0] for row in conn.execute("SELECT id FROM outbox")}
        figures.mid_drain += bool(
            conn.execute("SELECT 1 FROM outbox WHERE state = 'in_flight'").fetchone()
        )
        lost = queued - present
        figures.outbox_rows_lost += len(lost)
        if lost:
            figures.problems.append(f"outbox rows lost: {sorted(lost)}")
        vendor = _vendor_times(sim)
        rows = conn.execute(
            "SELECT t.id, t.account, t.key, t.last_message_at FROM threads AS t"
            " WHERE t.messages_fingerprint IS t.fingerprint AND t.status = 'active'"
            " AND NOT EXISTS (SELECT 1 FROM outbox AS o WHERE o.account = t.account"
            " AND o.thread_key = t.key AND o.state IN ('queued', 'in_flight', 'needs_attention'))"
        ).fetchall()
        for thread_id, account, key, last_at in rows:
            stored = {
                r[0]
                for r in conn.execute(
                    "SELECT vendor_id FROM messages WHERE thread_id = ?", (thread_id,)
                )
            }
            expected = {
                id for id, at in vendor.get((account, key), {}).items() if at <= (last_at or 0)
            }
            if expected - stored:
                figures.half_batches += 1
                figures.problems.append(f"{account} {key}: messages {sorted(expected - stored)}")
    finally:
        conn.close()


def _killer(child: subprocess.Popen[bytes], at: int) -> Callable[[], None]:
    seen = 0

    def on_request() -> None:
        nonlocal seen
        seen += 1
        if seen == at:
            child.send_signal(signal.SIGKILL)

    return on_request


def _child(config: Path, db: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(_ROOT)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "inbox_app",
            "sync",
            "--once",
            "--config",
            str(config),
            "--db",
            str(db),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=_ROOT,
    )


async def run_kills(
    seed: int,
    kills: int = 6,
    *,
    warm: bool = False,
    threads: int = 40,
    kill_at: tuple[int, int] = KILL_AT_REQUEST,
) -> tuple[RunFigures, KillFigures]:
    """`kills` child runs each SIGKILLed at a seeded moment (a child that finishes first is
    simply counted), customers texting and the agent queueing actions in between. Cold,
    the first kills land in the first full sync; `warm` syncs once first, so every kill
    has intents to cut off. With 200 LiveVox `threads`, a cold pass has enough to fetch
    to store them through the writer's helper process (started at about its 60th
    request), which a kill leaves running until it has finished its batch; `kill_at` is
    the range of request numbers a kill lands on."""
    rng = random.Random(f"kills:{seed}")
    sim = Simulator(
        SimConfig(
            seed=seed,
            threads=threads,
            messages_per_thread=6,
            zoho_conversations=12,
            zoho_messages_per_conversation=6,
            faults=FaultConfig(latency_ms=10),
        )
    )
    figures, killed = RunFigures("kill", seed, kills), KillFigures()
    with tempfile.TemporaryDirectory() as tmp, serve_in_thread(sim) as running:
        config, db = Path(tmp) / "config.toml", Path(tmp) / "cache.sqlite3"
        config.write_text(accounts_toml(running, sim.credentials), encoding="utf-8")
        accounts = simulator_accounts(running, sim.credentials)
        planned: list[Planned] = []
        inbound = 0
        if warm:
            run = Run(sim, accounts, db, seed)
            await run.round()
            await run.aclose()
        for number in range(kills):
            if db.exists():
                run = Run(sim, accounts, db, seed * 1000 + number)
                await run.customers_text()
                await run.queue_intents()
                planned += run.planned
                inbound += run.inbound
                await run.aclose()
            child = _child(config, db)
            sim.injector.on_request = _killer(child, rng.randint(*kill_at))
            try:
                if child.wait() == -signal.SIGKILL:
                    killed.kills += 1
                else:
                    killed.finished += 1
            finally:
                sim.injector.on_request = None
            check_cache(db, sim, {p.outbox_id for p in planned}, killed)
        run = Run(sim, accounts, db, seed)
        run.planned = planned
        try:
            await run.settle(rounds=10)
            figures.tally = await run.reckon()
            with sqlite3.connect(db) as conn:
                figures.tally.intents = len(planned)
                open_items = outbox.pending(conn)
                figures.tally.details += [f"still open: {i.id} {i.state}" for i in open_items]
        finally:
            await run.aclose()
        figures.inbound = inbound
        figures.faults = {"kill": killed.kills, **sim.fault_counts}
        figures.faults.pop("latency", None)
    return figures, killed
