"""Writing the config file from the window: the settings dialog and the first-run flow
edit the same TOML the user may edit by hand. Other accounts and tables are kept as
they are (TOML comments are not: a writer cannot keep them). The file is replaced
atomically and is readable by the user only, since it may hold plain-text secrets."""

from __future__ import annotations

import contextlib
import os
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import tomli_w

from inbox_app.config import ConfigError, Settings

Table = dict[str, Any]


def read_document(path: Path) -> Table:
    """The file as TOML data; an empty document when it does not exist yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it ({exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def write_document(path: Path, document: Mapping[str, Any]) -> None:
    """Replace the file in one step (a crash leaves the old or the new file, never half
    of one), created 0600 in a directory created 0700."""
    text = tomli_w.dumps(dict(document))
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    fd, temp = tempfile.mkstemp(prefix=".config-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def accounts_of(document: Mapping[str, Any]) -> list[Table]:
    raw = document.get("accounts", [])
    return [dict(a) for a in raw if isinstance(a, dict)] if isinstance(raw, list) else []


def account_table(document: Mapping[str, Any], name: str) -> Table | None:
    return next((a for a in accounts_of(document) if a.get("name") == name), None)


def put_account(document: Mapping[str, Any], table: Table, replacing: str | None = None) -> Table:
    """The document with `table` in place of the account named `replacing` (kept in its
    position), or appended."""
    accounts = accounts_of(document)
    names = [a.get("name") for a in accounts]
    if replacing in names:
        accounts[names.index(replacing)] = table
    else:
        accounts.append(table)
    return {**document, "accounts": accounts}


def drop_account(document: Mapping[str, Any], name: str) -> Table:
    return {**document, "accounts": [a for a in accounts_of(document) if a.get("name") != name]}


def put_settings(document: Mapping[str, Any], settings: Settings) -> Table:
    """`[settings]` first, as a reader of the file expects it."""
    rest = {k: v for k, v in document.items() if k != "settings"}
    return {"settings": asdict(settings), **rest}
