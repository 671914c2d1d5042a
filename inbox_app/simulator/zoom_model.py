"""Zoom Contact Center's records as the simulator holds them, and its error envelope."""

from __future__ import annotations

from dataclasses import dataclass

INVALID_PARAMETER = 300
"""Zoom's code for a request it cannot take (bad or missing parameter)."""


class ZoomError(Exception):
    """A refusal in Zoom's envelope: `{"code": code, "message": message}`."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def bad_parameter(message: str) -> ZoomError:
    return ZoomError(400, INVALID_PARAMETER, message)


@dataclass(frozen=True)
class Queue:
    queue_id: str
    name: str


@dataclass(frozen=True)
class Agent:
    user_id: str
    display_name: str


@dataclass(frozen=True)
class Engagement:
    """One completed SMS engagement; numbers are 11 bare digits, times epoch ms."""

    engagement_id: str
    direction: str
    contact_center_number: str
    consumer_number: str
    consumer_display_name: str
    queues: tuple[Queue, ...]
    agents: tuple[Agent, ...]
    country_iso: str
    country_name: str
    sms_types: tuple[str, ...]
    sent: int
    received: int
    sent_files: int
    received_files: int
    start_ms: int
    end_ms: int
