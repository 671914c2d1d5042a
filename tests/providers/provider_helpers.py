"""In-test vendor servers on httpx.MockTransport: route table in, recorded requests out."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from inbox_app.core.accounts import AccountConfig
from inbox_app.core.models import ProviderKind
from inbox_app.providers.http import RetryPolicy

Handler = Callable[[httpx.Request], httpx.Response]

LV_SECRETS = {
    "password": "pw-Hunter2-secret",
    "access_token": "lv-access-TOKEN-9f8e7d",
}
ZOHO_SECRETS = {
    "client_secret": "zoho-client-SECRET-55",
    "refresh_token": "1000.refresh-TOKEN-abc",
}


def livevox_account(**values: str) -> AccountConfig:
    return AccountConfig(
        name="Acme LiveVox",
        provider=ProviderKind.LIVEVOX,
        base_url="https://api.livevox.com",
        values={"client_name": "ACME", "username": "agent7", **LV_SECRETS, **values},
    )


def zoho_account(**values: str) -> AccountConfig:
    return AccountConfig(
        name="Acme Zoho",
        provider=ProviderKind.ZOHO,
        base_url="https://voice.zoho.com",
        values={
            "accounts_url": "https://accounts.zoho.com",
            "client_id": "1000.CLIENTID",
            **ZOHO_SECRETS,
            **values,
        },
    )


@dataclass
class Sleeps:
    """A RetryPolicy sleep that records instead of waiting."""

    delays: list[float] = field(default_factory=list)

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)

    def policy(self, attempts: int = 4) -> RetryPolicy:
        return RetryPolicy(attempts=attempts, sleep=self, jitter=lambda: 0.5)


def json_response(payload: Any, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=payload, headers=headers)


def text_response(body: str, status: int = 200) -> httpx.Response:
    return httpx.Response(
        status, content=body.encode(), headers={"Content-Type": "application/json"}
    )


class FakeServer:
    """Routes by (method, path) to a handler, a JSON-able value, or a list of either
    (served in turn, the last one repeating). Unrouted requests get 404."""

    def __init__(self, routes: dict[tuple[str, str], Any] | None = None) -> None:
        self.routes: dict[tuple[str, str], Any] = dict(routes or {})
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        route = self.routes.get((request.method, request.url.path))
        if route is None:
            return json_response({"message": f"no route {request.url.path}"}, 404)
        if isinstance(route, list) and route and _is_step(route[0]):
            route = route.pop(0) if len(route) > 1 else route[0]
        if callable(route):
            return route(request)
        if isinstance(route, httpx.Response):
            return route
        if isinstance(route, str):
            return text_response(route)
        return json_response(route)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def calls(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]


def _is_step(item: Any) -> bool:
    return callable(item) or isinstance(item, httpx.Response)


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


def drop(request: httpx.Request) -> httpx.Response:
    raise httpx.RemoteProtocolError(
        "Server disconnected without sending a response.", request=request
    )


def read_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


def refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
