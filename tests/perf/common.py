"""What every benchmark module shares: the JSON line format, percentiles, memory, the
simulator subprocess and the cache directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from inbox_app.core.models import ProviderKind
from inbox_app.simulator.simulator import VOXIMPLANT_PATH, ZOOM_OAUTH_PATH, ZOOM_PATH

VENDORS = (ProviderKind.LIVEVOX, ProviderKind.ZOHO)
"""The accounts every scenario configures: the targets are set for LiveVox + Zoho Voice."""

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CACHE_DIR = Path(
    os.environ.get("INBOX_PERF_CACHE", Path(tempfile.gettempdir()) / "agent-inbox-perf")
)


def result(
    scenario: str,
    value: float,
    unit: str,
    target: str,
    met: bool,
    baseline: float | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One line of the report: the required keys first, then any extra detail."""
    ratio = None if baseline is None else round(value / baseline, 3)
    line = {
        "scenario": scenario,
        "value": round(value, 3),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, 3),
        "ratio": ratio,
        "target": target,
        "met": bool(met),
    }
    line.update(extra)
    return line


def emit(line: dict[str, Any]) -> None:
    print(json.dumps(line), flush=True)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[rank]


def rss_mb(field: str = "VmRSS") -> float:
    """Resident memory of this process from /proc (VmRSS now, VmHWM the peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


@dataclass
class SimProcess:
    port: int
    credentials: dict[str, dict[str, str]]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def livevox_url(self) -> str:
        return self.base_url + "/livevox"

    @property
    def zoho_url(self) -> str:
        return self.base_url + "/zoho"

    @property
    def zoho_accounts_url(self) -> str:
        return self.base_url + "/zoho-accounts"

    @property
    def voximplant_url(self) -> str:
        return self.base_url + VOXIMPLANT_PATH + "/platform_api"

    @property
    def zoom_url(self) -> str:
        return self.base_url + ZOOM_PATH

    @property
    def zoom_oauth_url(self) -> str:
        return self.base_url + ZOOM_OAUTH_PATH

    def take_log(self) -> list[dict[str, Any]]:
        """The vendor requests served since the last call, in arrival order."""
        log: list[dict[str, Any]] = httpx.get(self.base_url + "/_perf/log", timeout=60).json()
        return log


@contextmanager
def simulator(**config: Any) -> Iterator[SimProcess]:
    """The simulator in a child process (see simproc.py), stopped when the block ends."""
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "simproc.py"), json.dumps(config)],
        stdout=subprocess.PIPE,
        cwd=ROOT,
        env=child_env(),
        text=True,
    )
    try:
        assert proc.stdout is not None
        hello = json.loads(proc.stdout.readline())
        yield SimProcess(hello["port"], hello["credentials"])
    finally:
        proc.terminate()
        proc.wait(10)


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # As an installed app runs: with compiled bytecode (kept apart from the tree).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(CACHE_DIR / "pycache")
    env.update(extra)
    return env
