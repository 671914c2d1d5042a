"""Voximplant's Management API SMS methods (mounted at /voximplant).

`/platform_api/<Method>/` (with or without the trailing slash), GET or POST; parameters
come from the query string and/or a form body, `account_id` and `api_key` among them.
Served: GetSmsHistory, A2PGetSmsHistory (count <= 1000, default 1000; offset; source,
destination, from/to date, direction or delivery status; `output=csv` too),
SendSmsMessage, A2PSendSms (`dst_numbers` separated by ";"), ControlSms. Answers carry
`result`; errors are the vendor's envelope (see voximplant_errors.py). Instead of
`account_id` + `api_key`, a service-account JWT may come as `Authorization: Bearer`
(see voximplant_jwt.py).
"""

from __future__ import annotations

import csv
import dataclasses
import io
from calendar import timegm
from collections.abc import Callable, Mapping
from datetime import datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import phones
from .responses import JSONResponse
from .voximplant_errors import UNKNOWN_METHOD, VoximplantError, bad_parameter
from .voximplant_model import A2P, DATE_FORMAT, HISTORY_MAX_COUNT, SMS
from .voximplant_state import HistoryQuery, VoximplantState

Params = Mapping[str, str]
Handler = Callable[[Params], Response]


def _int(params: Params, name: str, default: int, low: int, high: int | None = None) -> int:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_parameter(name) from None
    if value < low or (high is not None and value > high):
        raise bad_parameter(name)
    return value


def _date(params: Params, name: str) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        moment = datetime.strptime(raw, DATE_FORMAT)
    except ValueError:
        raise bad_parameter(name) from None
    return timegm(moment.timetuple()) * 1000


def _end_of_second(ms: int | None) -> int | None:
    """Dates have whole seconds and rows milliseconds: a `to_date` takes in its second."""
    return None if ms is None else ms + 999


def _number(params: Params, name: str) -> str | None:
    raw = params.get(name, "").strip()
    return phones.digits_key(raw) if raw else None


def _required(params: Params, name: str) -> str:
    value = params.get(name, "")
    if not value.strip():
        raise bad_parameter(name)
    return value


def _flag(params: Params, name: str) -> bool:
    return params.get(name, "").strip().lower() in ("true", "1", "yes")


class VoximplantApi:
    def __init__(self, state: VoximplantState) -> None:
        self.state = state
        self.methods: dict[str, Handler] = {
            "GetSmsHistory": self.sms_history,
            "A2PGetSmsHistory": self.a2p_history,
            "SendSmsMessage": self.send_sms,
            "A2PSendSms": self.a2p_send,
            "ControlSms": self.control_sms,
        }

    async def endpoint(self, request: Request) -> Response:
        params = dict(request.query_params)
        if request.method == "POST":
            async with request.form() as form:
                params.update((k, v) for k, v in form.items() if isinstance(v, str))
        try:
            self.state.check_auth(
                params.get("account_id", ""),
                params.get("api_key", ""),
                request.headers.get("Authorization", ""),
            )
            handler = self.methods.get(request.path_params["method"])
            if handler is None:
                raise VoximplantError(UNKNOWN_METHOD, "Unknown method")
            return handler(params)
        except VoximplantError as error:
            return JSONResponse(error.envelope())

    def _history(self, params: Params, query: HistoryQuery) -> Response:
        count = _int(params, "count", HISTORY_MAX_COUNT, 1, HISTORY_MAX_COUNT)
        offset = _int(params, "offset", 0, 0)
        output = params.get("output", "json").strip().lower() or "json"
        if output not in ("json", "csv"):
            raise bad_parameter("output")
        now_ms = self.state.clock.now_ms()
        with self.state.lock:
            found = self.state.history(query)
            rows = [r.row(now_ms) for r in found[offset : offset + count]]
        if output == "csv":
            return _csv(rows)
        return JSONResponse({"result": rows, "total_count": len(found)})

    def _query(self, params: Params, kind: str) -> HistoryQuery:
        return HistoryQuery(
            kind=kind,
            source=_number(params, "source_number"),
            destination=_number(params, "destination_number"),
            from_ms=_date(params, "from_date"),
            to_ms=_end_of_second(_date(params, "to_date")),
        )

    def sms_history(self, params: Params) -> Response:
        direction = params.get("direction", "").strip().upper() or None
        if direction not in (None, "IN", "OUT"):
            raise bad_parameter("direction")
        query = self._query(params, SMS)
        return self._history(params, dataclasses.replace(query, direction=direction))

    def a2p_history(self, params: Params) -> Response:
        status = _int(params, "delivery_status", 0, 1, 8) or None
        query = self._query(params, A2P)
        return self._history(params, dataclasses.replace(query, delivery_status=status))

    def send_sms(self, params: Params) -> Response:
        record = self.state.send_sms(
            _required(params, "source"),
            _required(params, "destination"),
            params.get("sms_body", ""),
            _flag(params, "store_body"),
        )
        return JSONResponse(
            {"result": 1, "message_id": record.message_id, "fragments_count": record.fragments}
        )

    def a2p_send(self, params: Params) -> Response:
        destinations = [d for d in _required(params, "dst_numbers").split(";") if d.strip()]
        sent, failed, count = self.state.send_a2p(
            _required(params, "src_number"),
            destinations,
            params.get("text", ""),
            _flag(params, "store_body"),
        )
        return JSONResponse(
            {
                "result": [
                    {"transaction_id": r.transaction_id, "destination_number": r.destination}
                    for r in sent
                ],
                "failed": [
                    {
                        "destination_number": f.destination,
                        "error_code": f.code,
                        "error_description": f.description,
                    }
                    for f in failed
                ],
                "fragments_count": count,
            }
        )

    def control_sms(self, params: Params) -> Response:
        self.state.control_sms(_required(params, "phone_number"), _required(params, "command"))
        return JSONResponse({"result": 1})


def _csv(rows: list[dict[str, object]]) -> Response:
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return Response(out.getvalue(), media_type="text/csv")


def voximplant_app(state: VoximplantState) -> Starlette:
    api = VoximplantApi(state)
    methods = ["GET", "POST"]
    return Starlette(
        routes=[
            Route("/platform_api/{method}/", api.endpoint, methods=methods),
            Route("/platform_api/{method}", api.endpoint, methods=methods),
        ]
    )
