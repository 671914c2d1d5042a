"""SMS segment counting: GSM-7 and UCS-2 boundaries, the extension table, emoji,
right-to-left scripts, and parts that never split an escape or surrogate pair."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inbox_app.core.segments import GSM_BASIC, GSM_EXTENSION, SegmentInfo, segment_info


def test_empty_text_is_zero_segments() -> None:
    assert segment_info("") == SegmentInfo("GSM-7", 0, 0, 160, 160)


@pytest.mark.parametrize(
    ("length", "segments", "per_segment", "remaining"),
    [
        (1, 1, 160, 159),
        (159, 1, 160, 1),
        (160, 1, 160, 0),
        (161, 2, 153, 145),
        (153 * 2, 2, 153, 0),
        (153 * 2 + 1, 3, 153, 152),
        (153 * 3, 3, 153, 0),
    ],
)
def test_gsm_boundaries(length: int, segments: int, per_segment: int, remaining: int) -> None:
    assert segment_info("a" * length) == SegmentInfo(
        "GSM-7", length, segments, per_segment, remaining
    )


@pytest.mark.parametrize(
    ("length", "segments", "per_segment", "remaining"),
    [
        (70, 1, 70, 0),
        (71, 2, 67, 63),
        (67 * 2, 2, 67, 0),
        (67 * 2 + 1, 3, 67, 66),
    ],
)
def test_ucs2_boundaries(length: int, segments: int, per_segment: int, remaining: int) -> None:
    text = "Ж" * length
    assert segment_info(text) == SegmentInfo("UCS-2", length, segments, per_segment, remaining)


@pytest.mark.parametrize("char", sorted(GSM_EXTENSION))
def test_extension_characters_cost_two_septets(char: str) -> None:
    info = segment_info(char)
    assert (info.encoding, info.units) == ("GSM-7", 2)
    assert segment_info("a" * 158 + char) == SegmentInfo("GSM-7", 160, 1, 160, 0)
    assert segment_info("a" * 159 + char).segments == 2


def test_euro_sign_and_braces_keep_gsm() -> None:
    assert segment_info("Pay €20 {ref} [now] ~ok | ^^ \\").encoding == "GSM-7"


def test_extension_pair_is_not_split_across_parts() -> None:
    # 152 septets, then an escape pair that cannot fit the last septet of part one.
    info = segment_info("a" * 152 + "€" + "a" * 10)
    assert info.units == 164
    assert info.segments == 2
    assert info.remaining == 153 - 12


def test_every_basic_character_is_one_septet() -> None:
    text = "".join(sorted(GSM_BASIC))
    assert segment_info(text) == SegmentInfo("GSM-7", 127, 1, 160, 33)


@pytest.mark.parametrize("char", ["ç", "á", "\u2019", "\u201c", "…", "\t", "\x1b"])
def test_characters_outside_gsm_switch_the_whole_text_to_ucs2(char: str) -> None:
    info = segment_info("Hello " + char)
    assert (info.encoding, info.units, info.per_segment) == ("UCS-2", 7, 70)


def test_emoji_are_two_utf16_units() -> None:
    assert segment_info("😀") == SegmentInfo("UCS-2", 2, 1, 70, 68)
    assert segment_info("😀" * 35) == SegmentInfo("UCS-2", 70, 1, 70, 0)
    # 36 emoji: part one takes 33 (66 units; a 34th would split its surrogate pair).
    assert segment_info("😀" * 36) == SegmentInfo("UCS-2", 72, 2, 67, 61)


def test_combined_emoji_count_every_code_point() -> None:
    family = "👨\u200d👩\u200d👧"  # three emoji joined by zero-width joiners
    assert segment_info(family).units == 8


@pytest.mark.parametrize(
    ("text", "units"),
    [("مرحبا بك", 8), ("שלום עולם", 9), ("Ваш платёж получен", 18), ("您好", 2)],
)
def test_right_to_left_and_other_scripts_are_ucs2(text: str, units: int) -> None:
    info = segment_info(text)
    assert (info.encoding, info.units, info.segments) == ("UCS-2", units, 1)


@given(st.text(max_size=700))
def test_segments_hold_the_text_within_capacity(text: str) -> None:
    info = segment_info(text)
    single = 160 if info.encoding == "GSM-7" else 70
    if not text:
        assert info.segments == 0
    elif info.units <= single:
        assert (info.segments, info.per_segment) == (1, single)
    else:
        assert info.per_segment == single - (7 if info.encoding == "GSM-7" else 3)
        # Packing never does better than the raw capacity, and loses at most one unit
        # per part (an escape or surrogate pair moved to the next part).
        assert info.segments * info.per_segment >= info.units
        assert (info.segments - 1) * (info.per_segment - 1) < info.units
    assert 0 <= info.remaining <= info.per_segment


@given(st.text(alphabet=sorted(GSM_BASIC | GSM_EXTENSION), max_size=500))
def test_gsm_only_text_stays_gsm(text: str) -> None:
    info = segment_info(text)
    assert info.encoding == "GSM-7"
    assert info.units == len(text) + sum(ch in GSM_EXTENSION for ch in text)
