import pytest

from inbox_app.core.phone import display_number, normalize_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+1 4155550123", "+14155550123"),
        ("4155550123", "+14155550123"),
        ("14155550123", "+14155550123"),
        (14155550123, "+14155550123"),
        ("(415) 555-0123", "+14155550123"),
        ("+61 2 9374 4000", "+61293744000"),
        ("53063", "53063"),
        ("+1 4XXXXXXXXX0", "+14XXXXXXXXX0"),
        ("", ""),
        (None, ""),
        ("  ", ""),
    ],
)
def test_normalize_number(raw: str | int | None, expected: str) -> None:
    assert normalize_number(raw) == expected


def test_display_number_formats_e164_and_leaves_short_codes() -> None:
    assert display_number("+14155550123") == "+1 415-555-0123"
    assert display_number("53063") == "53063"
