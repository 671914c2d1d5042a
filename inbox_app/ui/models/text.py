"""Turning stored values into the short strings rows show. Vendor text is untrusted: it is
only ever drawn as plain text, and the one place Qt would guess at markup (tooltips) gets
it escaped first."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from PySide6.QtGui import Qt

ELLIPSIS = "…"
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 and C1 controls except tab and newline: NUL ends strings in C APIs, ESC starts
terminal sequences; none of them is meant to be seen."""
_REPLACEMENT = "\ufffd"


def safe_text(text: str) -> str:
    """Multi-line plain text with line breaks normalised and controls made visible."""
    return _CONTROLS.sub(_REPLACEMENT, text.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(text: str, limit: int = 200) -> str:
    """A single line of at most `limit` characters (whitespace runs become one space).
    Text already in that form is returned itself, not a copy: a scrolled thread list
    holds a name and a preview per row, 100,000 rows deep."""
    line = " ".join(_CONTROLS.sub(_REPLACEMENT, text).split())
    if len(line) > limit:
        return line[: limit - 1] + ELLIPSIS
    return text if line == text else line


def short_time(moment: datetime | None, now: datetime | None = None) -> str:
    """'14:05' today, 'Mon' in the last week, '12 Mar' this year, '12 Mar 2023' before,
    in local time; '' for no time."""
    if moment is None:
        return ""
    local = moment.astimezone()
    today = (now or datetime.now(UTC)).astimezone().date()
    day = local.date()
    if day == today:
        return f"{local:%H:%M}"
    if today - timedelta(days=6) <= day < today:
        return f"{local:%a}"
    if day.year == today.year:
        return f"{local.day} {local:%b}"
    return f"{local.day} {local:%b %Y}"


def message_time(moment: datetime, now: datetime | None = None) -> str:
    """'14:05' today, else the day as in `short_time` followed by the time."""
    local = moment.astimezone()
    today = (now or datetime.now(UTC)).astimezone().date()
    clock = f"{local:%H:%M}"
    return clock if local.date() == today else f"{short_time(moment, now)} {clock}"


def full_time(moment: datetime) -> str:
    """The unambiguous local date and time, for tooltips and screen readers."""
    local = moment.astimezone()
    return f"{local:%a} {local.day} {local:%b %Y %H:%M}"


def size_label(size: int | None) -> str:
    """'820 B', '12.3 kB', '4.1 MB'; '' when the vendor did not say."""
    if size is None:
        return ""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.1f} kB"
    return f"{size / 1_000_000:.1f} MB"


def tooltip(text: str) -> str:
    """`text` as tooltip markup that shows it literally: QToolTip would otherwise render
    anything that looks like HTML (a customer name of `<img src=...>`) as HTML."""
    return Qt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)
