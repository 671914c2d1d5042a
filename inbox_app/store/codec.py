"""Conversions between core values and their column forms, in one place so every write
and read agrees: times are INTEGER epoch milliseconds UTC, structures are compact JSON."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from inbox_app.core.models import Attachment

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def to_ms(moment: datetime) -> int:
    """Exact integer milliseconds (no float rounding); naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MS


def opt_to_ms(moment: datetime | None) -> int | None:
    return None if moment is None else to_ms(moment)


def from_ms(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)


def opt_from_ms(ms: int | None) -> datetime | None:
    return None if ms is None else from_ms(ms)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def dump_json(value: Any) -> str:
    """Sorted keys and no spaces, so equal values give equal text and change detection works."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def dump_attachments(attachments: Sequence[Attachment]) -> str:
    if not attachments:
        return "[]"
    return dump_json(
        [
            {"id": a.id, "name": a.name, "content_type": a.content_type, "size": a.size}
            for a in attachments
        ]
    )


def load_attachments(text: str) -> tuple[Attachment, ...]:
    if text == "[]":
        return ()
    return tuple(
        Attachment(id=a["id"], name=a["name"], content_type=a["content_type"], size=a["size"])
        for a in json.loads(text)
    )
