"""One sentence, shared by the forms, saying where secrets will be kept."""

from __future__ import annotations

from inbox_app.secret_store import keyring_name


def secrets_note() -> str:
    name = keyring_name()
    if name:
        return f"Secrets are kept in the system keyring ({name}), not in the config file."
    return (
        "This system has no keyring: Agent Inbox keeps secrets in memory only and asks"
        " for them at each start, unless you store them in plain text."
    )
