"""Logging set-up shared by the CLI and the window: secrets are scrubbed from every
record before any handler sees it, and httpx's per-request INFO lines (full URLs) are
kept out unless asked for. The window also keeps a rotating log file, private to the
user, for "what happened?" after the fact."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterable
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

REDACTED = "***"
LOG_FILE_NAME = "agent-inbox.log"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 3


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


def default_log_dir() -> Path:
    return Path(platformdirs.user_log_dir("agent-inbox"))


class PrivateRotatingFileHandler(RotatingFileHandler):
    """Every file it opens (the first and each after a rollover) is 0600: the log names
    customers and numbers, whatever the umask says."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.chmod(self.baseFilename, 0o600)
        return open(fd, "a", encoding=self.encoding, errors=self.errors)


def configure_logging(
    verbosity: int, secrets: Iterable[str] = (), log_dir: Path | None = None
) -> SecretFilter:
    """Log to stderr: warnings by default, -v for info, -vv for debug (httpx included).
    With `log_dir`, also to a rotating file there (info and up; debug with -vv)."""
    level = logging.WARNING - 10 * min(verbosity, 2)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    handler.setLevel(level)
    secret_filter = SecretFilter(secrets)
    handler.addFilter(secret_filter)
    handlers: list[logging.Handler] = [handler]
    problem = None
    if log_dir is not None:
        try:
            handlers.append(_file_handler(log_dir, min(level, logging.INFO), formatter))
        except OSError as exc:
            problem = f"no log file in {log_dir}: {exc}"
    for extra in handlers[1:]:
        extra.addFilter(secret_filter)
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(min(h.level for h in handlers))
    if problem:
        logging.getLogger(__name__).warning("%s", problem)
    quiet = logging.DEBUG if verbosity >= 2 else logging.WARNING
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(quiet)
    return secret_filter


def _file_handler(log_dir: Path, level: int, formatter: logging.Formatter) -> logging.Handler:
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    handler = PrivateRotatingFileHandler(
        log_dir / LOG_FILE_NAME, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(formatter)
    handler.setLevel(level)
    return handler
