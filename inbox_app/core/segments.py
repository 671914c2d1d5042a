"""How many SMS segments a text costs, for the composer's counter.

A text that fits the GSM 03.38 default alphabet travels as 7-bit septets (160 in one
SMS, 153 per part once it is split, because the concatenation header takes the rest);
anything else travels as UCS-2 (70 code units, 67 per part). Characters of the GSM
extension table cost two septets (an escape and the character), and characters outside
the Basic Multilingual Plane (most emoji) cost two UTF-16 code units.

Parts are packed the way handsets and SMSCs pack them: an escape pair or a surrogate
pair is never split between two parts, so a part may end one unit short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""The default alphabet (3GPP TS 23.038 6.2.1), one septet each; 0x1B, the escape to
the extension table, is not a character of its own."""
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")
"""The extension table's characters, two septets each."""

_LIMITS: dict[Encoding, tuple[int, int]] = {"GSM-7": (160, 153), "UCS-2": (70, 67)}


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    """`units` are septets (GSM-7) or UTF-16 code units (UCS-2); `per_segment` is the
    capacity of each segment at the current count and `remaining` what still fits in
    the last one before another segment is needed."""

    encoding: Encoding
    units: int
    segments: int
    per_segment: int
    remaining: int


def segment_info(text: str) -> SegmentInfo:
    """The encoding, size and segment count of `text`; an empty text is 0 segments."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text):
        encoding: Encoding = "GSM-7"
        costs = [2 if ch in GSM_EXTENSION else 1 for ch in text]
    else:
        encoding = "UCS-2"
        costs = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    single, multi = _LIMITS[encoding]
    units = sum(costs)
    if units <= single:
        return SegmentInfo(encoding, units, 1 if units else 0, single, single - units)
    segments, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            segments, used = segments + 1, 0
        used += cost
    return SegmentInfo(encoding, units, segments, multi, multi - used)
