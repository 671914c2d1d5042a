"""Zoho's times: `sentTime` is printed in the org's zone without saying which, and date
filters are read in that zone too. `submittedTime` (epoch ms) is the authoritative time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .zoho_errors import bad_request

ORG_ZONE = ZoneInfo("America/New_York")


def display_time(epoch_ms: int) -> str:
    """Zoho's `sentTime`: minutes, in the org's zone, with no zone printed."""
    return datetime.fromtimestamp(epoch_ms / 1000, ORG_ZONE).strftime("%Y-%m-%d %H:%M")


def parse_time(value: str, *, end_of_day: bool = False) -> int:
    """Epoch ms from epoch ms digits or an org-zone "yyyy-mm-dd[ HH:MM[:ss]]"."""
    text = value.strip()
    if text.isdigit():
        return int(text)
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            moment = datetime.strptime(text, pattern).replace(tzinfo=ORG_ZONE)
        except ValueError:
            continue
        if pattern == "%Y-%m-%d" and end_of_day:
            return int((moment + timedelta(days=1)).timestamp() * 1000) - 1
        return int(moment.timestamp() * 1000)
    raise bad_request(f"Invalid date {value!r}")
