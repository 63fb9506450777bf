"""Seeded generator of **fictional** applicant cities assessed under the 2022 standard, and its calibration.

Real cities' criterion-level results are not public, so the project simulates them. Everything made
here is SIMULATED: the cities are fictional (ids ``sim-0001``, ``sim-0002`` ... and display names
``Simulated City 0001`` ...; no real city id has the ``sim-`` prefix and no real city is modelled),
every frame carries a ``simulated`` column that is ``True`` and ``attrs["simulated"] = True``, and
scoring carries the flag through. Tiers are never assigned: they come from
:func:`wwc_analysis.scoring.score_matrix` applied to the simulated criteria.

The model (``docs/simulation.md`` has the parameter table, the reasons and the calibration)
------------------------------------------------------------------------------------------
A latent-variable (probit) model on one scale, in units of the criterion-level noise:

* criterion ``j`` has a *difficulty* ``d_j``: a base by practice area (Data Management and Leadership
  easier, Results-Driven Contracting and Evaluations harder: an assumption), a small step up within the
  area (later-numbered criteria build on earlier ones), and lower for the three core criteria;
* city ``i`` has a *capacity* ``c_i`` drawn when it first applies, growing by ``g_i >= 0`` per year
  (years between announcement dates of the rounds table), and a strength ``a_ik`` in each practice
  area ``k`` (cities are uneven across practices);
* criterion ``j`` is met when ``c_i + a_ik - d_j > e_ij`` with ``e_ij ~ N(0, 1)``, drawn as the uniform
  "luck" ``u_ij`` of the city on that criterion: met when ``u_ij < Phi(c_i + a_ik - d_j)``. The luck is
  kept between rounds (a practice a city has stays) and redrawn for a share of criteria at each
  re-assessment (documentation, assessors and staff change): so capacity growth produces upgrades,
  and the redraw produces the occasional lower result;
* the outcome requirement is met when ``v_i < Phi((c_i - outcome_threshold) / outcome_scale)``, with a
  per-city uniform ``v_i`` kept across rounds: its probability rises with capacity;
* cities enter in different rounds (weights proportional to each round's reported number of new
  certifications), and after each assessment re-apply in each later round with a probability that
  depends on whether they were certified.

Exactness and speed
-------------------
Latent values are quantised to a grid of 1/64 unit and the probit is a 16-bit lookup table, so the hot
path is integer arithmetic (no transcendental function per cell): :func:`simulate_matrix` produces a
million 43-criterion assessments in a fraction of a second, and results are identical on every platform
for a given seed and numpy version. Only ``numpy.random.default_rng(seed)`` is used.

API
---
:func:`simulate_matrix` (large-scale work), :func:`simulate` / :func:`simulate_assessments` (the long
assessment frame of the contract and the fictional cities), :func:`reapplication_outcomes`,
:func:`public_targets`, :func:`calibration`, :func:`write_simulated` and the ``wwc simulate`` command
(:func:`register`).
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wwc_analysis.rules.scoring import SCORE_TIERS, score, score_matrix
from wwc_analysis.rules.standards import Standard, get_standard

if TYPE_CHECKING:  # pragma: no cover
    from wwc_analysis.data.load import Dataset

#: Bump when the model or the output format changes: the shipped files then change too.
GENERATOR_VERSION = "1.0.0"
#: Seed and size of the shipped ``data/simulated/`` files.
DEFAULT_SEED = 2022
DEFAULT_N_CITIES = 500
#: The standard the simulated rounds are held under.
STANDARD = "2022"
#: Every simulated city id starts with this (real ids are ``<city>-<region>-<cc>`` slugs).
CITY_PREFIX = "sim-"
CITY_NAME_PREFIX = "Simulated City"
ASSESSMENT_COLUMNS = ("city_id", "round_id", "criterion", "met", "outcome_met", "simulated")

# --- quantised probit -------------------------------------------------------------------------------
GRID = 64  # latent steps per unit
_CAP_LIMIT = 6.0  # |capacity| is clipped here (never reached in practice: 6 sd above the mean)
_AREA_LIMIT = 3.0  # |area strength|
_DIFF_LIMIT = 4.0  # |difficulty|
_OFFSET = int((_CAP_LIMIT + _AREA_LIMIT + _DIFF_LIMIT) * GRID)  # table index of latent value 0
_LUCK_HIGH = 1 << 16  # uniforms are 16-bit integers 0..65535


@lru_cache(maxsize=1)
def _probit_table() -> np.ndarray:
    """``T[i] = round(65536 * Phi((i - OFFSET) / GRID))`` capped at 65535: P(u < T[i]) = T[i] / 65536."""
    x = (np.arange(2 * _OFFSET + 1) - _OFFSET) / GRID
    phi = np.array([0.5 * math.erfc(-v / math.sqrt(2.0)) for v in x])
    table = np.minimum(np.rint(phi * _LUCK_HIGH), _LUCK_HIGH - 1).astype(np.uint16)
    table.flags.writeable = False
    return table


def _quantise(x: np.ndarray, limit: float) -> np.ndarray:
    """Latent values to grid steps (int16), clipped to ``+-limit`` units."""
    y = np.multiply(x, GRID, dtype=np.float64)  # a fresh array: the in-place steps below do not touch x
    np.rint(y, out=y)
    np.clip(y, -limit * GRID, limit * GRID, out=y)
    return y.astype(np.int16)


def _luck(rng: np.random.Generator, shape) -> np.ndarray:
    return rng.integers(0, _LUCK_HIGH, size=shape, dtype=np.uint16)


# --- parameters -------------------------------------------------------------------------------------

#: Base difficulty of each practice area of the 2022 standard (latent units). An assumption, see
#: ``SimulationParameters.area_difficulty`` and docs/simulation.md for the reasons.
AREA_DIFFICULTY_2022: tuple[tuple[str, float], ...] = (
    ("Data Management", -0.60),
    ("Leadership and Capacity", -0.50),
    ("Open Data", -0.30),
    ("Performance and Analytics", -0.10),
    ("Data-Driven Budget and Finance", 0.15),
    ("Community Impact", 0.20),
    ("Results-Driven Contracting", 0.90),
    ("Evaluations", 1.60),
)


def _param(default, doc: str):
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True)
class SimulationParameters:
    """Every parameter of the model, with its value and why (latent units = criterion-level noise sd).

    Change one with ``dataclasses.replace(SimulationParameters(), growth_mean=0.5)``; the shipped
    files use the defaults. ``parameters_table()`` lists them with their documentation.
    """

    capacity_mean: float = _param(
        -0.10,
        "Mean capacity of a city at its first assessment: a first-time applicant meets 20 of 43 "
        "criteria on average and about 40 % reach Silver or better by share (22 criteria), which with "
        "re-applications gives the 'a bit under half certified' of the public record.",
    )
    capacity_sd: float = _param(
        0.45,
        "Spread of capacity between applicants (criteria met at a first assessment: sd about 6): "
        "first certifications are mostly Silver (18 of 24 new cities with a known level), a few are "
        "Gold and very few Platinum (New York City in 2024-01).",
    )
    growth_mean: float = _param(
        0.50,
        "Mean capacity gained per year (between announcement dates): about 5-6 more criteria a year "
        "for a typical city, enough for the reported balance of upgrades and recertifications (13 "
        "upgraded for 11 recertified in the rounds that report both).",
    )
    growth_sd: float = _param(
        0.20,
        "Spread of growth between cities; growth is clipped at 0 (a few cities stagnate and only "
        "recertify or fail again).",
    )
    area_sd: float = _param(
        0.45,
        "Spread of a city's strength in each practice area around its capacity: cities are uneven "
        "(an open-data leader may have no contracting practice), which correlates criteria within an "
        "area.",
    )
    area_difficulty: tuple[tuple[str, float], ...] = _param(
        AREA_DIFFICULTY_2022,
        "Base difficulty by practice area (an assumption): Data Management and Leadership and Capacity "
        "easiest (governance, inventories and an executive commitment are where cities start and "
        "what the earlier standards centred on), Open Data next (most applicants run a "
        "portal), Performance and Analytics middle, Budget and Finance and Community Impact a little "
        "harder, Results-Driven Contracting hard (needs the procurement office, a specialised reform) "
        "and Evaluations hardest (rigorous evaluations need expertise, time and money).",
    )
    within_area_step: float = _param(
        0.15,
        "Difficulty added per position within a practice area (centred): later-numbered criteria build "
        "on earlier ones (EVAL1 commitment before EVAL2 launching evaluations before EVAL3 using them).",
    )
    core_ease: float = _param(
        1.30,
        "Difficulty removed from the core criteria DM1, LC1, PA1: they are the foundations every "
        "applicant works on first, but a minority of applicants still miss one and are not certified.",
    )
    outcome_threshold: float = _param(
        -1.10,
        "Capacity at which half the cities meet the outcome requirement (an internationally recognised "
        "standard on air quality, broadband or an SDG-aligned outcome).",
    )
    outcome_scale: float = _param(
        1.00,
        "How fast the outcome probability rises with capacity (probit scale): most certified-level "
        "cities meet it, a minority of assessments fail this gate.",
    )
    redraw_share: float = _param(
        0.20,
        "Share of a city's criteria whose luck is redrawn at each re-assessment: results are persistent "
        "(a practice a city has stays) but not identical, so a few re-applicants score lower.",
    )
    setback_share: float = _param(
        0.20,
        "Probability that a re-applying city had a setback since its previous assessment (a new "
        "administration, the data team leaving): its capacity drops by setback_size from then on. "
        "This is how certified cities fail a later assessment: lapses are not announced, and the "
        "public record only hints at them (a 2021 count of gold cities below the record's).",
    )
    setback_size: float = _param(
        0.80,
        "Capacity lost in a setback (about 8 criteria for a mid-capacity city): large enough that a "
        "Silver city falls below the threshold or loses a gate.",
    )
    reapply_certified: float = _param(
        0.30,
        "Probability that a city whose latest assessment was certified re-applies in each later round "
        "to upgrade or recertify: the 2023-06 round certified 14 earlier-certified cities of 55 and "
        "the 2024-01 round 10 of 62 (16-25 % per round, successes only).",
    )
    reapply_not_certified: float = _param(
        0.25,
        "Probability that a city whose latest assessment was not certified re-applies in each later "
        "round (the program encourages re-application after feedback; not every city does).",
    )

    def area_difficulty_map(self) -> dict[str, float]:
        return dict(self.area_difficulty)


def parameters_table(params: SimulationParameters | None = None) -> pd.DataFrame:
    """The parameters as a table: ``parameter, value, why``."""
    params = params or SimulationParameters()
    rows = []
    for f in fields(params):
        value = getattr(params, f.name)
        if f.name == "area_difficulty":
            value = "; ".join(f"{a} {v:+.2f}" for a, v in value)
        rows.append({"parameter": f.name, "value": value, "why": f.metadata.get("doc", "")})
    return pd.DataFrame(rows)


# --- the compiled model for one standard ---------------------------------------------------------------

@dataclass(frozen=True)
class _Model:
    standard: Standard
    params: SimulationParameters
    areas: tuple[str, ...]
    area_index: np.ndarray  # (k,) practice area column of each criterion
    difficulty: np.ndarray  # (k,) float
    q_difficulty: np.ndarray  # (k,) int16 grid steps


def _model(standard: Standard, params: SimulationParameters | None) -> _Model:
    params = params or SimulationParameters()
    if not standard.has_criteria or not standard.practice_areas:
        raise ValueError(f"standard {standard.name} lists no criteria with practice areas: it cannot be simulated")
    base = params.area_difficulty_map()
    areas = tuple(dict.fromkeys(standard.practice_areas))
    unknown = [a for a in areas if a not in base]
    if unknown:
        raise KeyError(f"no difficulty for practice area(s) {unknown}: set SimulationParameters.area_difficulty")
    area_index = np.array([areas.index(a) for a in standard.practice_areas], dtype=np.intp)
    difficulty = np.empty(len(standard.criteria))
    for area, codes in standard.criteria_by_area().items():
        for pos, code in enumerate(codes):
            j = standard.criteria.index(code)
            difficulty[j] = base[area] + params.within_area_step * (pos - (len(codes) - 1) / 2)
    core = np.isin(np.array(standard.criteria), np.array(standard.core))
    difficulty = difficulty - params.core_ease * core
    return _Model(standard, params, areas, area_index, difficulty, _quantise(difficulty, _DIFF_LIMIT))


def criterion_difficulties(standard: Standard | str | None = None, params: SimulationParameters | None = None,
                           data: Dataset | None = None) -> pd.DataFrame:
    """Difficulty of each criterion and its chance of being met by a city of mean capacity.

    Columns ``criterion, practice_area, core, difficulty, p_met_at_mean`` (the latter averages over the
    area strength: ``Phi((mean - d) / sqrt(1 + area_sd**2))``).
    """
    std = _standard(standard, data)
    m = _model(std, params)
    p = m.params
    z = (p.capacity_mean - m.difficulty) / math.sqrt(1 + p.area_sd**2)
    return pd.DataFrame(
        {
            "criterion": list(std.criteria),
            "practice_area": list(std.practice_areas),
            "core": [c in std.core for c in std.criteria],
            "difficulty": m.difficulty.round(3),
            "p_met_at_mean": [round(0.5 * math.erfc(-v / math.sqrt(2)), 3) for v in z],
        }
    )


def _standard(standard: Standard | str | None, data: Dataset | None) -> Standard:
    if isinstance(standard, Standard):
        return standard
    return get_standard(STANDARD if standard is None else str(standard), data)


def _draw_met(model: _Model, q_capacity: np.ndarray, q_area: np.ndarray, luck: np.ndarray) -> np.ndarray:
    """Boolean (m, k): ``luck < Phi(capacity + area strength - difficulty)``, all in integer grid steps."""
    base = q_area + (q_capacity + np.int16(_OFFSET))[:, None]  # (m, areas): small
    idx = base[:, model.area_index]  # (m, k) int16
    idx -= model.q_difficulty
    thresholds = _probit_table()[idx]
    del idx
    return luck < thresholds


def _draw_outcome(model: _Model, capacity: np.ndarray, luck: np.ndarray) -> np.ndarray:
    p = model.params
    q = _quantise((capacity - p.outcome_threshold) / p.outcome_scale, _CAP_LIMIT + _AREA_LIMIT + _DIFF_LIMIT)
    return luck < _probit_table()[q.astype(np.intp) + _OFFSET]


# --- large scale ---------------------------------------------------------------------------------------

def simulate_matrix(n: int, seed: int = DEFAULT_SEED, standard: Standard | str | None = None, *,
                    params: SimulationParameters | None = None, years_since_entry: float = 0.0,
                    data: Dataset | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``n`` independent fictional assessments: ``(matrix, outcome_met)``, fully vectorised.

    ``matrix`` is boolean ``(n, criteria)`` in ``standard.criteria`` order and ``outcome_met`` boolean
    ``(n,)``; score them with ``scoring.score_matrix(matrix, standard, outcome_met)``. Each row is one
    fictional city at its first assessment, or ``years_since_entry`` years later (capacity grown by each
    city's growth rate). ``standard`` defaults to the 2022 standard (built from the data). Memory: about
    7 bytes per cell at peak (int16 index, uint16 threshold and luck, the boolean result).
    """
    n = int(n)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    model = _model(_standard(standard, data), params)
    p = model.params
    rng = np.random.default_rng(seed)
    capacity = rng.normal(p.capacity_mean, p.capacity_sd, n)
    growth = np.maximum(rng.normal(p.growth_mean, p.growth_sd, n), 0.0)
    capacity = capacity + growth * float(years_since_entry)
    q_area = _quantise(rng.normal(0.0, p.area_sd, (n, len(model.areas))), _AREA_LIMIT)
    luck = _luck(rng, (n, len(model.standard.criteria)))
    outcome_luck = _luck(rng, n)
    matrix = _draw_met(model, _quantise(capacity, _CAP_LIMIT), q_area, luck)
    del luck
    return matrix, _draw_outcome(model, capacity, outcome_luck)


