"""One city's stability under uncertain rules: its tier distribution, and the criteria whose status
most often decides its tier.

:func:`city_stability` scores the city in every run of the declared uncertainty (the same runs as
:func:`~wwc_analysis.whatif.uncertainty.uncertainty` with the same ``samples``, ``seed`` and
``method``), and the city with each criterion's status flipped, in the same runs: a criterion
*decides* the city's tier in a run when flipping it (losing a met criterion, meeting an unmet
one) changes the tier. Its share of runs is a pivotality measure; a criterion dropped from the
standard in a run decides nothing there. Optionally (``sensitivity_samples``) the first-order and
total-effect indices of each declared input on the city's tier code
(:func:`~wwc_analysis.whatif.sensitivity.sensitivity` with ``output="tier"``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wwc_analysis.rules.scoring import SCORE_TIERS
from wwc_analysis.rules.standards import Standard, require_standard
from wwc_analysis.whatif.paths import met_codes
from wwc_analysis.whatif.sensitivity import SensitivityResult, sensitivity
from wwc_analysis.whatif.tier_engine import evaluate
from wwc_analysis.whatif.uncertain_inputs import Design, UncertainInputs, decode, sample_unit

__all__ = ["CityStability", "city_stability"]


@dataclass(frozen=True)
class CityStability:
    """One city under the declared uncertainty.

    ``shares``: the share of runs at each tier (Not certified ... Platinum); ``baseline``: its tier
    code under the standard as it is; ``decisive``: per criterion (the standard's order) the share
    of runs in which its status decides the tier; ``decisive_baseline``: whether it decides the tier
    under the standard as it is; ``sensitivity``: the indices of the inputs on its tier, or None.
    """

    label: str
    standard: Standard
    inputs: UncertainInputs
    met: tuple[str, ...]
    outcome_met: bool
    baseline: int
    shares: np.ndarray
    decisive: np.ndarray
    decisive_baseline: np.ndarray
    runs: int
    simulated: bool
    sensitivity: SensitivityResult | None = None

    @property
    def tier(self) -> str:
        return SCORE_TIERS[self.baseline]

    @property
    def flip_rate(self) -> float:
        """Share of runs in which the city is not at its tier under the standard as it is."""
        return float(1.0 - self.shares[self.baseline])

    def distribution(self) -> pd.Series:
        """The share of runs at each tier."""
        s = pd.Series(self.shares, index=list(SCORE_TIERS), name="share of runs")
        s.attrs["simulated"] = self.simulated
        return s

    def decisive_table(self, top: int | None = None) -> pd.DataFrame:
        """The criteria ranked by the share of runs in which their status decides the city's tier
        (ties in the standard's order): ``status`` (met / not met), ``practice_area``,
        ``decisive_share``, ``effect`` (what flipping it does) and ``decisive_now`` (it decides the
        tier under the standard as it is). Criteria that never decide are left out."""
        std = self.standard
        met = np.isin(np.array(std.criteria), self.met)
        frame = pd.DataFrame(
            {
                "status": np.where(met, "met", "not met"),
                "practice_area": list(std.practice_areas),
                "decisive_share": self.decisive,
                "effect": np.where(met, "losing it lowers the tier", "meeting it raises the tier"),
                "decisive_now": self.decisive_baseline,
                "order": np.arange(std.criteria_count),
            },
            index=pd.Index(std.criteria, name="criterion"),
        )
        frame = frame[frame["decisive_share"] > 0].sort_values(
            ["decisive_share", "order"], ascending=[False, True]
        )
        frame = frame.drop(columns="order")
        frame.attrs["simulated"] = self.simulated
        return frame if top is None else frame.head(top)


def _flipped(codes: tuple[str, ...], std: Standard) -> np.ndarray:
    """The city's row, then the row with each criterion's status flipped (1 + criteria rows)."""
    row = np.isin(np.array(std.criteria), codes)
    rows = np.tile(row, (std.criteria_count + 1, 1))
    idx = np.arange(std.criteria_count)
    rows[idx + 1, idx] = ~row
    return rows


def city_stability(
    met: Iterable[str],
    inputs: UncertainInputs,
    standard: Standard,
    *,
    outcome_met: bool = True,
    label: str = "the city",
    samples: int = 4096,
    seed: int | None = 2022,
    method: str = "sobol",
    simulated: bool = False,
    sensitivity_samples: int | None = None,
    bootstrap: int = 200,
    criteria: str = "area",
) -> CityStability:
    """The stability of the city meeting ``met`` (codes of ``standard``; ``outcome_met`` its
    outcome flag) under ``inputs``: see the module docstring and :class:`CityStability`.
    ``simulated`` says whether the city comes from simulated data (it labels the results)."""
    std = require_standard(standard, "city_stability")
    inputs.check(std)
    codes = met_codes(met, std)
    rows = _flipped(codes, std)
    outcome = np.full(len(rows), bool(outcome_met))
    design = decode(sample_unit(samples, len(inputs.dimensions(std)), seed, method), inputs, std)
    tiers = evaluate((rows, outcome), design, std)
    now = evaluate((rows, outcome), Design.baseline(std), std)[:, 0]
    shares = np.bincount(tiers[0], minlength=4) / len(design)
    sens = None
    if sensitivity_samples:
        sens = sensitivity(
            (rows[:1], outcome[:1]),
            inputs,
            std,
            samples=sensitivity_samples,
            seed=seed,
            method=method,
            criteria=criteria,
            bootstrap=bootstrap,
            output="tier",
        )
    return CityStability(
        label=label,
        standard=std,
        inputs=inputs,
        met=codes,
        outcome_met=bool(outcome_met),
        baseline=int(now[0]),
        shares=shares,
        decisive=(tiers[1:] != tiers[0]).mean(axis=1),
        decisive_baseline=now[1:] != now[0],
        runs=len(design),
        simulated=simulated,
        sensitivity=sens,
    )
