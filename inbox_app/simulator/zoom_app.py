"""Zoom Contact Center's SMS list (mounted at /zoom, the `/v2` base) and its OAuth host
(mounted at /zoom-oauth).

`GET /contact_center/sms` needs `Authorization: Bearer <token>`. Rows are served as the
document's example shows them: ISO 8601 UTC times, counts as numbers, `queues` and
`agents` as lists, `next_page_token` "" on the last page. Dates are read as
`yyyy-mm-dd` (a `to` date means the end of that day) or ISO 8601 with `Z` or an
offset. See zoom_state.py for the range, paging and filter rules.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import phones
from .responses import JSONResponse
from .zoom_model import Engagement, ZoomError, bad_parameter
from .zoom_oauth import OAuthRefusal
from .zoom_state import (
    DEFAULT_RANGE_MS,
    PAGE_SIZE_DEFAULT,
    PAGE_SIZE_MAX,
    EngagementQuery,
    ZoomState,
    add_month,
)

_DIRECTIONS = ("inbound", "outbound")


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_date(raw: str, name: str, *, end_of_day: bool = False) -> int:
    """Epoch ms from `yyyy-mm-dd` or ISO 8601 (`Z` or an offset; no zone = UTC)."""
    value = raw.strip()
    try:
        if len(value) == 10:
            day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
            moment = day + timedelta(days=1, milliseconds=-1) if end_of_day else day
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
    except ValueError:
        raise bad_parameter(f"Invalid {name}: use yyyy-mm-dd or yyyy-MM-dd'T'HH:mm:ss'Z'") from None
    return int(moment.timestamp() * 1000)


def engagement_row(e: Engagement) -> dict[str, Any]:
    return {
        "direction": e.direction,
        "engagement_id": e.engagement_id,
        "contact_center_number": phones.e164(e.contact_center_number),
        "start_time": iso(e.start_ms),
        "end_time": iso(e.end_ms),
        "consumer_number": phones.e164(e.consumer_number),
        "consumer_display_name": e.consumer_display_name,
        "queues": [{"queue_id": q.queue_id, "queue_name": q.name} for q in e.queues],
        "agents": [{"user_id": a.user_id, "display_name": a.display_name} for a in e.agents],
        "country_name": e.country_name,
        "sms_types": list(e.sms_types),
        "total_sent_messages": e.sent,
        "total_received_messages": e.received,
        "total_sent_files": e.sent_files,
        "total_received_files": e.received_files,
    }


def _page_size(raw: str | None) -> int:
    if raw is None or raw == "":
        return PAGE_SIZE_DEFAULT
    try:
        size = int(raw)
    except ValueError:
        raise bad_parameter("Invalid page_size") from None
    if size < 1:
        raise bad_parameter("page_size must be at least 1")
    return min(size, PAGE_SIZE_MAX)


def _query(request: Request, now_ms: int) -> tuple[EngagementQuery, bool]:
    """The request's query and whether it named a range."""
    params = request.query_params
    raw_from, raw_to = params.get("from", ""), params.get("to", "")
    if raw_from and not raw_to:
        raise bad_parameter("The to parameter is required when from is specified.")
    to_ms = parse_date(raw_to, "to", end_of_day=True) if raw_to else now_ms
    from_ms = parse_date(raw_from, "from") if raw_from else to_ms - DEFAULT_RANGE_MS
    if from_ms > to_ms:
        raise bad_parameter("from must not be later than to.")
    if to_ms > add_month(from_ms):
        raise bad_parameter("The date range cannot exceed one month.")
    direction = params.get("direction") or None
    if direction is not None and direction.lower() not in _DIRECTIONS:
        raise bad_parameter("direction must be inbound or outbound")
    countries = {
        code.strip().upper()
        for value in params.getlist("country_iso_codes")
        for code in value.split(",")
        if code.strip()
    }
    consumer = params.get("consumer_number")
    query = EngagementQuery(
        from_ms=from_ms,
        to_ms=to_ms,
        direction=direction.lower() if direction else None,
        user_id=params.get("user_id") or None,
        engagement_id=params.get("engagement_id") or None,
        consumer=phones.digits_key(consumer) if consumer else None,
        countries=frozenset(countries),
    )
    return query, bool(raw_from or raw_to)


def zoom_app(state: ZoomState) -> Starlette:
    async def sms(request: Request) -> Response:
        state.oauth.check(request.headers.get("Authorization"))
        size = _page_size(request.query_params.get("page_size"))
        query, ranged = _query(request, state.clock.now_ms())
        token = request.query_params.get("next_page_token", "")
        served, rows, total, following = state.page(query, token, size, ranged=ranged)
        return JSONResponse(
            {
                "next_page_token": following,
                "page_size": size,
                "total_records": total,
                "from": iso(served.from_ms),
                "to": iso(served.to_ms),
                "sms": [engagement_row(e) for e in rows],
            }
        )

    return Starlette(
        routes=[Route("/contact_center/sms", sms, methods=["GET"])],
        exception_handlers=_HANDLERS,
    )


def zoom_oauth_app(state: ZoomState) -> Starlette:
    async def token(request: Request) -> Response:
        values = dict(request.query_params)
        async with request.form() as form:
            values.update((k, v) for k, v in form.items() if isinstance(v, str))
        try:
            answer = state.oauth.issue(
                request.headers.get("Authorization", ""),
                values.get("grant_type", ""),
                values.get("account_id", ""),
            )
        except OAuthRefusal as refusal:
            return JSONResponse(refusal.body, status_code=refusal.status)
        answer["api_url"] = f"{request.url.scheme}://{request.url.netloc}"
        return JSONResponse(answer)

    return Starlette(
        routes=[Route("/oauth/token", token, methods=["POST"])], exception_handlers=_HANDLERS
    )


async def _zoom_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ZoomError)
    return JSONResponse({"code": exc.code, "message": exc.message}, status_code=exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return JSONResponse(
        {"code": exc.status_code, "message": exc.detail},
        status_code=exc.status_code,
        headers=exc.headers,
    )


_HANDLERS = {ZoomError: _zoom_error, HTTPException: _http_error}
