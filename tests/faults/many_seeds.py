"""The fault suite over many seeds: every scenario of `scenarios.py` plus the kill runs of
`crash.py`, once per seed, printing one JSON line per run and then a summary line.

    python3 tests/faults/many_seeds.py --seeds 50 [--start 1] [--kills 5] [--only kill ...]

Exits 1 if any run lost a message or an intent, sent a text twice or out of order, or left
a cache that failed a check after a kill. Kill runs start from an empty cache for odd
seeds (kills land in the first full sync) and from a synced one for even seeds.
(Not collected by pytest: no `test_` prefix.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.faults.crash import KillFigures, run_kills
from tests.faults.scenarios import SCENARIOS, RunFigures, run_scenario

_NO_KILLS = (RunFigures("kill", 0), KillFigures())
_COUNTED = (
    "messages_checked",
    "messages_lost",
    "threads_lost",
    "intents",
    "intents_lost",
    "intents_failed",
    "sends",
    "duplicate_sends",
    "out_of_order",
)


async def main(seeds: range, kills: int, only: list[str]) -> int:
    totals: Counter[str] = Counter()
    faults: Counter[str] = Counter()
    kill_checks: Counter[str] = Counter()
    runs = 0
    started = time.monotonic()
    for seed in seeds:
        results: list[RunFigures] = [
            await run_scenario(name, seed) for name in SCENARIOS if name in only
        ]
        killed_figures, killed = (
            await run_kills(seed, kills, warm=seed % 2 == 0) if "kill" in only else _NO_KILLS
        )
        results += [killed_figures] if "kill" in only else []
        for figures in results:
            line = figures.as_dict()
            if figures is killed_figures:
                line["kill_checks"] = {
                    "kills": killed.kills,
                    "finished": killed.finished,
                    "mid_drain": killed.mid_drain,
                    "integrity_failures": killed.integrity_failures,
                    "half_batches": killed.half_batches,
                    "outbox_rows_lost": killed.outbox_rows_lost,
                    "problems": killed.problems[:10],
                }
            print(json.dumps(line), flush=True)
            runs += 1
            faults.update(figures.faults)
            totals.update({key: line[key] for key in _COUNTED})
        kill_checks.update(
            kills=killed.kills,
            finished=killed.finished,
            mid_drain=killed.mid_drain,
            integrity_failures=killed.integrity_failures,
            half_batches=killed.half_batches,
            outbox_rows_lost=killed.outbox_rows_lost,
        )
    summary = {
        "summary": True,
        "seeds": len(seeds),
        "runs": runs,
        "seconds": round(time.monotonic() - started, 1),
        "faults_injected": sum(faults.values()),
        "faults_by_kind": dict(sorted(faults.items())),
        **{key: totals[key] for key in _COUNTED},
        "kill_checks": dict(kill_checks),
    }
    print(json.dumps(summary), flush=True)
    broken = sum(
        totals[k] for k in ("messages_lost", "threads_lost", "intents_lost", "duplicate_sends")
    )
    broken += totals["out_of_order"] + sum(
        kill_checks[k] for k in ("integrity_failures", "half_batches", "outbox_rows_lost")
    )
    return 1 if broken else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=50, help="how many seeds (default 50)")
    parser.add_argument("--start", type=int, default=1, help="the first seed (default 1)")
    parser.add_argument("--kills", type=int, default=5, help="kills per seed (default 5)")
    parser.add_argument(
        "--only",
        nargs="+",
        default=[*SCENARIOS, "kill"],
        choices=[*SCENARIOS, "kill"],
        help="run only these scenarios",
    )
    args = parser.parse_args()
    seeds = range(args.start, args.start + args.seeds)
    sys.exit(asyncio.run(main(seeds, args.kills, args.only)))
