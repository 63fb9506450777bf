"""Threshold sensitivity: tier counts as each threshold sweeps 0..100 %.

:func:`threshold_sweep` computes the counts from one histogram of criteria met (no rescoring per
point); :func:`sweep_standard` is the standard at one swept value. The chart of a sweep is
:func:`wwc_analysis.figures.whatif.plot_threshold_sweep`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from wwc_analysis.rules.scoring import SCORE_TIER_DTYPE, ScoreArrays, threshold_tiers
from wwc_analysis.rules.standards import TIERS, Standard, require_standard, tier_code
from wwc_analysis.whatif.scenarios import as_population

__all__ = ["sweep_standard", "threshold_sweep"]


def sweep_standard(standard: Standard, tier: str | int, value: int) -> Standard:
    """``standard`` with ``tier``'s threshold set to ``value``, the others kept in order.

    A lower tier's threshold above ``value`` is lowered to ``value`` and a higher tier's threshold
    below it raised to ``value`` (thresholds never decrease), so the sweep always scores a valid
    standard.
    """
    code = tier_code(tier)
    if code == 0:
        raise ValueError("sweep a Silver, Gold or Platinum threshold")
    value = int(value)
    th = list(standard.thresholds)
    th[code - 1] = value
    for i in range(code - 1):
        th[i] = min(th[i], value)
    for i in range(code, 3):
        th[i] = max(th[i], value)
    name = f"{standard.name} ({TIERS[code - 1]} {value})"
    return replace(standard, thresholds=tuple(th), name=name)


@dataclass(frozen=True)
class _Counts:
    """What a sweep needs of a population: criteria met per city, the gates, the total."""

    standard: Standard
    met: np.ndarray
    core_ok: np.ndarray
    outcome_ok: np.ndarray
    total: int
    simulated: bool

    @classmethod
    def of(cls, population, standard: Standard | None) -> _Counts:
        if isinstance(population, ScoreArrays):
            std = population.standard if standard is None else require_standard(standard, "sweep")
            return cls(
                std,
                population.met,
                population.core_ok,
                population.outcome_ok,
                population.total,
                False,
            )
        pop = as_population(population, standard)
        std = pop.standard
        met = np.count_nonzero(pop.matrix, axis=1)
        if std.core_required and std.core:
            core = pop.matrix[:, [std.criteria.index(c) for c in std.core]].all(axis=1)
        else:
            core = np.ones(len(met), dtype=bool)
        return cls(std, met, core, pop.outcome, std.criteria_count, pop.any_simulated)

    def eligible(self) -> np.ndarray:
        """Cities that pass the gates (the others are Not certified at every threshold)."""
        ok = np.ones(len(self.met), dtype=bool)
        if self.standard.core_required:
            ok &= np.asarray(self.core_ok, dtype=bool)
        if self.standard.outcome_required:
            ok &= np.asarray(self.outcome_ok, dtype=bool)
        return ok


def _values(values: Iterable[int] | None, std: Standard, total: int) -> list[int]:
    values = list(range(101)) if values is None else [int(v) for v in values]
    upper = 100 if std.tier_rule == "percent_of_criteria" else total
    bad = [v for v in values if not 0 <= v <= upper]
    if bad:
        raise ValueError(f"sweep values {bad[:5]} are outside 0..{upper}")
    return values


def _frame(
    swept: list[str], values: list[int], thresholds: list, counts: np.ndarray, n: int
) -> pd.DataFrame:
    """The tidy frame of a sweep: four rows (tiers) per swept value."""
    at_least = counts[:, ::-1].cumsum(axis=1)[:, ::-1]
    m = len(swept)
    th = np.array(thresholds, dtype=np.int64).reshape(-1, 3)
    return pd.DataFrame(
        {
            "swept": pd.Categorical(np.repeat(swept, 4), categories=list(TIERS), ordered=True),
            "threshold": np.repeat(values, 4).astype(np.int64),
            "silver_min": np.repeat(th[:, 0], 4),
            "gold_min": np.repeat(th[:, 1], 4),
            "platinum_min": np.repeat(th[:, 2], 4),
            "tier": pd.Categorical.from_codes(np.tile(np.arange(4), m), dtype=SCORE_TIER_DTYPE),
            "cities": counts.ravel(),
            "share": counts.ravel() / n if n else np.zeros(m * 4),
            "at_least": at_least.ravel(),
        }
    )


def threshold_sweep(
    population,
    standard: Standard | None = None,
    tiers: Sequence[str] = TIERS,
    values: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Tier counts of ``population`` as each threshold in ``tiers`` sweeps ``values`` (default
    0..100).

    Computed from the histogram of criteria met among the cities that pass the gates (the others are
    Not certified at every threshold): for each swept value the threshold tier of every possible
    count 0..total is taken from :func:`~wwc_analysis.rules.scoring.threshold_tiers` and the
    histogram is summed by tier, so the cost is one pass over the population plus
    ``len(values) x (total + 1)``, not a rescoring per point. Other thresholds stay as in the
    standard, kept in order by :func:`sweep_standard`.

    ``population``: anything :func:`~wwc_analysis.whatif.scenarios.apply` takes, or ScoreArrays;
    ``standard`` the population's standard (required except for an AssessmentMatrix or ScoreArrays,
    which carry theirs). Returns a tidy frame: ``swept``, ``threshold``, ``silver_min``,
    ``gold_min``, ``platinum_min`` (in effect), ``tier``, ``cities``, ``share`` (of the population),
    ``at_least`` (cities at this tier or above). ``attrs`` carry ``standard``, ``simulated``,
    ``cities`` and ``thresholds``.
    """
    pop = _Counts.of(population, standard)
    std, total = pop.standard, pop.total
    eligible = pop.eligible()
    hist = np.bincount(np.asarray(pop.met, dtype=np.int64)[eligible], minlength=total + 1).astype(
        np.int64
    )
    n = len(pop.met)
    blocked = n - int(eligible.sum())
    counts_axis = np.arange(total + 1)
    values = _values(values, std, total)
    swept, swept_values, thresholds, rows = [], [], [], []
    for tier in tiers:
        name = TIERS[tier_code(tier) - 1]
        for v in values:
            sv = sweep_standard(std, name, v)
            codes = threshold_tiers(counts_axis, sv, total)
            c = np.bincount(codes, weights=hist, minlength=4).astype(np.int64)
            c[0] += blocked
            swept.append(name)
            swept_values.append(v)
            thresholds.append(sv.thresholds)
            rows.append(c)
    counts = np.array(rows, dtype=np.int64).reshape(-1, 4)
    frame = _frame(swept, swept_values, thresholds, counts, n)
    frame.attrs.update(
        standard=std.name, simulated=pop.simulated, cities=n, thresholds=std.threshold_map
    )
    return frame
