"""Zoho Voice error answers: `{"status": "ERROR", "code": ..., "message": ...}`.

Documented: ZVSMS-4027 (bad request), ZVSMS-4038 (destination country not supported).
The simulator adds ZVSMS-4011 (unknown senderId), ZVSMS-4029 (bad scheduledTime or
timeZone), ZVSMS-4030 (unknown templateId), ZVSMS-4040 (customer opted out) and
ZVSMS-4004 (no such MMS, HTTP 404); all others are HTTP 400. A missing, unknown or
expired token is HTTP 401 with code INVALID_OAUTHTOKEN.
"""

from __future__ import annotations


class ZohoError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def bad_request(message: str = "Bad Request") -> ZohoError:
    return ZohoError(400, "ZVSMS-4027", message)
