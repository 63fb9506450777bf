"""How long `wwc_analysis.load()` takes on the shipped data (public record + simulated assessments).

Prints wall and CPU time, best of 5, after one warm-up load (imports).
Run: `python benchmarks/bench_load.py`.
"""

from __future__ import annotations

import time

from wwc_analysis import load


def main() -> None:
    data = load()  # warm-up: imports and first reads
    walls, cpus = [], []
    for _ in range(5):
        w, c = time.perf_counter(), time.process_time()
        load()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    rows = 0 if data.assessments is None else len(data.assessments)
    events, rounds = len(data.certifications), len(data.rounds)
    print(f"load(): {events} events, {rounds} rounds, {rows} assessment rows")
    print(f"  wall best {min(walls):.3f} s   cpu best {min(cpus):.3f} s   (best of 5)")


if __name__ == "__main__":
    main()
