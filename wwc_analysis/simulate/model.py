"""The latent model of **fictional** applicant cities: parameters, draws, ``simulate_matrix``.

Everything made here is SIMULATED (see :mod:`wwc_analysis.simulate`). Tiers are never assigned: they
come from :func:`wwc_analysis.rules.scoring.score_matrix` applied to the simulated criteria.

The model (``docs/simulation.md`` has the parameter table, the reasons and the calibration)
-------------------------------------------------------------------------------------------
A latent-variable (probit) model on one scale, in units of the criterion-level noise:

* criterion ``j`` has a *difficulty* ``d_j``: a base by practice area (Data Management and
  Leadership easier, Results-Driven Contracting and Evaluations harder: an assumption), a small step
  up within the area (later-numbered criteria build on earlier ones), and lower for the three core
  criteria;
* city ``i`` has a *capacity* ``c_i`` drawn when it first applies, growing by ``g_i >= 0`` per year
  (years between announcement dates of the rounds table), and a strength ``a_ik`` in each practice
  area ``k`` (cities are uneven across practices);
* criterion ``j`` is met when ``c_i + a_ik - d_j > e_ij`` with ``e_ij ~ N(0, 1)``, drawn as the
  uniform "luck" ``u_ij`` of the city on that criterion: met when ``u_ij < Phi(c_i + a_ik - d_j)``.
  The luck is kept between rounds (a practice a city has stays) and redrawn for a share of criteria
  at each re-assessment (documentation, assessors and staff change): so capacity growth produces
  upgrades, and the redraw produces the occasional lower result;
* the outcome requirement is met when ``v_i < Phi((c_i - outcome_threshold) / outcome_scale)``,
  with a per-city uniform ``v_i`` kept across rounds: its probability rises with capacity;
* cities enter in different rounds and re-apply (:mod:`wwc_analysis.simulate.panel`).

Exactness and speed
-------------------
Latent values are quantised to a grid of 1/64 unit and the probit is a 16-bit lookup table, so the
hot path is integer arithmetic (no transcendental function per cell): :func:`simulate_matrix`
produces a million 43-criterion assessments in a fraction of a second, and results are identical on
every platform for a given seed and numpy version. Only ``numpy.random.default_rng(seed)`` is used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from functools import lru_cache

import numpy as np
import pandas as pd

from wwc_analysis.rules.standards import Standard

#: Bump when the model or the output format changes: the shipped files then change too.
GENERATOR_VERSION = "1.0.0"
#: Seed and size of the shipped ``data/simulated/`` files.
DEFAULT_SEED = 2022
DEFAULT_N_CITIES = 500
#: The standard the simulated rounds are held under.
STANDARD = "2022"

# --- quantised probit ----------------------------------------------------------------------------
GRID = 64  # latent steps per unit
_CAP_LIMIT = 6.0  # |capacity| is clipped here (never reached in practice: 6 sd above the mean)
_AREA_LIMIT = 3.0  # |area strength|
_DIFF_LIMIT = 4.0  # |difficulty|
_OFFSET = int((_CAP_LIMIT + _AREA_LIMIT + _DIFF_LIMIT) * GRID)  # table index of latent value 0
_LUCK_HIGH = 1 << 16  # uniforms are 16-bit integers 0..65535


@lru_cache(maxsize=1)
def _probit_table() -> np.ndarray:
    """``T[i] = round(65536 * Phi((i - OFFSET) / GRID))`` capped at 65535.

    So ``P(u < T[i]) = T[i] / 65536`` for a uniform 16-bit ``u``.
    """
    x = (np.arange(2 * _OFFSET + 1) - _OFFSET) / GRID
    phi = np.array([0.5 * math.erfc(-v / math.sqrt(2.0)) for v in x])
    table = np.minimum(np.rint(phi * _LUCK_HIGH), _LUCK_HIGH - 1).astype(np.uint16)
    table.flags.writeable = False
    return table


def _quantise(x: np.ndarray, limit: float) -> np.ndarray:
    """Latent values to grid steps (int16), clipped to ``+-limit`` units."""
    # a fresh array: the in-place steps below do not touch x
    y = np.multiply(x, GRID, dtype=np.float64)
    np.rint(y, out=y)
    np.clip(y, -limit * GRID, limit * GRID, out=y)
    return y.astype(np.int16)


# --- parameters ----------------------------------------------------------------------------------

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
    """Every parameter of the model, with its value and why (latent units: sd of criterion noise).

    Change one with ``dataclasses.replace(SimulationParameters(), growth_mean=0.5)``; the shipped
    files use the defaults. ``parameters_table()`` lists them with their documentation.
    """

    capacity_mean: float = _param(
        -0.10,
        "Mean capacity of a city at its first assessment: a first-time applicant meets 20 of 43 "
        "criteria on average and about 40 % reach Silver or better by share (22 criteria), which "
        "with re-applications gives the 'a bit under half certified' of the public record.",
    )
    capacity_sd: float = _param(
        0.45,
        "Spread of capacity between applicants (criteria met at a first assessment: sd about 6): "
        "first certifications are mostly Silver (29 of 37 new cities with a known level), a few "
        "are Gold and very few Platinum (New York City in 2024-01).",
    )
    growth_mean: float = _param(
        0.50,
        "Mean capacity gained per year (between announcement dates): about 5-6 more criteria a "
        "year for a typical city, enough for the reported balance of upgrades and "
        "recertifications (13 upgraded for 11 recertified in the rounds that report both).",
    )
    growth_sd: float = _param(
        0.20,
        "Spread of growth between cities; growth is clipped at 0 (a few cities stagnate and only "
        "recertify or fail again).",
    )
    area_sd: float = _param(
        0.45,
        "Spread of a city's strength in each practice area around its capacity: cities are uneven "
        "(an open-data leader may have no contracting practice), which correlates criteria within "
        "an area.",
    )
    area_difficulty: tuple[tuple[str, float], ...] = _param(
        AREA_DIFFICULTY_2022,
        "Base difficulty by practice area (an assumption): Data Management and Leadership and "
        "Capacity easiest (governance, inventories and an executive commitment are where cities "
        "start and what the earlier standards centred on), Open Data next (most applicants run a "
        "portal), Performance and Analytics middle, Budget and Finance and Community Impact a "
        "little harder, Results-Driven Contracting hard (needs the procurement office, a "
        "specialised reform) and Evaluations hardest (rigorous evaluations need expertise, time "
        "and money).",
    )
    within_area_step: float = _param(
        0.15,
        "Difficulty added per position within a practice area (centred): later-numbered criteria "
        "build on earlier ones (EVAL1 commitment before EVAL2 launching evaluations before EVAL3 "
        "using them).",
    )
    core_ease: float = _param(
        1.30,
        "Difficulty removed from the core criteria DM1, LC1, PA1: they are the foundations every "
        "applicant works on first, but a minority of applicants still miss one and are not "
        "certified.",
    )
    outcome_threshold: float = _param(
        -1.10,
        "Capacity at which half the cities meet the outcome requirement (an internationally "
        "recognised standard on air quality, broadband or an SDG-aligned outcome).",
    )
    outcome_scale: float = _param(
        1.00,
        "How fast the outcome probability rises with capacity (probit scale): most "
        "certified-level cities meet it, a minority of assessments fail this gate.",
    )
    redraw_share: float = _param(
        0.20,
        "Share of a city's criteria whose luck is redrawn at each re-assessment: results are "
        "persistent (a practice a city has stays) but not identical, so a few re-applicants score "
        "lower.",
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
        "Capacity lost in a setback (about 8 criteria for a mid-capacity city): large enough that "
        "a Silver city falls below the threshold or loses a gate.",
    )
    reapply_certified: float = _param(
        0.30,
        "Probability that a city whose latest assessment was certified re-applies in each later "
        "round to upgrade or recertify: the 2023-06 round certified 14 earlier-certified cities "
        "of 55 and the 2024-01 round 10 of 62 (16-25 % per round, successes only).",
    )
    reapply_not_certified: float = _param(
        0.25,
        "Probability that a city whose latest assessment was not certified re-applies in each "
        "later round (the program encourages re-application after feedback; not every city does).",
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


# --- the compiled model for one standard ---------------------------------------------------------


@dataclass(frozen=True)
class Model:
    """The model compiled for one standard: difficulties in criterion order, area columns."""

    standard: Standard
    params: SimulationParameters
    areas: tuple[str, ...]
    area_index: np.ndarray  # (k,) practice area column of each criterion
    difficulty: np.ndarray  # (k,) float
    q_difficulty: np.ndarray  # (k,) int16 grid steps


def require_standard(standard: object, who: str) -> Standard:
    """``standard`` if it is a :class:`Standard`; a ``TypeError`` naming ``who`` otherwise."""
    if not isinstance(standard, Standard):
        raise TypeError(
            f"{who} takes a Standard (rules.get_standard(name, data)), "
            f"got {type(standard).__name__} {standard!r}"
        )
    return standard


def compile_model(standard: Standard, params: SimulationParameters | None = None) -> Model:
    """The model for ``standard`` (with the default parameters unless ``params`` is given)."""
    params = params or SimulationParameters()
    if not standard.has_criteria or not standard.practice_areas:
        raise ValueError(
            f"standard {standard.name} lists no criteria with practice areas: "
            "it cannot be simulated"
        )
    base = params.area_difficulty_map()
    areas = tuple(dict.fromkeys(standard.practice_areas))
    unknown = [a for a in areas if a not in base]
    if unknown:
        raise KeyError(
            f"no difficulty for practice area(s) {unknown}: "
            "set SimulationParameters.area_difficulty"
        )
    area_index = np.array([areas.index(a) for a in standard.practice_areas], dtype=np.intp)
    difficulty = np.empty(len(standard.criteria))
    for area, codes in standard.criteria_by_area().items():
        for pos, code in enumerate(codes):
            j = standard.criteria.index(code)
            difficulty[j] = base[area] + params.within_area_step * (pos - (len(codes) - 1) / 2)
    core = np.isin(np.array(standard.criteria), np.array(standard.core))
    difficulty = difficulty - params.core_ease * core
    q_difficulty = _quantise(difficulty, _DIFF_LIMIT)
    return Model(standard, params, areas, area_index, difficulty, q_difficulty)


def criterion_difficulties(
    standard: Standard, params: SimulationParameters | None = None
) -> pd.DataFrame:
    """Difficulty of each criterion of ``standard`` and its chance of being met at mean capacity.

    Columns ``criterion, practice_area, core, difficulty, p_met_at_mean`` (the latter averages over
    the area strength: ``Phi((mean - d) / sqrt(1 + area_sd**2))``).
    """
    std = require_standard(standard, "criterion_difficulties")
    m = compile_model(std, params)
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


# --- draws ----------------------------------------------------------------------------------------


def draw_luck(rng: np.random.Generator, shape) -> np.ndarray:
    """Uniform 16-bit "luck" (uint16 in 0..65535) of the given shape."""
    return rng.integers(0, _LUCK_HIGH, size=shape, dtype=np.uint16)


def draw_area_strengths(model: Model, rng: np.random.Generator, n: int) -> np.ndarray:
    """``(n, areas)`` int16 grid steps: each city's strength in each practice area."""
    return _quantise(rng.normal(0.0, model.params.area_sd, (n, len(model.areas))), _AREA_LIMIT)


def draw_met(
    model: Model, capacity: np.ndarray, q_area: np.ndarray, luck: np.ndarray
) -> np.ndarray:
    """Boolean (m, k): ``luck < Phi(capacity + area strength - difficulty)``, in grid steps."""
    q_capacity = _quantise(capacity, _CAP_LIMIT)
    base = q_area + (q_capacity + np.int16(_OFFSET))[:, None]  # (m, areas): small
    idx = base[:, model.area_index]  # (m, k) int16
    idx -= model.q_difficulty
    thresholds = _probit_table()[idx]
    del idx
    return luck < thresholds


def draw_outcome(model: Model, capacity: np.ndarray, luck: np.ndarray) -> np.ndarray:
    """Boolean (m,): ``luck < Phi((capacity - outcome_threshold) / outcome_scale)``."""
    p = model.params
    limit = _CAP_LIMIT + _AREA_LIMIT + _DIFF_LIMIT
    q = _quantise((capacity - p.outcome_threshold) / p.outcome_scale, limit)
    return luck < _probit_table()[q.astype(np.intp) + _OFFSET]


# --- large scale ----------------------------------------------------------------------------------


def simulate_matrix(
    n: int,
    standard: Standard,
    seed: int = DEFAULT_SEED,
    *,
    params: SimulationParameters | None = None,
    years_since_entry: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` independent fictional assessments under ``standard``: ``(matrix, outcome_met)``.

    ``matrix`` is boolean ``(n, criteria)`` in ``standard.criteria`` order and ``outcome_met``
    boolean ``(n,)``; score them with ``scoring.score_matrix(matrix, standard, outcome_met)``.
    Each row is one fictional city at its first assessment, or ``years_since_entry`` years later
    (capacity grown by each city's growth rate). Fully vectorised. Memory: about 7 bytes per cell
    at peak (int16 index, uint16 threshold and luck, the boolean result).
    """
    n = int(n)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    model = compile_model(require_standard(standard, "simulate_matrix"), params)
    p = model.params
    rng = np.random.default_rng(seed)
    capacity = rng.normal(p.capacity_mean, p.capacity_sd, n)
    growth = np.maximum(rng.normal(p.growth_mean, p.growth_sd, n), 0.0)
    capacity = capacity + growth * float(years_since_entry)
    q_area = draw_area_strengths(model, rng, n)
    luck = draw_luck(rng, (n, len(model.standard.criteria)))
    outcome_luck = draw_luck(rng, n)
    matrix = draw_met(model, capacity, q_area, luck)
    del luck
    return matrix, draw_outcome(model, capacity, outcome_luck)


__all__ = [
    "DEFAULT_N_CITIES",
    "DEFAULT_SEED",
    "GENERATOR_VERSION",
    "STANDARD",
    "SimulationParameters",
    "criterion_difficulties",
    "parameters_table",
    "simulate_matrix",
]
