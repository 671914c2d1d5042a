"""A simulator, a synced store and the drain wired together for the outbox tests, plus
a transport that injects a fault into chosen requests only. (A uniquely named module:
`conftest` is ambiguous.)"""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import httpx

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import Message
from inbox_app.providers.base import Provider
from inbox_app.providers.http import RetryPolicy
from inbox_app.providers.registry import create_provider
from inbox_app.simulator import FaultConfig, SimConfig, Simulator
from inbox_app.simulator.journal import SendRecord
from inbox_app.store import outbox, queries
from inbox_app.store.outbox import OutboxItem
from inbox_app.store.queries import ChannelRow, ThreadRow
from inbox_app.store.writer import Writer
from inbox_app.sync.account_sync import AccountSync
from inbox_app.sync.changes import ChangeSet
from inbox_app.sync.outbox_drain import DrainResult, OutboxDrain

T = TypeVar("T")

LV = "LiveVox demo"
ZOHO = "Zoho demo"
CONFIG = SimConfig(
    seed=1,
    frozen_clock=True,
    threads=16,
    messages_per_thread=4,
    zoho_conversations=5,
    zoho_messages_per_conversation=4,
)
"""The default world, smaller: every test syncs it at least once."""


async def no_sleep(_: float) -> None:
    return None


FAST = RetryPolicy(sleep=no_sleep)
"""Real retries without real backoff waits."""


class FaultOn(httpx.AsyncBaseTransport):
    """Real loopback HTTP, with `faults` switched on at the simulator for the first
    `times` requests whose path ends with `suffix` (and off again once answered)."""

    def __init__(self, sim: Simulator, suffix: str, faults: FaultConfig, times: int = 1) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.sim = sim
        self.suffix = suffix
        self.faults = faults
        self.times = times

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        hit = self.times > 0 and request.url.path.endswith(self.suffix)
        if hit:
            self.times -= 1
            self.sim.faults = self.faults
        try:
            return await self.inner.handle_async_request(request)
        finally:
            if hit:
                self.sim.faults = FaultConfig()

    async def aclose(self) -> None:
        await self.inner.aclose()


def closed_port_url() -> str:
    """A loopback address nothing listens on: every connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/livevox"


@dataclass
class Harness:
    sim: Simulator
    accounts: dict[str, AccountConfig]
    writer: Writer
    changes: list[ChangeSet] = field(default_factory=list)
    _providers: dict[str, Provider] = field(default_factory=dict)
    _extra: list[Provider] = field(default_factory=list)

    # -- the pieces under test ------------------------------------------------------------

    def provider(
        self,
        name: str = LV,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        base_url: str | None = None,
        **values: str,
    ) -> Provider:
        """The account's shared provider; with a transport, another address or changed
        account values, a separate one (closed at teardown too)."""
        account = self.accounts[name]
        if transport is None and base_url is None and not values:
            if name not in self._providers:
                self._providers[name] = create_provider(account, retry=FAST)
            return self._providers[name]
        account = replace(
            account, base_url=base_url or account.base_url, values={**account.values, **values}
        )
        provider = create_provider(account, transport=transport, retry=FAST)
        self._extra.append(provider)
        return provider

    async def drain(
        self, name: str = LV, provider: Provider | None = None, settle_seconds: float = 0.0
    ) -> DrainResult:
        drain = OutboxDrain(
            self.accounts[name],
            provider or self.provider(name),
            self.writer,
            self.changes.append,
            settle_seconds=settle_seconds,
        )
        return await drain.drain()

    async def sync(self, *names: str) -> None:
        """One full sync pass of the accounts (a fresh AccountSync walks every list to its
        end), without the outbox drain an engine pass would start with."""
        for name in names or (LV,):
            provider = create_provider(self.accounts[name], retry=FAST)
            try:
                await AccountSync(self.accounts[name], provider, self.writer).run_once()
            finally:
                await provider.aclose()

    async def act(self, fn: Callable[..., T], *args: Any) -> T:
        """What the window does: an intent, run durably through the writer."""
        return await self.writer.run(lambda c: fn(c, *args), durable=True)

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        return await self.writer.run(lambda c: fn(c, *args))

    async def aclose(self) -> None:
        for provider in [*self._providers.values(), *self._extra]:
            await provider.aclose()

    # -- looking at the store ---------------------------------------------------------------

    async def thread(self, key: str, name: str = LV) -> ThreadRow:
        row = await self.read(queries.get_thread, name, key)
        assert row is not None
        return row

    async def messages(self, key: str, name: str = LV) -> list[Message]:
        return await self.read(queries.list_messages, name, key)

    async def channel(self, key: str, name: str = LV) -> ChannelRow:
        channels = await self.read(queries.list_channels, name)
        return next(c for c in channels if c.key == key)

    async def item(self, item_id: int) -> OutboxItem:
        found = await self.read(outbox.get, item_id)
        assert found is not None
        return found

    async def outbox_count(self) -> int:
        def count(conn: sqlite3.Connection) -> int:
            value: int = conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
            return value

        return await self.read(count)

    async def threads(self, channel_key: str, name: str = LV) -> list[ThreadRow]:
        return await self.read(lambda c: queries.list_threads(c, name, channel_key, limit=1000))

    # -- looking at the vendor ---------------------------------------------------------------

    @property
    def agent_id(self) -> int:
        return self.sim.world.livevox.default_agent.agent_id

    @property
    def personal_key(self) -> str:
        return f"personal:SMS:{self.agent_id}"

    def sends(self, body: str) -> list[SendRecord]:
        """Every send the vendors accepted with this text, duplicates included."""
        return [s for s in self.sim.world.sends() if s.body == body]
