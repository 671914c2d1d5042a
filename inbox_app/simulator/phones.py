"""Fictional US numbers (NXX-555-01XX) and the spellings the vendors print them in.

Internally a US number is 11 digits ("14155550123"); clients send any spelling, so
everything a request carries goes through `digits_key` before it is compared.
"""

from __future__ import annotations

import random
import re

AREA_CODES = (
    "206", "212", "213", "214", "215", "303", "305", "312", "313", "314", "404", "405", "412",
    "415", "469", "480", "503", "504", "510", "512", "602", "612", "614", "615", "617", "619",
    "646", "702", "704", "713", "718", "720", "773", "786", "801", "804", "813", "818", "858",
    "916",
)  # fmt: skip
OUR_AREA_CODES = ("833", "844", "855")
"""Toll-free prefixes for the vendors' own long codes, so they never collide with customers."""

_NON_DIGITS = re.compile(r"\D+")


def digits_key(raw: str) -> str:
    """The comparison key: bare digits, with a 10-digit NANP number given its leading 1."""
    digits = _NON_DIGITS.sub("", raw)
    return "1" + digits if len(digits) == 10 else digits


def customer_pool(rng: random.Random) -> list[str]:
    """Every customer number the world may use, shuffled: 40 area codes x 100 lines."""
    pool = [f"1{area}555{line:04d}" for area in AREA_CODES for line in range(100, 200)]
    rng.shuffle(pool)
    return pool


def our_number(index: int) -> str:
    """The index-th vendor long code (distinct from every customer number)."""
    area = OUR_AREA_CODES[index // 100 % len(OUR_AREA_CODES)]
    return f"1{area}555{100 + index % 100:04d}"


def spaced(number: str) -> str:
    """Zoho's customerNumber: "+1 415 555 0123"."""
    return f"+{number[0]} {number[1:4]} {number[4:7]} {number[7:]}"


def country_spaced(number: str) -> str:
    """Zoho's senderId in logs: "+1 4155550123"."""
    return f"+{number[0]} {number[1:]}"


def e164(number: str) -> str:
    return f"+{number}"


def contact_spelling(number: str, rng: random.Random) -> str:
    """How a LiveVox contact record happens to hold the number (mostly bare 11 digits)."""
    roll = rng.random()
    if roll < 0.70:
        return number
    if roll < 0.82:
        return number[1:]
    if roll < 0.90:
        return f"{number[1:4]}-{number[4:7]}-{number[7:]}"
    if roll < 0.96:
        return f"({number[1:4]}) {number[4:7]}-{number[7:]}"
    return spaced(number)
