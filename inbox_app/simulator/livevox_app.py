"""LiveVox's REST API as a Starlette app, mounted at /livevox.

Every path is served in each form the document shows (method line and example may
disagree, so both are served), with and without a version segment after the API
category (`/sms/v17.0/agent/channel`, `/session/v5.0/login`), and with and without the
trailing slash where the document prints one (`POST /sms/`, `/sms/agent/messages/`).
Login needs `LV-Access`; every other call needs `LV-Access` and a live `LV-Session`.
Error bodies are `{"code": int, "message": str}` (codes in livevox_errors.py).

Choices where the document is silent:
- login needs `"agent": true` (or no `agent`); only agent sessions are simulated;
- thread list: `channel` other than SMS gives `[]`; without `personal`, a channelId equal
  to the caller's agent id means the personal inbox; another agent's personal inbox or a
  service the caller is not in is 403; `pagination` starts at 1 (0 is a 400);
- `POST /sms/`: `serviceId` is ignored (agents send from their services); `from` must be
  one of the client's codes; `account` is required, as the table says for agents;
- transfer needs `type=SMS`; transfer and switchGroup/private need a target agent in the
  thread's service; transfer-agent search lists the other agents of the thread's service;
- resolve requires `threadId`, `account` and `agentEnteredAccount`; a `termCodeId` must
  be one of the thread's service (`GET /callControl/agent/termCode?serviceId=`);
- agent send: `fromNumber` must be the long code of one of the agent's services; without
  `threadId` the message joins the customer's open thread for that code or opens a new
  one in the sender's personal inbox; opted-out or DNC contacts are refused (1002);
- interaction counts may be asked for any agent id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import livevox_rows as rows
from .livevox_errors import LiveVoxError, bad_request
from .livevox_model import Agent
from .livevox_state import LiveVoxState
from .responses import JSONResponse

AgentHandler = Callable[[Request, Agent], Awaitable[Response]]
PASSWORD_EXPIRY_DAYS = 45


class _VersionConvertor(Convertor[str]):
    regex = r"v\d+(?:\.\d+)*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("livevox_version", _VersionConvertor())


def path_forms(path: str, *, trailing_slash: bool = False) -> list[str]:
    """`/sms/agent/x` -> itself and `/sms/{version}/agent/x` (+ the `/`-suffixed forms)."""
    category, _, rest = path.strip("/").partition("/")
    forms = [
        "/".join(filter(None, (f"/{category}", version, rest)))
        for version in ("", "{version:livevox_version}")
    ]
    return forms + [f"{form}/" for form in forms] if trailing_slash else forms


def _no_content() -> Response:
    return Response(status_code=204)


def _param(request: Request, name: str, *, required: bool = True) -> str | None:
    value = request.query_params.get(name)
    if required and not value:
        raise bad_request(f"{name} is required")
    return value or None


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise bad_request(f"{name} must be a number")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"{name} must be a number") from None


def _page(request: Request) -> int:
    raw = request.query_params.get("pagination")
    page = 1 if raw is None else _int(raw, "pagination")
    if page < 1:
        raise bad_request("pagination starts at 1")
    return page


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise bad_request("request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad_request("request body must be a JSON object")
    return body


def _string(body: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if isinstance(value, int | str) and not isinstance(value, bool) and str(value) != "":
        return str(value)
    raise bad_request(f"{name} is required and must be a string")


class LiveVoxApi:
    """The handlers, bound to one world's LiveVox state."""

    def __init__(self, state: LiveVoxState, page_size: int) -> None:
        self.state = state
        self.page_size = page_size

    def routes(self) -> list[Route]:
        agent_routes: Sequence[tuple[str, Sequence[str], AgentHandler, bool]] = (
            ("/sms/templates", ["GET"], self.templates, False),
            ("/sms/", ["POST"], self.send_transactional, True),
            ("/sms/codes", ["GET"], self.codes, False),
            ("/sms/agent/channel", ["GET"], self.channels, False),
            ("/sms/agent/interaction/counts/{agent_id}", ["GET"], self.counts, False),
            ("/agent/thread/details", ["GET"], self.threads, False),
            ("/sms/agent/thread/details", ["GET"], self.threads, False),
            ("/sms/agent/thread/switchGroup/public", ["PUT"], self.switch_public, False),
            ("/sms/agent/thread/switchGroup/private", ["PUT"], self.switch_private, False),
            ("/sms/agent/thread/transfer", ["GET"], self.transfer, False),
            ("/sms/agent/search", ["GET", "POST"], self.search_agents, False),
            ("/sms/agent/thread/resolve", ["POST"], self.resolve, False),
            ("/sms/agent/message/send", ["POST"], self.send, False),
            ("/sms/agent/message/markAsRead", ["PUT"], self.mark_read, False),
            ("/sms/agent/message/markAsUnread", ["PUT", "GET"], self.mark_unread, False),
            ("/sms/agent/messages", ["GET"], self.history, True),
            ("/callControl/agent/termCode", ["GET"], self.term_codes, False),
        )
        routes = [Route(p, self.login, methods=["POST"]) for p in path_forms("/session/login")]
        for path, methods, handler, slash in agent_routes:
            endpoint = self._authenticated(handler)
            routes += [
                Route(form, endpoint, methods=list(methods))
                for form in path_forms(path, trailing_slash=slash)
            ]
        return routes

    def _authenticated(self, handler: AgentHandler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            self.state.check_access_token(request.headers.get("LV-Access"))
            agent = self.state.authenticate(request.headers.get("LV-Session"))
            return await handler(request, agent)

        return endpoint

    async def login(self, request: Request) -> Response:
        self.state.check_access_token(request.headers.get("LV-Access"))
        body = await _json_object(request)
        if body.get("agent", True) is not True:
            raise bad_request('only agent logins ("agent": true) are supported')
        session, agent = self.state.login(
            _string(body, "clientName") or "",
            _string(body, "userName") or "",
            _string(body, "password") or "",
        )
        return JSONResponse(
            {
                "sessionId": session.session_id,
                "userId": agent.agent_id,
                "clientId": self.state.client_id,
                "daysUntilPasswordExpires": PASSWORD_EXPIRY_DAYS,
            }
        )

    async def templates(self, request: Request, agent: Agent) -> Response:
        with self.state.lock:
            templates = [rows.template_row(t) for t in self.state.templates.values()]
        return JSONResponse({"templates": templates})

    async def send_transactional(self, request: Request, agent: Agent) -> Response:
        body = await _json_object(request)
        content = body.get("body")
        if not isinstance(content, dict):
            raise bad_request("body must be an object with message or templateId")
        template = content.get("templateId")
        message = self.state.transactional_send(
            agent,
            from_code=_string(body, "from") or "",
            to_number=_string(body, "to") or "",
            message=_string(content, "message", required=False),
            template_id=None if template is None else _int(template, "templateId"),
            account=_string(body, "account") or "",
        )
        return JSONResponse({"transactionId": int(message.id)})

    async def codes(self, request: Request, agent: Agent) -> Response:
        with self.state.lock:
            return JSONResponse(rows.sms_codes(self.state, agent))

    async def channels(self, request: Request, agent: Agent) -> Response:
        with self.state.lock:
            return JSONResponse(rows.channel_list(self.state, agent))

    async def counts(self, request: Request, agent: Agent) -> Response:
        agent_id = _int(request.path_params["agent_id"], "agentId")
        with self.state.lock:
            return JSONResponse(rows.interaction_counts(self.state, self.state.agent(agent_id)))

    async def threads(self, request: Request, agent: Agent) -> Response:
        """One page of an inbox. Without `personal`, a channelId equal to the caller's
        agent id means the personal inbox, anything else a service's group inbox."""
        channel_id = _param(request, "channelId") or ""
        channel = _param(request, "channel") or ""
        raw_personal = request.query_params.get("personal")
        if raw_personal is None:
            personal = channel_id == str(agent.agent_id)
        elif raw_personal.lower() in ("true", "false"):
            personal = raw_personal.lower() == "true"
        else:
            raise bad_request("personal must be true or false")
        page = _page(request)
        if channel.upper() != "SMS":
            return JSONResponse([])
        start = (page - 1) * self.page_size
        with self.state.lock:
            threads = self.state.visible_inbox(agent, personal, channel_id)
            content = [
                rows.thread_row(self.state, t) for t in threads[start : start + self.page_size]
            ]
        return JSONResponse(content)

    async def switch_public(self, request: Request, agent: Agent) -> Response:
        self.state.switch_public(agent, _param(request, "threadId"))
        return _no_content()

    async def switch_private(self, request: Request, agent: Agent) -> Response:
        target = _int(_param(request, "channelId"), "channelId")
        self.state.switch_private(agent, _param(request, "threadId"), target)
        return _no_content()

    async def transfer(self, request: Request, agent: Agent) -> Response:
        thread_id = _param(request, "threadId")
        if (_param(request, "type") or "").upper() != "SMS":
            raise bad_request("type must be SMS for an SMS thread")
        target = _int(_param(request, "agentId"), "agentId")
        thread = self.state.transfer(agent, thread_id, target)
        return JSONResponse({"id": thread.thread_id})

    async def search_agents(self, request: Request, agent: Agent) -> Response:
        with self.state.lock:
            found = self.state.transfer_candidates(agent, _param(request, "threadId"))
            return JSONResponse([rows.agent_row(a) for a in found])

    async def resolve(self, request: Request, agent: Agent) -> Response:
        body = await _json_object(request)
        _string(body, "account")
        if not isinstance(body.get("agentEnteredAccount"), str | int):
            raise bad_request("agentEnteredAccount is required")
        term = body.get("termCodeId")
        self.state.resolve(
            agent,
            _string(body, "threadId"),
            None if term is None else _int(term, "termCodeId"),
        )
        return _no_content()

    async def send(self, request: Request, agent: Agent) -> Response:
        body = await _json_object(request)
        template = body.get("templateId")
        message = self.state.agent_send(
            agent,
            from_number=_string(body, "fromNumber") or "",
            to_number=_string(body, "toNumber") or "",
            message=_string(body, "message") or "",
            template_id=None if template is None else _int(template, "templateId"),
            account=_string(body, "account", required=False),
            thread_id=_string(body, "threadId", required=False),
        )
        return JSONResponse({"id": message.id})

    async def mark_read(self, request: Request, agent: Agent) -> Response:
        _param(request, "channelId")
        self.state.set_read(agent, _param(request, "threadId"), read=True)
        return _no_content()

    async def mark_unread(self, request: Request, agent: Agent) -> Response:
        _param(request, "channelId")
        self.state.set_read(agent, _param(request, "threadId"), read=False)
        return _no_content()

    async def history(self, request: Request, agent: Agent) -> Response:
        page = _page(request)
        messages = self.state.history(
            _param(request, "account", required=False), _param(request, "threadId", required=False)
        )
        now_ms = self.state.clock.now_ms()
        start = (page - 1) * self.page_size
        return JSONResponse(
            [rows.message_row(m, now_ms) for m in messages[start : start + self.page_size]]
        )

    async def term_codes(self, request: Request, agent: Agent) -> Response:
        service_id = _int(_param(request, "serviceId"), "serviceId")
        return JSONResponse(rows.term_codes(self.state.term_code_list(service_id)))


async def _livevox_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LiveVoxError)
    return JSONResponse({"code": exc.code, "message": exc.message}, status_code=exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse(
        {"code": exc.status_code, "message": exc.detail},
        status_code=exc.status_code,
        headers=exc.headers,
    )


def livevox_app(state: LiveVoxState, page_size: int) -> Starlette:
    app = Starlette(
        routes=LiveVoxApi(state, page_size).routes(),
        exception_handlers={LiveVoxError: _livevox_error, HTTPException: _http_error},
    )
    app.router.redirect_slashes = False
    return app
