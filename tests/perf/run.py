"""The performance benchmark: `python tests/perf/run.py [--quick] [--only NAME ...]`.

Drives the real code against the simulator (in its own process) and a generated cache,
and prints one JSON object per line and scenario. `--quick` runs every scenario at a
tenth of the size. Not part of the test suite: figures are measured, never asserted."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cache_bench
import sync_bench
from common import emit

GROUPS = {
    "sync": sync_bench.run,
    "window": sync_bench.run_window,
    "cache": cache_bench.run,
    "search": cache_bench.run_search,
}
EVERYTHING = ("sync", "cache")  # "window" is one of sync's scenarios, "search" of cache's


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the size")
    parser.add_argument("--only", choices=sorted(GROUPS), action="append", help="one group")
    args = parser.parse_args()
    for name in args.only or EVERYTHING:
        for line in GROUPS[name](args.quick):
            emit(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
