"""Zoom Contact Center SMS history over its REST API (`GET /contact_center/sms`): a
read-only view of completed engagements for supervisors.

Account values: `account_id`, `client_id`, `client_secret` (server-to-server OAuth),
`base_url` (default "https://api.zoom.us/v2"), `oauth_url` (default
"https://zoom.us"), and optionally `history_days` (how far back to list, default 90).

Choices the document leaves open (row parsing choices: see `zoom_parse`):

- OAuth: `POST {oauth_url}/oauth/token?grant_type=account_credentials&account_id=...`
  with HTTP Basic client id and secret (no secret in the query string). A token is
  fetched when none is held or within 5 minutes of its `expires_in` (3600 s when
  absent), and once more when the API answers 401/403 or code 124/4700 (a bad token).
  If the fresh token is refused too, code 4700 or HTTP 403 is `AuthError` (the app
  lacks the `contact_center_sms:read:admin` scope); anything else is `ServerError`,
  tried again next pass, since the credentials were just accepted. Any 4xx from the
  token endpoint is `AuthError` with Zoom's `reason`.
- Errors: `{"code": N, "message": "..."}`; other 4xx are `VendorRefused` with Zoom's
  message and code. 429 (with or without `Retry-After`) and 5xx are retried.
- Windows: the list covers at most "a month" per request, and the document does not
  say which month. Ranges are split into windows of 28 days, newest first: at most one
  month under every reading (the shortest month), so the server neither refuses nor
  truncates one. Dates go as `yyyy-MM-dd'T'HH:mm:ss'Z'`; consecutive windows share
  their boundary second and rows are de-duplicated by engagement id.
- Paging: `page_size=100` (the maximum), `next_page_token` until it comes back empty,
  repeats, or a page is empty. A token lives 15 minutes; when a request carrying one
  is refused (expired or unknown token, HTTP 4xx) the window is walked again from its
  first page, at most twice, and de-duplication makes the repeat harmless.
- Sync: `list_channels` lists the engagements (the list has no per-queue filter) and
  files them by queue; `thread_pages` then pages through what it found. The first
  listing, and one every `FULL_WALK_SECONDS`, covers the whole horizon (`history_days`);
  the others cover only from one day before the previous listing's end to now (the
  range selects by start time, so a day's overlap catches engagements that ended
  since). With nothing new such a pass costs one request.
- Channels: one per queue (an engagement's first queue), unread 0, total = its
  engagements within the horizon; a queue seen earlier in this session stays listed.
- Messages: the rows carry no message text, so `list_messages` returns nothing rather
  than invent a transcript; the engagement's summary (counts, agents, queues, times)
  is the thread's preview and `vendor_ref`.
- `list_engagements` takes the documented filters (direction, agent `user_id`,
  `engagement_id`, `consumer_number`, `country_iso_codes`) as keyword arguments; the
  number goes in E.164 (the form Zoom prints numbers in), each country code as its own
  `country_iso_codes` parameter, as the document's request line repeats it.
- Capabilities: none; the API only reads history.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import Channel, ProviderKind, Thread
from inbox_app.core.phone import normalize_number
from inbox_app.providers import zoom_parse as parse
from inbox_app.providers.base import History, Provider, history
from inbox_app.providers.errors import (
    AuthError,
    BadResponse,
    ProviderError,
    ServerError,
    VendorRefused,
)
from inbox_app.providers.fields import first_text, integer, mapping, mappings
from inbox_app.providers.http import HttpSession, Reply, RetryPolicy
from inbox_app.providers.zoom_parse import Engagement, QueueRef

log = logging.getLogger(__name__)

VENDOR = "Zoom Contact Center"
DEFAULT_OAUTH_URL = "https://zoom.us"
DEFAULT_HISTORY_DAYS = 90
PAGE_SIZE = 100
THREAD_PAGE = 100
WINDOW = timedelta(days=28)
OVERLAP = timedelta(days=1)
FULL_WALK_SECONDS = 3600.0
WINDOW_RESTARTS = 2
_TOKEN_WHAT = "the access token request"
_REFRESH_MARGIN = 300.0
_DEFAULT_LIFETIME = 3600.0
_NO_SCOPE = 4700
_BAD_TOKEN_CODES = frozenset({124, _NO_SCOPE})
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class TokenRefused(AuthError):
    """The API refused the token; `code` is Zoom's (124 invalid/expired, 4700 scopes)."""

    def __init__(self, message: str, status: int, code: int | None) -> None:
        super().__init__(message, status)
        self.code = code