# --- panel: cities over the rounds ----------------------------------------------------------------------

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


# --- re-applicants -------------------------------------------------------------------------------------

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


def _score_frame(df_or_scores: pd.DataFrame, data: Dataset | None) -> pd.DataFrame:
    """Scores with ``city_id`` and ``round_id`` as columns (scoring a long assessment frame if given)."""
    df = df_or_scores
    if "criterion" in df.columns:
        df = score(df, get_standard(STANDARD, data))
    needed = {"tier", "threshold_tier", "core_ok", "outcome_ok"}
    if not needed <= set(df.columns):
        raise ValueError(
            f"expected an assessment frame (with 'criterion') or a score frame (with {sorted(needed)}), "
            f"got columns {list(df.columns)}"
        )
    if "city_id" not in df.columns:
        df = df.reset_index()
    if not {"city_id", "round_id"} <= set(df.columns):
        raise ValueError("the score frame needs city_id and round_id (as columns or index levels)")
    return df


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


# --- calibration against the public record --------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """A public fact (or a stated assumption) the simulation should reproduce, with its tolerance."""

    metric: str
    description: str
    target: float  # the public figure (NaN when there is none)
    low: float
    high: float
    source: str


def _applicant_target(rounds: pd.DataFrame) -> tuple[float, str]:
    """Certified share from the latest 2022-standard round reporting both applicants and total."""
    import re

    r = rounds[rounds["standard"].astype(str) == STANDARD].sort_values("announced")
    for _, row in r.iloc[::-1].iterrows():
        text = row["reported_applicants"]
        total = row["reported_total_certified"]
        if pd.isna(text) or pd.isna(total):
            continue
        match = re.search(r"(\d+)\s+applicant", str(text))
        if match:
            applicants = int(match.group(1))
            return int(total) / applicants, (
                f"rounds.csv {row['round_id']}: reported_total_certified {int(total)}, reported_applicants "
                f"'{text}' -> {int(total)}/{applicants} = {int(total) / applicants:.3f} (cumulative since 2017)"
            )
    return float("nan"), "rounds.csv: no 2022-standard round reports applicants and a total"


