"""Zoom Contact Center's SMS engagement history: completed engagements, the list query
with `next_page_token` paging, and the server-to-server OAuth tokens.

Runs under the world's lock like the other vendors' state; refusals raise `ZoomError`.

Choices where the document is silent:
- `from`/`to` select engagements by `start_time`, both ends inclusive; without `from`
  the last 24 hours (as the document says); `to` without `from` is read as "the 24
  hours before `to`". A range longer than one calendar month (Jan 31 + 1 month =
  Feb 28/29) is refused with code 300, as is `from` without `to`;
- rows come newest `start_time` first; `page_size` defaults to 10 and is capped at 100;
- a `next_page_token` lives 15 minutes of the world's clock and is bound to the query
  it continues: an expired, unknown or mismatched token is HTTP 400, code 300;
- filters: `direction` (inbound/outbound), `user_id` (any agent of the engagement),
  `engagement_id`, `consumer_number` (any spelling), `country_iso_codes` (repeated
  and/or comma-separated, any of them).
"""

from __future__ import annotations

import bisect
import calendar
import dataclasses
import random
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from .clock import Clock
from .zoom_model import Agent, Engagement, Queue, bad_parameter
from .zoom_oauth import ZoomTokens
from .zoom_seed import ZoomSeed, make_engagement

PAGE_SIZE_DEFAULT = 10
PAGE_SIZE_MAX = 100
PAGE_TOKEN_SECONDS = 15 * 60
DEFAULT_RANGE_MS = 86_400_000


@dataclass(frozen=True)
class EngagementQuery:
    from_ms: int
    to_ms: int
    direction: str | None = None
    user_id: str | None = None
    engagement_id: str | None = None
    consumer: str | None = None
    countries: frozenset[str] = frozenset()


@dataclass
class _PageToken:
    query: EngagementQuery
    offset: int
    expires_at: float


class ZoomState:
    def __init__(
        self,
        seed: ZoomSeed,
        *,
        lock: threading.RLock,
        clock: Clock,
        rng: random.Random,
        customers: list[str],
        token_lifetime_seconds: float,
    ) -> None:
        self.lock = lock
        self.clock = clock
        self.rng = rng
        self.customers = customers
        self.account_id = seed.account_id
        self.queues: list[Queue] = seed.queues
        self.agents: list[Agent] = seed.agents
        self.numbers: list[str] = seed.numbers
        self.engagements: list[Engagement] = sorted(seed.engagements, key=lambda e: e.start_ms)
        """Ordered by `start_ms`, oldest first."""
        self.oauth = ZoomTokens(
            seed.credentials, lock=lock, clock=clock, lifetime_seconds=token_lifetime_seconds
        )
        self._page_tokens: dict[str, _PageToken] = {}

    def add(self, engagement: Engagement) -> None:
        with self.lock:
            keys = [e.start_ms for e in self.engagements]
            self.engagements.insert(bisect.bisect_right(keys, engagement.start_ms), engagement)

    def matching(self, query: EngagementQuery) -> list[Engagement]:
        """The query's engagements, newest start first."""
        with self.lock:
            keys = [e.start_ms for e in self.engagements]
            low = bisect.bisect_left(keys, query.from_ms)
            high = bisect.bisect_right(keys, query.to_ms)
            found = [e for e in self.engagements[low:high] if _matches(e, query)]
        found.reverse()
        return found

    def page(
        self, query: EngagementQuery, token: str, size: int, *, ranged: bool = True
    ) -> tuple[EngagementQuery, list[Engagement], int, str]:
        """(the query served, one page of it, its total, the next page's token or "").
        A token must be live and belong to the same filters, and to the same range
        when the request named one (`ranged`)."""
        now = self.clock.now()
        with self.lock:
            offset = 0
            if token:
                held = self._page_tokens.get(token)
                if held is None or now >= held.expires_at:
                    raise bad_parameter("The next page token is invalid or expired.")
                if not ranged:
                    query = dataclasses.replace(
                        query, from_ms=held.query.from_ms, to_ms=held.query.to_ms
                    )
                if held.query != query:
                    raise bad_parameter("The next page token does not belong to this query.")
                offset = held.offset
            found = self.matching(query)
            rows = found[offset : offset + size]
            following = ""
            if offset + size < len(found):
                following = secrets.token_urlsafe(24)
                self._page_tokens[following] = _PageToken(
                    query, offset + size, now + PAGE_TOKEN_SECONDS
                )
            self._page_tokens = {k: v for k, v in self._page_tokens.items() if now < v.expires_at}
            return query, rows, len(found), following

    def complete_engagement(self) -> Engagement:
        """Live traffic: an engagement that ends now (it began a few minutes ago)."""
        with self.lock:
            now_ms = self.clock.now_ms()
            engagement = make_engagement(
                self.rng,
                self.queues,
                self.agents,
                self.numbers,
                self.rng.choice(self.customers),
                now_ms - self.rng.randrange(120_000, 1_800_000),
                end_ms=now_ms,
            )
            self.add(engagement)
            return engagement


def _matches(engagement: Engagement, query: EngagementQuery) -> bool:
    if query.direction is not None and engagement.direction != query.direction:
        return False
    if query.user_id is not None and all(a.user_id != query.user_id for a in engagement.agents):
        return False
    if query.engagement_id is not None and engagement.engagement_id != query.engagement_id:
        return False
    if query.consumer is not None and engagement.consumer_number != query.consumer:
        return False
    return not query.countries or engagement.country_iso in query.countries


def add_month(moment_ms: int) -> int:
    """One calendar month later, the day clamped to the month's length."""
    moment = datetime.fromtimestamp(moment_ms / 1000, UTC)
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp() * 1000)
