"""Voximplant SMS over its Management API: GetSmsHistory, A2PGetSmsHistory,
SendSmsMessage, A2PSendSms and ControlSms.

Account values: `account_id` and either `api_key` or a service account's `key_id` and
`private_key` (PEM); `base_url` defaults to "https://api.voximplant.com/platform_api".

Choices the documents leave open (row parsing choices: see `voximplant_parse`):

- Every method is `POST {base_url}/<Method>/` with a form body, which carries
  `account_id` and `api_key` when an API key is configured, so the key never sits in a
  URL that a proxy or log could keep. Otherwise a service-account JWT goes as
  `Authorization: Bearer` (see `voximplant_auth`); when it is refused, one fresh token
  is made and the call tried once more (safe for a send too: a refused call did
  nothing). An API key wins when both are configured.
- Errors: the `{"error": {"code", "msg"}}` envelope is read whatever the HTTP status
  (Voximplant sends it with 200). Code 100 or a message about the account id, API key
  or authorisation is `AuthError`; any other code is `VendorRefused` with the vendor's
  message. 429 and 5xx keep their generic meaning (retried for reads).
- History pages: `count` 1000 (the documented maximum) from `offset` 0, until
  `total_count` rows were seen, a short or empty page, or a page identical to the one
  before. Both histories are read in full on the first pass; later passes read only
  from an hour before the newest row seen (`from_date`), so status changes of recent
  messages arrive too; older rows are kept from before. `list_channels` (the start of
  every pass) does that refresh; threads and messages are then served from it, so a
  pass with nothing new costs two requests.
- Channels: one per number of ours seen in the history, kind "SMS", or "A2P" when the
  number appears only in A2P history (a SenderID); `total` is its conversation count,
  `unread` 0 (Voximplant keeps no read state). Threads: one per (our number, customer)
  pair, newest first, 100 per page.
- Sending: from the conversation's own number (or the chosen sender id), through
  SendSmsMessage on an SMS number and A2PSendSms on an A2P sender, always with
  `store_body=true` so the transcript and the reconciliation of a lost answer can read
  the text back. The documented limits (765 characters for SendSmsMessage, 1600 and 100
  destinations for A2PSendSms; characters counted as Python characters) are checked
  before anything is sent. A send whose answer can't be read is `OutcomeUnknown`.
- `find_sent` reads both histories' outbound rows to the customer from the send's time
  (`from_date`, `destination_number`, `direction=OUT`), from any number of ours, since
  the reply may have gone from another sender id or route; bodies are compared without
  surrounding whitespace, and rows without stored text never match.
- Capabilities: SEND. `control_sms` (enable/disable SMS on a number) is offered to
  callers but nothing in the window uses it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import (
    Channel,
    Direction,
    Message,
    ProviderKind,
    SenderId,
    SendResult,
    Thread,
)
from inbox_app.core.phone import display_number, normalize_number
from inbox_app.providers import voximplant_parse as parse
from inbox_app.providers.base import History, Provider, history
from inbox_app.providers.capabilities import CAPABILITIES
from inbox_app.providers.errors import (
    AuthError,
    BadResponse,
    NotSupported,
    OutcomeUnknown,
    ProviderError,
    VendorRefused,
)
from inbox_app.providers.fields import integer, mappings, text
from inbox_app.providers.http import HttpSession, Reply, RetryPolicy, decode_json
from inbox_app.providers.voximplant_auth import ServiceAccountToken
from inbox_app.providers.voximplant_cache import HistoryCache
from inbox_app.providers.voximplant_parse import A2P, SMS, A2PSent, HistoryRow

log = logging.getLogger(__name__)

VENDOR = "Voximplant"
PAGE_SIZE = 1000
THREAD_PAGE = 100
SMS_LIMIT = 765
A2P_LIMIT = 1600
A2P_MAX_DESTINATIONS = 100
OVERLAP = timedelta(hours=1)
_AUTH_CODES = frozenset({100})
_AUTH_WORDS = re.compile(r"(?i)api[_ ]?key|account[_ ]?id|authori[sz]|credential|token")
_HISTORY = {SMS: "GetSmsHistory", A2P: "A2PGetSmsHistory"}
_DECODE_OFF_LOOP_BYTES = 64 * 1024
"""Bodies larger than this are decoded in a worker thread, not on the window's loop."""


