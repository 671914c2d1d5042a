"""The simulator's whole state: both vendors, the clock and the journal, behind one lock.

Tests compare a client's cache against this truth:
- `world.clock`: `now()`, `advance(seconds)`; sessions, tokens, deliveries and schedules
  all read it, so advancing it replaces sleeping;
- `world.livevox`: `default_agent`, `agent_list()`, `personal_inbox(agent_id)`,
  `group_inbox(service_id)`, `thread(id)`, `all_threads()`, `history(account, thread_id)`,
  `receive(body, thread_id=|customer=, sms_code=)` (inject an inbound SMS);
- `world.zoho`: `conversation_list()`, `conversation(sender, customer)`, `scheduled()`,
  `cancel_scheduled(job_id)`, `receive(customer, body, sender)`, `default_user`, `numbers`;
- `world.sends(vendor)` / `world.actions(kind)`: what clients (and live traffic) did;
- `world.tick()`, `world.expire_sessions()`, `world.expire_tokens()`, `world.summary()`.
Everything returned is a copy; `world.lock` (re-entrant) is only needed to read
several things as one consistent picture.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from typing import Any

from . import phones
from .clock import Clock
from .config import SimConfig
from .journal import ActionRecord, Journal, SendRecord
from .livevox_seed import seed_livevox
from .livevox_state import LiveVoxState
from .seeding import gc_paused
from .traffic import TrafficEvent, tick
from .zoho_seed import seed_zoho
from .zoho_state import ZohoState


class World:
    def __init__(self, config: SimConfig) -> None:
        start = time.time() if config.start_time is None else config.start_time
        self.lock = threading.RLock()
        self.clock = Clock(start, frozen=config.frozen_clock)
        self.journal = Journal()
        self.rng = random.Random(config.seed)
        now_ms = int(start * 1000)
        pool = phones.customer_pool(self.rng)
        split = len(pool) * 3 // 5
        self.customer_numbers = pool
        with gc_paused():
            livevox_seed = seed_livevox(
                self.rng,
                config.threads,
                config.messages_per_thread,
                config.agents,
                config.services,
                now_ms,
                itertools.cycle(pool[:split]),
            )
            zoho_seed = seed_zoho(
                self.rng,
                config.zoho_conversations,
                config.zoho_messages_per_conversation,
                now_ms,
                itertools.cycle(pool[split:]),
            )
        common: dict[str, Any] = {
            "lock": self.lock,
            "clock": self.clock,
            "rng": self.rng,
            "journal": self.journal,
        }
        self.livevox = LiveVoxState(
            livevox_seed, session_idle_seconds=config.session_idle_seconds, **common
        )
        self.zoho = ZohoState(
            zoho_seed, token_lifetime_seconds=config.token_lifetime_seconds, **common
        )

    def tick(self) -> list[TrafficEvent]:
        """One deterministic step of live traffic (see traffic.py)."""
        return tick(self)

    def expire_sessions(self) -> None:
        self.livevox.expire_sessions()

    def expire_tokens(self) -> None:
        self.zoho.oauth.expire()

    def sends(self, vendor: str | None = None) -> list[SendRecord]:
        """Every accepted send, in order, duplicates included."""
        with self.lock:
            return [s for s in self.journal.sends if vendor is None or s.vendor == vendor]

    def actions(self, kind: str | None = None) -> list[ActionRecord]:
        """Every thread action (mark_read, transfer, resolve, ...), in order."""
        with self.lock:
            return [a for a in self.journal.actions if kind is None or a.kind == kind]

    def summary(self) -> dict[str, Any]:
        with self.lock:
            threads = self.livevox.threads.values()
            return {
                "now_ms": self.clock.now_ms(),
                "livevox": {
                    "agents": len(self.livevox.agents),
                    "services": len(self.livevox.services),
                    "threads_open": sum(not t.resolved for t in threads),
                    "threads_resolved": sum(t.resolved for t in threads),
                    "threads_unread": sum(not t.resolved and not t.read for t in threads),
                    "messages": sum(len(t.messages) for t in threads),
                    "sessions": len(self.livevox.sessions),
                },
                "zoho": {
                    "conversations": len(self.zoho.conversations),
                    "logs": len(self.zoho.logs),
                    "scheduled": len(self.zoho.schedule),
                    "tokens": len(self.zoho.oauth),
                },
                "sends": len(self.journal.sends),
                "actions": len(self.journal.actions),
            }
