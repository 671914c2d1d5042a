"""What a sync pass changed, so views refresh only what they show (Anki's OpChanges
idea): the window never re-reads everything because something somewhere moved."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


@dataclass(slots=True)
class ChangeSet:
    account: str
    channels: set[str] = field(default_factory=set)
    threads: set[str] = field(default_factory=set)
    messages: set[str] = field(default_factory=set)
    """Keys of threads whose messages changed."""
    scheduled: set[str] = field(default_factory=set)
    """Keys of threads whose scheduled messages changed."""
    new_inbound: int = 0

    def is_empty(self) -> bool:
        return not (self.channels or self.threads or self.messages or self.scheduled)

    def merge(self, other: ChangeSet) -> None:
        self.channels |= other.channels
        self.threads |= other.threads
        self.messages |= other.messages
        self.scheduled |= other.scheduled
        self.new_inbound += other.new_inbound


class SyncPhase(StrEnum):
    IDLE = "idle"
    SYNCING = "syncing"
    OFFLINE = "offline"
    ERROR = "error"
    AUTH_FAILED = "auth_failed"


@dataclass(frozen=True, slots=True)
class AccountStatus:
    """Shown next to each account in the sidebar and printed by the CLI."""

    account: str
    phase: SyncPhase
    last_synced: datetime | None = None
    error: str = ""


@dataclass(frozen=True, slots=True)
class Progress:
    account: str
    step: str
    done: int
    total: int
