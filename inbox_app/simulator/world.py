"""The simulator's whole state: every vendor, the clock and the journal, behind one lock.

Tests compare a client's cache against this truth:
- `world.clock`: `now()`, `advance(seconds)`; sessions, tokens, deliveries and schedules
  all read it, so advancing it replaces sleeping;
- `world.livevox`: `default_agent`, `agent_list()`, `personal_inbox(agent_id)`,
  `group_inbox(service_id)`, `thread(id)`, `all_threads()`, `history(account, thread_id)`,
  `receive(body, thread_id=|customer=, sms_code=)` (inject an inbound SMS);
- `world.zoho`: `conversation_list()`, `conversation(sender, customer)`, `scheduled()`,
  `cancel_scheduled(job_id)`, `receive(customer, body, sender)`, `default_user`, `numbers`;
- `world.zoom`: `queues`, `agents`, `engagements` (oldest first; read under the lock),
  `complete_engagement()` (one that ends now), `oauth`;
- `world.voximplant`: `pairs()` ((our number, customer) -> records), `numbers`,
  `receive(customer, body, number)`, `control_sms(number, command)`, `account_id`, `api_key`;
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
from collections.abc import Iterator
from typing import Any

from . import phones
from .clock import Clock
from .config import SimConfig
from .journal import ActionRecord, Journal, SendRecord
from .livevox_seed import seed_livevox
from .livevox_state import LiveVoxState
from .seeding import gc_paused
from .traffic import TrafficEvent, tick
from .voximplant_seed import seed_voximplant
from .voximplant_state import VoximplantState
from .zoho_seed import seed_zoho
from .zoho_state import ZohoState
from .zoom_seed import seed_zoom
from .zoom_state import ZoomState


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
            # Its own random stream: the other vendors' worlds stay as they were.
            voximplant_rng = random.Random(f"voximplant:{config.seed}")
            voximplant_seed = seed_voximplant(
                voximplant_rng,
                config.voximplant_pairs,
                config.voximplant_messages_per_pair,
                now_ms,
                itertools.cycle(pool),
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
        # Zoom draws from its own generator, so adding it left the other vendors' worlds
        # and live traffic exactly as they were for a given seed.
        zoom_rng = random.Random(f"zoom:{config.seed}")
        self.zoom = ZoomState(
            seed_zoom(zoom_rng, config.zoom_engagements, now_ms, _regulars(zoom_rng, pool)),
            lock=self.lock,
            clock=self.clock,
            rng=zoom_rng,
            customers=pool,
            token_lifetime_seconds=config.token_lifetime_seconds,
        )
        self.voximplant = VoximplantState(voximplant_seed, **{**common, "rng": voximplant_rng})

    def tick(self) -> list[TrafficEvent]:
        """One deterministic step of live traffic (see traffic.py)."""
        return tick(self)

    def expire_sessions(self) -> None:
        self.livevox.expire_sessions()

    def expire_tokens(self) -> None:
        self.zoho.oauth.expire()
        self.zoom.oauth.expire()

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
                "zoom": {
                    "queues": len(self.zoom.queues),
                    "agents": len(self.zoom.agents),
                    "engagements": len(self.zoom.engagements),
                    "tokens": len(self.zoom.oauth),
                },
                "voximplant": {
                    "numbers": len(self.voximplant.numbers),
                    "records": len(self.voximplant.records),
                },
                "sends": len(self.journal.sends),
                "actions": len(self.journal.actions),
            }


def _regulars(rng: random.Random, pool: list[str]) -> Iterator[str]:
    """Customers drawn from a few hundred regulars, so many text in more than once."""
    regulars = pool[:400]
    while True:
        yield rng.choice(regulars)
