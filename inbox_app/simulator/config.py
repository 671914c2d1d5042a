"""Settings for one simulator run: the size and seed of the world and the faults to inject.

`SimConfig` is fixed for a run; `FaultConfig` can be swapped while the server runs, so a
benchmark can turn a 429 storm on and off without restarting.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PROBABILITY_FIELDS = (
    "expire",
    "drop",
    "drop_after_commit",
    "timeout",
    "error_5xx",
    "rate_429",
    "malformed",
    "truncated",
)
"""The per-request fault kinds, in the order a request's single random draw is matched."""


@dataclass
class FaultConfig:
    """Faults applied to vendor API calls (never to `/_sim/`).

    Each request draws once; the probabilities are exclusive slices of [0, 1), so their
    sum may not exceed 1. `latency_ms` is added to every request on top of that.
    """

    latency_ms: float = 0
    error_5xx: float = 0.0
    rate_429: float = 0.0
    retry_after_s: int = 1
    malformed: float = 0.0
    truncated: float = 0.0
    drop: float = 0.0
    drop_after_commit: float = 0.0
    timeout: float = 0.0
    timeout_s: float = 30.0
    expire: float = 0.0

    def __post_init__(self) -> None:
        for name in PROBABILITY_FIELDS:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"fault probability {name}={value} is outside [0, 1]")
        if sum(getattr(self, name) for name in PROBABILITY_FIELDS) > 1.0 + 1e-9:
            raise ValueError("fault probabilities add up to more than 1")
        if self.latency_ms < 0 or self.timeout_s < 0 or self.retry_after_s < 0:
            raise ValueError("latency_ms, timeout_s and retry_after_s must not be negative")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> FaultConfig:
        """Build from a JSON object (the `/_sim/faults` body); unknown keys are an error."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(unknown)}")
        converted: dict[str, Any] = {}
        for key, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"fault setting {key} must be a number")
            converted[key] = int(value) if key == "retry_after_s" else float(value)
        return cls(**converted)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def describe(self) -> str:
        """The active faults in the spec form `parse_fault_spec` reads, or "none"."""
        parts = [f"latency={self.latency_ms:g}ms"] if self.latency_ms else []
        parts += [
            f"{name}={getattr(self, name):g}" for name in PROBABILITY_FIELDS if getattr(self, name)
        ]
        return ",".join(parts) or "none"


_SPEC_KEYS = {
    "latency": "latency_ms",
    "5xx": "error_5xx",
    "429": "rate_429",
    "retry_after": "retry_after_s",
    "malformed": "malformed",
    "truncated": "truncated",
    "drop": "drop",
    "drop_after_commit": "drop_after_commit",
    "timeout": "timeout",
    "timeout_s": "timeout_s",
    "expire": "expire",
}
_DURATION = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<unit>ms|s)?$")


def parse_fault_spec(spec: str) -> FaultConfig:
    """Parse the CLI form, e.g. `latency=50ms,5xx=0.1,429=0.05,drop=0.02,timeout_s=5s`.

    Durations take `ms` or `s` (latency defaults to ms, the others to seconds); the
    dataclass field names are accepted as keys too.
    """
    values: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key, sep, raw = item.partition("=")
        name = _SPEC_KEYS.get(key.strip(), key.strip())
        if not sep or name not in {f.name for f in dataclasses.fields(FaultConfig)}:
            raise ValueError(f"bad fault setting {item!r}")
        match = _DURATION.match(raw.strip())
        if match is None:
            raise ValueError(f"bad value in fault setting {item!r}")
        number = float(match["number"])
        unit = match["unit"]
        if name == "latency_ms":
            values[name] = number * 1000 if unit == "s" else number
        elif name in ("timeout_s", "retry_after_s"):
            seconds = number / 1000 if unit == "ms" else number
            values[name] = max(1, round(seconds)) if name == "retry_after_s" else seconds
        else:
            values[name] = number
    return FaultConfig(**values)


@dataclass(frozen=True)
class SimConfig:
    """What world to build and how the vendors behave.

    Same seed, sizes and `start_time` give an identical world. `start_time` (epoch
    seconds) is the world's "now" at generation; None takes the wall clock so demo data
    looks recent. `frozen_clock` stops the clock from following wall time, so only
    `world.clock.advance()` moves it.
    """

    seed: int = 1
    threads: int = 60
    messages_per_thread: int = 10
    agents: int = 4
    services: int = 2
    zoho_conversations: int = 30
    zoho_messages_per_conversation: int = 10
    zoom_engagements: int = 120
    voximplant_pairs: int = 20
    voximplant_messages_per_pair: int = 8
    live: bool = False
    live_interval: float = 2.0
    faults: FaultConfig = field(default_factory=FaultConfig)
    session_idle_seconds: float = 7200.0
    token_lifetime_seconds: float = 3600.0
    page_size: int = 25
    start_time: float | None = None
    frozen_clock: bool = False

    def __post_init__(self) -> None:
        if self.agents < 2 or self.services < 1:
            raise ValueError("need at least 2 agents (transfers) and 1 service")
        if self.threads < 0 or self.messages_per_thread < 1 or self.page_size < 1:
            raise ValueError("threads >= 0, messages_per_thread >= 1 and page_size >= 1")
        if self.zoho_conversations < 0 or self.zoho_messages_per_conversation < 1:
            raise ValueError("zoho_conversations >= 0 and zoho_messages_per_conversation >= 1")
        if self.zoom_engagements < 0:
            raise ValueError("zoom_engagements >= 0")
        if self.voximplant_pairs < 0 or self.voximplant_messages_per_pair < 1:
            raise ValueError("voximplant_pairs >= 0 and voximplant_messages_per_pair >= 1")
        if self.live_interval <= 0:
            raise ValueError("live_interval must be positive")

    @classmethod
    def for_size(cls, size: str, **overrides: Any) -> SimConfig:
        """A named preset (`small`, `medium`, `large`) with any field overridden."""
        try:
            preset = SIZES[size]
        except KeyError:
            raise ValueError(f"unknown size {size!r}; choose from {', '.join(SIZES)}") from None
        return cls(**{**preset, **overrides})


SIZES: dict[str, dict[str, int]] = {
    # 600 LiveVox + 300 Zoho messages (+ 160 Voximplant); 120 Zoom engagements.
    "small": {
        "threads": 60,
        "messages_per_thread": 10,
        "zoho_conversations": 30,
        "zoho_messages_per_conversation": 10,
        "zoom_engagements": 120,
        "voximplant_pairs": 20,
        "voximplant_messages_per_pair": 8,
    },
    # 1,000 threads; 20,000 messages split evenly between LiveVox and Zoho
    # (+ 250 Voximplant pairs, 5,000 messages); 1,000 Zoom engagements.
    "medium": {
        "threads": 1_000,
        "messages_per_thread": 10,
        "agents": 8,
        "services": 3,
        "zoho_conversations": 250,
        "zoho_messages_per_conversation": 40,
        "zoom_engagements": 1_000,
        "voximplant_pairs": 250,
        "voximplant_messages_per_pair": 20,
    },
    # 5,000 threads; 200,000 messages split evenly between LiveVox and Zoho
    # (+ 1,000 Voximplant pairs, 40,000 messages); 5,000 Zoom engagements.
    "large": {
        "threads": 5_000,
        "messages_per_thread": 20,
        "agents": 20,
        "services": 5,
        "zoho_conversations": 2_500,
        "zoho_messages_per_conversation": 40,
        "zoom_engagements": 5_000,
        "voximplant_pairs": 1_000,
        "voximplant_messages_per_pair": 40,
    },
}
