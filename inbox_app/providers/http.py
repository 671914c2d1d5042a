"""Shared HTTP plumbing for the vendor clients: one `httpx.AsyncClient` per account,
bounded concurrency, retries for idempotent calls only, status-to-error mapping, JSON
decoding that never lets a malformed body escape as anything but `BadResponse`, and
redaction of every secret from error texts and log lines.

Choices the vendor documents leave open:

- Retries (idempotent calls only): 4 attempts, full-jitter exponential backoff
  (0.5 s doubling, capped at 8 s) on connection failures, timeouts, any 5xx and
  429. `Retry-After` (seconds or an HTTP date) replaces the backoff; one longer
  than `RetryPolicy.max_retry_after` is not slept through here but raised as
  `RateLimited` so the scheduler can wait without holding the call open.
- A non-idempotent call is sent exactly once. If its answer is lost after the request
  may have left (read/write timeout, reset, `RemoteProtocolError`) it raises
  `OutcomeUnknown`. A 500/502/504 answer to it also raises `OutcomeUnknown`: a gateway
  or server failure says nothing about whether the vendor acted, and reconciling
  against history before resending is always safe, whereas a blind resend may text the
  customer twice. 503 and 429 mean "not processed" and map as for reads. A connect
  failure means nothing left the machine: plain `NetworkError`.
- The per-account semaphore is held only while a request is in flight, never while
  sleeping between attempts, so one throttled call doesn't stall the account.
- Redirects are followed (at most 3) only within the same scheme, host and port, since
  vendor headers are custom and would otherwise travel to any host a redirect names.
- A malformed, truncated or non-JSON body is `BadResponse`. An idempotent call is
  retried on one like on a 5xx (a proxy's error page, a body cut short); only the last
  attempt's `BadResponse` reaches the caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import functools
import json
import logging
import random
import re
import ssl
import time
import urllib.parse
import urllib.request
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from inbox_app.core.accounts import AccountConfig
from inbox_app.providers.aiohttp_transport import AiohttpTransport
from inbox_app.providers.errors import (
    AuthError,
    BadResponse,
    NetworkError,
    OutcomeUnknown,
    ProviderError,
    RateLimited,
    ServerError,
    VendorRefused,
)

log = logging.getLogger(__name__)

_HEADER_PATTERN = re.compile(
    r"(?i)\b(LV-Access|LV-Session|Authorization)(\"?\s*[:=]\s*\"?)"
    r"(Zoho-oauthtoken\s+|Bearer\s+)?[^\s\",;}]+"
)
_PARAM_PATTERN = re.compile(
    r"(?i)\b(api_key|access_token|refresh_token|client_secret|password|sessionId)"
    r"(\"?\s*[:=]\s*\"?)[^\s\"&,;}]+"
)
_UNKNOWN_OUTCOME_STATUSES = frozenset({500, 502, 504})
_MAX_DETAIL = 300
_MAX_REDIRECTS = 3
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How idempotent calls are retried; tests pass `sleep` to avoid real waiting."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    jitter: Callable[[], float] = random.random

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max, base * 2**attempt)]."""
        return self.jitter() * min(self.max_delay, self.base_delay * 2.0**attempt)


