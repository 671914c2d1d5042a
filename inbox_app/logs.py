"""Logging set-up shared by the CLI and the window: secrets are scrubbed from every
record before any handler sees it, and httpx's per-request INFO lines (full URLs) are
kept out unless asked for."""

from __future__ import annotations

import logging
from collections.abc import Iterable

REDACTED = "***"


class SecretFilter(logging.Filter):
    """Replaces every known secret value in a record's final message."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        # Very short values would shred ordinary words; real secrets are longer.
        self._secrets.update(s for s in secrets if len(s) >= 4)

    def scrub(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = self.scrub(message)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if scrubbed != message or record.args:
            record.msg, record.args = scrubbed, None
        return True


def configure_logging(verbosity: int, secrets: Iterable[str] = ()) -> SecretFilter:
    """Log to stderr: warnings by default, -v for info, -vv for debug (httpx included)."""
    level = logging.WARNING - 10 * min(verbosity, 2)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    secret_filter = SecretFilter(secrets)
    handler.addFilter(secret_filter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet = logging.DEBUG if verbosity >= 2 else logging.WARNING
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(quiet)
    return secret_filter
