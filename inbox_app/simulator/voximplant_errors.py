"""Voximplant error answers: `{"error": {"code": N, "msg": "..."}}`, with HTTP 200 like
the Management API's own errors (a client must read the envelope, not the status).

The document names no codes; the simulator uses 100 (bad account_id/api_key),
103 (unknown method), 125 (missing or invalid parameter), 302 (number not on the
account / bad destination), 303 (SMS disabled for the number), 304 (text too long or
too many destinations), 305 (not a registered A2P SenderID).
"""

from __future__ import annotations

AUTH_FAILED = 100
UNKNOWN_METHOD = 103
BAD_PARAMETER = 125
UNKNOWN_NUMBER = 302
SMS_DISABLED = 303
TOO_LONG = 304
NOT_A2P_SENDER = 305


class VoximplantError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def envelope(self) -> dict[str, object]:
        return {"error": {"code": self.code, "msg": self.message}}


def bad_parameter(name: str) -> VoximplantError:
    return VoximplantError(BAD_PARAMETER, f"Invalid or missing parameter: {name}")