def public_targets(data: Dataset | None = None) -> list[Target]:
    """The calibration targets, computed from the public record where it has a figure.

    Where it has none (gate failures, failed re-applications) the range is an assumption and ``source``
    says so. Tolerances are deliberately wide: the public figures are few, partial and rounded.
    """
    data = _data(data)
    rounds, cert = data.rounds, data.certifications
    in_2022 = set(rounds.loc[rounds["standard"].astype(str) == STANDARD, "round_id"].astype(str))
    ev = cert[cert["round_id"].astype(str).isin(in_2022)]
    known = ev[ev["level"].notna()]
    lv = known["level"].astype(str).value_counts()
    new = known[known["reported_cohort"].astype(str) == "new"]["level"].astype(str).value_counts()
    n_new = int(new.sum())
    silver_new = new.get("Silver", 0) / n_new if n_new else float("nan")
    r22 = rounds[rounds["round_id"].astype(str).isin(in_2022)]
    reported_events = int(
        pd.concat([r22["reported_new"], r22["reported_upgraded"], r22["reported_recertified"]]).fillna(0).sum()
    )
    platinum = int(lv.get("Platinum", 0))
    both = r22[r22["reported_upgraded"].notna() & r22["reported_recertified"].notna()]
    up, rec = int(both["reported_upgraded"].sum()), int(both["reported_recertified"].sum())
    share, share_src = _applicant_target(rounds)
    mix_src = (
        f"certifications.csv, 2022-standard rounds, level known: all events Silver {lv.get('Silver', 0)} / "
        f"Gold {lv.get('Gold', 0)} / Platinum {platinum} (levels are published mostly for upgrades, so Gold "
        f"is over-represented); new cities Silver {new.get('Silver', 0)} / Gold {new.get('Gold', 0)} / "
        f"Platinum {new.get('Platinum', 0)}. Program descriptions: Silver most common, then Gold, few Platinum"
    )
    both_ids = ", ".join(both["round_id"].astype(str))
    none = "no public figure: assumption"
    return [
        Target("certified_share_assessments", "share of applicant assessments reaching a tier", share,
               0.38, 0.55, share_src + "; 'a bit under half' certified (about half per assessment)"),
        Target("certified_share_cities", "share of applicant cities certified at least once", share,
               0.40, 0.50, share_src + "; 'a bit under half of them certified'"),
        Target("silver_share_of_certified", "Silver among certified assessments", float("nan"),
               0.46, 0.75, mix_src),
        Target("gold_share_of_certified", "Gold among certified assessments", float("nan"),
               0.20, 0.45, mix_src),
        Target("platinum_share_of_certified", "Platinum among certified assessments",
               platinum / reported_events if reported_events else float("nan"), 0.02, 0.10,
               f"certifications.csv: {platinum} Platinum events in 2022-standard rounds (Platinum is always "
               f"announced) of >= {reported_events} certifications reported in rounds.csv "
               f"(new + upgraded + recertified where stated) -> at most {platinum}/{reported_events}"),
        Target("silver_share_of_first_certifications", "Silver among first certifications of a city",
               silver_new, max(0.0, silver_new - 0.15), min(1.0, silver_new + 0.15),
               f"certifications.csv, 2022-standard rounds, reported_cohort new, level known: "
               f"{new.get('Silver', 0)} of {n_new} Silver"),
        Target("core_failed_share", "share of assessments missing a core criterion (DM1, LC1, PA1)",
               float("nan"), 0.05, 0.20, none + " (some applicants miss a core criterion; a minority)"),
        Target("outcome_failed_share", "share of assessments failing the outcome requirement",
               float("nan"), 0.05, 0.25, none + " (some applicants fail the outcome gate; a minority)"),
        Target("gate_blocked_share", "share of assessments at Silver or better by share but blocked by a gate",
               float("nan"), 0.03, 0.20, none + " (the gates bind for some cities)"),
        Target("upgraded_share_of_recertifying", "upgraded / (upgraded + recertified) among re-applicants "
               "certified again", up / (up + rec) if up + rec else float("nan"), 0.35, 0.75,
               f"rounds.csv rounds reporting both ({both_ids}): {up} upgraded, {rec} recertified"),
        Target("reapplicant_upgraded_share", "upgraded, among re-applicants certified before",
               float("nan"), 0.20, 0.60, "follows the ratio above given the failure share (assumption)"),
        Target("reapplicant_recertified_share", "recertified (same tier), among re-applicants certified before",
               float("nan"), 0.20, 0.60, "follows the ratio above given the failure share (assumption)"),
        Target("reapplicant_failed_share", "not certified, among re-applicants certified before",
               float("nan"), 0.02, 0.25, none + " (lapses are not announced; some must occur)"),
        Target("reapplicant_lower_share", "certified at a lower tier, among re-applicants certified before",
               float("nan"), 0.0, 0.10, "rounds.csv / certifications.csv report no downgrade: rare"),
        Target("reapplicant_new_share", "certified, among re-applicants never certified before",
               float("nan"), 0.20, 0.70, none + " (cities that improve after feedback get certified)"),
    ]


def _metrics(scores: pd.DataFrame) -> dict[str, float]:
    tier = pd.Categorical(scores["tier"], categories=SCORE_TIERS)
    codes = np.asarray(tier.codes)
    thr = np.asarray(pd.Categorical(scores["threshold_tier"], categories=SCORE_TIERS).codes)
    cert = codes > 0
    n_cert = max(int(cert.sum()), 1)
    reap = reapplication_outcomes(scores).astype(str).to_numpy()
    first_cert = cert & np.isin(reap, ["first assessment", "new after earlier attempt"])
    before = np.isin(reap, ["upgraded", "recertified", "lower", "failed"])
    n_before = max(int(before.sum()), 1)
    never = np.isin(reap, ["new after earlier attempt", "not certified again"])
    up, rec = int((reap == "upgraded").sum()), int((reap == "recertified").sum())
    ever = pd.Series(cert).groupby(scores["city_id"].astype(str).to_numpy()).any()
    return {
        "certified_share_assessments": cert.mean(),
        "certified_share_cities": float(ever.mean()),
        "silver_share_of_certified": (codes == 1).sum() / n_cert,
        "gold_share_of_certified": (codes == 2).sum() / n_cert,
        "platinum_share_of_certified": (codes == 3).sum() / n_cert,
        "silver_share_of_first_certifications": (first_cert & (codes == 1)).sum() / max(int(first_cert.sum()), 1),
        "core_failed_share": float((~scores["core_ok"].to_numpy(dtype=bool)).mean()),
        "outcome_failed_share": float((~scores["outcome_ok"].to_numpy(dtype=bool)).mean()),
        "gate_blocked_share": float(((thr > 0) & (codes == 0)).mean()),
        "upgraded_share_of_recertifying": up / max(up + rec, 1),
        "reapplicant_upgraded_share": up / n_before,
        "reapplicant_recertified_share": rec / n_before,
        "reapplicant_failed_share": (reap == "failed").sum() / n_before,
        "reapplicant_lower_share": (reap == "lower").sum() / n_before,
        "reapplicant_new_share": (reap == "new after earlier attempt").sum() / max(int(never.sum()), 1),
    }


