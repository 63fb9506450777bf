"""Fictional cities through the rounds held under the 2022 standard: entry, re-applications.

:func:`simulate` returns a :class:`SimulatedPanel` (the long assessment frame of the contract and
the fictional cities with their latent draws); :func:`reapplication_outcomes` says what each
assessment means for its city given the city's earlier assessments. Everything here is SIMULATED.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wwc_analysis.data.dataset import Dataset, require_dataset
from wwc_analysis.rules.scoring import SCORE_TIERS, score_matrix
from wwc_analysis.rules.standards import Standard, get_standard
from wwc_analysis.simulate.model import (
    DEFAULT_N_CITIES,
    DEFAULT_SEED,
    STANDARD,
    Model,
    SimulationParameters,
    compile_model,
    draw_area_strengths,
    draw_luck,
    draw_met,
    draw_outcome,
)

#: Every simulated city id starts with this (real ids are ``<city>-<region>-<cc>`` slugs).
CITY_PREFIX = "sim-"
CITY_NAME_PREFIX = "Simulated City"
#: The columns of the assessment frame (the assessments contract of docs/architecture.md).
ASSESSMENT_COLUMNS = ("city_id", "round_id", "criterion", "met", "outcome_met", "simulated")


@dataclass(frozen=True)
class SimulatedPanel:
    """A simulation: the long ``assessments`` frame (contract columns) and the fictional ``cities``.

    ``cities`` has ``city_id, city, entry_round, entry_capacity, growth_per_year, setbacks,
    assessments, simulated``: the latent draws, so that analyses can check what the scores recover.
    """

    assessments: pd.DataFrame
    cities: pd.DataFrame
    n_cities: int
    seed: int
    params: SimulationParameters
    standard: Standard = field(repr=False)


def simulated_rounds(data: Dataset, standard: str = STANDARD) -> pd.DataFrame:
    """The rounds of ``data`` held under ``standard`` with the weight of each as an entry round.

    Columns ``round_id, announced, years`` (since the first such round) ``, entry_weight``. The
    weight is the round's reported number of new certifications (an assumption: applicant inflow
    tracks new certifications); a round without the figure gets the mean of the others.
    """
    rounds = require_dataset(data, "simulated_rounds").rounds
    r = rounds[rounds["standard"].astype(str) == str(standard)]
    r = r.sort_values("announced", kind="stable")
    if r.empty:
        raise ValueError(f"the rounds table has no round under standard {standard}")
    announced = pd.to_datetime(r["announced"])
    new = pd.to_numeric(r["reported_new"], errors="coerce").astype(float)
    new = new.fillna(new.mean() if new.notna().any() else 1.0)
    return pd.DataFrame(
        {
            "round_id": r["round_id"].astype(str).to_numpy(),
            "announced": announced.to_numpy(),
            "years": ((announced - announced.iloc[0]).dt.days / 365.25).to_numpy(),
            "entry_weight": (new / new.sum()).to_numpy(),
        }
    )


def _city_ids(n: int) -> np.ndarray:
    width = max(4, len(str(n)))
    return np.array([f"{CITY_PREFIX}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


@dataclass
class _Cities:
    """The fictional cities' latent draws, and their state between rounds."""

    entry: np.ndarray  # (n,) index of the entry round
    capacity0: np.ndarray  # (n,) capacity at entry
    growth: np.ndarray  # (n,) capacity gained per year
    q_area: np.ndarray  # (n, areas) int16 strength in each practice area
    luck: np.ndarray  # (n, k) uint16, partly redrawn at each re-assessment
    outcome_luck: np.ndarray  # (n,) uint16
    base: np.ndarray  # (n,) entry capacity less any setbacks so far
    setbacks: np.ndarray  # (n,) int64
    last_tier: np.ndarray  # (n,) int8 tier code of the latest assessment, -1: not assessed yet


def _draw_cities(
    model: Model, entry_weight: np.ndarray, rng: np.random.Generator, n: int
) -> _Cities:
    """The draws made once per city, in a fixed order (the seed's bytes depend on it)."""
    p = model.params
    entry = rng.choice(len(entry_weight), size=n, p=entry_weight)
    capacity0 = rng.normal(p.capacity_mean, p.capacity_sd, n)
    growth = np.maximum(rng.normal(p.growth_mean, p.growth_sd, n), 0.0)
    q_area = draw_area_strengths(model, rng, n)
    luck = draw_luck(rng, (n, len(model.standard.criteria)))
    outcome_luck = draw_luck(rng, n)
    return _Cities(
        entry,
        capacity0,
        growth,
        q_area,
        luck,
        outcome_luck,
        base=capacity0.copy(),
        setbacks=np.zeros(n, dtype=np.int64),
        last_tier=np.full(n, -1, dtype=np.int8),
    )


