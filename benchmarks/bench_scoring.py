"""Benchmark: generate a million SIMULATED (fictional) assessments of 43 criteria, score and
classify them.

What is timed (best of ``--repeat`` runs, wall clock, ``time.perf_counter``):

* **generate**: ``simulate.simulate_matrix(n)``: the boolean (n, 43) matrix and the outcome flags;
* **score + classify**: ``scoring.score_matrix`` (criteria met, threshold tier, core and outcome
  gates,
  tier codes, reason codes), then the classification: tier counts and reason counts
  (``np.bincount``);
* **floor**: the same arithmetic in plain numpy with nothing else: ``count_nonzero`` per row, the
  integer
  threshold comparison ``met * 100 >= pct * 43`` for the three tiers, ``all()`` over the core
  columns, the gates, the reason code and the same two bincounts. ``ratio = score + classify /
  floor``.

Memory: peak bytes allocated during each step as traced by ``tracemalloc`` (numpy reports its array
allocations to it), measured in a separate untimed pass; the scoring figure excludes the input
matrix, which exists before scoring starts. The process peak RSS (``resource.getrusage``
``ru_maxrss``) is printed too, as a cross-check that includes the interpreter and libraries.

Aims: generate + score + classify under 3 s and 1 GB; score + classify within 2x of the floor. Run:
``python benchmarks/bench_scoring.py [--n N] [--repeat R] [--profile]`` (``make benchmark`` runs
every ``bench_*.py``). ``--profile`` prints where ``score_matrix`` spends its time (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import platform
import pstats
import resource
import sys
import time
import tracemalloc

import numpy as np

from wwc_analysis.data.dataset import load
from wwc_analysis.rules.scoring import score_matrix
from wwc_analysis.rules.standards import get_standard
from wwc_analysis.simulate import DEFAULT_SEED, simulate_matrix

AIM_SECONDS = 3.0
AIM_BYTES = 1 << 30
AIM_RATIO = 2.0


def best(fn, repeat: int) -> tuple[float, object]:
    """Best wall time of ``repeat`` calls of ``fn`` and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def peak_bytes(fn) -> int:
    """Peak bytes traced by tracemalloc while ``fn`` runs (earlier allocations excluded)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak


def score_and_classify(matrix, outcome, std):
    """The package path: score_matrix, then tier counts and reason counts."""
    arrays = score_matrix(matrix, std, outcome)
    return np.bincount(arrays.tier, minlength=4), np.bincount(arrays.reason_code, minlength=8)


def floor(matrix, outcome, core_idx, thresholds, total):
    """The same arithmetic in plain numpy, nothing else (small integer types throughout)."""
    met = np.count_nonzero(matrix, axis=1)
    lhs = met * 100
    thr = (lhs >= thresholds[0] * total).view(np.int8)
    thr += (lhs >= thresholds[1] * total).view(np.int8)
    thr += (lhs >= thresholds[2] * total).view(np.int8)
    flags = (~matrix[:, core_idx].all(axis=1)).view(np.int8)
    flags += (~outcome).view(np.int8) * np.int8(2)
    tier = np.where(flags == 0, thr, np.int8(0))
    reason = (thr > 0).view(np.int8) * np.int8(4) + flags
    return np.bincount(tier, minlength=4), np.bincount(reason, minlength=8)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="assessments (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per step (best is kept)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of score_matrix")
    args = parser.parse_args(argv)

    std = get_standard("2022", load())
    core_idx = [std.criteria.index(c) for c in std.core]
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    t_gen, (matrix, outcome) = best(lambda: simulate_matrix(args.n, std, args.seed), args.repeat)
    t_score, (tiers, reasons) = best(lambda: score_and_classify(matrix, outcome, std), args.repeat)
    t_floor, (f_tiers, f_reasons) = best(
        lambda: floor(matrix, outcome, core_idx, std.thresholds, std.criteria_count), args.repeat
    )
    if not (np.array_equal(tiers, f_tiers) and np.array_equal(reasons, f_reasons)):
        print(
            "ERROR: score_matrix and the numpy floor disagree", tiers, f_tiers, reasons, f_reasons
        )
        return 1

    del matrix, outcome
    mem_gen = peak_bytes(lambda: simulate_matrix(args.n, std, args.seed))
    matrix, outcome = simulate_matrix(args.n, std, args.seed)
    mem_score = peak_bytes(lambda: score_and_classify(matrix, outcome, std))
    mem_floor = peak_bytes(
        lambda: floor(matrix, outcome, core_idx, std.thresholds, std.criteria_count)
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux

    n = args.n
    total = t_gen + t_score
    ratio = t_score / t_floor
    mib = 1 / (1 << 20)
    print(
        f"bench_scoring: {n:,} SIMULATED assessments (fictional cities) x {std.criteria_count} "
        "criteria, "
        f"standard {std.name}, seed {args.seed}"
    )
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, "
        f"best of {args.repeat}"
    )
    print(
        f"  generate (simulate_matrix)        {t_gen:7.3f} s   peak {mem_gen * mib:7.1f} MiB "
        "(tracemalloc)"
    )
    print(
        f"  score + classify (score_matrix)   {t_score:7.3f} s   peak {mem_score * mib:7.1f} MiB "
        "(tracemalloc)"
    )
    print(
        f"  numpy floor (same arithmetic)     {t_floor:7.3f} s   peak {mem_floor * mib:7.1f} MiB "
        "(tracemalloc)"
    )
    print(f"  ratio score / floor               {ratio:7.2f} x")
    print(f"  generate + score + classify       {total:7.3f} s")
    print(
        f"  process peak RSS                  {rss / 1024:7.1f} MiB (ru_maxrss; {rss0 / 1024:.1f} "
        "MiB before the run)"
    )
    tier_share = ", ".join(
        f"{name} {c / n:.1%}"
        for name, c in zip(("Not certified", "Silver", "Gold", "Platinum"), tiers)
    )
    print(f"  tiers: {tier_share}")
    checks = [
        ("time under 3 s", total < AIM_SECONDS),
        ("memory under 1 GB", max(mem_gen, mem_score + matrix.nbytes) < AIM_BYTES),
        ("within 2x of the floor", ratio <= AIM_RATIO),
    ]
    print("  aims: " + "; ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in checks))

    if args.profile or ratio > AIM_RATIO:
        print("\nwhere score_matrix spends its time (cProfile, one run):")
        prof = cProfile.Profile()
        prof.runcall(score_and_classify, matrix, outcome, std)
        pstats.Stats(prof, stream=sys.stdout).sort_stats("tottime").print_stats(12)
    return 0


if __name__ == "__main__":
    sys.exit(main())