def calibration(df_or_scores: pd.DataFrame, data: Dataset | None = None) -> pd.DataFrame:
    """Compare simulated results with the public record: one row per :func:`public_targets` metric.

    ``df_or_scores`` is a long assessment frame (scored here under the 2022 standard) or the output of
    :func:`wwc_analysis.scoring.score`. Columns: ``metric, description, simulated, target, low, high,
    within, source``; ``within`` is ``low <= simulated <= high``. ``attrs`` records the numbers of
    assessments, cities and re-applications behind the figures.
    """
    data = _data(data)
    scores = _score_frame(df_or_scores, data)
    values = _metrics(scores)
    rows = []
    for t in public_targets(data):
        v = float(values[t.metric])
        rows.append(
            {
                "metric": t.metric,
                "description": t.description,
                "simulated": round(v, 3),
                "target": round(t.target, 3) if not math.isnan(t.target) else float("nan"),
                "low": t.low,
                "high": t.high,
                "within": bool(t.low <= v <= t.high),
                "source": t.source,
            }
        )
    out = pd.DataFrame(rows)
    reap = reapplication_outcomes(scores)
    out.attrs.update(
        simulated=bool(np.asarray(scores["simulated"], dtype=bool).all()) if "simulated" in scores else False,
        assessments=len(scores),
        cities=int(scores["city_id"].nunique()),
        reapplications=int((reap != "first assessment").sum()),
    )
    return out


