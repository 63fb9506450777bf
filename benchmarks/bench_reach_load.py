"""What loading the reach tables (universe.csv and crosswalk.csv) adds to `wwc_analysis.load()`.

Copies `data/` twice into a temporary folder, one copy without the two reach files, and times
`load()` of each (best of 7, after a warm-up load), alternating the two so that both see the same
machine. The copy without them is the floor; the aim is under 0.3 s added.
Run: `python benchmarks/bench_reach_load.py`.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from wwc_analysis import load
from wwc_analysis.data import DATA_DIR, FILES
from wwc_analysis.data.paths import REACH_TABLES

RUNS = 7
AIM_S = 0.3


def _timed(directory: Path, walls: list[float]) -> None:
    start = time.perf_counter()
    load(directory)
    walls.append(time.perf_counter() - start)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="wwc-bench-reach-") as tmp:
        full, floor = Path(tmp) / "full", Path(tmp) / "floor"
        shutil.copytree(DATA_DIR, full)
        shutil.copytree(DATA_DIR, floor)
        for name in REACH_TABLES:
            (floor / FILES[name]).unlink()
        data = load(full)  # warm-up: imports and first reads
        load(floor)
        with_reach: list[float] = []
        without: list[float] = []
        for _ in range(RUNS):
            _timed(floor, without)
            _timed(full, with_reach)
    added = min(with_reach) - min(without)
    print(
        f"load() with universe.csv ({len(data.universe)} places) and crosswalk.csv "
        f"({len(data.crosswalk)} cities), best of {RUNS}:"
    )
    print(f"  without the reach tables (floor) {min(without):.3f} s")
    print(f"  with them                        {min(with_reach):.3f} s")
    print(
        f"  added {added:.3f} s ({min(with_reach) / min(without):.2f}x the floor); "
        f"aim under {AIM_S} s: {'met' if added < AIM_S else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