class Redactor:
    """Scrubs known secret values and the values of sensitive headers/parameters.

    Secrets learnt at run time (a session id, a fresh OAuth token) are added with `add`.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        # Very short values would blank out ordinary words; real secrets are longer.
        if len(secret) >= 4:
            self._secrets.add(secret)

    def __call__(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, "***")
        text = _HEADER_PATTERN.sub(lambda m: f"{m[1]}{m[2]}{m[3] or ''}***", text)
        return _PARAM_PATTERN.sub(lambda m: f"{m[1]}{m[2]}***", text)


@dataclass(frozen=True, slots=True)
class Reply:
    """A fully read answer: what the vendor clients inspect, detached from the stream."""

    status: int
    headers: httpx.Headers
    content: bytes
    data: Any = None
    """The decoded JSON body when the call asked for it (None for an empty body)."""
    decoded: bool = False
    """True when `data` holds the decoded body: error hooks read it instead of decoding
    a page of hundreds of kilobytes a second time."""

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


ErrorHook = Callable[[Reply, str], ProviderError | None]
"""Vendor-specific reading of a failed (or 200-with-error) answer; None = use defaults."""


@dataclass(frozen=True, slots=True)
class _Call:
    """One call as `HttpSession.request` was asked for it, for each of its attempts."""

    method: str
    url: str
    idempotent: bool
    what: str
    params: Mapping[str, str | int] | None
    headers: Mapping[str, str] | None
    json_body: Any
    data: Mapping[str, str] | None
    files: Mapping[str, tuple[str | None, bytes | str, str]] | None
    max_bytes: int | None

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.url).hostname or self.url


@dataclass(slots=True)
class HttpSession:
    """One account's HTTP client. `vendor` and `account` name things in error texts."""

    vendor: str
    account: str
    base_url: str
    redact: Redactor
    timeout: float = 20.0
    concurrency: int = 4
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    transport: httpx.AsyncBaseTransport | None = None
    error_hook: ErrorHook | None = None
    _client: httpx.AsyncClient = field(init=False)
    _gate: asyncio.Semaphore = field(init=False)
    _wire: AiohttpTransport | None = field(init=False)
    """Set when requests go out through aiohttp: plain reads then skip httpx."""
    _read_headers: dict[str, str] = field(init=False)
    _timeouts: dict[str, float | None] = field(init=False)

    @classmethod
    def for_account(
        cls,
        vendor: str,
        account: AccountConfig,
        *,
        timeout: float,
        concurrency: int,
        retry: RetryPolicy | None,
        transport: httpx.AsyncBaseTransport | None,
        error_hook: ErrorHook,
        extra_secrets: Iterable[str] = (),
    ) -> HttpSession:
        """The session every provider builds: the account's URL, its secrets redacted
        (plus derived ones such as an encoded Basic credential), default retries."""
        return cls(
            vendor=vendor,
            account=account.name,
            base_url=account.base_url,
            redact=Redactor([*account.secrets(), *extra_secrets]),
            timeout=timeout,
            concurrency=concurrency,
            retry=retry or RetryPolicy(),
            transport=transport,
            error_hook=error_hook,
        )

    def __post_init__(self) -> None:
        wire = self.transport or _wire_transport()
        self._client = httpx.AsyncClient(
            transport=wire,
            verify=tls_context(),
            timeout=self.timeout,
            headers={"Accept": "application/json"},
            follow_redirects=False,
        )
        self._client._cookies = _Cookies()
        self._gate = asyncio.Semaphore(self.concurrency)
        self._wire = wire if isinstance(wire, AiohttpTransport) else None
        self._read_headers = dict(self._client.headers)
        self._timeouts = self._client.timeout.as_dict()

    async def aclose(self) -> None:
        await self._client.aclose()

    def url(self, path: str, base: str | None = None) -> str:
        return (base or self.base_url).rstrip("/") + "/" + path.lstrip("/")

    async def request(
        self,
        method: str,
        url: str,
        *,
        idempotent: bool,
        what: str,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str | None, bytes | str, str]] | None = None,
        max_bytes: int | None = None,
        parse_json: bool = False,
    ) -> Reply:
        """Send one call (retrying it only if `idempotent`) and return a 2xx response
        with its body read (and decoded into `data` if `parse_json`), or raise the typed
        error. `what` names the call in texts."""
        call = _Call(
            method, url, idempotent, what, params, headers, json_body, data, files, max_bytes
        )
        attempt = 0
        while True:
            try:
                return await self._once(call, parse_json)
            except (NetworkError, ServerError, RateLimited, BadResponse) as error:
                attempt += 1
                if (
                    not idempotent
                    or isinstance(error, OutcomeUnknown)
                    or attempt >= self.retry.attempts
                ):
                    raise
                delay = self.retry.backoff(attempt - 1)
                if isinstance(error, RateLimited) and error.retry_after is not None:
                    if error.retry_after > self.retry.max_retry_after:
                        raise
                    delay = error.retry_after
                log.info(
                    "%s: %s failed (%s); retry %d in %.1f s",
                    self.account,
                    what,
                    error,
                    attempt,
                    delay,
                )
                await self.retry.sleep(delay)

    async def _once(self, call: _Call, parse_json: bool) -> Reply:
        started = time.monotonic()
        reply = None
        if call.method == "GET" and self._wire is not None and call.max_bytes is None:
            reply = await self._read(self._wire, call)
        if reply is None:
            reply = await self._send(call)
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s: %s %s -> %d in %.0f ms",
                self.account,
                call.method,
                self.redact(urllib.parse.urlsplit(call.url).path),
                reply.status,
                (time.monotonic() - started) * 1000,
            )
        if parse_json:
            # Not JSON: a hook or the status may explain it; otherwise BadResponse below.
            with contextlib.suppress(ValueError):
                decoded = decode_json(reply.content)
                reply = Reply(reply.status, reply.headers, reply.content, decoded, True)
        error = self.error_hook(reply, call.what) if self.error_hook else None
        if error is None and not reply.ok:
            error = self._status_error(reply, call.what, call.idempotent)
        if error is not None:
            raise error
        if parse_json and not reply.decoded:
            raise self._unreadable(call.what)
        return reply

    async def _send(self, call: _Call) -> Reply:
        """Through httpx: bodies, cookies to send back, redirects, a size cap."""
        try:
            request = self._client.build_request(
                call.method,
                call.url,
                params=call.params,
                headers=call.headers,
                json=call.json_body,
                data=call.data,
                files=call.files,
            )
        except httpx.InvalidURL:
            raise ProviderError(
                f"The {self.vendor} address of account '{self.account}' is not a valid URL"
            ) from None
        async with self._gate:
            try:
                response = await self._send_following(request)
                try:
                    too_large = self._too_large(call.what)
                    content = await _read_capped(response, call.max_bytes, too_large)
                finally:
                    await response.aclose()
            except httpx.HTTPError as exc:
                raise self._transport_error(exc, call) from None
        return Reply(response.status_code, response.headers, content)

    async def _read(self, wire: AiohttpTransport, call: _Call) -> Reply | None:
        """A plain GET straight through aiohttp, the way httpx would send it (same
        headers, query and timeouts): httpx's request building and response streaming
        were a third of the event loop's time in a cold sync. None when the answer is a
        redirect, a cookie must go with the request, or `params` would merge into a query
        already in `url`: httpx's path handles those."""
        if self._client.cookies or (call.params and "?" in call.url):
            return None
        target = _with_query(call.url, call.params) if call.params else call.url
        sent = self._read_headers
        if call.headers:
            sent = {**sent, **{name.lower(): value for name, value in call.headers.items()}}
        async with self._gate:
            try:
                status, raw, content = await wire.fetch("GET", target, sent, self._timeouts)
            except httpx.HTTPError as exc:
                raise self._transport_error(exc, call) from None
        if status in _REDIRECTS:
            return None
        received = httpx.Headers(raw)
        if "set-cookie" in received:
            answer = httpx.Response(status, headers=raw, request=httpx.Request("GET", target))
            self._client.cookies.extract_cookies(answer)
        if "content-encoding" in received:
            try:
                content = httpx.Response(status, headers=raw, content=content).content
            except httpx.DecodingError as exc:
                raise self._transport_error(exc, call) from None
        return Reply(status, received, content)

    async def _send_following(self, request: httpx.Request) -> httpx.Response:
        """Send, following redirects only to the same scheme, host and port: the vendor
        headers (LV-Access, LV-Session) are custom, so httpx would carry them to any
        host a redirect named. A server that adds a trailing slash this way is served."""
        response = await self._client.send(request, stream=True)
        for _ in range(_MAX_REDIRECTS):
            following = response.next_request
            if (
                following is None
                or following.url.netloc != request.url.netloc
                or (following.url.scheme != request.url.scheme)
            ):
                break
            await response.aclose()
            response = await self._client.send(following, stream=True)
        return response

    def json(self, reply: Reply, what: str) -> Any:
        """The body as JSON (None for an empty body); anything unreadable is BadResponse."""
        if reply.decoded:
            return reply.data
        try:
            return decode_json(reply.content)
        except ValueError:
            raise self._unreadable(what) from None

    def _unreadable(self, what: str) -> BadResponse:
        return BadResponse(
            f"{self.vendor} sent an unreadable answer to {what} "
            f"(not valid JSON; account '{self.account}')"
        )

    def detail(self, reply: Reply) -> str:
        """A short, redacted excerpt of a vendor's error body for a user-facing text."""
        text = reply.text.strip().replace("\n", " ")
        try:
            payload = json.loads(text)
        except ValueError:
            payload = None
        if isinstance(payload, dict):
            for key in ("message", "errorMessage", "error_description", "error", "description"):
                value = payload.get(key)
                if isinstance(value, str) and value.strip():
                    text = value.strip()
                    break
        if len(text) > _MAX_DETAIL:
            text = text[:_MAX_DETAIL] + "…"
        return self.redact(text)

    def _too_large(self, what: str) -> Callable[[int], ProviderError]:
        def make(limit: int) -> ProviderError:
            return ProviderError(
                f"{self.vendor} answered {what} with more than {limit // 1_000_000} MB "
                f"(account '{self.account}'); not downloaded"
            )

        return make

    def _transport_error(self, exc: httpx.HTTPError, call: _Call) -> ProviderError:
        host, what, idempotent = call.host, call.what, call.idempotent
        where = f"(account '{self.account}')"
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            return NetworkError(
                f"Can't reach {host}: no connection within {self.timeout:g} s {where}"
            )
        if isinstance(exc, httpx.ConnectError):
            reason = _connect_reason(exc)
            return NetworkError(f"Can't reach {host}: {reason} {where}")
        if isinstance(exc, httpx.UnsupportedProtocol):
            return ProviderError(
                f"The {self.vendor} address of account '{self.account}' is not an http(s) URL"
            )
        if isinstance(exc, httpx.TimeoutException):
            text = f"{self.vendor} did not answer {what} within {self.timeout:g} s {where}"
        else:
            text = f"The connection to {host} broke during {what} {where}"
        if idempotent:
            return NetworkError(text)
        return OutcomeUnknown(f"{text}; it may or may not have been carried out")

    def _status_error(self, reply: Reply, what: str, idempotent: bool) -> ProviderError:
        status = reply.status
        detail = self.detail(reply)
        suffix = f": {detail}" if detail else ""
        where = f"(account '{self.account}')"
        if status in (401, 403):
            return AuthError(
                f"{self.vendor} refused {what} (HTTP {status}){suffix} {where}", status=status
            )
        if status == 429:
            retry_after = parse_retry_after(reply.headers.get("Retry-After"))
            return RateLimited(
                f"{self.vendor} is limiting requests; {what} has to wait {where}", retry_after
            )
        if status >= 500:
            text = f"{self.vendor} failed on {what} (HTTP {status}){suffix} {where}"
            if not idempotent and status in _UNKNOWN_OUTCOME_STATUSES:
                return OutcomeUnknown(f"{text}; it may or may not have been carried out")
            return ServerError(text)
        return VendorRefused(
            f"{self.vendor} refused {what} (HTTP {status}){suffix} {where}", status=status
        )