class ZoomContactCenterProvider(Provider):
    kind = ProviderKind.ZOOM

    def __init__(
        self,
        account: AccountConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 20.0,
        retry: RetryPolicy | None = None,
        concurrency: int = 4,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.account = account
        basic = base64.b64encode(
            f"{account.get('client_id')}:{account.get('client_secret')}".encode()
        ).decode("ascii")
        self._basic = basic
        self._http = HttpSession.for_account(
            VENDOR,
            account,
            timeout=timeout,
            concurrency=concurrency,
            retry=retry,
            transport=transport,
            error_hook=self._envelope_error,
            extra_secrets=[basic],
        )
        self._oauth_url = account.get("oauth_url") or DEFAULT_OAUTH_URL
        self._clock = clock
        self._now = now
        self.history = timedelta(days=history_days(account))
        self._token = ""
        self._expires_at = 0.0
        self._token_lock = asyncio.Lock()
        self._engagements: dict[str, Engagement] = {}
        self._queues: dict[str, QueueRef] = {}
        self._listed_to: datetime | None = None
        self._full_walk_at: float | None = None

    async def aclose(self) -> None:
        await self._http.aclose()

    def _where(self) -> str:
        return f"(account '{self.account.name}')"

    # -- OAuth -------------------------------------------------------------------

    async def login(self) -> None:
        await self._ensure_token()

    def _token_fresh(self) -> bool:
        return bool(self._token) and self._clock() < self._expires_at - _REFRESH_MARGIN

    async def _ensure_token(self) -> None:
        if self._token_fresh():
            return
        async with self._token_lock:
            if not self._token_fresh():
                await self._fetch_token()

    async def _fetch_token(self) -> None:
        query = urlencode(
            {"grant_type": "account_credentials", "account_id": self.account.get("account_id")}
        )
        reply = await self._http.request(
            "POST",
            self._http.url(f"oauth/token?{query}", base=self._oauth_url),
            idempotent=True,
            what=_TOKEN_WHAT,
            headers={"Authorization": f"Basic {self._basic}"},
            parse_json=True,
        )
        body = mapping(reply.data)
        token = first_text(body, "access_token")
        if not token:
            host = urlsplit(self._oauth_url).hostname or self._oauth_url
            raise BadResponse(f"Zoom ({host}) answered the token request without a token")
        self._http.redact.add(token)
        self._token = token
        lifetime = integer(body.get("expires_in"))
        self._expires_at = self._clock() + (
            float(lifetime) if lifetime and lifetime > 0 else _DEFAULT_LIFETIME
        )
        log.info("%s: fetched a %s access token", self.account.name, VENDOR)

    def _envelope_error(self, reply: Reply, what: str) -> ProviderError | None:
        """Zoom's `{"code", "message"}` envelope (and the OAuth host's `{"reason",
        "error"}`); 429 and 5xx keep their generic meaning."""
        if reply.ok or reply.status == 429 or reply.status >= 500:
            return None
        try:
            body = json.loads(reply.content)
        except (ValueError, UnicodeDecodeError):
            body = None
        body = body if isinstance(body, dict) else {}
        redact = self._http.redact
        if what == _TOKEN_WHAT:
            reason = first_text(body, "reason", "error_description", "message", "error")
            host = urlsplit(self._oauth_url).hostname or self._oauth_url
            return AuthError(
                f"Zoom ({host}) refused the account credentials: "
                f"{redact(reason) or f'HTTP {reply.status}'} {self._where()}",
                status=reply.status,
            )
        code = integer(body.get("code"))
        message = redact(first_text(body, "message")) or f"HTTP {reply.status}"
        if reply.status in (401, 403) or code in _BAD_TOKEN_CODES:
            return TokenRefused(
                f"{VENDOR} refused the access token for {what}: {message} {self._where()}",
                status=reply.status,
                code=code,
            )
        return VendorRefused(
            f"{VENDOR} refused {what}: {message} {self._where()}",
            code="" if code is None else str(code),
            status=reply.status,
        )

    async def _get_json(
        self, path: str, what: str, params: Iterable[tuple[str, str]]
    ) -> dict[str, Any]:
        """One GET with the token, fetching a new one once if it was refused."""
        await self._ensure_token()
        url = self._http.url(path) + "?" + urlencode(list(params))
        token = self._token
        try:
            reply = await self._get(url, what, token)
        except TokenRefused:
            log.info("%s: %s token refused; fetching a new one", self.account.name, VENDOR)
            async with self._token_lock:
                if self._token == token:
                    await self._fetch_token()
            try:
                reply = await self._get(url, what, self._token)
            except TokenRefused as error:
                if error.status == 403 or error.code == _NO_SCOPE:
                    raise AuthError(
                        f"{error}; check that the app has the contact_center_sms:read:admin scope",
                        status=error.status,
                    ) from None
                # The token was just issued, so the credentials are good: try again
                # later rather than stop the account.
                raise ServerError(
                    f"{VENDOR} refused even a freshly issued access token for {what}; "
                    f"trying again later {self._where()}"
                ) from None
        if reply.data is None:
            return {}
        if not isinstance(reply.data, dict):
            raise BadResponse(f"{VENDOR} answered {what} in a shape we don't know {self._where()}")
        return reply.data

    async def _get(self, url: str, what: str, token: str) -> Reply:
        return await self._http.request(
            "GET",
            url,
            idempotent=True,
            what=what,
            headers={"Authorization": f"Bearer {token}"},
            parse_json=True,
        )

    # -- the engagement list -----------------------------------------------------

    async def _window_rows(
        self, start: datetime, end: datetime, filters: list[tuple[str, str]], what: str
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """One window's rows, page by page; walked again from its first page when a
        page token is refused (it expires after 15 minutes)."""
        base = [("from", _wire_date(start)), ("to", _wire_date(end)), *filters]
        base.append(("page_size", str(PAGE_SIZE)))
        restarts = 0
        token = ""
        seen: set[str] = set()
        while True:
            params = [*base, ("next_page_token", token)] if token else base
            try:
                payload = await self._get_json("contact_center/sms", what, params)
            except VendorRefused:
                if not token or restarts >= WINDOW_RESTARTS:
                    raise
                restarts += 1
                log.info(
                    "%s: %s page token refused (expired?); walking the window again",
                    self.account.name,
                    VENDOR,
                )
                token, seen = "", set()
                continue
            rows = mappings(payload.get("sms"))
            if rows:
                yield rows
            token = first_text(payload, "next_page_token")
            if not rows or not token or token in seen:
                return
            seen.add(token)

    async def _rows(
        self, start: datetime, end: datetime, filters: list[tuple[str, str]], what: str
    ) -> AsyncIterator[list[dict[str, Any]]]:
        for window_start, window_end in windows(start, end):
            async for rows in self._window_rows(window_start, window_end, filters, what):
                yield rows

    async def list_engagements(
        self,
        start: datetime,
        end: datetime,
        *,
        direction: str = "",
        user_id: str = "",
        engagement_id: str = "",
        consumer_number: str = "",
        country_iso_codes: Iterable[str] = (),
    ) -> list[Thread]:
        """Engagements that started between `start` and `end` (any length: split into
        windows), with the documented filters, newest first, one per engagement."""
        filters = [("country_iso_codes", code) for code in country_iso_codes]
        for key, value in (
            ("direction", direction),
            ("user_id", user_id),
            ("engagement_id", engagement_id),
            ("consumer_number", normalize_number(consumer_number) if consumer_number else ""),
        ):
            if value:
                filters.append((key, value))
        found = await self._collect(start, end, filters, "the SMS engagement list")
        return _newest_first(e.thread for e in found.values())

    async def _collect(
        self, start: datetime, end: datetime, filters: list[tuple[str, str]], what: str
    ) -> dict[str, Engagement]:
        found: dict[str, Engagement] = {}
        async for rows in self._rows(start, end, filters, what):
            # Parsed in a worker thread: a page is hundreds of engagements, and parsing
            # them on the loop made the window late.
            for engagement in await asyncio.to_thread(_parse_page, rows):
                found[engagement.thread.key] = engagement
        return found

    async def _refresh(self) -> None:
        """Bring the engagements up to date: the whole horizon on the first call and
        every FULL_WALK_SECONDS, otherwise only what started since the last listing
        (minus a day's overlap)."""
        now = self._now()
        horizon = now - self.history
        full = self._full_walk_at is None or self._clock() >= self._full_walk_at + FULL_WALK_SECONDS
        if full or self._listed_to is None:
            start = horizon
        else:
            start = max(horizon, self._listed_to - OVERLAP)
        found = await self._collect(start, now, [], "the SMS engagement list")
        if full:
            self._engagements = found
            self._full_walk_at = self._clock()
        else:
            self._engagements.update(found)
        self._listed_to = now
        self._engagements = {
            key: e
            for key, e in self._engagements.items()
            if e.started is None or e.started >= horizon
        }
        for engagement in self._engagements.values():
            self._queues.setdefault(engagement.queue.channel_key, engagement.queue)

    async def list_channels(self) -> list[Channel]:
        await self._refresh()
        totals: dict[str, int] = dict.fromkeys(self._queues, 0)
        for engagement in self._engagements.values():
            totals[engagement.queue.channel_key] += 1
        queues = sorted(self._queues.values(), key=lambda q: (q.name.lower(), q.queue_id))
        return [
            Channel(
                key=q.channel_key,
                name=q.name,
                kind="SMS",
                personal=False,
                unread=0,
                total=totals[q.channel_key],
                vendor_id=q.queue_id,
            )
            for q in queues
        ]

    async def thread_pages(self, channel: Channel) -> AsyncIterator[list[Thread]]:
        threads = _newest_first(
            e.thread for e in self._engagements.values() if e.queue.channel_key == channel.key
        )
        for index in range(0, len(threads), THREAD_PAGE):
            yield threads[index : index + THREAD_PAGE]

    async def fetch_history(self, thread: Thread, since: datetime | None = None) -> History:
        return history(parse.no_messages, [], thread)


def history_days(account: AccountConfig) -> int:
    """The account's `history_days`; the config loader has checked it, so anything
    unusable here (an account built in code) falls back to the default."""
    days = integer(account.get("history_days"))
    if days is None or days < 1:
        return DEFAULT_HISTORY_DAYS
    return days


def windows(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """[start, end] (to the second) cut into pieces of at most WINDOW, newest first;
    neighbours share their boundary second."""
    start, end = _whole_second(start), _whole_second(end)
    pieces: list[tuple[datetime, datetime]] = []
    while True:
        piece_start = max(start, end - WINDOW)
        pieces.append((piece_start, end))
        if piece_start <= start:
            return pieces
        end = piece_start


def _whole_second(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def _wire_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_DATE_FORMAT)


def _parse_page(rows: list[dict[str, Any]]) -> list[Engagement]:
    return [e for e in map(parse.parse_engagement, rows) if e is not None]


def _newest_first(threads: Iterable[Thread]) -> list[Thread]:
    epoch = datetime.min.replace(tzinfo=UTC)
    return sorted(threads, key=lambda t: (t.last_message_at or epoch, t.key), reverse=True)
