"""LiveVox sessions: handed out at login, kept alive by use, dead after idle time.

A session stays valid while used at least once per `idle_seconds` (2 h by default); a
login while the agent's session is still valid returns that same session.
"""

from __future__ import annotations

import uuid

from .clock import Clock
from .livevox_errors import SESSION_INVALID, LiveVoxError
from .livevox_model import Session


class SessionBook:
    """Not locked itself: LiveVoxState calls it under the world's lock."""

    def __init__(self, clock: Clock, idle_seconds: float) -> None:
        self.clock = clock
        self.idle_seconds = idle_seconds
        self._sessions: dict[str, Session] = {}

    def __len__(self) -> int:
        return len(self._sessions)

    def _alive(self, session: Session, now: float) -> bool:
        return not session.expired and now - session.last_used <= self.idle_seconds

    def open(self, agent_id: int) -> Session:
        now = self.clock.now()
        for session in self._sessions.values():
            if session.agent_id == agent_id and self._alive(session, now):
                session.last_used = now
                return session
        session = Session(str(uuid.uuid4()), agent_id, now)
        self._sessions[session.session_id] = session
        return session

    def use(self, session_id: str | None) -> Session:
        session = self._sessions.get(session_id or "")
        now = self.clock.now()
        if session is None or not self._alive(session, now):
            raise LiveVoxError(401, SESSION_INVALID, "Session is invalid or has expired")
        session.last_used = now
        return session

    def expire(self, session_id: str | None = None) -> None:
        for session in self._sessions.values():
            if session_id is None or session.session_id == session_id:
                session.expired = True
