"""LiveVox agent SMS over the REST API (session login, agent inboxes, threads,
transaction history and the thread actions).

Account values: `client_name`, `username`, `password`, `access_token` (the LV-Access
token), and optionally `api_version` (for /sms paths, e.g. "v17.0"),
`session_api_version` (for /session, e.g. "v5.0") and `callcontrol_api_version` (for
/callControl). A configured version goes right after the category:
`/sms/v17.0/agent/channel`. The categories are versioned separately because LiveVox
versions them separately.

Choices the document leaves open (row parsing choices: see `livevox_parse`):

- The session is reused until the vendor refuses it. An authorisation failure (401,
  403, or an error body saying the session is invalid or expired, whatever its status)
  triggers one fresh login and one repeat of the call, writes included (a refused call
  was not carried out); a second refusal is `AuthError`, except a second 403: the
  credentials were just accepted, so it forbids this thread or inbox ("Agent is not in
  service ...") and is `VendorRefused` (status 403) rather than stopping the account.
  Concurrent calls that hit the same dead session share one re-login. No logout on
  close: the session expires after two idle hours, and a new login while it lives
  returns it anyway.
- Login errors other than rate limiting, server failures and network trouble (any
  4xx) mean the credentials or the access token were refused: `AuthError`.
- Thread list: `/sms/agent/thread/details` (the method line omits `/sms`; its example
  and every other agent path have it); a 404 there switches the account to the method
  line's `/agent/thread/details` for good. Pages count from 1 and end at an empty page or
  a page identical to the one before (a server ignoring `pagination`).
- History: `account` is sent along with `threadId` when known, as in the example.
  `since` ends paging after the first page reaching back before it.
- Methods the document spells two ways are tried in the documented order, the next
  one after a 405: agent search GET then POST (its example), mark unread PUT then GET
  (its example); mark read follows mark unread.
- Retried as idempotent: GETs except transfer, the PUTs (mark read/unread, move inbox),
  login, and the agent search's POST fallback. Sent once: send, resolve and transfer
  (a GET in LiveVox's API, but not safe to repeat).
- Mark read/unread pass the thread's service id as `channelId` (as documented), or,
  for a personal-inbox row without `serviceId`, the channel id we listed it under.
- A send whose acceptance can't be read back (an unreadable body or no `id`) is
  `OutcomeUnknown`, not `BadResponse`: the text may have gone out.
- `SCHEDULE` is the one capability missing: LiveVox's agent API has no scheduling.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any

import httpx

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import (
    Agent,
    Channel,
    ProviderKind,
    SenderId,
    SendResult,
    Template,
    TermCode,
    Thread,
)
from inbox_app.providers import livevox_parse as parse
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
from inbox_app.providers.fields import first_text, mapping
from inbox_app.providers.http import HttpSession, Reply, RetryPolicy

log = logging.getLogger(__name__)

VENDOR = "LiveVox"
_SESSION_DEAD = re.compile(
    r"(?i)session[^.]{0,40}\b(invalid|expired|not valid|timed out|not found|required)"
    r"|\b(invalid|expired|unknown)\s+session"
)


class LiveVoxProvider(Provider):
    kind = ProviderKind.LIVEVOX
    capabilities = CAPABILITIES[ProviderKind.LIVEVOX]

    def __init__(
        self,
        account: AccountConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 20.0,
        retry: RetryPolicy | None = None,
        concurrency: int = 4,
    ) -> None:
        self.account = account
        self._versions = {
            "sms": account.get("api_version").strip("/"),
            "session": account.get("session_api_version").strip("/"),
            "callControl": account.get("callcontrol_api_version").strip("/"),
        }
        self._http = HttpSession.for_account(
            VENDOR,
            account,
            timeout=timeout,
            concurrency=concurrency,
            retry=retry,
            transport=transport,
            error_hook=self._session_error,
        )
        self._session_id = ""
        self._agent_id = ""
        self._login_lock = asyncio.Lock()
        self._thread_list_category = "sms"

    @property
    def agent_id(self) -> str:
        """The logged-in agent's id (LiveVox `userId`); empty before login."""
        return self._agent_id

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- session -----------------------------------------------------------------

    async def login(self) -> None:
        if self._session_id:
            return
        async with self._login_lock:
            if not self._session_id:
                await self._login()

    async def _login(self) -> None:
        where = f"(account '{self.account.name}')"
        try:
            reply = await self._http.request(
                "POST",
                self._url("session", "login"),
                idempotent=True,
                what="the login",
                headers={"LV-Access": self.account.get("access_token")},
                json_body={
                    "clientName": self.account.get("client_name"),
                    "userName": self.account.get("username"),
                    "password": self.account.get("password"),
                    "agent": True,
                },
                parse_json=True,
            )
        except (AuthError, VendorRefused) as error:
            reason = _refusal_reason(error)
            raise AuthError(f"{VENDOR} refused the login: {reason} {where}") from None
        body = mapping(reply.data)
        session_id = first_text(body, "sessionId")
        if not session_id:
            raise BadResponse(f"{VENDOR} answered the login without a session id {where}")
        self._http.redact.add(session_id)
        self._session_id = session_id
        self._agent_id = first_text(body, "userId", "agentId")
        log.info("%s: logged in to %s as agent %s", self.account.name, VENDOR, self._agent_id)

    def _session_error(self, reply: Reply, what: str) -> ProviderError | None:
        """A failed answer whose body says the session is gone counts as an auth error,
        whatever its status."""
        if not reply.ok and reply.status not in (401, 403) and _SESSION_DEAD.search(reply.text):
            return AuthError(
                f"{VENDOR} no longer accepts the session for {what} (account '{self.account.name}')"
            )
        return None

    async def _call(
        self,
        method: str,
        category: str,
        path: str,
        *,
        what: str,
        idempotent: bool,
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
        parse_json: bool = False,
    ) -> Reply:
        """One API call with the session, re-logging in once if it was refused."""
        await self.login()
        url = self._url(category, path)
        options: dict[str, Any] = {
            "idempotent": idempotent,
            "what": what,
            "params": params,
            "json_body": json_body,
            "parse_json": parse_json,
        }
        session = self._session_id
        try:
            return await self._http.request(method, url, headers=self._headers(session), **options)
        except AuthError:
            log.info("%s: %s session refused; logging in again", self.account.name, VENDOR)
        async with self._login_lock:
            if self._session_id == session:
                self._session_id = ""
                await self._login()
        try:
            return await self._http.request(
                method, url, headers=self._headers(self._session_id), **options
            )
        except AuthError as error:
            if error.status == 403:
                # The credentials were just accepted: this is about the resource.
                raise VendorRefused(str(error), status=403) from None
            # The login itself just succeeded, so the credentials are good: a session
            # dying again this fast is the vendor's hiccup (or a concurrent expiry), worth
            # retrying later, not a reason to stop the account until the user acts.
            raise ServerError(
                f"{VENDOR} refused {what} even after a fresh login (account '{self.account.name}')"
            ) from None

    async def _call_any(
        self,
        methods: tuple[str, ...],
        path: str,
        *,
        what: str,
        params: Mapping[str, str],
        parse_json: bool = False,
    ) -> Reply:
        """An idempotent /sms call whose method the document spells two ways: the next
        method is tried when the server answers 405 Method Not Allowed."""
        for method in methods[:-1]:
            try:
                return await self._call(
                    method,
                    "sms",
                    path,
                    what=what,
                    idempotent=True,
                    params=params,
                    parse_json=parse_json,
                )
            except VendorRefused as error:
                if error.status != 405:
                    raise
        return await self._call(
            methods[-1],
            "sms",
            path,
            what=what,
            idempotent=True,
            params=params,
            parse_json=parse_json,
        )

    def _headers(self, session: str) -> dict[str, str]:
        return {"LV-Access": self.account.get("access_token"), "LV-Session": session}

    def _url(self, category: str, path: str) -> str:
        if not category:
            return self._http.url(path)
        version = self._versions.get(category, "")
        prefix = f"{category}/{version}" if version else category
        return self._http.url(f"{prefix}/{path}")

    async def _json(self, method: str, category: str, path: str, *, what: str, **kw: Any) -> Any:
        reply = await self._call(
            method, category, path, what=what, idempotent=True, parse_json=True, **kw
        )
        return reply.data

    def _rows(self, payload: object, what: str, *keys: str) -> list[dict[str, Any]]:
        found = parse.rows(payload, *keys)
        if found is None:
            raise BadResponse(
                f"{VENDOR} answered {what} in a shape we don't know (account '{self.account.name}')"
            )
        return found

    # -- reading -----------------------------------------------------------------

    async def list_channels(self) -> list[Channel]:
        what = "the inbox list"
        payload = await self._json("GET", "sms", "agent/channel", what=what)
        return parse.parse_channels(self._rows(payload, what, "channels"))

    async def thread_pages(self, channel: Channel) -> AsyncIterator[list[Thread]]:
        what = f"the thread list of {channel.name}"
        previous: list[dict[str, Any]] | None = None
        page = 1
        while True:
            params: dict[str, str | int] = {
                "channelId": channel.vendor_id,
                "personal": "true" if channel.personal else "false",
                "channel": "SMS",
                "pagination": page,
            }
            try:
                payload = await self._json(
                    "GET",
                    self._thread_list_category,
                    "agent/thread/details",
                    what=what,
                    params=params,
                )
            except VendorRefused as error:
                if error.status != 404 or page > 1 or not self._thread_list_category:
                    raise
                log.info(
                    "%s: no /sms thread list; trying the method line's path", self.account.name
                )
                self._thread_list_category = ""
                continue
            rows = self._rows(payload, what, "threads")
            if not rows or rows == previous:
                return
            threads = [t for t in (parse.parse_thread(r, channel) for r in rows) if t]
            if threads:
                yield threads
            previous = rows
            page += 1

    async def fetch_history(self, thread: Thread, since: datetime | None = None) -> History:
        what = "the message history"
        params: dict[str, str | int] = {"threadId": thread.key}
        account = thread.vendor_ref.get("account") or thread.customer_account
        if account:
            params["account"] = account
        collected: list[dict[str, Any]] = []
        previous: list[dict[str, Any]] | None = None
        page = 1
        while True:
            payload = await self._json(
                "GET",
                "sms",
                "agent/messages",
                what=what,
                params={**params, "pagination": page},
            )
            rows = self._rows(payload, what, "messages", "transactions")
            if not rows or rows == previous:
                break
            collected.extend(rows)
            if since is not None and (times := parse.page_times(rows)) and min(times) < since:
                break
            previous = rows
            page += 1
        return history(parse.parse_history, collected, thread)

    async def list_templates(self) -> list[Template]:
        what = "the template list"
        payload = await self._json("GET", "sms", "templates", what=what)
        return parse.parse_templates(self._rows(payload, what, "templates"))

    async def list_sender_ids(self) -> list[SenderId]:
        what = "the SMS code list"
        payload = await self._json("GET", "sms", "codes", what=what)
        return parse.parse_sender_ids(
            self._rows(payload, what, "listSmsCodes", "smsCodes", "codes")
        )

    async def list_term_codes(self, thread: Thread) -> list[TermCode]:
        payload = await self._json(
            "GET",
            "callControl",
            "agent/termCode",
            what="the termination codes",
            params={"serviceId": thread.vendor_ref.get("serviceId", "")},
        )
        return parse.parse_term_codes(payload)

    async def list_transfer_agents(self, thread: Thread) -> list[Agent]:
        what = "the transfer agent search"
        reply = await self._call_any(
            ("GET", "POST"),
            "agent/search",
            what=what,
            params={"threadId": thread.key},
            parse_json=True,
        )
        return parse.parse_agents(self._rows(reply.data, what, "agents"))

    # -- actions -----------------------------------------------------------------

    async def send_message(
        self, thread: Thread, body: str, sender: str, template_id: str | None = None
    ) -> SendResult:
        what = "the message"
        payload: dict[str, Any] = {
            "fromNumber": parse.wire_number(sender or thread.our_number),
            "toNumber": parse.wire_number(thread.customer_number),
            "message": body,
            "threadId": _long(thread.key),
        }
        account = thread.vendor_ref.get("account") or thread.customer_account
        if account:
            payload["account"] = account
        if template_id:
            payload["templateId"] = _long(template_id)
        reply = await self._call(
            "POST", "sms", "agent/message/send", what=what, idempotent=False, json_body=payload
        )
        unknown = OutcomeUnknown(
            f"{VENDOR} accepted the message but its answer could not be read; it may have "
            f"been sent (account '{self.account.name}')"
        )
        try:
            answer = mapping(self._http.json(reply, what))
        except BadResponse:
            raise unknown from None
        message_id = first_text(answer, "id", "transactionId")
        if not message_id:
            raise unknown
        return SendResult(message_id=message_id, status=first_text(answer, "status") or "accepted")

    async def set_read(self, thread: Thread, read: bool) -> None:
        service_id = thread.vendor_ref.get("serviceId") or thread.vendor_ref.get("channelId", "")
        await self._call_any(
            ("PUT", "GET"),
            f"agent/message/{'markAsRead' if read else 'markAsUnread'}",
            what=f"marking the thread {'read' if read else 'unread'}",
            params={"threadId": thread.key, "channelId": service_id},
        )

    async def transfer(self, thread: Thread, agent_id: str) -> None:
        await self._call(
            "GET",
            "sms",
            "agent/thread/transfer",
            what="the transfer",
            idempotent=False,
            params={"threadId": thread.key, "type": "SMS", "agentId": agent_id},
        )

    async def resolve(self, thread: Thread, term_code_id: str | None) -> None:
        account = thread.vendor_ref.get("account") or thread.customer_account
        body: dict[str, Any] = {
            "threadId": thread.key,
            "account": account,
            "agentEnteredAccount": account,
        }
        if term_code_id:
            body["termCodeId"] = _long(term_code_id)
        await self._call(
            "POST",
            "sms",
            "agent/thread/resolve",
            what="resolving the thread",
            idempotent=False,
            json_body=body,
        )

    async def move_to_inbox(self, thread: Thread, personal: bool) -> None:
        if personal:
            await self.login()
            path = "agent/thread/switchGroup/private"
            params = {"threadId": thread.key, "channelId": self._agent_id}
        else:
            path = "agent/thread/switchGroup/public"
            params = {"threadId": thread.key}
        await self._call(
            "PUT",
            "sms",
            path,
            idempotent=True,
            params=params,
            what=f"moving the thread to the {'personal' if personal else 'group'} inbox",
        )


def _long(value: str) -> int | str:
    """The document types these ids as Long; send a number when the id is one."""
    return int(value) if value.isdigit() else value


def _refusal_reason(error: ProviderError) -> str:
    status = getattr(error, "status", 0)
    if status == 404:
        return "no login address there (check the base URL and session_api_version)"
    if isinstance(error, AuthError) or status in (400, 401, 403):
        return "wrong client name, user name, password or access token"
    return f"HTTP {status}"
