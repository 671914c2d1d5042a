"""Zoho Voice's REST API (mounted at /zoho) and its OAuth host (mounted at /zoho-accounts).

API calls need `Authorization: Zoho-oauthtoken <token>`. v1 send takes its fields as a
form, a JSON object or query parameters. v2 send takes multipart (or urlencoded)
`sms_data` JSON plus optional `mms_media`, `templateId`, `scheduledTime`, `timeZone`;
`"mms": true` needs a file, a file sent with `"mms": false` is ignored, and a
`templateId` replaces the message text with the template's. Due scheduled SMS are
turned into log rows at the start of every API call.
"""

from __future__ import annotations

import json
import math
import mimetypes
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import phones
from . import zoho_rows as rows
from .responses import JSONResponse
from .zoho_errors import ZohoError, bad_request
from .zoho_model import INCOMING, OUTGOING, Media, User
from .zoho_state import (
    CHATLIST_DEFAULT_SIZE,
    CHATLIST_MAX_SIZE,
    LOGS_MAX_SIZE,
    LogQuery,
    ZohoState,
)
from .zoho_time import parse_time

UserHandler = Callable[[Request, User], Awaitable[Response]]
OAUTH_SCOPE = "ZohoVoice.sms.CREATE,ZohoVoice.sms.READ"
_MESSAGE_TYPES = {"all": None, "incoming": INCOMING, "outgoing": OUTGOING}


def _success(send: dict[str, Any]) -> JSONResponse:
    return JSONResponse({"code": "ZVSMS-2000", "send": send, "status": "SUCCESS"})


def _int_param(request: Request, name: str, default: int, minimum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"{name} must be a number") from None
    if value < minimum:
        raise bad_request(f"{name} must be at least {minimum}")
    return value


def _text(values: dict[str, Any], name: str) -> str:
    value = values.get(name)
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value) == "":
        raise bad_request(f"{name} is required")
    return str(value)


