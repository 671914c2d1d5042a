import logging

import pytest

from inbox_app.logs import SecretFilter, configure_logging


def test_secret_filter_scrubs_message_args_and_tracebacks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(0, ["hunter2-secret", "tok-123456"])
    log = logging.getLogger("inbox_app.test")
    log.warning("login with %s failed", "hunter2-secret")
    try:
        raise RuntimeError("header LV-Session: tok-123456")
    except RuntimeError:
        log.exception("boom")
    err = capsys.readouterr().err
    assert "login with *** failed" in err
    assert "LV-Session: ***" in err
    assert "hunter2-secret" not in err and "tok-123456" not in err


def test_short_values_are_not_treated_as_secrets() -> None:
    assert SecretFilter(["ab"]).scrub("about") == "about"
