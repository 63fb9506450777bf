"""Exact tier probabilities when some criteria are uncertain.

:func:`tier_probabilities`: the exact probability of each tier when criteria are met with given
(independent) probabilities, respecting the core and outcome gates; a Poisson-binomial dynamic
programme (:func:`count_distribution`) vectorised over cities. :func:`tier_probability_frame` and
:func:`city_tier_probabilities` wrap it for a frame and for one city.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from wwc_analysis.rules.scoring import SCORE_TIERS, threshold_tiers
from wwc_analysis.rules.standards import TIERS, Standard, require_standard, tier_code
from wwc_analysis.whatif.paths import met_codes
from wwc_analysis.whatif.scenarios import check_criteria

__all__ = [
    "city_tier_probabilities",
    "count_distribution",
    "tier_probabilities",
    "tier_probability_frame",
]


def count_distribution(p) -> tuple[np.ndarray, np.ndarray]:
    """Distribution of the number of criteria met, per city, for independent criteria met with
    probabilities ``p`` (shape cities x criteria).

    Returns ``(base, dist)``: ``base[i]`` is the number of certain criteria (p == 1) of city ``i``
    and ``dist[i, j]`` the probability that exactly ``j`` of its uncertain criteria (0 < p < 1) are
    met, so ``P(count = base + j) = dist[:, j]``. ``dist`` has ``U + 1`` columns, ``U`` the largest
    number of uncertain criteria of any city: certain criteria never enter the dynamic programme, so
    its cost is ``cities x U^2``, not ``cities x criteria^2``.

    The Poisson-binomial recursion: after criterion ``q``, ``P_new(j) = P(j) (1 - q) + P(j - 1) q``,
    exact up to floating-point rounding (no approximation).
    """
    P = np.asarray(p, dtype=np.float64)
    if P.ndim != 2:
        raise ValueError(f"probabilities must have shape (cities, criteria), got {P.shape}")
    if np.isnan(P).any() or (P < 0).any() or (P > 1).any():
        raise ValueError("probabilities must lie in [0, 1] (no NaN)")
    n = P.shape[0]
    certain = P == 1.0
    uncertain = (P > 0.0) & ~certain
    base = certain.sum(axis=1).astype(np.int64)
    per_row = uncertain.sum(axis=1)
    U = int(per_row.max()) if n else 0
    # pack each row's uncertain probabilities to the left; padding with 0 leaves the distribution
    Q = np.zeros((n, U), dtype=np.float64)
    if U:
        pos = np.cumsum(uncertain, axis=1) - 1
        r, c = np.nonzero(uncertain)
        Q[r, pos[r, c]] = P[r, c]
    dist = np.zeros((n, U + 1), dtype=np.float64)
    dist[:, 0] = 1.0
    for j in range(U):
        q = Q[:, j : j + 1]
        head = dist[:, : j + 1] * q  # mass moving up by one
        dist[:, : j + 1] *= 1.0 - q
        dist[:, 1 : j + 2] += head
    return base, dist


def _gated_counts(P: np.ndarray, std: Standard) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """``(gate, offset, base, dist)``: the probability that every core criterion is met (1 without
    the core gate), the count they add, and :func:`count_distribution` of the other criteria."""
    if std.core_required and std.core:
        core_idx = [std.criteria.index(c) for c in std.core]
        rest_idx = [i for i in range(std.criteria_count) if i not in set(core_idx)]
        if np.isnan(P[:, core_idx]).any():
            raise ValueError("probabilities must lie in [0, 1] (no NaN)")
        base, dist = count_distribution(P[:, rest_idx])
        return P[:, core_idx].prod(axis=1), len(core_idx), base, dist
    base, dist = count_distribution(P)
    return np.ones(P.shape[0]), 0, base, dist


def tier_probabilities(p, outcome, standard: Standard) -> np.ndarray:
    """Exact probability of each tier (Not certified, Silver, Gold, Platinum) per city.

    ``p``: probability that each criterion will be met, shape (cities, criteria) in ``standard``'s
    order (or one city as a 1-D array); certain criteria are 0 or 1. ``outcome``: probability that
    the outcome requirement will be met (scalar or one per city; 1.0 when it is certain). Criteria
    and the outcome are taken as independent.

    With the core gate on, a city is certified only if every core criterion is met: the probability
    is ``P(all core met) * P(outcome) * P(threshold tier of |core| + N = t)`` with ``N`` the number
    of non-core criteria met (given all core met, the count is ``|core| + N``). With the gate off,
    ``N`` counts all criteria. The threshold tier of each possible count comes from
    :func:`~wwc_analysis.rules.scoring.threshold_tiers` (the exact integer rule). Returns shape
    (cities, 4) (or (4,) for 1-D input); each row sums to 1.
    """
    std = require_standard(standard, "tier_probabilities")
    P = np.asarray(p, dtype=np.float64)
    one = P.ndim == 1
    P = np.atleast_2d(P)
    if P.shape[1] != std.criteria_count:
        raise ValueError(
            f"probabilities have {P.shape[1]} columns but standard {std.name} has "
            f"{std.criteria_count} criteria"
        )
    n = P.shape[0]
    out_p = np.broadcast_to(np.asarray(outcome, dtype=np.float64), (n,))
    if np.isnan(out_p).any() or (out_p < 0).any() or (out_p > 1).any():
        raise ValueError("the outcome probability must lie in [0, 1]")
    gate, offset, base, dist = _gated_counts(P, std)
    if std.outcome_required:
        gate = gate * out_p
    # threshold tier of every possible count 0..total, by the scoring rule itself
    codes = threshold_tiers(np.arange(std.criteria_count + 1), std)
    counts = base[:, None] + offset + np.arange(dist.shape[1])[None, :]
    tiers = codes[np.minimum(counts, std.criteria_count)]  # (n, U + 1)
    probs = np.zeros((n, 4), dtype=np.float64)
    for t in (1, 2, 3):
        probs[:, t] = gate * np.where(tiers == t, dist, 0.0).sum(axis=1)
    probs[:, 0] = (1.0 - gate) + gate * np.where(tiers == 0, dist, 0.0).sum(axis=1)
    return probs[0] if one else probs


def tier_probability_frame(
    probabilities: pd.DataFrame, standard: Standard, outcome_column: str = "outcome"
) -> pd.DataFrame:
    """:func:`tier_probabilities` for a frame with one column per criterion of ``standard`` (and
    optionally ``outcome_column``, default probability 1); returns one row per city with the four
    tier columns and ``at_least_silver / gold / platinum``."""
    std = require_standard(standard, "tier_probability_frame")
    named = [c for c in probabilities.columns if c != outcome_column and c != "simulated"]
    check_criteria(named, std, "probability frame")
    missing = [c for c in std.criteria if c not in probabilities.columns]
    if missing:
        raise ValueError(f"probability frame lacks criterion column(s) {missing}")
    if outcome_column in probabilities.columns:
        out = probabilities[outcome_column].to_numpy(dtype=float)
    else:
        out = 1.0
    p = probabilities[list(std.criteria)].to_numpy(dtype=float)
    frame = pd.DataFrame(
        tier_probabilities(p, out, std), index=probabilities.index, columns=list(SCORE_TIERS)
    )
    for t in TIERS:
        frame[f"at_least_{t.lower()}"] = frame.loc[:, list(SCORE_TIERS[tier_code(t) :])].sum(axis=1)
    return frame


def city_tier_probabilities(
    met: Iterable[str],
    uncertain: Mapping[str, float],
    outcome: float,
    standard: Standard,
) -> pd.Series:
    """Tier probabilities of one city under ``standard``: ``met`` are certain, ``uncertain`` maps
    codes to the probability of being met (overriding ``met``), every other criterion is certainly
    unmet; ``outcome`` is the probability that the outcome requirement is met (1.0: certain).
    Returns a Series over the four tiers."""
    std = require_standard(standard, "city_tier_probabilities")
    have = met_codes(met, std)
    check_criteria(list(uncertain), std, "uncertain criteria")
    p = np.isin(np.array(std.criteria), have).astype(float)
    for c, v in uncertain.items():
        v = float(v)
        if not 0 <= v <= 1:
            raise ValueError(f"probability of {c} must lie in [0, 1], got {v}")
        p[std.criteria.index(c)] = v
    probs = tier_probabilities(p, outcome, std)
    return pd.Series(probs, index=list(SCORE_TIERS), name="probability")
