"""The sync pointed at a server that answers with the vendor documents' own example
payloads (not our simulator): it must complete and store what those payloads say."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx

from inbox_app.core.accounts import AccountConfig
from inbox_app.providers.base import Provider
from inbox_app.providers.registry import create_provider
from inbox_app.store import queries
from inbox_app.store.db import open_reader
from inbox_app.store.scheduled import scheduled_for_thread
from inbox_app.store.writer import Writer
from inbox_app.sync.changes import SyncPhase
from inbox_app.sync.engine import SyncEngine
from tests.providers import docs_payloads as docs
from tests.providers.provider_helpers import FakeServer, livevox_account, zoho_account

Handler = Callable[[httpx.Request], httpx.Response]

SMS_CHANNEL = {
    "channel": "SMS",
    "channelId": "94874",
    "channelName": "Group - Collections",
    "unreadCount": 0,
    "totalCount": 3,
    "personal": False,
}


def first_page_only(payload: str, empty: str, param: str) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        page = request.url.params.get(param, "1")
        body = payload if page in ("", "0", "1") else empty
        return httpx.Response(
            200, content=body.encode(), headers={"Content-Type": "application/json"}
        )

    return handler


HISTORY_THREAD = "56061444434"


def history_of_one_thread() -> Handler:
    """The documents' history example is one thread's; the other threads have none."""
    first_page = first_page_only(docs.LV_HISTORY, "[]", "pagination")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("threadId") == HISTORY_THREAD:
            return first_page(request)
        return httpx.Response(200, content=b"[]", headers={"Content-Type": "application/json"})

    return handler


def livevox_server() -> FakeServer:
    channels = [*json.loads(docs.LV_CHANNELS), SMS_CHANNEL]
    return FakeServer(
        {
            ("POST", "/session/login"): {"sessionId": "sess-1", "userId": 645836, "clientId": 1},
            ("GET", "/sms/agent/channel"): channels,
            ("GET", "/sms/templates"): docs.LV_TEMPLATES,
            ("GET", "/sms/codes"): docs.LV_SMS_CODES,
            ("GET", "/sms/agent/thread/details"): first_page_only(
                docs.LV_THREADS, "[]", "pagination"
            ),
            ("GET", "/sms/agent/messages"): history_of_one_thread(),
            ("GET", "/sms/agent/messages/"): history_of_one_thread(),
        }
    )


def zoho_server() -> FakeServer:
    empty_chat = json.dumps(
        {"chatlist": [], "meta": {"total": 20, "totalPages": 2}, "status": "success"}
    )
    empty_logs = json.dumps({"smsLogQuery": [], "meta": {"total": 2}, "status": "success"})

    def logs(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params.get("from", "0") or 0)
        body = docs.ZOHO_LOGS if start == 0 else empty_logs
        return httpx.Response(
            200, content=body.encode(), headers={"Content-Type": "application/json"}
        )

    return FakeServer(
        {
            ("POST", "/oauth/v2/token"): {"access_token": "at-1", "expires_in": 3600},
            ("GET", "/rest/json/v1/sms/chatlist"): first_page_only(
                docs.ZOHO_CHATLIST, empty_chat, "page"
            ),
            ("GET", "/rest/json/v1/sms/logs"): logs,
            ("GET", "/rest/json/v1/sms/schedule"): docs.ZOHO_SCHEDULE,
        }
    )


async def test_sync_completes_on_the_documents_examples(tmp_path: Path) -> None:
    servers = {"Acme LiveVox": livevox_server(), "Acme Zoho": zoho_server()}

    def factory(account: AccountConfig) -> Provider:
        return create_provider(account, transport=servers[account.name].transport)

    writer = Writer(tmp_path / "inbox.sqlite3")
    engine = SyncEngine([livevox_account(), zoho_account()], writer, provider_factory=factory)
    statuses = await engine.run_once()
    await engine.aclose()
    writer.close()
    assert {name: s.phase for name, s in statuses.items()} == {
        "Acme LiveVox": SyncPhase.IDLE,
        "Acme Zoho": SyncPhase.IDLE,
    }, statuses

    conn = open_reader(tmp_path / "inbox.sqlite3")
    lv_threads = {t.key for t in queries.list_threads(conn, "Acme LiveVox")}
    assert lv_threads == {"56061444434", "56047165976", "56047127816"}
    history = queries.list_messages(conn, "Acme LiveVox", HISTORY_THREAD)
    assert [m.id for m in history][-1] == "56061451356"
    assert {m.direction.value for m in history} == {"in", "out"}
    assert history[0].at.year == 2022
    zoho_threads = queries.list_threads(conn, "Acme Zoho")
    assert len(zoho_threads) == 2
    assert {t.customer_number for t in zoho_threads} == {"+612XXXXXXXX7", "+12XXXXXXXXX0"}
    (scheduled,) = scheduled_for_thread(conn, "Acme Zoho", "+148XXXXXXX30", "+146XXXXXXXX0")
    assert (scheduled.body, scheduled.time_zone) == ("this is scheduled SMS", "Pacific/Niue")
    templates = queries.list_templates(conn, "Acme LiveVox")
    assert {t.id for t in templates} == {"75870", "75959"}
    conn.close()