class ZohoApi:
    """The handlers, bound to one world's Zoho state."""

    def __init__(self, state: ZohoState) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        table: tuple[tuple[str, str, UserHandler], ...] = (
            ("/rest/json/v1/sms/send", "POST", self.send_v1),
            ("/rest/json/v2/sms/send", "POST", self.send_v2),
            ("/rest/json/v1/sms/logs", "GET", self.logs),
            ("/rest/json/v1/sms/chatlist", "GET", self.chatlist),
            ("/rest/json/v1/sms/schedule", "GET", self.schedule),
            ("/rest/json/v2/sms/stream/mms", "GET", self.stream_mms),
        )
        return [Route(path, self._authenticated(h), methods=[m]) for path, m, h in table]

    def _authenticated(self, handler: UserHandler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            self.state.oauth.check(request.headers.get("Authorization"))
            self.state.release_due()
            return await handler(request, self.state.default_user)

        return endpoint

    async def send_v1(self, request: Request, user: User) -> Response:
        values: dict[str, Any] = dict(request.query_params)
        if request.headers.get("content-type", "").startswith("application/json"):
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("request body is not valid JSON") from None
            if not isinstance(body, dict):
                raise bad_request("request body must be a JSON object")
            values.update(body)
        else:
            async with request.form() as form:
                values.update((k, v) for k, v in form.items() if isinstance(v, str))
        entry = self.state.send(
            user,
            _text(values, "senderId"),
            _text(values, "customerNumber"),
            _text(values, "message"),
            "zoho.send_v1",
        )
        return _success(rows.send_row(self.state, entry, self.state.clock.now_ms()))

    async def send_v2(self, request: Request, user: User) -> Response:
        if request.headers.get("content-type", "").startswith("application/json"):
            raise bad_request("send v2 takes multipart/form-data")
        async with request.form() as form:
            raw = form.get("sms_data")
            upload = form.get("mms_media")
            template = form.get("templateId")
            scheduled = form.get("scheduledTime")
            zone = form.get("timeZone")
            if not isinstance(raw, str):
                raise bad_request("sms_data is required")
            try:
                data = json.loads(raw)
            except ValueError:
                raise bad_request("sms_data is not valid JSON") from None
            if not isinstance(data, dict):
                raise bad_request("sms_data must be a JSON object")
            media = await self._media(upload) if data.get("mms") is True else ()
        message = self._template_text(template) if isinstance(template, str) else None
        message = message or _text(data, "message")
        sender, customer = _text(data, "senderId"), _text(data, "customerNumber")
        if isinstance(scheduled, str) and scheduled:
            zone_name = zone if isinstance(zone, str) else None
            job = self.state.schedule_send(
                user, sender, customer, message, media, scheduled, zone_name
            )
            return _success(rows.schedule_row(self.state, job))
        entry = self.state.send(user, sender, customer, message, "zoho.send_v2", media)
        return _success(rows.send_row(self.state, entry, self.state.clock.now_ms()))

    def _template_text(self, raw: str) -> str:
        try:
            return self.state.templates[int(raw)]
        except (ValueError, KeyError):
            raise ZohoError(400, "ZVSMS-4030", f"Unknown templateId {raw!r}") from None

    async def _media(self, upload: UploadFile | str | None) -> tuple[Media, ...]:
        if not isinstance(upload, UploadFile):
            raise bad_request("mms is true but no mms_media file was sent")
        data = await upload.read()
        name = upload.filename or "mms_media"
        content_type = upload.content_type or mimetypes.guess_type(name)[0]
        now_ms = self.state.clock.now_ms()
        return (
            Media(
                mms_id=str(uuid.uuid4()),
                file_name=name,
                object_name=f"{name}-{now_ms}",
                bucket=f"zohovoice-mms-sim-{self.state.org_id}",
                content_type=content_type or "application/octet-stream",
                data=data,
                size_as_text=False,
            ),
        )

    async def logs(self, request: Request, user: User) -> Response:
        params = request.query_params
        start = _int_param(request, "from", 0, 0)
        size = min(_int_param(request, "size", LOGS_MAX_SIZE, 1), LOGS_MAX_SIZE)
        kind = params.get("messageType", "All").lower()
        if kind not in _MESSAGE_TYPES:
            raise bad_request("messageType must be All, Incoming or Outgoing")
        query = LogQuery(
            from_ms=parse_time(params["fromDate"]) if params.get("fromDate") else None,
            to_ms=parse_time(params["toDate"], end_of_day=True) if params.get("toDate") else None,
            direction=_MESSAGE_TYPES[kind],
            customer=phones.digits_key(params["customerNumber"])
            if params.get("customerNumber")
            else None,
            sender=phones.digits_key(params["longCode"]) if params.get("longCode") else None,
            country=params["country"].lower() if params.get("country") else None,
            mms_only=params.get("fetchMMS", "").lower() == "true",
        )
        now_ms = self.state.clock.now_ms()
        with self.state.lock:
            found = self.state.query_logs(query)
            content = [rows.log_row(self.state, e, now_ms) for e in found[start : start + size]]
            return JSONResponse(
                {"smsLogQuery": content, "meta": {"total": len(found)}, "status": "success"}
            )

    async def chatlist(self, request: Request, user: User) -> Response:
        page = _int_param(request, "page", 1, 1)
        size = min(_int_param(request, "size", CHATLIST_DEFAULT_SIZE, 1), CHATLIST_MAX_SIZE)
        code = request.query_params.get("longCode") or request.query_params.get("shortCode")
        now_ms = self.state.clock.now_ms()
        with self.state.lock:
            found = self.state.chat_list(
                phones.digits_key(code) if code else None, request.query_params.get("search")
            )
            content = [
                rows.chat_row(self.state, c.last, now_ms)
                for c in found[(page - 1) * size : page * size]
            ]
            meta = {"total": len(found), "totalPages": math.ceil(len(found) / size)}
            return JSONResponse({"chatlist": content, "meta": meta, "status": "success"})

    async def schedule(self, request: Request, user: User) -> Response:
        with self.state.lock:
            content = [rows.schedule_row(self.state, job) for job in self.state.scheduled()]
        return JSONResponse({"schedule": content, "code": "200", "status": "SUCCESS"})

    async def stream_mms(self, request: Request, user: User) -> Response:
        mms_id = request.query_params.get("id")
        if not mms_id:
            raise bad_request("id is required")
        mode = request.query_params.get("mode", "Preview")
        if mode not in ("Preview", "Download"):
            raise bad_request("mode must be Preview or Download")
        media = self.state.media_file(mms_id)
        disposition = "attachment" if mode == "Download" else "inline"
        return Response(
            media.data,
            media_type=media.content_type,
            headers={"Content-Disposition": f'{disposition}; filename="{media.file_name}"'},
        )


async def _zoho_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ZohoError)
    return JSONResponse(
        {"status": "ERROR", "code": exc.code, "message": exc.message}, status_code=exc.status
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse(
        {"status": "ERROR", "code": str(exc.status_code), "message": exc.detail},
        status_code=exc.status_code,
        headers=exc.headers,
    )


_HANDLERS = {ZohoError: _zoho_error, HTTPException: _http_error}


def zoho_app(state: ZohoState) -> Starlette:
    return Starlette(routes=ZohoApi(state).routes(), exception_handlers=_HANDLERS)


def zoho_accounts_app(state: ZohoState, api_path: str) -> Starlette:
    """The OAuth host. `api_domain` in its answer points at the API mount (`api_path`)."""

    async def token(request: Request) -> Response:
        values = dict(request.query_params)
        async with request.form() as form:
            values.update((k, v) for k, v in form.items() if isinstance(v, str))
        answer: dict[str, Any] = dict(
            state.oauth.issue(
                values.get("grant_type", ""),
                values.get("client_id", ""),
                values.get("client_secret", ""),
                values.get("refresh_token", ""),
            )
        )
        if "access_token" in answer:
            answer["scope"] = OAUTH_SCOPE
            answer["api_domain"] = f"{request.url.scheme}://{request.url.netloc}{api_path}"
        return JSONResponse(answer)

    return Starlette(
        routes=[Route("/oauth/v2/token", token, methods=["POST"])], exception_handlers=_HANDLERS
    )
