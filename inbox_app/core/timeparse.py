"""Vendor timestamps come as epoch seconds or milliseconds (numbers or strings), ISO 8601
with or without a zone, or zone-less display strings; everything becomes aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime

_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def parse_timestamp(raw: object) -> datetime | None:
    """Aware UTC datetime, or None for absent/unparseable input (never raises).

    Zone-less strings are taken as UTC: that is what Voximplant documents, and for
    Zoho's `sentTime` display string callers prefer the epoch `submittedTime` anyway.
    """
    if raw is None or raw == "" or isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return _from_epoch(float(raw))
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if text.lstrip("-").replace(".", "", 1).isdigit():
        return _from_epoch(float(text))
    parsed = _parse_text(text)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _parse_text(text: str) -> datetime | None:
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _from_epoch(value: float) -> datetime | None:
    # Anything past year ~2286 in seconds is really milliseconds.
    seconds = value / 1000.0 if abs(value) >= 1e10 else value
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC ending in Z, millisecond precision: the export format."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )
