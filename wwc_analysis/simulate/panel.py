"""Fictional cities through the rounds held under the 2022 standard: entry, re-application, outcomes.

:func:`simulate` returns a :class:`SimulatedPanel` (the long assessment frame of the contract and the
fictional cities with their latent draws); :func:`reapplication_outcomes` says what each assessment
means for its city given the city's earlier assessments. Everything here is SIMULATED.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wwc_analysis.rules.scoring import SCORE_TIERS, score_matrix
from wwc_analysis.rules.standards import Standard, get_standard
from wwc_analysis.simulate.model import (
    _AREA_LIMIT,
    _CAP_LIMIT,
    DEFAULT_N_CITIES,
    DEFAULT_SEED,
    STANDARD,
    SimulationParameters,
    _draw_met,
    _draw_outcome,
    _luck,
    _model,
    _quantise,
)

if TYPE_CHECKING:  # pragma: no cover
    from wwc_analysis.data.load import Dataset

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


def simulated_rounds(data: Dataset | None = None, standard: str = STANDARD) -> pd.DataFrame:
    """The rounds held under ``standard`` with the weight of each as an entry round.

    Columns ``round_id, announced, years`` (since the first such round) ``, entry_weight``. The weight is
    the round's reported number of new certifications (an assumption: applicant inflow tracks new
    certifications); a round without the figure gets the mean of the others.
    """
    rounds = _data(data).rounds
    r = rounds[rounds["standard"].astype(str) == str(standard)].sort_values("announced", kind="stable")
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


def _data(data: Dataset | None) -> Dataset:
    if data is not None:
        return data
    from wwc_analysis.data.load import load

    return load()


def _city_ids(n: int) -> np.ndarray:
    width = max(4, len(str(n)))
    return np.array([f"{CITY_PREFIX}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def simulate(n_cities: int = DEFAULT_N_CITIES, seed: int = DEFAULT_SEED, data: Dataset | None = None,
             params: SimulationParameters | None = None) -> SimulatedPanel:
    """Simulate ``n_cities`` fictional cities through the rounds held under the 2022 standard.

    Each city enters in one round (weights of :func:`simulated_rounds`), is assessed, and re-applies in
    each later round with probability ``reapply_certified`` or ``reapply_not_certified`` depending on its
    latest result. Vectorised over cities; one step per round. Same ``seed`` -> identical frames.
    """
    n = int(n_cities)
    if n < 1:
        raise ValueError(f"n_cities must be >= 1, got {n}")
    data = _data(data)
    std = get_standard(STANDARD, data)
    model = _model(std, params)
    p = model.params
    rounds = simulated_rounds(data)
    years = rounds["years"].to_numpy()
    k, n_rounds = len(std.criteria), len(rounds)

    rng = np.random.default_rng(seed)
    entry = rng.choice(n_rounds, size=n, p=rounds["entry_weight"].to_numpy())
    capacity0 = rng.normal(p.capacity_mean, p.capacity_sd, n)
    growth = np.maximum(rng.normal(p.growth_mean, p.growth_sd, n), 0.0)
    q_area = _quantise(rng.normal(0.0, p.area_sd, (n, len(model.areas))), _AREA_LIMIT)
    luck = _luck(rng, (n, k))
    outcome_luck = _luck(rng, n)

    base = capacity0.copy()  # entry capacity less any setbacks so far
    setbacks = np.zeros(n, dtype=np.int64)
    last_tier = np.full(n, -1, dtype=np.int8)  # -1: not assessed yet
    parts: list[tuple[np.ndarray, int, np.ndarray, np.ndarray]] = []
    for t in range(n_rounds):
        # draws for every city each round, so a city's draws do not depend on the others' choices
        apply_u = rng.random(n)
        setback_u = rng.random(n)
        redraw = rng.random((n, k)) < p.redraw_share
        fresh = _luck(rng, (n, k))
        returning = (last_tier >= 0) & (apply_u < np.where(last_tier > 0, p.reapply_certified, p.reapply_not_certified))
        luck = np.where(returning[:, None] & redraw, fresh, luck)
        setback = returning & (setback_u < p.setback_share)
        base = base - p.setback_size * setback
        setbacks += setback
        rows = np.flatnonzero((entry == t) | returning)
        if rows.size == 0:
            continue
        capacity = base[rows] + growth[rows] * (years[t] - years[entry[rows]])
        met = _draw_met(model, _quantise(capacity, _CAP_LIMIT), q_area[rows], luck[rows])
        outcome = _draw_outcome(model, capacity, outcome_luck[rows])
        last_tier[rows] = score_matrix(met, std, outcome).tier
        parts.append((rows, t, met, outcome))

    city_idx = np.concatenate([r for r, _, _, _ in parts])
    round_idx = np.concatenate([np.full(len(r), t) for r, t, _, _ in parts])
    met = np.concatenate([m for _, _, m, _ in parts])
    outcome = np.concatenate([o for _, _, _, o in parts])
    order = np.lexsort((round_idx, city_idx))
    city_idx, round_idx, met, outcome = city_idx[order], round_idx[order], met[order], outcome[order]

    ids = _city_ids(n)
    round_ids = rounds["round_id"].to_numpy(dtype=object)
    m = len(city_idx)
    assessments = pd.DataFrame(
        {
            "city_id": pd.array(np.repeat(ids[city_idx], k), dtype="string"),
            "round_id": pd.array(np.repeat(round_ids[round_idx], k), dtype="string"),
            "criterion": pd.array(np.tile(np.array(std.criteria, dtype=object), m), dtype="string"),
            "met": met.reshape(-1),
            "outcome_met": np.repeat(outcome, k),
            "simulated": np.ones(m * k, dtype=bool),
        }
    )
    assessments.attrs["simulated"] = True
    cities = pd.DataFrame(
        {
            "city_id": pd.array(ids, dtype="string"),
            "city": pd.array([f"{CITY_NAME_PREFIX} {s[len(CITY_PREFIX):]}" for s in ids], dtype="string"),
            "entry_round": pd.array(round_ids[entry], dtype="string"),
            "entry_capacity": capacity0.round(4),
            "growth_per_year": growth.round(4),
            "setbacks": setbacks,
            "assessments": np.bincount(city_idx, minlength=n).astype(np.int64),
            "simulated": np.ones(n, dtype=bool),
        }
    )
    cities.attrs["simulated"] = True
    return SimulatedPanel(assessments, cities, n, int(seed), p, std)


def simulate_assessments(n_cities: int = DEFAULT_N_CITIES, seed: int = DEFAULT_SEED,
                         data: Dataset | None = None, params: SimulationParameters | None = None) -> pd.DataFrame:
    """The long assessment frame of :func:`simulate`: ``city_id, round_id, criterion, met, outcome_met,
    simulated`` (all ``True``), sorted by city, round and criterion order; ``attrs["simulated"] = True``."""
    return simulate(n_cities, seed, data, params).assessments


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
    codes = pd.Series(np.asarray(pd.Categorical(df["tier"], categories=SCORE_TIERS).codes), index=df.index)
    if (codes < 0).any():
        raise ValueError("tier has values outside Not certified / Silver / Gold / Platinum")
    order = np.lexsort((df["round_id"].astype(str).to_numpy(), df["city_id"].astype(str).to_numpy()))
    city = df["city_id"].astype(str).to_numpy()[order]
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
    return pd.Series(pd.Categorical(result, dtype=REAPPLICATION_DTYPE), index=scores.index, name="reapplication")
