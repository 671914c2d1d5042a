"""`/_sim/`: steer a running simulator from outside (a benchmark, a demo, another process).

No authentication, so only loopback clients are served. Faults never apply here.
- `GET /_sim/state`: summary counts, the fault config and the faults injected so far;
- `POST /_sim/faults`: a JSON FaultConfig object replaces the current one;
- `POST /_sim/tick`: `{"count": n}` (default 1) steps of live traffic;
- `POST /_sim/advance`: `{"seconds": s}` moves the world's clock forward;
- `POST /_sim/inbound`: `{"vendor": "livevox", "message", "threadId"}` or
  `{"vendor": "livevox", "message", "from": customer, "to": our long code (optional)}` or
  `{"vendor": "zoho", "message", "customerNumber", "senderId" (optional)}` or
  `{"vendor": "voximplant", "message", "from": customer, "to": our number (optional)}`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .config import FaultConfig
from .faults import FaultInjector
from .livevox_errors import LiveVoxError
from .responses import JSONResponse
from .voximplant_errors import VoximplantError
from .world import World
from .zoho_errors import ZohoError

Handler = Callable[[Request], Awaitable[Response]]


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def _loopback_only(handler: Handler) -> Handler:
    async def endpoint(request: Request) -> Response:
        host = request.client.host if request.client else ""
        if not (host.startswith("127.") or host in ("::1", "localhost")):
            return _error(403, "the simulator admin API only answers loopback clients")
        try:
            return await handler(request)
        except ValueError as exc:
            return _error(400, str(exc))
        except (LiveVoxError, ZohoError) as exc:
            return _error(exc.status, exc.message)
        except VoximplantError as exc:
            return _error(400, exc.message)

    return endpoint


def admin_app(world: World, injector: FaultInjector) -> Starlette:
    async def state(request: Request) -> Response:
        return JSONResponse(
            {
                **world.summary(),
                "faults": injector.config.as_dict(),
                "fault_counts": injector.counts,
            }
        )

    async def faults(request: Request) -> Response:
        injector.config = FaultConfig.from_mapping(await _body(request))
        return JSONResponse(injector.config.as_dict())

    async def tick(request: Request) -> Response:
        count = (await _body(request)).get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError("count must be a positive integer")
        events = [event for _ in range(count) for event in world.tick()]
        return JSONResponse({"events": [dataclasses.asdict(e) for e in events]})

    async def advance(request: Request) -> Response:
        seconds = (await _body(request)).get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise ValueError("seconds must be a number")
        world.clock.advance(seconds)
        return JSONResponse({"now_ms": world.clock.now_ms()})

    async def inbound(request: Request) -> Response:
        body = await _body(request)
        message = body.get("message")
        if not isinstance(message, str) or not message:
            raise ValueError("message is required")
        vendor = body.get("vendor")
        if vendor == "livevox":
            received = world.livevox.receive(
                message,
                thread_id=_optional(body, "threadId"),
                customer=_optional(body, "from"),
                sms_code=_optional(body, "to"),
            )
            return JSONResponse({"id": received.id, "threadId": received.thread_id})
        if vendor == "zoho":
            entry = world.zoho.receive(
                _optional(body, "customerNumber") or "", message, _optional(body, "senderId")
            )
            return JSONResponse({"logid": entry.logid})
        if vendor == "voximplant":
            record = world.voximplant.receive(
                _optional(body, "from") or "", message, _optional(body, "to")
            )
            return JSONResponse({"message_id": record.message_id if record else None})
        raise ValueError("vendor must be livevox, zoho or voximplant")

    routes = [
        Route("/state", _loopback_only(state), methods=["GET"]),
        Route("/faults", _loopback_only(faults), methods=["POST"]),
        Route("/tick", _loopback_only(tick), methods=["POST"]),
        Route("/advance", _loopback_only(advance), methods=["POST"]),
        Route("/inbound", _loopback_only(inbound), methods=["POST"]),
    ]
    return Starlette(routes=routes)


def _optional(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"{name} must be a string")
    return str(value)
