"""Uncertainty analysis of a standard's rules: the tiers of a population when the rules themselves
are uncertain, every uncertain input at once (composite-indicator practice: OECD/JRC *Handbook on
Constructing Composite Indicators*, 2008; Saisana, Saltelli & Tarantola 2005).

:func:`uncertainty` draws ``N`` runs of the rules from the declared
:class:`~wwc_analysis.whatif.uncertain_inputs.UncertainInputs` (seeded Sobol' points by default),
scores the population in every run (:class:`~wwc_analysis.whatif.tier_engine.TierEngine`) and
returns an :class:`UncertaintyResult`: for each city the share of runs at each tier and its flip
rate (the share of runs away from its tier under the standard as it is), for the population the
distribution of the tier counts, with intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from wwc_analysis.rules.scoring import SCORE_TIER_DTYPE, SCORE_TIERS, score_matrix
from wwc_analysis.rules.standards import Standard
from wwc_analysis.whatif.scenarios import as_population
from wwc_analysis.whatif.tier_engine import TierEngine
from wwc_analysis.whatif.uncertain_inputs import UncertainInputs, decode, sample_unit

__all__ = ["UncertaintyResult", "uncertainty"]


@dataclass(frozen=True)
class UncertaintyResult:
    """Tiers of a population over the runs of an uncertainty analysis.

    ``baseline``: each city's tier code under the standard as it is. ``shares``: cities x 4, the
    share of runs at each tier (Not certified, Silver, Gold, Platinum). ``counts``: runs x 4, the
    number of cities at each tier in each run. ``index`` identifies the cities (``None`` for bare
    arrays: row positions).
    """

    standard: Standard
    inputs: UncertainInputs
    baseline: np.ndarray
    shares: np.ndarray
    counts: np.ndarray
    index: pd.Index | None
    simulated: bool
    method: str
    seed: int | None

    @property
    def runs(self) -> int:
        return len(self.counts)

    @property
    def n_cities(self) -> int:
        return len(self.baseline)

    @property
    def flip_rate(self) -> np.ndarray:
        """Share of runs in which each city is not at its tier under the standard as it is."""
        return 1.0 - self.shares[np.arange(self.n_cities), self.baseline]

    def baseline_counts(self) -> np.ndarray:
        return np.bincount(self.baseline, minlength=4).astype(np.int64)

    def city_frame(self) -> pd.DataFrame:
        """One row per city: ``baseline`` tier, the share of runs at each tier, ``flip_rate`` and
        the ``most_likely`` tier; ``attrs["simulated"]`` says whether the cities are simulated."""
        index = self.index if self.index is not None else pd.RangeIndex(self.n_cities, name="row")
        frame = pd.DataFrame(self.shares, index=index, columns=list(SCORE_TIERS))
        frame.insert(
            0, "baseline", pd.Categorical.from_codes(self.baseline, dtype=SCORE_TIER_DTYPE)
        )
        frame["flip_rate"] = self.flip_rate
        most = np.argmax(self.shares, axis=1).astype(np.int8)
        frame["most_likely"] = pd.Categorical.from_codes(most, dtype=SCORE_TIER_DTYPE)
        frame.attrs.update(simulated=self.simulated, runs=self.runs)
        return frame

    def count_frame(self, level: float = 0.9) -> pd.DataFrame:
        """One row per tier: the ``baseline`` count, the ``mean`` and ``median`` over the runs, the
        central ``level`` interval (``low``, ``high``: counts reached by runs, inverted CDF) and the
        ``min`` and ``max``."""
        if not 0 < level < 1:
            raise ValueError(f"level must lie strictly between 0 and 1, got {level!r}")
        c = self.counts
        q = np.quantile(c, [(1 - level) / 2, 0.5, (1 + level) / 2], axis=0, method="inverted_cdf")
        frame = pd.DataFrame(
            {
                "baseline": self.baseline_counts(),
                "mean": c.mean(axis=0),
                "median": q[1].astype(np.int64),
                "low": q[0].astype(np.int64),
                "high": q[2].astype(np.int64),
                "min": c.min(axis=0),
                "max": c.max(axis=0),
            },
            index=pd.Index(SCORE_TIERS, name="tier"),
        )
        frame.attrs.update(simulated=self.simulated, level=level, runs=self.runs)
        return frame

    def summary(self) -> dict:
        """Cities, runs, cities whose tier can change, and the mean flip rate."""
        flips = self.flip_rate
        return {
            "cities": self.n_cities,
            "runs": self.runs,
            "cities_that_can_change": int(np.count_nonzero(flips > 0)),
            "mean_flip_rate": float(flips.mean()) if self.n_cities else 0.0,
        }


def uncertainty(
    population,
    inputs: UncertainInputs,
    standard: Standard | None = None,
    *,
    samples: int = 4096,
    seed: int | None = 2022,
    method: str = "sobol",
) -> UncertaintyResult:
    """Score ``population`` under ``samples`` runs of the rules drawn from ``inputs`` (see the
    module docstring) and return each city's tier shares and the tier counts of every run.

    ``population``: a long or wide assessment frame, an AssessmentMatrix, a boolean matrix or a
    ``(matrix, outcome)`` tuple; ``standard`` its standard (required except for an
    AssessmentMatrix). Runs are seeded (``seed``) Sobol' points (``samples`` a power of 2) or
    pseudo-random ones (``method="random"``).
    """
    pop = as_population(population, standard)
    std = pop.standard
    inputs.check(std)
    unit = sample_unit(samples, len(inputs.dimensions(std)), seed, method)
    design = decode(unit, inputs, std)
    engine = TierEngine(pop.matrix, pop.outcome, std, inputs.varying(std))
    per_city, per_run = engine.at_least(design)
    n, runs = len(pop.matrix), len(design)
    at_least = np.concatenate([np.full((n, 1), runs), per_city, np.zeros((n, 1))], axis=1)
    shares = (at_least[:, :4] - at_least[:, 1:]) / runs
    run_at_least = np.concatenate([np.full((runs, 1), n), per_run, np.zeros((runs, 1))], axis=1)
    counts = (run_at_least[:, :4] - run_at_least[:, 1:]).astype(np.int64)
    baseline = np.asarray(score_matrix(pop.matrix, std, pop.outcome).tier, dtype=np.int64)
    return UncertaintyResult(
        standard=std,
        inputs=inputs,
        baseline=baseline,
        shares=shares,
        counts=counts,
        index=pop.index,
        simulated=pop.any_simulated,
        method=method,
        seed=seed,
    )
