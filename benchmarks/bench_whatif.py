"""Benchmark of the what-if engine on a million simulated (fictional) cities.

Three operations, each beside a plain Python loop on a sample (time scaled up to the full size) and,
where one applies, a numpy floor (the least work any vectorised implementation must do):

* applying a scenario (two criteria marked met, Gold at 70 %, outcome treated as met) to 1,000,000
  cities, scores included; floor: counting the criteria met of every row once;
* a full threshold sweep (Silver, Gold and Platinum each 0..100 %, 303 points) of the same million;
  floor: the histogram of criteria met (one count per row and a bincount);
* exact tier probabilities of 100,000 cities with 10 uncertain criteria each; floor: one pass over
  the
  probability array (finding the uncertain cells).

Aims: scenario < 1 s, sweep < 0.5 s, probabilities < 1 s. Run: ``python benchmarks/bench_whatif.py``
(``--n`` / ``--n-prob`` to change the sizes). Times are the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np

from wwc_analysis.data.dataset import load
from wwc_analysis.rules.scoring import score_matrix
from wwc_analysis.rules.standards import get_standard
from wwc_analysis.simulate import simulate_matrix
from wwc_analysis.whatif import (
    MarkMet,
    OutcomeMet,
    SetThresholds,
    apply_arrays,
    threshold_sweep,
    tier_probabilities,
)


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


# --- plain Python baselines (on a sample; the tier rule written out as the loop would) ------------


def py_scenario(
    rows: list[list[bool]], cols: list[int], thresholds, total: int, core_idx: list[int]
) -> list[int]:
    out = []
    for row in rows:
        row = list(row)
        for c in cols:
            row[c] = True
        met = sum(row)
        tier = sum(1 for t in thresholds if met * 100 >= t * total)
        if not all(row[i] for i in core_idx):
            tier = 0
        out.append(tier)
    return out


def py_sweep(met: list[int], eligible: list[bool], std) -> list[list[int]]:
    total = std.criteria_count
    out = []
    for k in range(3):
        for v in range(101):
            th = list(std.thresholds)
            th[k] = v
            for i in range(k):
                th[i] = min(th[i], v)
            for i in range(k + 1, 3):
                th[i] = max(th[i], v)
            counts = [0, 0, 0, 0]
            for m, ok in zip(met, eligible):
                counts[sum(1 for t in th if m * 100 >= t * total) if ok else 0] += 1
            out.append(counts)
    return out


def py_probabilities(p_rows: list[list[float]], outcome: list[float], std) -> list[list[float]]:
    total = std.criteria_count
    core = {std.criteria.index(c) for c in std.core}
    out = []
    for p, po in zip(p_rows, outcome):
        gate = po
        for i in core:
            gate *= p[i]
        dist = [1.0]
        for j, q in enumerate(p):
            if j in core:
                continue
            new = [0.0] * (len(dist) + 1)
            for k, d in enumerate(dist):
                new[k] += d * (1 - q)
                new[k + 1] += d * q
            dist = new
        probs = [1.0 - gate, 0.0, 0.0, 0.0]
        for k, d in enumerate(dist):
            met = k + len(core)
            tier = sum(1 for t in std.thresholds if met * 100 >= t * total)
            probs[tier] += gate * d
        out.append(probs)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--n", type=int, default=1_000_000, help="cities for the scenario and the sweep"
    )
    ap.add_argument("--n-prob", type=int, default=100_000, help="cities for the tier probabilities")
    ap.add_argument("--uncertain", type=int, default=10, help="uncertain criteria per city")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    std = get_standard("2022", load())
    t0 = time.perf_counter()
    m, o = simulate_matrix(args.n, std, seed=2022)  # SIMULATED fictional cities
    t_sim = time.perf_counter() - t0
    rows = []

    # 1. scenario
    scenario = MarkMet(["EVAL2", "RDC5"]) + SetThresholds(gold=70) + OutcomeMet()
    t_vec = best(lambda: apply_arrays(scenario, m, o, std), args.repeat)
    t_floor = best(lambda: np.count_nonzero(m, axis=1), args.repeat)
    sample = 20_000
    py_rows = m[:sample].tolist()
    cols = [std.criteria.index("EVAL2"), std.criteria.index("RDC5")]
    core_idx = [std.criteria.index(c) for c in std.core]
    new_std = std.with_thresholds(gold=70)
    t0 = time.perf_counter()
    py_tiers = py_scenario(py_rows, cols, new_std.thresholds, 43, core_idx)
    t_py = (time.perf_counter() - t0) * args.n / sample
    assert py_tiers == apply_arrays(scenario, m[:sample], o[:sample], std).tier.tolist()
    rows.append(("apply scenario", args.n, t_vec, t_py, t_floor, 1.0))

    # 2. threshold sweep
    t_vec = best(lambda: threshold_sweep((m, o), std), args.repeat)
    t_floor = best(lambda: np.bincount(np.count_nonzero(m, axis=1), minlength=44), args.repeat)
    sample = 2_000
    base = score_matrix(m[:sample], std, o[:sample])
    eligible = (base.core_ok & base.outcome_ok).tolist()
    t0 = time.perf_counter()
    py_counts = py_sweep(base.met.tolist(), eligible, std)
    t_py = (time.perf_counter() - t0) * args.n / sample
    got = (
        threshold_sweep((m[:sample], o[:sample]), std)["cities"].to_numpy().reshape(-1, 4).tolist()
    )
    assert py_counts == got
    rows.append(("threshold sweep (3 x 101)", args.n, t_vec, t_py, t_floor, 0.5))

    # 3. tier probabilities
    rng = np.random.default_rng(7)
    n = args.n_prob
    p = m[:n].astype(np.float64)
    unc = np.argsort(rng.random((n, 43)), axis=1)[:, : args.uncertain]
    p[np.arange(n)[:, None], unc] = rng.uniform(0.05, 0.95, (n, args.uncertain))
    outcome = rng.uniform(0.6, 1.0, n)
    t_vec = best(lambda: tier_probabilities(p, outcome, std), args.repeat)
    t_floor = best(lambda: ((p > 0) & (p < 1)).sum(axis=1), args.repeat)
    sample = 1_000
    t0 = time.perf_counter()
    py_probs = py_probabilities(p[:sample].tolist(), outcome[:sample].tolist(), std)
    t_py = (time.perf_counter() - t0) * n / sample
    np.testing.assert_allclose(
        py_probs, tier_probabilities(p[:sample], outcome[:sample], std), atol=1e-12
    )
    rows.append((f"tier probabilities ({args.uncertain} uncertain)", n, t_vec, t_py, t_floor, 1.0))

    print(
        f"What-if benchmark: {platform.python_implementation()} {platform.python_version()}, "
        f"numpy {np.__version__}, "
        f"{platform.machine()}; best of {args.repeat}"
    )
    print(f"simulate_matrix({args.n:,}) took {t_sim:.2f} s (SIMULATED fictional cities)\n")
    head = (
        f"{'operation':<32} {'cities':>10} {'vectorised':>11} {'python loop*':>13} "
        f"{'numpy floor':>12} {'speed-up':>9} {'aim':>6}  ok"
    )
    print(head)
    print("-" * len(head))
    for name, size, t_vec, t_py, t_floor, aim in rows:
        ok = "yes" if t_vec < aim else "NO"
        print(
            f"{name:<32} {size:>10,} {t_vec:>10.3f}s {t_py:>12.1f}s {t_floor:>11.3f}s "
            f"{t_py / t_vec:>8.0f}x {aim:>5.1f}s  {ok}"
        )
    print(
        "\n* plain Python on a sample (20,000 / 2,000 / 1,000 cities), scaled to the full size; "
        "results checked equal."
    )


if __name__ == "__main__":
    main()
