"""`Simulator`: one seeded world served as the vendors' APIs, with faults in front.

The ASGI app mounts one sub-app per vendor host (`VENDOR_MOUNTS` order) plus `/_sim/`.
Another vendor (Voximplant) is one more state module, app module and mount.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.routing import Mount

from .admin import admin_app
from .config import FaultConfig, SimConfig
from .faults import FaultInjector, VendorStyle
from .livevox_app import livevox_app
from .voximplant_app import voximplant_app
from .voximplant_errors import VoximplantError
from .world import World
from .zoho_app import zoho_accounts_app, zoho_app
from .zoom_app import zoom_app, zoom_oauth_app

LIVEVOX_PATH = "/livevox"
ZOHO_PATH = "/zoho"
ZOHO_ACCOUNTS_PATH = "/zoho-accounts"
ZOOM_PATH = "/zoom"
ZOOM_OAUTH_PATH = "/zoom-oauth"
VOXIMPLANT_PATH = "/voximplant"
ADMIN_PATH = "/_sim"


def _livevox_error(status: int, message: str) -> dict[str, Any]:
    return {"code": status, "message": message}


def _zoho_error(status: int, message: str) -> dict[str, Any]:
    code = "TOO_MANY_REQUESTS" if status == 429 else f"ZVSMS-{status}0"
    return {"status": "ERROR", "code": code, "message": message}


def _zoom_error(status: int, message: str) -> dict[str, Any]:
    return {"code": status, "message": message}


def _voximplant_error(status: int, message: str) -> dict[str, Any]:
    return VoximplantError(status, message).envelope()


class Simulator:
    """The vendors as one ASGI app (`app`) over one world (`world`).

    `faults` may be replaced or mutated while serving; `fault_counts` tells how many
    faults of each kind were injected. With `config.live`, the ASGI lifespan runs
    `world.tick()` every `config.live_interval` seconds.
    """

    def __init__(self, config: SimConfig | None = None) -> None:
        self.config = config or SimConfig()
        self.world = World(self.config)
        self.injector = FaultInjector(dataclasses.replace(self.config.faults), self.config.seed)
        self.app = self._build_app()

    @property
    def faults(self) -> FaultConfig:
        return self.injector.config

    @faults.setter
    def faults(self, config: FaultConfig) -> None:
        self.injector.config = config

    @property
    def fault_counts(self) -> dict[str, int]:
        return self.injector.counts

    @property
    def credentials(self) -> dict[str, dict[str, str]]:
        """What a client needs to sign in as the default LiveVox agent, the Zoho org and
        the Zoom account."""
        livevox = self.world.livevox
        agent = livevox.default_agent
        zoho = self.world.zoho.oauth.credentials
        return {
            "livevox": {
                "client_name": livevox.client_name,
                "username": agent.login_id,
                "password": agent.password,
                "access_token": livevox.access_token,
            },
            "zoho": {
                "client_id": zoho.client_id,
                "client_secret": zoho.client_secret,
                "refresh_token": zoho.refresh_token,
            },
            "zoom": dataclasses.asdict(self.world.zoom.oauth.credentials),
            "voximplant": {
                "account_id": self.world.voximplant.account_id,
                "api_key": self.world.voximplant.api_key,
            },
        }

    def _build_app(self) -> Starlette:
        livevox, zoho = self.world.livevox, self.world.zoho

        def expire_session(headers: Headers) -> None:
            livevox.expire_sessions(headers.get("LV-Session") or "")

        def expire_token(headers: Headers) -> None:
            zoho.oauth.expire(headers.get("Authorization", "").partition(" ")[2].strip())

        def expire_zoom_token(headers: Headers) -> None:
            self.world.zoom.oauth.expire(headers.get("Authorization", "").partition(" ")[2])

        def expire_service_token(headers: Headers) -> None:
            """A service-account JWT is revoked; an API key never expires."""
            scheme, _, token = headers.get("Authorization", "").partition(" ")
            if scheme.lower() == "bearer":
                self.world.voximplant.service_account.revoke(token.strip())

        def no_credential(headers: Headers) -> None:
            """The OAuth host is called without a token, so there is nothing to expire."""

        livevox_style = VendorStyle(_livevox_error, expire_session)
        vendor_mounts = (
            (LIVEVOX_PATH, livevox_app(livevox, self.config.page_size), livevox_style),
            (ZOHO_PATH, zoho_app(zoho), VendorStyle(_zoho_error, expire_token)),
            (
                ZOHO_ACCOUNTS_PATH,
                zoho_accounts_app(zoho, ZOHO_PATH),
                VendorStyle(_zoho_error, no_credential),
            ),
            (ZOOM_PATH, zoom_app(self.world.zoom), VendorStyle(_zoom_error, expire_zoom_token)),
            (
                ZOOM_OAUTH_PATH,
                zoom_oauth_app(self.world.zoom),
                VendorStyle(_zoom_error, no_credential),
            ),
            (
                VOXIMPLANT_PATH,
                voximplant_app(self.world.voximplant),
                VendorStyle(_voximplant_error, expire_service_token),
            ),
        )
        routes = [
            Mount(path, app=self.injector.wrap(app, style)) for path, app, style in vendor_mounts
        ]
        routes.append(Mount(ADMIN_PATH, app=admin_app(self.world, self.injector)))
        return Starlette(routes=routes, lifespan=self._lifespan)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        if not self.config.live:
            yield
            return
        task = asyncio.create_task(self._live_traffic(), name="simulator-live-traffic")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _live_traffic(self) -> None:
        while True:
            await asyncio.sleep(self.config.live_interval)
            self.world.tick()
