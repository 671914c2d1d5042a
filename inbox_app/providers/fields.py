"""Tolerant readers for vendor JSON fields. The documents show the same field as a
string in one example and a number in the next, booleans as "true", lists as single
objects; these helpers accept every such form so the parsers stay declarative."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from inbox_app.core.models import Direction


def text(value: object) -> str:
    """A field as text: numbers without a trailing '.0', None/containers as ''."""
    if type(value) is str:  # nearly every field, so tested first: parsing is per message
        return value.strip()
    if value is None or isinstance(value, bool | dict | list):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def first_text(row: Mapping[str, Any], *keys: str) -> str:
    """The first non-empty of several spellings of a field."""
    for key in keys:
        value = row.get(key)
        if value is not None and (found := text(value)):
            return found
    return ""


def flag(value: object) -> bool | None:
    """True/False from a boolean, 0/1 or "true"/"yes"/"Y"; None when absent or unclear."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "yes", "y", "1"):
            return True
        if lowered in ("false", "no", "n", "0"):
            return False
    return None


def integer(value: object) -> int | None:
    """An int from a number or numeric string ("960637"); None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    try:
        return int(float(str(value).strip()))
    except ValueError:
        return None


def mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def mappings(value: object) -> list[dict[str, Any]]:
    """A list of objects from a list, a single object, or nothing."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def texts(value: object) -> list[str]:
    """A list of ids from a list, a single scalar or a comma-separated string."""
    if isinstance(value, list):
        return [t for t in (text(item) for item in value) if t]
    single = text(value)
    return [part.strip() for part in single.split(",") if part.strip()] if single else []


_IN = frozenset({"1", "in", "inbound", "incoming", "mo", "received"})
_OUT = frozenset({"2", "out", "outbound", "outgoing", "mt", "sent"})


def direction(value: object) -> Direction | None:
    """IN/OUT from 1/2 (number or string) or a word in any casing; None when unknown."""
    lowered = text(value).lower()
    if lowered in _IN:
        return Direction.IN
    if lowered in _OUT:
        return Direction.OUT
    return None


def fingerprint(*parts: object) -> str:
    """A short stable digest of the list-row fields that signal new messages."""
    encoded = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.blake2b(encoded.encode("ascii"), digest_size=8).hexdigest()


def fill_times(times: list[datetime | None], default: datetime) -> list[datetime]:
    """Give undated history rows the time of the nearest older dated row (the first
    dated one for leading rows, `default` when none has a date), so an oldest-first
    list keeps its order under a stable sort by time instead of jumping to 1970."""
    known = next((t for t in times if t is not None), default)
    filled: list[datetime] = []
    for moment in times:
        known = moment or known
        filled.append(known)
    return filled
