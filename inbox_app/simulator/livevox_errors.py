"""LiveVox error answers: `{"code": int, "message": str}` with an HTTP status.

The documents list no codes, so the simulator uses its own:
1001 bad request (400), 1002 contact opted out or on DNC (400), 1004 not found (404),
1005 not your inbox (403), 2001 missing LV-Access (401), 2002 wrong LV-Access (403),
2003 login refused (401), 2004 session missing or expired (401).
"""

from __future__ import annotations

BAD_REQUEST = 1001
OPTED_OUT = 1002
NOT_FOUND = 1004
FORBIDDEN = 1005
NO_ACCESS_TOKEN = 2001
BAD_ACCESS_TOKEN = 2002
LOGIN_FAILED = 2003
SESSION_INVALID = 2004


class LiveVoxError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def bad_request(message: str) -> LiveVoxError:
    return LiveVoxError(400, BAD_REQUEST, message)
