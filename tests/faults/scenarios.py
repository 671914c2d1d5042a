"""Fault runs against the simulator over real loopback HTTP, shared by the fast tests and
the many-seed script (`tests/faults/many_seeds.py`).

A run: a seeded simulator and an empty cache; sync passes and outbox drains (what the
engine does per account: drain, then one pass) under the scenario's faults, with
customers texting in and the agent queueing sends, read flags and a resolve while the
faults last; then the faults stop, the outbox settles, a full sync runs, and `reckon`
compares the simulator with the cache and the outbox.

Scenarios:
- `storm`: 10% 5xx, 5% timeouts, 429 bursts (most requests of a round answered 429);
- `drop_after_send`: the connection dropped after the vendor accepted a call;
- `malformed`: malformed and truncated JSON bodies;
- `expiry`: sessions and tokens expiring, pages of 3 so expiry strikes mid-pagination.
The kill scenario (the app SIGKILLed mid sync and mid drain) is in `crash.py`.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from inbox_app.core.accounts import AccountConfig
from inbox_app.demo import simulator_accounts
from inbox_app.providers.base import Provider
from inbox_app.providers.errors import AuthError, ProviderError
from inbox_app.providers.http import RetryPolicy
from inbox_app.providers.registry import create_provider
from inbox_app.simulator import FaultConfig, SimConfig, Simulator, serve_in_thread
from inbox_app.store import outbox, queries
from inbox_app.store.writer import Writer
from inbox_app.sync import intents
from inbox_app.sync.account_sync import AccountSync
from inbox_app.sync.outbox_drain import OutboxDrain
from tests.faults.reckoning import LV, ZOHO, Planned, Tally, reckon


async def no_sleep(_: float) -> None:
    return None


FAST = RetryPolicy(sleep=no_sleep)
CLIENT_TIMEOUT_S = 0.5
"""The client gives up this soon; the simulator's `timeout` faults hang for longer."""

SCENARIOS: dict[str, FaultConfig] = {
    "storm": FaultConfig(error_5xx=0.10, timeout=0.05, timeout_s=2.0, retry_after_s=0),
    "drop_after_send": FaultConfig(drop_after_commit=0.25, drop=0.05),
    "malformed": FaultConfig(malformed=0.08, truncated=0.08),
    "expiry": FaultConfig(expire=0.15),
}
_BURST = 0.8
"""The share of 429 answers during a `storm` burst."""


def world_config(seed: int, scenario: str) -> SimConfig:
    return SimConfig(
        seed=seed,
        threads=10,
        messages_per_thread=3,
        zoho_conversations=4,
        zoho_messages_per_conversation=3,
        page_size=3 if scenario == "expiry" else 5,
    )


@dataclass
class RunFigures:
    scenario: str
    seed: int
    rounds: int = 0
    passes_failed: int = 0
    inbound: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    tally: Tally = field(default_factory=Tally)

    def as_dict(self) -> dict[str, Any]:
        tally = self.tally.as_dict()
        details = tally.pop("details")
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "rounds": self.rounds,
            "passes_failed": self.passes_failed,
            "inbound": self.inbound,
            "faults": self.faults,
            **tally,
            "details": details[:10],
        }