# --- files and the command line ---------------------------------------------------------------------------

def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _csv_text(df: pd.DataFrame) -> str:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = np.where(out[col].to_numpy(), "true", "false")
    return out.to_csv(index=False, lineterminator="\n", float_format="%.4f")


def _readme_text(panel: SimulatedPanel) -> str:
    a, c = panel.assessments, panel.cities
    n_assess = len(a) // len(panel.standard.criteria)
    return f"""# data/simulated: SIMULATED assessments of FICTIONAL cities

Everything in this folder is **SIMULATED**. The cities are fictional: ids `{CITY_PREFIX}0001` ...
(display names `{CITY_NAME_PREFIX} 0001` ...); no real city is modelled and no real id starts with
`{CITY_PREFIX}`. Criteria-level results of real cities are not public. Every row has `simulated = true`.

- generator: `wwc_analysis.simulate` version {GENERATOR_VERSION} (numpy {np.__version__})
- seed: {panel.seed}; cities: {panel.n_cities}; standard: {panel.standard.name}
- command (from the project root): `wwc simulate --out data/simulated --n-cities {panel.n_cities} --seed {panel.seed}`
  (`make simulate` runs it with the defaults); the same command gives the same bytes.
- `assessments.csv`: {len(a)} rows = {n_assess} assessments x {len(panel.standard.criteria)} criteria;
  columns `{", ".join(ASSESSMENT_COLUMNS)}` (the assessments contract of docs/architecture.md).
- `cities.csv`: {len(c)} fictional cities: `city_id, city, entry_round, entry_capacity, growth_per_year,
  setbacks, assessments, simulated` (the latent draws of the model; there is no region: the cities are nowhere).

The model, its parameters and assumptions, and the calibration against the public record are in
docs/simulation.md (`wwc simulate --calibration` prints the table).
"""