def _assess_round(
    model: Model, cities: _Cities, rng: np.random.Generator, t: int, years: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Round ``t``: who re-applies, setbacks, redrawn luck; ``(rows, met, outcome)`` of the cities
    assessed (``None`` when none is). Updates ``cities`` in place."""
    p = model.params
    n, k = cities.luck.shape
    # draws for every city each round, so a city's draws do not depend on the others' choices
    apply_u = rng.random(n)
    setback_u = rng.random(n)
    redraw = rng.random((n, k)) < p.redraw_share
    fresh = draw_luck(rng, (n, k))
    p_apply = np.where(cities.last_tier > 0, p.reapply_certified, p.reapply_not_certified)
    returning = (cities.last_tier >= 0) & (apply_u < p_apply)
    cities.luck = np.where(returning[:, None] & redraw, fresh, cities.luck)
    setback = returning & (setback_u < p.setback_share)
    cities.base = cities.base - p.setback_size * setback
    cities.setbacks += setback
    rows = np.flatnonzero((cities.entry == t) | returning)
    if rows.size == 0:
        return None
    capacity = cities.base[rows] + cities.growth[rows] * (years[t] - years[cities.entry[rows]])
    met = draw_met(model, capacity, cities.q_area[rows], cities.luck[rows])
    outcome = draw_outcome(model, capacity, cities.outcome_luck[rows])
    cities.last_tier[rows] = score_matrix(met, model.standard, outcome).tier
    return rows, met, outcome


def _assessment_frame(
    parts: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]],
    ids: np.ndarray,
    round_ids: np.ndarray,
    criteria: tuple[str, ...],
) -> pd.DataFrame:
    """The long frame of the contract from each round's ``(t, rows, met, outcome)``, sorted by
    city, round and criterion order."""
    city_idx = np.concatenate([r for _, r, _, _ in parts])
    round_idx = np.concatenate([np.full(len(r), t) for t, r, _, _ in parts])
    met = np.concatenate([m for _, _, m, _ in parts])
    outcome = np.concatenate([o for _, _, _, o in parts])
    order = np.lexsort((round_idx, city_idx))
    city_idx, round_idx = city_idx[order], round_idx[order]
    met, outcome = met[order], outcome[order]
    k, m = len(criteria), len(city_idx)
    assessments = pd.DataFrame(
        {
            "city_id": pd.array(np.repeat(ids[city_idx], k), dtype="string"),
            "round_id": pd.array(np.repeat(round_ids[round_idx], k), dtype="string"),
            "criterion": pd.array(np.tile(np.array(criteria, dtype=object), m), dtype="string"),
            "met": met.reshape(-1),
            "outcome_met": np.repeat(outcome, k),
            "simulated": np.ones(m * k, dtype=bool),
        }
    )
    assessments.attrs["simulated"] = True
    return assessments


def _cities_frame(
    cities: _Cities, ids: np.ndarray, round_ids: np.ndarray, assessed: np.ndarray
) -> pd.DataFrame:
    """One row per fictional city with its latent draws; ``assessed`` counts its assessments."""
    names = [f"{CITY_NAME_PREFIX} {s[len(CITY_PREFIX) :]}" for s in ids]
    frame = pd.DataFrame(
        {
            "city_id": pd.array(ids, dtype="string"),
            "city": pd.array(names, dtype="string"),
            "entry_round": pd.array(round_ids[cities.entry], dtype="string"),
            "entry_capacity": cities.capacity0.round(4),
            "growth_per_year": cities.growth.round(4),
            "setbacks": cities.setbacks,
            "assessments": assessed.astype(np.int64),
            "simulated": np.ones(len(ids), dtype=bool),
        }
    )
    frame.attrs["simulated"] = True
    return frame


def simulate(
    data: Dataset,
    n_cities: int = DEFAULT_N_CITIES,
    seed: int = DEFAULT_SEED,
    params: SimulationParameters | None = None,
) -> SimulatedPanel:
    """Simulate ``n_cities`` fictional cities through the rounds of ``data`` held under the 2022
    standard (the standard, its criteria and the rounds come from ``data``).

    Each city enters in one round (weights of :func:`simulated_rounds`), is assessed, and re-applies
    in each later round with probability ``reapply_certified`` or ``reapply_not_certified``
    depending on its latest result. Vectorised over cities; one step per round. Same ``seed`` ->
    identical frames.
    """
    n = int(n_cities)
    if n < 1:
        raise ValueError(f"n_cities must be >= 1, got {n}")
    std = get_standard(STANDARD, require_dataset(data, "simulate"))
    model = compile_model(std, params)
    rounds = simulated_rounds(data)
    years = rounds["years"].to_numpy()
    rng = np.random.default_rng(seed)
    cities = _draw_cities(model, rounds["entry_weight"].to_numpy(), rng, n)
    parts = []
    for t in range(len(rounds)):
        step = _assess_round(model, cities, rng, t, years)
        if step is not None:
            parts.append((t, *step))
    ids = _city_ids(n)
    round_ids = rounds["round_id"].to_numpy(dtype=object)
    assessments = _assessment_frame(parts, ids, round_ids, std.criteria)
    assessed = np.bincount(np.concatenate([r for _, r, _, _ in parts]), minlength=n)
    cities_frame = _cities_frame(cities, ids, round_ids, assessed)
    return SimulatedPanel(assessments, cities_frame, n, int(seed), model.params, std)


def simulate_assessments(
    data: Dataset,
    n_cities: int = DEFAULT_N_CITIES,
    seed: int = DEFAULT_SEED,
    params: SimulationParameters | None = None,
) -> pd.DataFrame:
    """The long assessment frame of :func:`simulate`: ``city_id, round_id, criterion, met,
    outcome_met, simulated`` (all ``True``), sorted by city, round and criterion order;
    ``attrs["simulated"] = True``."""
    return simulate(data, n_cities, seed, params).assessments


#: What an assessment means for its city (:func:`reapplication_outcomes`), in this order.
REAPPLICATION_OUTCOMES = (
    "first assessment",
    "new after earlier attempt",
    "not certified again",
    "upgraded",
    "recertified",
    "lower",
    "failed",
)
REAPPLICATION_DTYPE = pd.CategoricalDtype(list(REAPPLICATION_OUTCOMES))


def reapplication_outcomes(scores: pd.DataFrame) -> pd.Series:
    """What each assessment means for the city, given its earlier assessments in the frame.

    ``first assessment``; for a city never certified before: ``new after earlier attempt`` or
    ``not certified again``; for a city certified before (compared with its latest certified tier):
    ``upgraded``, ``recertified`` (same tier), ``lower`` (certified at a lower tier) or ``failed``.
    Rounds are ordered by ``round_id`` (``YYYY-MM``). Returns a categorical aligned with ``scores``.
    """
    df = scores.reset_index() if "city_id" not in scores.columns else scores
    tier_codes = np.asarray(pd.Categorical(df["tier"], categories=SCORE_TIERS).codes)
    codes = pd.Series(tier_codes, index=df.index)
    if (codes < 0).any():
        raise ValueError("tier has values outside Not certified / Silver / Gold / Platinum")
    city = df["city_id"].astype(str).to_numpy()
    order = np.lexsort((df["round_id"].astype(str).to_numpy(), city))
    city = city[order]
    tier = codes.to_numpy()[order]
    first = np.r_[True, city[1:] != city[:-1]] if len(city) else np.zeros(0, dtype=bool)
    pos = np.arange(len(tier))
    start = np.maximum.accumulate(np.where(first, pos, 0)) if len(city) else pos
    # position of the latest certified assessment strictly before each row (-1: none)
    last_cert = np.maximum.accumulate(np.where(tier > 0, pos, -1)) if len(city) else pos
    prev = np.r_[-1, last_cert[:-1]] if len(city) else pos
    never = prev < start
    held = np.where(never, np.nan, tier[np.maximum(prev, 0)])
    out = np.select(
        [
            first,
            never & (tier > 0),
            never,
            tier == 0,
            tier > np.nan_to_num(held),
            tier == np.nan_to_num(held),
        ],
        [REAPPLICATION_OUTCOMES[i] for i in (0, 1, 2, 6, 3, 4)],
        default="lower",
    )
    result = np.empty(len(out), dtype=object)
    result[order] = out
    categorical = pd.Categorical(result, dtype=REAPPLICATION_DTYPE)
    return pd.Series(categorical, index=scores.index, name="reapplication")