class Run:
    """One account set-up on a served simulator: passes, drains, intents, inbound texts."""

    def __init__(self, sim: Simulator, accounts: list[AccountConfig], db: Path, seed: int) -> None:
        self.sim = sim
        self.accounts = {a.name: a for a in accounts}
        self.writer = Writer(db)
        self.rng = random.Random(f"run:{seed}")
        self.providers: dict[str, Provider] = {
            name: create_provider(a, retry=FAST, timeout=CLIENT_TIMEOUT_S)
            for name, a in self.accounts.items()
        }
        self.syncs = {
            n: AccountSync(a, self.providers[n], self.writer) for n, a in self.accounts.items()
        }
        self.drains = {
            n: OutboxDrain(a, self.providers[n], self.writer, settle_seconds=0)
            for n, a in self.accounts.items()
        }
        self.planned: list[Planned] = []
        self.inbound = 0
        self.failed_passes = 0
        self._sent = 0

    async def round(self) -> None:
        """What the engine does for each account, side by side: drain, then one pass."""
        await asyncio.gather(*(self._drain_then_pass(name) for name in self.accounts))

    async def _drain_then_pass(self, name: str) -> None:
        await self.drains[name].drain()
        try:
            await self.syncs[name].run_once()
        except AuthError:
            raise
        except ProviderError:
            self.failed_passes += 1

    async def settle(self, rounds: int = 20) -> None:
        """Faults off: rounds until nothing is open in the outbox, then a full sync."""
        self.sim.faults = FaultConfig()
        for _ in range(rounds):
            await self.round()
            if not await self.writer.run(lambda c: outbox.pending(c)):
                break
        for account in self.accounts.values():
            provider = create_provider(account, retry=FAST)
            try:
                await AccountSync(account, provider, self.writer).run_once()
            finally:
                await provider.aclose()

    async def customers_text(self) -> None:
        """One new inbound text on a LiveVox thread and one on a Zoho conversation."""
        lv, zoho = self.sim.world.livevox, self.sim.world.zoho
        agent = lv.default_agent
        open_threads = lv.personal_inbox(agent.agent_id)
        if open_threads:
            thread = self.rng.choice(open_threads)
            lv.receive(f"inbound {self.inbound}", thread_id=thread.thread_id)
            self.inbound += 1
        conversations = zoho.conversation_list()
        if conversations:
            conversation = self.rng.choice(conversations)
            zoho.receive(conversation.customer, f"inbound {self.inbound}", conversation.sender)
            self.inbound += 1

    async def queue_intents(self, sends: int = 2) -> None:
        """Sends on a few threads of each account (several per thread, so their order
        counts), and on LiveVox a read flag and a resolve."""
        for name in (LV, ZOHO):
            rows = await self.writer.run(lambda c, n=name: queries.list_threads(c, n, limit=50))
            active = [r for r in rows if not r.do_not_contact and not r.opted_out]
            for row in self.rng.sample(active, min(2, len(active))):
                for _ in range(sends):
                    await self._send(name, row.key)
        rows = await self.writer.run(lambda c: queries.list_threads(c, LV, limit=50))
        spare = [r for r in rows if r.key not in {p.thread_key for p in self.planned}]
        if len(spare) >= 2:
            flag, leaving = self.rng.sample(spare, 2)
            await self._act(
                LV,
                flag.key,
                intents.IntentKind.SET_READ,
                intents.set_read,
                LV,
                flag.key,
                flag.unread,
            )
            code = self._term_code(leaving.vendor_ref.get("serviceId", ""))
            await self._act(
                LV, leaving.key, intents.IntentKind.RESOLVE, intents.resolve, LV, leaving.key, code
            )

    async def _send(self, account: str, key: str) -> None:
        body = f"reply {self._sent} \u2013 seed text {self.rng.randrange(10**6)}"
        self._sent += 1
        await self._act(
            account,
            key,
            intents.IntentKind.SEND,
            intents.send_message,
            account,
            key,
            body,
            "",
            body=body,
        )

    async def _act(
        self,
        account: str,
        key: str,
        kind: intents.IntentKind,
        fn: Callable[..., int],
        *args: Any,
        body: str = "",
    ) -> None:
        try:
            item_id = await self.writer.run(lambda c: fn(c, *args), durable=True)
        except intents.IntentRefused:
            return
        self.planned.append(Planned(item_id, account, key, kind, body))

    def _term_code(self, service_id: str) -> str | None:
        codes = self.sim.world.livevox.term_codes.get(int(service_id)) if service_id else None
        return str(codes[0].term_code_id) if codes else None

    async def reckon(self) -> Tally:
        return await self.writer.run(lambda c: reckon(self.sim, c, self.planned))

    async def aclose(self) -> None:
        for provider in self.providers.values():
            await provider.aclose()
        await asyncio.to_thread(self.writer.close)


async def run_scenario(scenario: str, seed: int, rounds: int = 6) -> RunFigures:
    """One seeded run of `scenario`; the figures say what was injected and what broke."""
    faults = SCENARIOS[scenario]
    sim = Simulator(world_config(seed, scenario))
    figures = RunFigures(scenario, seed, rounds)
    rng = random.Random(f"bursts:{seed}")
    with tempfile.TemporaryDirectory() as tmp, serve_in_thread(sim) as running:
        run = Run(sim, simulator_accounts(running, sim.credentials), Path(tmp) / "c.sqlite3", seed)
        try:
            sim.faults = replace(faults)
            await run.round()
            for number in range(rounds):
                if scenario == "storm":
                    sim.faults = replace(faults, rate_429=_BURST if rng.random() < 0.3 else 0.0)
                await run.customers_text()
                if number in (0, rounds // 2):
                    await run.queue_intents()
                await run.round()
            await run.settle()
            figures.tally = await run.reckon()
        finally:
            figures.faults = sim.fault_counts
            figures.passes_failed = run.failed_passes
            figures.inbound = run.inbound
            await run.aclose()
    return figures
