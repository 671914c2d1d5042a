"""The interface every vendor client implements; sync and the CLI see only this."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any

from inbox_app.core.models import (
    Agent,
    Attachment,
    Capability,
    Channel,
    Message,
    ProviderKind,
    ScheduledMessage,
    SenderId,
    SendResult,
    Template,
    TermCode,
    Thread,
)
from inbox_app.providers.errors import NotSupported, ProviderError

HistoryParser = Callable[[Sequence[Any], str, datetime | None], list[Message]]


@dataclass(frozen=True, slots=True)
class History:
    """A thread's history as its vendor sent it, not parsed yet: a sync hands it to the
    store's helper process, which parses and stores it off the window's interpreter.
    It pickles: `parse` is a module-level function, `rows` plain data."""

    thread_key: str
    rows: Sequence[Any]
    parse: HistoryParser
    """Rows, thread key and the time for undated rows to messages, oldest first."""
    default_at: datetime | None

    def messages(self) -> list[Message]:
        return self.parse(self.rows, self.thread_key, self.default_at)


def history(parse: HistoryParser, rows: Sequence[Any], thread: Thread) -> History:
    return History(thread.key, rows, parse, thread.last_message_at)


class Provider(ABC):
    """A logged-in view of one vendor account.

    Reads may be retried freely by the implementation (with backoff and `Retry-After`);
    writes are sent once, and a write whose answer was lost raises `OutcomeUnknown`.
    """

    kind: ProviderKind
    capabilities: frozenset[Capability] = frozenset()

    async def __aenter__(self) -> Provider:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    @abstractmethod
    async def aclose(self) -> None: ...

    @abstractmethod
    async def login(self) -> None:
        """Authenticate (or reuse a still-valid session); raises AuthError if refused."""

    @abstractmethod
    async def list_channels(self) -> list[Channel]:
        """Inboxes with their unread/total counts, cheap enough to call every cycle."""

    @abstractmethod
    def thread_pages(self, channel: Channel) -> AsyncIterator[list[Thread]]:
        """The channel's threads, newest first, one vendor page at a time, to the end;
        a caller may stop early once a page holds nothing new."""

    @abstractmethod
    async def fetch_history(self, thread: Thread, since: datetime | None = None) -> History:
        """The thread's history, unparsed. With `since`, at least every message at or
        after that moment (older ones may be included)."""

    async def list_messages(self, thread: Thread, since: datetime | None = None) -> list[Message]:
        """The thread's messages, oldest first (see `fetch_history`). Parsed in a worker
        thread: the event loop is also the window's, and must not stall a frame per
        thread; several fetches finish in one turn of the loop."""
        found = await self.fetch_history(thread, since)
        return await asyncio.to_thread(found.messages)

    async def list_templates(self) -> list[Template]:
        return []

    async def list_sender_ids(self) -> list[SenderId]:
        return []

    async def list_term_codes(self, thread: Thread) -> list[TermCode]:
        raise NotSupported(f"{self.kind.value} has no termination codes")

    async def list_transfer_agents(self, thread: Thread) -> list[Agent]:
        raise NotSupported(f"{self.kind.value} cannot transfer threads")

    async def send_message(
        self, thread: Thread, body: str, sender: str, template_id: str | None = None
    ) -> SendResult:
        raise NotSupported(f"{self.kind.value} cannot send from this app")

    async def schedule_message(
        self, thread: Thread, body: str, sender: str, when: datetime, tz: str
    ) -> SendResult:
        """Send at `when` (aware, or wall-clock time in the IANA zone `tz`)."""
        raise NotSupported(f"{self.kind.value} cannot schedule messages")

    async def list_scheduled(self) -> list[ScheduledMessage]:
        """Messages waiting in the vendor's schedule (providers with SCHEDULE)."""
        raise NotSupported(f"{self.kind.value} has no scheduled messages")

    async def set_read(self, thread: Thread, read: bool) -> None:
        raise NotSupported(f"{self.kind.value} has no read/unread state")

    async def transfer(self, thread: Thread, agent_id: str) -> None:
        raise NotSupported(f"{self.kind.value} cannot transfer threads")

    async def resolve(self, thread: Thread, term_code_id: str | None) -> None:
        raise NotSupported(f"{self.kind.value} cannot resolve threads")

    async def move_to_inbox(self, thread: Thread, personal: bool) -> None:
        raise NotSupported(f"{self.kind.value} has no group and personal inboxes")

    async def fetch_attachment(self, attachment: Attachment) -> tuple[bytes, str]:
        """An attachment's bytes and content type, through the vendor's own download."""
        raise NotSupported(f"{self.kind.value} offers no attachment download")

    async def fetch_preview(self, attachment: Attachment, max_bytes: int) -> tuple[bytes, str]:
        """A small rendition for a thumbnail where the vendor has one, else the file;
        more than `max_bytes` is a ProviderError, so a huge video never lands in memory."""
        data, content_type = await self.fetch_attachment(attachment)
        if len(data) > max_bytes:
            raise ProviderError(f"The attachment is too large to preview ({len(data)} bytes)")
        return data, content_type

    async def find_sent(self, thread: Thread, body: str, after: datetime) -> Message | None:
        """The outbound message with this body sent at or after `after`, if the vendor's
        history shows one: how an unknown send outcome is reconciled."""
        for message in await self.list_messages(thread, since=after):
            if message.direction.value == "out" and message.body == body and message.at >= after:
                return message
        return None
