from datetime import UTC, datetime

import pytest

from inbox_app.core.timeparse import iso_utc, parse_timestamp

MOMENT = datetime(2022, 10, 20, 11, 2, 33, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw",
    [
        1666263753000,
        "1666263753000",
        1666263753,
        1666263753.0,
        "2022-10-20T11:02:33Z",
        "2022-10-20T13:02:33+02:00",
        "2022-10-20 11:02:33",
    ],
)
def test_every_documented_form_means_the_same_moment(raw: object) -> None:
    assert parse_timestamp(raw) == MOMENT


@pytest.mark.parametrize("raw", [None, "", "garbage", True, [], {}, "2022-13-45"])
def test_unreadable_input_is_none_not_an_exception(raw: object) -> None:
    assert parse_timestamp(raw) is None


def test_zone_less_display_string_is_utc() -> None:
    assert parse_timestamp("2022-11-02 14:57") == datetime(2022, 11, 2, 14, 57, tzinfo=UTC)


def test_iso_utc_ends_in_z_with_milliseconds() -> None:
    assert (
        iso_utc(datetime(2022, 10, 20, 11, 2, 33, 123456, tzinfo=UTC)) == "2022-10-20T11:02:33.123Z"
    )
