"""Saving what the settings dialog and the first-run form entered: the account's table
into the config file, its secrets into the keyring, or into the file only when the user
ticked "store in plain text". A secret no keyring could keep stays in this session's
memory, and the app asks for it again at the next start."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inbox_app.config import Settings
from inbox_app.config_file import (
    account_table,
    drop_account,
    put_account,
    put_settings,
    read_document,
    write_document,
)
from inbox_app.core.accounts import SECRET_KEYS
from inbox_app.secret_store import SessionSecrets, delete_secrets, store_secret


@dataclass(frozen=True, slots=True)
class AccountEdit:
    """`table` holds the account's non-secret keys; `secrets` only what was typed (an
    empty field leaves a stored secret as it is)."""

    table: Mapping[str, Any]
    secrets: Mapping[str, str] = field(default_factory=dict)
    plain_text: bool = False
    replacing: str | None = None


def plain_text_secrets(table: Mapping[str, Any]) -> dict[str, str]:
    return {k: v for k, v in table.items() if k in SECRET_KEYS and isinstance(v, str) and v}


def save_account(path: Path, edit: AccountEdit, memory: SessionSecrets) -> list[str]:
    """Writes the account; returns the secret keys kept only in memory (no keyring)."""
    document = read_document(path)
    old = account_table(document, edit.replacing) if edit.replacing else None
    name = str(edit.table["name"])
    table = {k: v for k, v in edit.table.items() if k not in SECRET_KEYS}
    for key in edit.secrets:
        table.pop(f"{key}_env", None)
    secrets = {**plain_text_secrets(old or {}), **{k: v for k, v in edit.secrets.items() if v}}
    unsaved: list[str] = []
    if edit.plain_text:
        for key in SECRET_KEYS - set(secrets):
            if f"{key}_env" not in table and (value := memory.lookup(name, key)):
                secrets[key] = value
        table.update(sorted(secrets.items()))
        delete_secrets(name, SECRET_KEYS)
    else:
        for key, value in sorted(secrets.items()):
            if not store_secret(name, key, value):
                memory.remember(name, key, value)
                unsaved.append(key)
    write_document(path, put_account(document, table, edit.replacing))
    return unsaved


def remove_account(path: Path, name: str, memory: SessionSecrets) -> None:
    write_document(path, drop_account(read_document(path), name))
    delete_secrets(name, SECRET_KEYS)
    memory.forget(name)


def save_settings(path: Path, settings: Settings) -> None:
    write_document(path, put_settings(read_document(path), settings))
