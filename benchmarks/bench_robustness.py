"""Benchmark of the robustness analysis (issue 12) on 100,000 simulated (fictional) cities.

The uncertainty analysis of 100,000 cities x 4,096 runs of uncertain rules (every cut-off +-3
points, each core gate and the outcome requirement on with probability 1/2, each of the 43 criteria
kept with probability 0.95: all four kinds of input at once), beside

* its numpy floor: the least work any implementation must do, the count of criteria met by every
  city over the criteria each run keeps (the float32 matrix products alone, in the same blocks);
* rescoring each run from scratch with ``score_matrix`` (the columns kept, a Standard per run), on
  a sample of runs scaled up to 4,096; its tiers are checked equal to the engine's.

Also: the same analysis without criteria dropped (cities with the same relevant row are scored
once), the sensitivity analysis (1,024 base samples, criteria grouped by practice area) and
leave-one-out + add-one for the 43 criteria. Aim: the uncertainty analysis under 10 s.

Run: ``python benchmarks/bench_robustness.py`` (``--n``, ``--samples``, ``--repeat``). Times are the
best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from wwc_analysis.data.dataset import load as load_data
from wwc_analysis.rules.scoring import score_matrix
from wwc_analysis.rules.standards import get_standard
from wwc_analysis.simulate import simulate_matrix
from wwc_analysis.whatif import (
    UncertainInputs,
    add_one,
    leave_one_out,
    sensitivity,
    uncertainty,
)
from wwc_analysis.whatif.tier_engine import TierEngine, evaluate
from wwc_analysis.whatif.uncertain_inputs import decode, sample_unit


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def floor(engine: TierEngine, design) -> None:
    """The matrix products alone: every city's count of criteria met in every run."""
    for _rows, _counts, _needed in engine.blocks(design):
        pass


def rescored(m, o, design, std, runs) -> np.ndarray:
    """Tiers of ``runs`` runs, each standard built from scratch and scored by ``score_matrix``."""
    out = np.zeros((len(m), runs), dtype=np.int8)
    for run in range(runs):
        reduced = design.standard_at(run, std)
        out[:, run] = score_matrix(m[:, design.kept[run]], reduced, o).tier
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="simulated cities")
    ap.add_argument("--samples", type=int, default=4096, help="runs (a power of 2)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    load = os.getloadavg()[0]  # other processes' work slows every figure below
    std = get_standard("2022", load_data())
    m, o = simulate_matrix(args.n, std, seed=2022)  # SIMULATED fictional cities
    inputs = UncertainInputs(
        thresholds={t: (v - 3, v + 3) for t, v in std.threshold_map.items()},
        core=dict.fromkeys(std.core, 0.5),
        outcome=0.5,
        criteria=dict.fromkeys(std.criteria, 0.95),
    )
    gates_only = UncertainInputs(
        thresholds=inputs.thresholds, core=inputs.core, outcome=inputs.outcome
    )
    rows = []

    def run_all():
        return uncertainty((m, o), inputs, std, samples=args.samples, seed=2022)

    t_unc = best(run_all, args.repeat)
    design = decode(sample_unit(args.samples, len(inputs.dimensions(std)), 2022), inputs, std)
    engine = TierEngine(m, o, std, inputs.varying(std))
    t_floor = best(lambda: floor(engine, design), args.repeat)
    sample = 32
    t0 = time.perf_counter()
    slow = rescored(m, o, design, std, sample)
    t_slow = (time.perf_counter() - t0) * args.samples / sample
    assert np.array_equal(slow, evaluate((m, o), design.take(slice(0, sample)), std))
    rows.append(("uncertainty, all four inputs", t_unc, t_floor, t_slow, 10.0))

    def gates():
        return uncertainty((m, o), gates_only, std, samples=args.samples, seed=2022)

    rows.append(("uncertainty, no criterion dropped", best(gates, args.repeat), None, None, None))

    def sens():
        return sensitivity((m, o), inputs, std, samples=1024, seed=2022, bootstrap=200)

    rows.append(
        (
            "sensitivity, 1,024 x (15 + 2) runs",
            best(sens, max(1, args.repeat - 2)),
            None,
            None,
            None,
        )
    )

    def loo():
        return leave_one_out((m, o), std), add_one((m, o), std)

    rows.append(("leave-one-out + add-one, 43 each", best(loo, args.repeat), None, None, None))

    print(
        f"Robustness benchmark: {platform.python_implementation()} {platform.python_version()}, "
        f"numpy {np.__version__}, {platform.machine()}; best of {args.repeat}; "
        f"{args.n:,} SIMULATED cities, {args.samples:,} runs; load average at the start "
        f"{load:.1f} on {os.cpu_count()} CPUs"
    )
    head = (
        f"{'analysis':<36} {'time':>8} {'numpy floor':>12} {'ratio':>6} {'rescoring*':>11} "
        f"{'aim':>6}"
    )
    print(head)
    print("-" * len(head))
    for name, t, t_fl, t_sl, aim in rows:
        fl = f"{t_fl:>11.2f}s {t / t_fl:>5.1f}x" if t_fl else f"{'':>12} {'':>6}"
        sl = f"{t_sl:>10.0f}s" if t_sl else f"{'':>11}"
        ok = f"{aim:>5.0f}s {'yes' if t < aim else 'NO'}" if aim else ""
        print(f"{name:<36} {t:>7.2f}s {fl} {sl} {ok}")
    print(
        f"\n* each run's standard built and scored from scratch by score_matrix, {sample} runs "
        "timed and scaled to all; their tiers equal the engine's."
    )


if __name__ == "__main__":
    main()