class VoximplantProvider(Provider):
    kind = ProviderKind.VOXIMPLANT
    capabilities = CAPABILITIES[ProviderKind.VOXIMPLANT]

    def __init__(
        self,
        account: AccountConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 20.0,
        retry: RetryPolicy | None = None,
        concurrency: int = 4,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.account = account
        self._http = HttpSession.for_account(
            VENDOR,
            account,
            timeout=timeout,
            concurrency=concurrency,
            retry=retry,
            transport=transport,
            error_hook=self._envelope_error,
        )
        self._page_size = min(max(1, page_size), PAGE_SIZE)
        self._cache = HistoryCache()
        self._refresh_lock = asyncio.Lock()
        self._service: ServiceAccountToken | None = None
        if not account.get("api_key") and account.get("key_id") and account.get("private_key"):
            self._service = ServiceAccountToken(
                account.get("account_id"),
                account.get("key_id"),
                account.get("private_key"),
                where=self._where(),
            )

    async def aclose(self) -> None:
        await self._http.aclose()

    def _where(self) -> str:
        return f"(account '{self.account.name}')"

    # -- calls -----------------------------------------------------------------------

    async def login(self) -> None:
        """Nothing to sign in to: the credential goes with every call. Only checks that
        there is one (and that a service account's key can sign), since a wrong one
        shows on the first call anyway."""
        if self._service is not None:
            self._service.bearer()
        elif not self.account.get("api_key"):
            raise AuthError(
                f"{VENDOR} needs the account's api_key, or a service account's key_id and "
                f"private_key {self._where()}"
            )

    def _envelope_error(self, reply: Reply, what: str) -> ProviderError | None:
        if reply.status == 429 or reply.status >= 500:
            return None
        if reply.decoded:
            body = reply.data
        elif not reply.content[:64].lstrip().startswith(b"{") or b'"error"' not in reply.content:
            # Not decoded for the caller: don't decode a page of hundreds of kilobytes
            # on the loop just to find it is not an error.
            return None
        else:
            try:
                body = decode_json(reply.content)
            except ValueError:
                return None
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return None
        code = integer(error.get("code"))
        message = self._http.redact(text(error.get("msg")) or "no reason given")
        if code in _AUTH_CODES or reply.status in (401, 403) or _AUTH_WORDS.search(message):
            return AuthError(
                f"{VENDOR} refused the account's credentials: {message} {self._where()}",
                status=reply.status,
            )
        return VendorRefused(
            f"{VENDOR} refused {what}: {message} (error {code}) {self._where()}",
            code="" if code is None else str(code),
            status=reply.status,
        )

    async def _call(
        self, method: str, params: Mapping[str, str | int], what: str, *, idempotent: bool
    ) -> dict[str, Any]:
        await self.login()
        form = {k: str(v) for k, v in params.items()}
        url = self._http.url(f"{method}/")
        if self._service is None:
            form |= {
                "account_id": self.account.get("account_id"),
                "api_key": self.account.get("api_key"),
            }
            reply = await self._http.request(
                "POST", url, idempotent=idempotent, what=what, data=form
            )
        else:
            reply = await self._with_token(url, form, what, idempotent)
        try:
            if len(reply.content) > _DECODE_OFF_LOOP_BYTES:
                payload = await asyncio.to_thread(self._http.json, reply, what)
            else:
                payload = self._http.json(reply, what)
        except BadResponse:
            if idempotent:
                raise
            raise self._unknown() from None
        if isinstance(payload, dict):
            return payload
        if not idempotent:
            raise self._unknown()
        raise BadResponse(f"{VENDOR} answered {what} in a shape we don't know {self._where()}")

    async def _with_token(
        self, url: str, form: dict[str, str], what: str, idempotent: bool
    ) -> Reply:
        """The call with the service account's token; once more with a fresh one if
        the vendor refused it."""
        assert self._service is not None
        service = self._service

        async def post(token: str) -> Reply:
            self._http.redact.add(token)
            return await self._http.request(
                "POST",
                url,
                idempotent=idempotent,
                what=what,
                data=form,
                headers={"Authorization": f"Bearer {token}"},
            )

        token = service.bearer()
        try:
            return await post(token)
        except AuthError:
            log.info("%s: %s token refused; making a fresh one", self.account.name, VENDOR)
        return await post(service.renew(token))

    async def _history_pages(
        self, route: str, params: Mapping[str, str | int], what: str
    ) -> AsyncIterator[list[HistoryRow]]:
        offset = 0
        previous: list[dict[str, Any]] | None = None
        while True:
            payload = await self._call(
                _HISTORY[route],
                {**params, "count": self._page_size, "offset": offset},
                what,
                idempotent=True,
            )
            rows = mappings(payload.get("result"))
            if not rows or rows == previous:
                return
            # Parsed off the window's loop: a page is hundreds of rows.
            yield await asyncio.to_thread(parse.parse_rows, rows, route)
            offset += len(rows)
            total = integer(payload.get("total_count"))
            if (total is not None and offset >= total) or len(rows) < self._page_size:
                return
            previous = rows

    async def history(
        self,
        route: str = SMS,
        *,
        source_number: str = "",
        destination_number: str = "",
        direction: Direction | None = None,
        from_date: datetime | None = None,
        to_date: datetime | None = None,
        delivery_status: int | None = None,
    ) -> list[Message]:
        """One history (`route` "sms" or "a2p") with the documented filters, paged to the
        end, oldest first. `direction` applies to plain SMS, `delivery_status` (1-8) to
        A2P."""
        params: dict[str, str | int] = {}
        if source_number:
            params["source_number"] = parse.wire_number(source_number)
        if destination_number:
            params["destination_number"] = parse.wire_number(destination_number)
        if from_date is not None:
            params["from_date"] = parse.wire_date(from_date)
        if to_date is not None:
            params["to_date"] = parse.wire_date(to_date)
        if direction is not None and route == SMS:
            params["direction"] = direction.value.upper()
        if delivery_status is not None and route == A2P:
            params["delivery_status"] = delivery_status
        rows: list[HistoryRow] = []
        async for page in self._history_pages(route, params, "the SMS history"):
            rows.extend(page)
        return parse.to_messages(list({r.id: r for r in rows}.values()))

    # -- reading ---------------------------------------------------------------------

    async def _refresh(self) -> None:
        """Both histories into the cache: in full the first time, then from an hour
        before the newest row seen."""
        async with self._refresh_lock:
            found = await asyncio.gather(*(self._read_route(route) for route in _HISTORY))
            for route, rows in zip(_HISTORY, found, strict=True):
                await asyncio.to_thread(self._cache.add, route, rows)
            self._cache.loaded = True

    async def _read_route(self, route: str) -> list[HistoryRow]:
        params: dict[str, str | int] = {}
        newest = self._cache.newest.get(route)
        if newest is not None:
            params["from_date"] = parse.wire_date(newest - OVERLAP)
        rows: list[HistoryRow] = []
        async for page in self._history_pages(route, params, "the SMS history"):
            rows.extend(page)
        return rows

    async def _loaded(self) -> HistoryCache:
        if not self._cache.loaded:
            await self._refresh()
        return self._cache

    async def list_channels(self) -> list[Channel]:
        await self._refresh()
        routes = self._cache.routes()
        return [
            Channel(
                key=_channel_key(number),
                name=display_number(number) + (" (A2P)" if routes[number] == A2P else ""),
                kind="A2P" if routes[number] == A2P else "SMS",
                personal=False,
                unread=0,
                total=count,
                vendor_id=parse.wire_number(number),
            )
            for number, count in sorted(self._cache.pair_counts().items())
        ]

    async def thread_pages(self, channel: Channel) -> AsyncIterator[list[Thread]]:
        cache = await self._loaded()
        number = next((n for n in cache.routes() if _channel_key(n) == channel.key), "")
        # Building thousands of threads (fingerprints, sorting) runs off the loop.
        threads = await asyncio.to_thread(cache.threads, number, channel.key)
        for start in range(0, len(threads), THREAD_PAGE):
            yield threads[start : start + THREAD_PAGE]

    async def fetch_history(self, thread: Thread, since: datetime | None = None) -> History:
        cache = await self._loaded()
        return history(parse.parse_history, cache.rows(thread.key), thread)

    async def list_sender_ids(self) -> list[SenderId]:
        routes = (await self._loaded()).routes()
        return [
            SenderId(number, "A2P sender" if route == A2P else "SMS number")
            for number, route in sorted(routes.items())
        ]

    async def find_sent(self, thread: Thread, body: str, after: datetime) -> Message | None:
        since = after - timedelta(seconds=1)
        found = await asyncio.gather(
            *(
                self.history(
                    route,
                    destination_number=thread.customer_number,
                    direction=Direction.OUT,
                    from_date=since,
                )
                for route in _HISTORY
            )
        )
        for message in (m for messages in found for m in messages):
            if (
                message.direction is Direction.OUT
                and message.body_stored
                and message.body.strip() == body.strip()
                and message.at >= since
            ):
                return message
        return None

    # -- writing ---------------------------------------------------------------------

    async def send_message(
        self, thread: Thread, body: str, sender: str, template_id: str | None = None
    ) -> SendResult:
        if template_id:
            raise NotSupported(f"{VENDOR} has no message templates")
        source = normalize_number(sender) if sender else thread.our_number
        route = thread.vendor_ref.get("route", SMS) if source == thread.our_number else None
        if route is None:
            route = self._cache.routes().get(source, SMS)
        if route == A2P:
            outcome = await self.send_a2p(source, [thread.customer_number], body)
            sent = outcome.sent.get(thread.customer_number) or outcome.sent.get("")
            if sent:
                return parse.send_result(sent)
            if outcome.failed:
                reason = outcome.failed[0].reason
                raise VendorRefused(f"{VENDOR} refused the message: {reason} {self._where()}")
            raise self._unknown()
        message_id, _ = await self.send_sms(source, thread.customer_number, body)
        return parse.send_result(message_id)

    async def send_sms(self, source: str, destination: str, body: str) -> tuple[str, int | None]:
        """SendSmsMessage: the message id ("sms:<id>") and its fragment count."""
        _check_length(body, SMS_LIMIT, "an SMS")
        payload = await self._call(
            "SendSmsMessage",
            {
                "source": parse.wire_number(source),
                "destination": parse.wire_number(destination),
                "sms_body": body,
                "store_body": "true",
            },
            "the message",
            idempotent=False,
        )
        sent = parse.parse_sms_send(payload)
        if sent is None:
            raise self._unknown()
        log.info("%s: SMS sent in %s fragment(s)", self.account.name, sent[1] or "?")
        return sent

    async def send_a2p(self, source: str, destinations: list[str], body: str) -> A2PSent:
        """A2PSendSms to up to 100 destinations at once; refused destinations come back
        in `failed` while the others are sent."""
        _check_length(body, A2P_LIMIT, "an A2P message")
        if not destinations or len(destinations) > A2P_MAX_DESTINATIONS:
            raise VendorRefused(
                f"{VENDOR} sends an A2P message to 1 to {A2P_MAX_DESTINATIONS} numbers at "
                f"once, not {len(destinations)}"
            )
        payload = await self._call(
            "A2PSendSms",
            {
                "src_number": parse.wire_number(source),
                "dst_numbers": ";".join(parse.wire_number(d) for d in destinations),
                "text": body,
                "store_body": "true",
            },
            "the A2P message",
            idempotent=False,
        )
        if "result" not in payload and "failed" not in payload:
            raise self._unknown()
        outcome = parse.parse_a2p_send(payload)
        log.info(
            "%s: A2P message sent to %d number(s), refused for %d, %s fragment(s) each",
            self.account.name,
            len(outcome.sent),
            len(outcome.failed),
            outcome.fragments or "?",
        )
        return outcome

    async def control_sms(self, phone_number: str, enable: bool) -> None:
        """ControlSms: enable or disable sending and receiving SMS on a number of ours."""
        payload = await self._call(
            "ControlSms",
            {
                "phone_number": parse.wire_number(phone_number),
                "command": "enable" if enable else "disable",
            },
            "the SMS setting",
            idempotent=True,
        )
        if integer(payload.get("result")) != 1:
            raise BadResponse(f"{VENDOR} did not confirm the SMS setting {self._where()}")

    def _unknown(self) -> OutcomeUnknown:
        return OutcomeUnknown(
            f"{VENDOR} took the message but its answer could not be read; it may have been "
            f"sent {self._where()}"
        )


def _channel_key(number: str) -> str:
    return f"number:{number}"


def _check_length(body: str, limit: int, what: str) -> None:
    if not body.strip():
        raise VendorRefused(f"{VENDOR} can't send an empty message")
    if len(body) > limit:
        raise VendorRefused(
            f"{VENDOR} sends {what} of at most {limit} characters; this one has {len(body)}",
            code="too_long",
        )
