"""Phone numbers arrive spaced, dashed, with or without a country code, or as short
codes; they are compared and stored in one normal form so a thread is found again."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

_DIGITS = re.compile(r"\D+")
_SPACES = re.compile(r"[\s().-]+")


def normalize_number(raw: str | int | None, default_region: str = "US") -> str:
    """E.164 for anything phonenumbers can parse as a full number, else bare digits.

    Short codes stay digits and masked numbers ("+1 4XXXXXXX3") keep their letters
    rather than being rejected: losing a thread over a number format is worse than an odd key.
    """
    if raw is None:
        return ""
    return _normalize(str(raw), default_region)


@lru_cache(maxsize=65_536)
def _normalize(raw: str, default_region: str) -> str:
    """Every message of a thread carries the same two numbers, and parsing one costs
    about as much as the rest of the message: a sync of 200,000 messages parses a few
    thousand distinct numbers, not 400,000."""
    text = raw.strip()
    if not text:
        return ""
    if any(ch.isalpha() for ch in text):
        return _SPACES.sub("", text)
    digits = _DIGITS.sub("", text)
    if len(digits) <= 6:
        return digits
    candidate = text if text.startswith("+") else digits
    if not text.startswith("+") and len(digits) == 11 and digits.startswith("1"):
        candidate = "+" + digits
    try:
        parsed = phonenumbers.parse(
            candidate, None if candidate.startswith("+") else default_region
        )
    except phonenumbers.NumberParseException:
        return ("+" + digits) if text.startswith("+") else digits
    if not phonenumbers.is_possible_number(parsed):
        return ("+" + digits) if text.startswith("+") else digits
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=65_536)
def display_number(e164: str) -> str:
    """International format for showing to a person; unparseable input comes back as is."""
    if not e164.startswith("+"):
        return e164
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
