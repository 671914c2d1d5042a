"""Zoho Voice SMS over its REST API: conversations (`chatlist`), history (`logs`),
send v2 (multipart, templates, scheduling), the schedule view and MMS download.

Account values: `accounts_url` (the OAuth host, e.g. "https://accounts.zoho.com";
derived from a `voice.zoho.*` base URL when absent), `client_id`, `client_secret`,
`refresh_token` and/or `access_token`, and optionally `time_zone` (the org's zone,
e.g. "America/New_York", in which Zoho reads the logs' date filters; UTC when unset).

Choices the documents leave open (row parsing choices: see `zoho_parse`):

- OAuth: with a refresh token, a token is fetched when none is held or when the held
  one is within 5 minutes of expiry (`expires_in_sec`, else `expires_in`, read as ms
  when implausibly large, else 3600 s), and once more when the API answers 401 (or an
  error envelope about an invalid/expired OAuth token); a second refusal is
  `AuthError`. A configured access token is used first (its expiry is unknown). With
  only an access token, its refusal is `AuthError` asking for a refresh token. The
  token endpoint's HTTP 200 `{"error": ...}` and any 4xx are `AuthError`. Credentials
  go in the form body, never the query string.
- Channels: one per account, key "conversations", because the chatlist is a single
  list across sender ids; `total` is chatlist `meta.total`, `unread` is always 0
  (Zoho keeps no read state).
- Chatlist pages count from 1, size 100, to `meta.totalPages`, an empty page, or a
  page identical to the one before.
- Logs page by `from` (a 0-based start index, as Zoho's own sample request shows),
  size 100, until `meta.total` rows were seen, an empty or repeated page, or (with
  `since`) a page reaching back before `since`. `customerNumber`/`longCode` go as
  unsigned digits (the reference types them Long). `fetchMMS` is not sent: Zoho's
  reference says `fetchMMS=true` returns only MMS logs, which would hide plain SMS;
  MMS rows carry `mmsMeta` either way. A conversation without a sender id sends no
  `longCode` and keeps only the sender-less rows.
- Send v2: multipart, `sms_data` as a JSON part; `templateId`, `scheduledTime` and
  `timeZone` as further form parts (the reference lists them beside `sms_data`). An
  error envelope (`"status": "ERROR"`) is `VendorRefused` with Zoho's own message and
  code whether it comes with HTTP 200 or 4xx. A success whose log id can't be read
  (unreadable body, no `logid`) is `OutcomeUnknown`: the text may have gone out.
- Only the send is non-idempotent; every GET and the token refresh are retried.
- `find_sent` searches outgoing logs for the customer across all our sender ids
  (a send from an empty `senderId` is logged under whichever number Zoho chose),
  comparing bodies without surrounding whitespace.
- A send with no `sender` uses the conversation's own number.
- `list_logs` takes the documented filters as typed keyword arguments.
- Capabilities: SEND and SCHEDULE; Zoho has no read state, transfers or inboxes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import (
    Attachment,
    Channel,
    Direction,
    Message,
    ProviderKind,
    ScheduledMessage,
    SendResult,
    Thread,
)
from inbox_app.providers import zoho_parse as parse
from inbox_app.providers.base import History, Provider, history
from inbox_app.providers.capabilities import CAPABILITIES
from inbox_app.providers.errors import (
    AuthError,
    BadResponse,
    OutcomeUnknown,
    ProviderError,
    ServerError,
    VendorRefused,
)
from inbox_app.providers.fields import first_text, integer, mapping, mappings
from inbox_app.providers.http import HttpSession, Reply, RetryPolicy, decode_json

log = logging.getLogger(__name__)

VENDOR = "Zoho Voice"
CHANNEL_KEY = "conversations"
PAGE_SIZE = 100
DEFAULT_MMS_LIMIT = 20_000_000
_REFRESH_MARGIN = 300.0
_DEFAULT_LIFETIME = 3600.0
_LOG_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
_TOKEN_TROUBLE = re.compile(
    r"(?i)(invalid|expired)\W+(oauth|access)?\W*token|(oauth|access)\W*token\W+(is\W+)?(invalid|expired)"
)
_OAUTH_ERRORS = {
    "invalid_code": "the refresh token is invalid or was revoked",
    "invalid_client": "wrong client id",
    "invalid_client_secret": "wrong client secret",
    "invalid_redirect_uri": "the client is misconfigured",
    "access_denied": "access was denied",
}


class ZohoVoiceProvider(Provider):
    kind = ProviderKind.ZOHO
    capabilities = CAPABILITIES[ProviderKind.ZOHO]

    def __init__(
        self,
        account: AccountConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 20.0,
        retry: RetryPolicy | None = None,
        concurrency: int = 4,
        clock: Callable[[], float] = time.monotonic,
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
        self._accounts_url = account.get("accounts_url") or _accounts_url_for(account.base_url)
        self._clock = clock
        self._token = account.get("access_token")
        self._expires_at: float | None = None
        self._token_lock = asyncio.Lock()
        self._zone = _zone(account.get("time_zone"))

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- OAuth -------------------------------------------------------------------

    async def login(self) -> None:
        await self._ensure_token()

    def _where(self) -> str:
        return f"(account '{self.account.name}')"

    def _token_fresh(self) -> bool:
        if not self._token:
            return False
        return self._expires_at is None or self._clock() < self._expires_at - _REFRESH_MARGIN

    async def _ensure_token(self) -> None:
        if self._token_fresh():
            return
        async with self._token_lock:
            if self._token_fresh():
                return
            if not self.account.get("refresh_token"):
                raise AuthError(
                    f"{VENDOR} has no usable access token and no refresh token is configured "
                    f"{self._where()}"
                )
            await self._refresh()

    async def _refresh(self) -> None:
        what = "the access token refresh"
        host = urlsplit(self._accounts_url).hostname or self._accounts_url
        try:
            reply = await self._http.request(
                "POST",
                self._http.url("oauth/v2/token", base=self._accounts_url),
                idempotent=True,
                what=what,
                data={
                    "grant_type": "refresh_token",
                    "client_id": self.account.get("client_id"),
                    "client_secret": self.account.get("client_secret"),
                    "refresh_token": self.account.get("refresh_token"),
                },
                parse_json=True,
            )
        except (AuthError, VendorRefused) as error:
            raise AuthError(
                f"Zoho ({host}) refused to renew the access token: "
                f"{_oauth_reason(str(error))} {self._where()}"
            ) from None
        body = mapping(reply.data)
        problem = first_text(body, "error")
        if problem:
            raise AuthError(
                f"Zoho ({host}) refused to renew the access token: "
                f"{_OAUTH_ERRORS.get(problem, self._http.redact(problem))} {self._where()}"
            )
        token = first_text(body, "access_token")
        if not token:
            raise BadResponse(
                f"Zoho ({host}) answered the token refresh without a token {self._where()}"
            )
        self._http.redact.add(token)
        self._token = token
        self._expires_at = self._clock() + _lifetime(body)
        log.info("%s: renewed the %s access token", self.account.name, VENDOR)

    def _envelope_error(self, reply: Reply, what: str) -> ProviderError | None:
        """Zoho's `{"status": "ERROR", "code", "message"}` envelope, which can arrive
        with HTTP 200 or a 4xx; 401, 429 and 5xx keep their generic meaning."""
        if reply.status == 429 or reply.status >= 500:
            return None
        if reply.decoded:
            body = reply.data
        elif not reply.content[:64].lstrip().startswith(b"{"):
            return None
        else:
            try:
                body = decode_json(reply.content)
            except ValueError:
                return None
        if not isinstance(body, dict) or first_text(body, "status").upper() not in (
            "ERROR",
            "FAILURE",
        ):
            return None
        message = self._http.redact(first_text(body, "message") or "no reason given")
        code = first_text(body, "code")
        if reply.status == 401 or _TOKEN_TROUBLE.search(message):
            return AuthError(
                f"{VENDOR} refused the access token for {what}: {message} {self._where()}"
            )
        return VendorRefused(
            f"{VENDOR} refused {what}: {message} ({code}) {self._where()}",
            code=code,
            status=reply.status,
        )

    async def _call(
        self,
        method: str,
        path: str,
        *,
        what: str,
        idempotent: bool,
        params: Mapping[str, str | int] | None = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str | None, bytes | str, str]] | None = None,
        max_bytes: int | None = None,
        parse_json: bool = False,
    ) -> Reply:
        """One API call with the token, refreshing it once if it was refused."""
        await self._ensure_token()
        url = self._http.url(path)
        options: dict[str, Any] = {
            "idempotent": idempotent,
            "what": what,
            "params": params,
            "data": data,
            "files": files,
            "max_bytes": max_bytes,
            "parse_json": parse_json,
        }
        token = self._token
        try:
            return await self._http.request(method, url, headers=self._headers(token), **options)
        except AuthError:
            if not self.account.get("refresh_token"):
                raise AuthError(
                    f"{VENDOR} refused the access token (it may have expired); configure a "
                    f"refresh token to renew it automatically {self._where()}"
                ) from None
            log.info("%s: %s token refused; renewing it", self.account.name, VENDOR)
        async with self._token_lock:
            if self._token == token:
                await self._refresh()
        try:
            return await self._http.request(
                method, url, headers=self._headers(self._token), **options
            )
        except AuthError:
            # The refresh just succeeded, so the client is known: retry later rather than
            # stop the account (a token can also be revoked by a concurrent refresh).
            raise ServerError(
                f"{VENDOR} refused {what} even with a fresh access token; if this persists,"
                f" check the client's scopes (ZohoVoice.sms.READ/CREATE) {self._where()}"
            ) from None

    @staticmethod
    def _headers(token: str) -> dict[str, str]:
        return {"Authorization": f"Zoho-oauthtoken {token}"}

    async def _get_json(
        self, path: str, what: str, params: Mapping[str, str | int]
    ) -> dict[str, Any]:
        reply = await self._call(
            "GET", path, what=what, idempotent=True, params=params, parse_json=True
        )
        payload = reply.data
        if payload is None:
            return {}
        if not isinstance(payload, dict):
            raise BadResponse(f"{VENDOR} answered {what} in a shape we don't know {self._where()}")
        return payload

    # -- reading -----------------------------------------------------------------

    async def list_channels(self) -> list[Channel]:
        payload = await self._get_json(
            "rest/json/v1/sms/chatlist", "the conversation count", {"page": 1, "size": 1}
        )
        total = integer(mapping(payload.get("meta")).get("total"))
        if total is None:
            total = len(mappings(payload.get("chatlist")))
        return [
            Channel(
                key=CHANNEL_KEY,
                name="Conversations",
                kind="SMS",
                personal=False,
                unread=0,
                total=total,
                vendor_id="",
            )
        ]

    async def thread_pages(self, channel: Channel) -> AsyncIterator[list[Thread]]:
        what = "the conversation list"
        previous: list[dict[str, Any]] | None = None
        page = 1
        while True:
            payload = await self._get_json(
                "rest/json/v1/sms/chatlist", what, {"page": page, "size": PAGE_SIZE}
            )
            rows = mappings(payload.get("chatlist"))
            if not rows or rows == previous:
                return
            threads = [t for t in (parse.parse_conversation(r, channel.key) for r in rows) if t]
            if threads:
                yield threads
            total_pages = integer(mapping(payload.get("meta")).get("totalPages"))
            if total_pages is not None and page >= total_pages:
                return
            previous = rows
            page += 1

    async def _log_rows(
        self, params: Mapping[str, str | int], what: str
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Log pages (newest first) by start index, to the end."""
        start = 0
        previous: list[dict[str, Any]] | None = None
        while True:
            payload = await self._get_json(
                "rest/json/v1/sms/logs", what, {**params, "from": start, "size": PAGE_SIZE}
            )
            rows = mappings(payload.get("smsLogQuery"))
            if not rows or rows == previous:
                return
            yield rows
            start += len(rows)
            total = integer(mapping(payload.get("meta")).get("total"))
            if total is not None and start >= total:
                return
            previous = rows

    async def fetch_history(self, thread: Thread, since: datetime | None = None) -> History:
        params = {"customerNumber": parse.wire_number(thread.customer_number)}
        if thread.our_number:
            params["longCode"] = parse.wire_number(thread.our_number)
        collected: list[dict[str, Any]] = []
        async for rows in self._log_rows(params, "the message history"):
            if not thread.our_number:
                # Without a longCode filter Zoho returns the customer's logs with every
                # number of ours; keep those of this (sender-less) conversation.
                rows = [r for r in rows if not parse.our_number(r)]
            collected.extend(rows)
            if since is not None:
                times = [t for t in (parse.row_time(r) for r in rows) if t is not None]
                if times and min(times) < since:
                    break
        return history(parse.parse_history, collected, thread)

    async def list_logs(
        self,
        *,
        customer_number: str = "",
        long_code: str = "",
        message_type: str = "All",
        from_date: datetime | None = None,
        to_date: datetime | None = None,
        country: str = "",
        mms_only: bool = False,
        limit: int | None = None,
    ) -> list[Message]:
        """Account-wide logs, newest first (the vendor's order), with the documented
        filters; each message is keyed to its conversation as `thread_pages` keys it.
        Dates are sent as "yyyy-mm-dd HH:MM:SS" (Zoho's sample request format) in the
        org's zone, the account's `time_zone` value (UTC when unset)."""
        params: dict[str, str | int] = {"messageType": message_type}
        if customer_number:
            params["customerNumber"] = parse.wire_number(customer_number)
        if long_code:
            params["longCode"] = parse.wire_number(long_code)
        if from_date is not None:
            params["fromDate"] = from_date.astimezone(self._zone).strftime(_LOG_DATE_FORMAT)
        if to_date is not None:
            params["toDate"] = to_date.astimezone(self._zone).strftime(_LOG_DATE_FORMAT)
        if country:
            params["country"] = country
        if mms_only:
            params["fetchMMS"] = "true"
        collected: list[dict[str, Any]] = []
        async for rows in self._log_rows(params, "the SMS logs"):
            collected.extend(rows)
            if limit is not None and len(collected) >= limit:
                break
        messages = parse.parse_logs(collected, "", None)
        return messages[:limit] if limit is not None else messages

    async def list_scheduled(self) -> list[ScheduledMessage]:
        payload = await self._get_json("rest/json/v1/sms/schedule", "the scheduled messages", {})
        return [parse.parse_scheduled(row) for row in mappings(payload.get("schedule"))]

    async def fetch_mms(
        self, attachment_id: str, download: bool = False, max_bytes: int = DEFAULT_MMS_LIMIT
    ) -> tuple[bytes, str]:
        """An MMS file's bytes and content type; larger than `max_bytes` is a
        ProviderError (checked against Content-Length first, then while reading)."""
        reply = await self._call(
            "GET",
            "rest/json/v2/sms/stream/mms",
            what="the MMS download",
            idempotent=True,
            params={"id": attachment_id, "mode": "Download" if download else "Preview"},
            max_bytes=max_bytes,
        )
        content_type = reply.headers.get("Content-Type", "application/octet-stream")
        return reply.content, content_type.split(";")[0].strip()

    async def fetch_attachment(self, attachment: Attachment) -> tuple[bytes, str]:
        return await self.fetch_mms(attachment.id, download=True)

    async def fetch_preview(self, attachment: Attachment, max_bytes: int) -> tuple[bytes, str]:
        return await self.fetch_mms(attachment.id, download=False, max_bytes=max_bytes)

    async def find_sent(self, thread: Thread, body: str, after: datetime) -> Message | None:
        params = {
            "customerNumber": parse.wire_number(thread.customer_number),
            "messageType": "Outgoing",
        }
        async for rows in self._log_rows(params, "the sent-message check"):
            for message in parse.parse_logs(rows, thread.key, None):
                if (
                    message.direction is Direction.OUT
                    and message.body.strip() == body.strip()
                    and message.at >= after
                ):
                    return message
            times = [t for t in (parse.row_time(r) for r in rows) if t is not None]
            if times and min(times) < after:
                return None
        return None

    # -- sending -----------------------------------------------------------------

    async def send_message(
        self, thread: Thread, body: str, sender: str, template_id: str | None = None
    ) -> SendResult:
        return await self._send(thread, body, sender, template_id, {})

    async def schedule_message(
        self, thread: Thread, body: str, sender: str, when: datetime, tz: str
    ) -> SendResult:
        """Send at `when` (aware, or wall-clock time in `tz`), e.g. tz="Asia/Kolkata"."""
        try:
            extra = parse.schedule_fields(when, tz)
        except ValueError as error:
            raise VendorRefused(f"Can't schedule the message: {error}") from None
        return await self._send(thread, body, sender, None, extra)

    async def _send(
        self,
        thread: Thread,
        body: str,
        sender: str,
        template_id: str | None,
        extra: dict[str, str],
    ) -> SendResult:
        what = "the message" if not extra else "the scheduled message"
        sms_data = {
            "customerNumber": parse.wire_number(thread.customer_number),
            "message": body,
            "senderId": parse.wire_number(sender or thread.our_number),
            "mms": False,
        }
        form = dict(extra)
        if template_id:
            form["templateId"] = template_id
        reply = await self._call(
            "POST",
            "rest/json/v2/sms/send",
            what=what,
            idempotent=False,
            files={"sms_data": (None, json.dumps(sms_data), "application/json")},
            data=form,
        )
        unknown = OutcomeUnknown(
            f"{VENDOR} took the message but its answer could not be read; it may have "
            f"been sent {self._where()}"
        )
        try:
            payload = self._http.json(reply, what)
        except BadResponse:
            raise unknown from None
        result = parse.parse_send(payload) if isinstance(payload, dict) else None
        if result is None:
            raise unknown
        return result


def _lifetime(body: Mapping[str, Any]) -> float:
    seconds = integer(body.get("expires_in_sec"))
    if seconds is None:
        seconds = integer(body.get("expires_in"))
        # Older Zoho answers give expires_in in milliseconds.
        if seconds is not None and seconds > 86_400:
            seconds //= 1000
    return float(seconds) if seconds and seconds > 0 else _DEFAULT_LIFETIME


def _oauth_reason(error_text: str) -> str:
    for code, reason in _OAUTH_ERRORS.items():
        if code in error_text:
            return reason
    return "the client id, secret or refresh token was not accepted"


def _zone(name: str) -> tzinfo:
    """The org's zone for log date filters; UTC when unset or unknown."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown Zoho time_zone %r; log date filters use UTC", name)
        return UTC


def _accounts_url_for(base_url: str) -> str:
    """accounts.zoho.<dc> for a voice.zoho.<dc> base URL; the base URL otherwise."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if host.startswith("voice."):
        return urlunsplit((parts.scheme, "accounts." + host[len("voice.") :], "", "", ""))
    return base_url
