from PySide6.QtGui import QImage

from inbox_app.ui.icons import app_icon, badge_icon, icon


def red_pixels(image: QImage) -> int:
    return sum(
        1
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).red() > 200 and image.pixelColor(x, y).green() < 80
    )


def test_every_icon_the_window_names_exists(qapp: object) -> None:
    names = [
        "send",
        "mark-read",
        "mark-unread",
        "transfer",
        "resolve",
        "to-group",
        "to-personal",
        "search",
        "template",
        "synced",
        "syncing",
        "offline",
        "error",
    ]
    assert [n for n in names if icon(n).isNull()] == []
    assert not app_icon().isNull()


def test_badge_shows_only_when_there_is_something_unread(qapp: object) -> None:
    plain = badge_icon(0).pixmap(64, 64).toImage()
    badged = badge_icon(7).pixmap(64, 64).toImage()
    assert red_pixels(plain) == 0
    assert red_pixels(badged) > 100