async def _read_capped(
    response: httpx.Response, max_bytes: int | None, too_large: Callable[[int], ProviderError]
) -> bytes:
    """Read the body, refusing (before or while downloading) one larger than `max_bytes`."""
    if max_bytes is None:
        return await response.aread()
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large(max_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _with_query(url: str, params: Mapping[str, str | int]) -> str:
    """`url` (with no query yet) with `params` encoded as httpx's `QueryParams` does."""
    query = urllib.parse.urlencode([(name, _param_text(value)) for name, value in params.items()])
    return f"{url}?{query}"


def _param_text(value: str | int) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def decode_json(content: bytes) -> Any:
    """A body as JSON, None for an empty one; ValueError if it is not JSON. orjson reads
    vendor pages about twice as fast as the json module; what it refuses and the json
    module accepts (integers past 64 bits, NaN) is read by the json module."""
    if not content.strip():
        return None
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return _whole_characters(json.loads(content))


def _whole_characters(value: Any) -> Any:
    """Half of an emoji (a lone UTF-16 surrogate escape such as "\\ud83d", left by a
    vendor that cut a text short) becomes U+FFFD: orjson refuses it, the json module
    passes it through, and Python's sqlite3 refuses to store it, failing the batch of
    messages it arrived in, again at every pass."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return value
    if isinstance(value, list):
        return [_whole_characters(item) for item in value]
    if isinstance(value, dict):
        return {_whole_characters(k): _whole_characters(v) for k, v in value.items()}
    return value


def _connect_reason(exc: httpx.ConnectError) -> str:
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused"
    if "name" in text and ("resolve" in text or "known" in text or "service" in text):
        return "the host name could not be resolved"
    if "unreachable" in text:
        return "the network is unreachable"
    if "ssl" in text or "certificate" in text:
        return "the secure connection failed"
    return "the connection failed"


class _Cookies(httpx.Cookies):
    """httpx reads every answer for cookies through urllib's cookie classes, 8% of the
    loop's time in a cold sync; vendor answers seldom set one."""

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


def through_proxy() -> bool:
    """The environment names a proxy: requests then go through httpx's own transport,
    which honours it, rather than aiohttp (see aiohttp_transport.py)."""
    return bool(urllib.request.getproxies())


def _wire_transport() -> httpx.AsyncBaseTransport | None:
    """aiohttp on the wire, or httpx's own transport (None here) through a proxy."""
    return None if through_proxy() else AiohttpTransport(tls_context())


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every account's client: httpx builds a new one per
    client by default, loading the whole CA bundle each time (a tenth of a second or more
    per account, at every start of the window)."""
    return httpx.create_ssl_context()


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())