def write_simulated(out_dir: str | Path, n_cities: int = DEFAULT_N_CITIES, seed: int = DEFAULT_SEED,
                    data: Dataset | None = None) -> dict[str, Path]:
    """Write ``assessments.csv``, ``cities.csv`` and ``README.md`` into ``out_dir`` (created if needed).

    Deterministic: the same ``n_cities``, ``seed``, generator version and numpy version give the same
    bytes (``\\n`` line ends, booleans ``true``/``false``, 4 decimals). Each file is replaced atomically.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    panel = simulate(n_cities, seed, data)
    files = {
        "assessments": (out / "assessments.csv", _csv_text(panel.assessments[list(ASSESSMENT_COLUMNS)])),
        "cities": (out / "cities.csv", _csv_text(panel.cities)),
        "readme": (out / "README.md", _readme_text(panel)),
    }
    for path, text in files.values():
        _write_atomic(path, text)
    return {name: path for name, (path, _) in files.items()}


def format_calibration(table: pd.DataFrame, fmt: str = "table") -> str:
    """The calibration as plain text (``table``), ``markdown`` (for docs/simulation.md) or ``csv``."""
    if fmt == "csv":
        return table.to_csv(index=False, lineterminator="\n")

    def num(x):
        return "" if pd.isna(x) else f"{x:.3f}"

    shown = pd.DataFrame(
        {
            "metric": table["metric"],
            "simulated": table["simulated"].map(num),
            "public": table["target"].map(num),
            "tolerance": [f"{lo:.2f}-{hi:.2f}" for lo, hi in zip(table["low"], table["high"])],
            "within": table["within"].map({True: "yes", False: "NO"}),
        }
    )
    head = (
        f"SIMULATED: {table.attrs.get('cities', '?')} fictional cities, {table.attrs.get('assessments', '?')} "
        f"assessments ({table.attrs.get('reapplications', '?')} re-applications)"
    )
    if fmt == "markdown":
        lines = [head, "", "| metric | simulated | public | tolerance | within | source |", "| --- | ---: | ---: | --- | --- | --- |"]
        for (_, s), src in zip(shown.iterrows(), table["source"]):
            lines.append(f"| `{s.metric}` | {s.simulated} | {s.public} | {s.tolerance} | {s.within} | {src} |")
        return "\n".join(lines) + "\n"
    return head + "\n" + shown.to_string(index=False) + "\n"


__all__ = [
    "CITY_PREFIX",
    "DEFAULT_N_CITIES",
    "DEFAULT_SEED",
    "GENERATOR_VERSION",
    "SimulatedPanel",
    "SimulationParameters",
    "Target",
    "calibration",
    "criterion_difficulties",
    "format_calibration",
    "parameters_table",
    "public_targets",
    "reapplication_outcomes",
    "simulate",
    "simulate_assessments",
    "simulate_matrix",
    "simulated_rounds",
    "write_simulated",
]
