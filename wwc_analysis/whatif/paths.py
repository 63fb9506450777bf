"""Paths to a higher tier: the fewest further criteria that take a city to Silver, Gold or Platinum.

:func:`path_to_tier` / :func:`paths_to_higher_tiers` always include the missing core criteria and
choose the rest by peer prevalence (:func:`peer_prevalence`: how common each criterion is among the
cities already at the target tier) or by effort weights (the cheapest set, exact).
:func:`city_whatif` scores one city before and after a scenario, with its paths.
:func:`met_criteria` reads one city's met criteria from a long assessment frame.

A result explains itself (:meth:`TierPath.explain`, :meth:`CityWhatIf.explain`) in the words a city
data team would use; those sentences live here, not in :mod:`wwc_analysis.text` (which is a layer
above), so the command line, the checklist and the notebook all say the same thing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wwc_analysis.rules.scoring import SCORE_TIERS, CityScore, score_city, score_matrix
from wwc_analysis.rules.standards import TIERS, Standard, require_standard, tier_code
from wwc_analysis.whatif.scenarios import (
    Change,
    Scenario,
    ScenarioError,
    as_population,
    check_criteria,
)

__all__ = [
    "CityWhatIf",
    "TierPath",
    "city_whatif",
    "criteria_met_by_area",
    "criterion_names",
    "effort_weights",
    "met_codes",
    "met_criteria",
    "path_table",
    "path_to_tier",
    "paths_to_higher_tiers",
    "peer_prevalence",
]


def peer_prevalence(population, standard: Standard | None = None) -> pd.DataFrame:
    """Share of cities meeting each criterion, by the tier the population reaches under ``standard``
    (the population's standard; required except for an AssessmentMatrix, as for
    :func:`~wwc_analysis.whatif.scenarios.apply`).

    Rows: the standard's criteria; columns: the four tiers (NaN where no city is at that tier).
    ``attrs["cities"]`` holds the number of cities at each tier, ``attrs["simulated"]`` the flag.
    """
    pop = as_population(population, standard)
    arrays = score_matrix(pop.matrix, pop.standard, pop.outcome)
    tier = np.asarray(arrays.tier, dtype=np.int64)
    counts = np.bincount(tier, minlength=4)
    sums = np.zeros((4, pop.standard.criteria_count), dtype=np.float64)
    for t in range(4):
        if counts[t]:
            sums[t] = np.count_nonzero(pop.matrix[tier == t], axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = sums / counts[:, None]
    frame = pd.DataFrame(
        shares.T, index=pd.Index(pop.standard.criteria, name="criterion"), columns=list(SCORE_TIERS)
    )
    frame.attrs["cities"] = dict(zip(SCORE_TIERS, map(int, counts)))
    frame.attrs["simulated"] = pop.any_simulated
    frame.attrs["standard"] = pop.standard.name
    return frame


def met_criteria(
    assessments: pd.DataFrame, city_id: str, round_id: str | None = None
) -> tuple[tuple[str, ...], bool]:
    """The criteria one city meets in a long assessment frame and its outcome flag:
    ``(codes, outcome_met)``.

    ``round_id`` defaults to the city's latest round. Codes are in the standard's order (as listed
    in the frame).
    """
    rows = assessments[assessments["city_id"].astype(str) == str(city_id)]
    if rows.empty:
        raise ScenarioError(f"unknown city id {city_id}: not in the assessments")
    rounds = sorted(set(rows["round_id"].astype(str)))
    rnd = rounds[-1] if round_id is None else str(round_id)
    if rnd not in rounds:
        raise ScenarioError(
            f"city {city_id} has no assessment in round {rnd}; its rounds: {', '.join(rounds)}"
        )
    rows = rows[rows["round_id"].astype(str) == rnd]
    codes = tuple(rows.loc[rows["met"].astype(bool), "criterion"].astype(str))
    has_outcome = "outcome_met" in rows.columns
    outcome = bool(rows["outcome_met"].astype(bool).iloc[0]) if has_outcome else True
    return codes, outcome


def criteria_met_by_area(met: Iterable[str], standard: Standard) -> pd.DataFrame:
    """How many of each practice area's criteria ``met`` holds: index ``practice area``, columns
    ``met`` and ``criteria`` (the area's size), in the standard's order of areas."""
    have = set(met)
    rows = [
        {"practice area": area, "met": sum(c in have for c in codes), "criteria": len(codes)}
        for area, codes in standard.criteria_by_area().items()
    ]
    return pd.DataFrame(rows).set_index("practice area")


def criterion_names(criteria: pd.DataFrame, standard: Standard) -> dict[str, str]:
    """``{code: name}`` of ``standard``'s criteria from the criteria table (``Dataset.criteria``).

    A standard derived by a scenario (``"2022 (thresholds 51/70/85)"``) keeps its base standard's
    names; a standard the table does not list gives an empty mapping (codes alone).
    """
    base = str(standard.name).split(" ")[0]
    rows = criteria[criteria["standard"].astype(str) == base]
    return dict(zip(rows["code"].astype(str), rows["name"].astype(str)))


# --- words for paths (text/ is a layer above: these few stay with the result they explain) ------

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _num(n: int) -> str:
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


def _criteria(n: int) -> str:
    return f"{n} more criterion" if n == 1 else f"{n} more criteria"


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


_RANKED_BY = {
    "prevalence": "most common among {t} cities",
    "effort": "with the lowest effort estimates",
    "standard order": "first in the standard's order",
}
_OUTCOME_TOO = (
    " You must also meet the outcome requirement (an internationally recognised standard on at "
    "least one outcome), which you do not yet meet."
)


@dataclass(frozen=True)
class TierPath:
    """The fewest further criteria that take a city to ``target``.

    ``criteria`` = ``missing_core`` (forced) + ``others`` (chosen by ``ranking``), with their
    ``practice_areas``. ``outcome_needed`` says the outcome requirement must also be met (it is not
    yet, and the gate is on). ``met_after``, ``share_after`` and ``tier_after`` describe the city
    once it meets ``criteria`` (and the outcome requirement if needed). ``peer_share`` is, per
    criterion, the share of cities at the target tier meeting it (NaN without a population);
    ``costs`` the effort weights (NaN without weights).
    """

    target: str
    current_tier: str
    current_met: int
    total: int
    required: int
    criteria: tuple[str, ...]
    practice_areas: tuple[str, ...]
    missing_core: tuple[str, ...]
    others: tuple[str, ...]
    outcome_needed: bool
    met_after: int
    tier_after: str
    ranking: str
    peer_share: tuple[float, ...]
    peer_cities: int
    costs: tuple[float, ...]
    standard: Standard = field(repr=False)

    @property
    def count(self) -> int:
        return len(self.criteria)

    @property
    def share_after(self) -> float:
        return self.met_after / self.total

    @property
    def cost(self) -> float:
        """Total effort of the path (NaN without weights)."""
        return float(sum(self.costs)) if self.costs else 0.0

    def as_dict(self) -> dict:
        return {
            "target": self.target,
            "current_tier": self.current_tier,
            "count": self.count,
            "criteria": [
                {
                    "code": c,
                    "practice_area": a,
                    "core": c in self.missing_core,
                    "peer_share": None if math.isnan(p) else round(p, 4),
                    "cost": None if math.isnan(w) else w,
                }
                for c, a, p, w in zip(
                    self.criteria, self.practice_areas, self.peer_share, self.costs
                )
            ],
            "outcome_needed": self.outcome_needed,
            "met_after": self.met_after,
            "total": self.total,
            "share_after": round(self.share_after, 4),
            "tier_after": self.tier_after,
            "ranking": self.ranking,
            "cost": None if self.ranking != "effort" else self.cost,
            "explanation": self.explain(),
        }

    def _describe_other(self, i: int) -> str:
        j = len(self.missing_core) + i
        code, area = self.criteria[j], self.practice_areas[j]
        if self.ranking == "effort":
            return f"{code} ({area}; effort {self.costs[j]:g})"
        if self.ranking == "prevalence":
            return f"{code} ({area}; met by {self.peer_share[j]:.0%} of {self.target} cities)"
        return f"{code} ({area})"

    def _others_clause(self) -> str:
        """``'the other most common among Gold cities that you do not yet meet is DM7 (...)'``."""
        k, t = len(self.others), self.target
        if self.missing_core:
            noun = "the other" if k == 1 else f"the {_num(k)} others"
        else:
            noun = "the criterion" if k == 1 else f"the {_num(k)} criteria"
        described = _join([self._describe_other(i) for i in range(k)])
        what = _RANKED_BY[self.ranking].format(t=t)
        return f"{noun} {what} that you do not yet meet {'is' if k == 1 else 'are'} {described}"

    def explain(self) -> str:
        """The path in the words a city data team would use."""
        t = self.target
        outcome = _OUTCOME_TOO if self.outcome_needed else ""
        if self.count == 0:
            if self.outcome_needed:
                return (
                    f"You already meet enough criteria for {t} ({self.current_met} of "
                    f"{self.total}).{outcome}"
                )
            return f"You are already at {t} or above."
        core, others = self.missing_core, self.others
        parts = []
        if core:
            word = "criterion" if len(core) == 1 else "criteria"
            parts.append(f"you still lack the core {word} {_join(core)}")
        if others:
            parts.append(self._others_clause())
        elif core and self.current_met >= self.required:
            parts.append(f"your share already clears the {t} threshold")
        text = f"To reach {t} you need {_criteria(self.count)}: " + "; ".join(parts) + "."
        if self.ranking == "prevalence" and others:
            peers = (
                f"the one {t} city"
                if self.peer_cities == 1
                else f"the {self.peer_cities} {t} cities"
            )
            text += f" (Peer shares from {peers} of the comparison population.)"
        text += (
            f" You would then meet {self.met_after} of {self.total} criteria "
            f"({self.share_after:.1%}, {t} needs {self.required}), which is {self.tier_after}."
        )
        if self.ranking == "effort":
            text += f" Total effort: {self.cost:g}."
        return text + outcome


def met_codes(met, std: Standard) -> tuple[str, ...]:
    """The criteria a city meets (codes, or a boolean vector in the standard's order), checked
    against ``std`` and returned in its order."""
    if isinstance(met, np.ndarray) and met.dtype == np.bool_:
        if met.shape != (std.criteria_count,):
            raise ValueError(f"a city's met vector must have {std.criteria_count} entries")
        return tuple(c for c, v in zip(std.criteria, met) if v)
    codes = [met] if isinstance(met, str) else [c.strip() for c in met if c and str(c).strip()]
    check_criteria(codes, std, "met criteria")
    return tuple(c for c in std.criteria if c in set(codes))


def effort_weights(
    weights: Mapping[str, float] | None, std: Standard, default_weight: float | None
) -> dict[str, float] | None:
    """Effort per criterion of ``std`` (``default_weight`` for those not in ``weights``; left out
    when that is ``None``), checked: known codes, finite, >= 0. ``None`` without weights."""
    if weights is None:
        return None
    check_criteria(list(weights), std, "effort weights")
    out = {}
    for c in std.criteria:
        w = weights.get(c, default_weight)
        if w is None:
            continue
        w = float(w)
        if not math.isfinite(w) or w < 0:
            raise ScenarioError(
                f"effort weight of {c} must be a finite number >= 0, got "
                f"{weights.get(c, default_weight)!r}"
            )
        out[c] = w
    return out


@dataclass(frozen=True)
class _Peers:
    """The peer shares at one target tier (``share`` is None without a population)."""

    share: pd.Series | None
    cities: int

    @classmethod
    def at(cls, prevalence: pd.DataFrame | None, tier: str) -> _Peers:
        if prevalence is None:
            return cls(None, 0)
        return cls(prevalence[tier], int(prevalence.attrs.get("cities", {}).get(tier, 0)))

    def of(self, code: str) -> float:
        if self.share is None or code not in self.share.index:
            return float("nan")
        v = self.share[code]
        return float("nan") if pd.isna(v) else float(v)

    def key(self, code: str) -> float:
        """Sort key: most common first, unknown shares last."""
        return -np.nan_to_num(self.of(code), nan=-1.0)


def _ranked(
    candidates: list[str],
    k: int,
    std: Standard,
    peers: _Peers,
    wts: dict[str, float] | None,
    target: str,
) -> tuple[str, list[str]]:
    """``(ranking, candidates in order of preference)``: by effort, else by peer share, else in the
    standard's order; ties broken by peer share, then by the standard's order."""
    order = {c: i for i, c in enumerate(std.criteria)}
    if wts is not None:
        pool = [c for c in candidates if c in wts]
        if len(pool) < k:
            raise ScenarioError(
                f"only {len(pool)} unmet criteria have an effort weight but {target} needs {k} "
                "more: give weights for more criteria or a default_weight"
            )
        return "effort", sorted(pool, key=lambda c: (wts[c], peers.key(c), order[c]))
    if peers.share is not None and peers.cities > 0:
        return "prevalence", sorted(candidates, key=lambda c: (peers.key(c), order[c]))
    return "standard order", list(candidates)


def path_to_tier(
    met: Iterable[str] | np.ndarray,
    target: str | int,
    standard: Standard,
    *,
    outcome_met: bool = True,
    population=None,
    prevalence: pd.DataFrame | None = None,
    weights: Mapping[str, float] | None = None,
    default_weight: float | None = None,
) -> TierPath:
    """The fewest further criteria that take a city meeting ``met`` to ``target`` under
    ``standard``.

    Size. Let ``m`` be the criteria met, ``r = standard.required_met(target)`` and ``C`` the core
    criteria still missing (when the core gate is on). A set ``S`` of further criteria reaches the
    target iff ``S`` contains ``C`` and ``m + |S| >= r`` (the tier depends only on the count and the
    gates), so the fewest is ``max(|C|, r - m)``: ``C`` plus ``k = max(0, r - m - |C|)`` others.

    Choice of the others. Without weights, the ``k`` criteria most common among cities at the target
    tier in ``population`` (assessments of ``standard``, or a precomputed ``prevalence`` from
    :func:`peer_prevalence`), ties broken by the standard's order; without either, the standard's
    order.

    With ``weights`` (effort per criterion, >= 0; criteria without a weight get ``default_weight``,
    or are never suggested when it is ``None``), the ``k`` cheapest. This is exact, and optimal
    among *all* sets that reach the target, not only the smallest ones: every feasible ``S`` is
    ``C`` plus at least ``k`` other unmet criteria, and since weights are non-negative, ``cost(S) >=
    cost(C) + (sum of its k cheapest others) >= cost(C) + (sum of the k cheapest candidates)``, the
    cost of the set returned. (The feasible sets form the bases of a uniform matroid, where greedy
    is optimal; no knapsack is involved because every criterion counts the same towards the share.)

    The outcome requirement cannot be bought with criteria: ``outcome_needed`` says it must also be
    met.
    """
    std = require_standard(standard, "path_to_tier")
    code = tier_code(target)
    if code == 0:
        raise ValueError("the target tier must be Silver, Gold or Platinum")
    have = met_codes(met, std)
    missing_core = tuple(c for c in std.core if c not in set(have)) if std.core_required else ()
    k = max(0, std.required_met(code) - len(have) - len(missing_core))
    target_name = TIERS[code - 1]
    if prevalence is None and population is not None:
        prevalence = peer_prevalence(population, std)
    peers = _Peers.at(prevalence, target_name)
    wts = effort_weights(weights, std, default_weight)
    candidates = [c for c in std.criteria if c not in set(have) and c not in set(missing_core)]
    ranking, pool = _ranked(candidates, k, std, peers, wts, target_name)
    return _path(std, code, have, missing_core, tuple(pool[:k]), outcome_met, ranking, peers, wts)


def _path(
    std: Standard,
    code: int,
    have: tuple[str, ...],
    missing_core: tuple[str, ...],
    others: tuple[str, ...],
    outcome_met: bool,
    ranking: str,
    peers: _Peers,
    wts: dict[str, float] | None,
) -> TierPath:
    """The :class:`TierPath` of a city meeting ``have`` that adds ``missing_core + others``."""
    chosen = missing_core + others
    outcome_needed = bool(std.outcome_required and not outcome_met)
    base = score_city(have, std, outcome_met)
    after = score_city(have + chosen, std, outcome_met or outcome_needed)
    target = TIERS[code - 1]
    if tier_code(after.tier) < code:  # pragma: no cover - the size argument rules this out
        raise AssertionError(f"internal error: the path to {target} reaches only {after.tier}")
    area_of = dict(zip(std.criteria, std.practice_areas)) if std.practice_areas else {}
    return TierPath(
        target=target,
        current_tier=base.tier,
        current_met=len(have),
        total=std.criteria_count,
        required=std.required_met(code),
        criteria=chosen,
        practice_areas=tuple(area_of.get(c, "") for c in chosen),
        missing_core=missing_core,
        others=others,
        outcome_needed=outcome_needed,
        met_after=after.met,
        tier_after=after.tier,
        ranking=ranking,
        peer_share=tuple(peers.of(c) for c in chosen),
        peer_cities=peers.cities,
        costs=tuple(wts[c] if wts is not None and c in wts else float("nan") for c in chosen),
        standard=std,
    )


def paths_to_higher_tiers(
    met: Iterable[str] | np.ndarray,
    standard: Standard,
    *,
    outcome_met: bool = True,
    population=None,
    prevalence: pd.DataFrame | None = None,
    weights: Mapping[str, float] | None = None,
    default_weight: float | None = None,
) -> list[TierPath]:
    """:func:`path_to_tier` for every tier above the city's current tier (empty at Platinum)."""
    std = require_standard(standard, "paths_to_higher_tiers")
    have = met_codes(met, std)
    current = tier_code(score_city(have, std, outcome_met).tier)
    if prevalence is None and population is not None:
        prevalence = peer_prevalence(population, std)
    return [
        path_to_tier(
            have,
            t,
            std,
            outcome_met=outcome_met,
            prevalence=prevalence,
            weights=weights,
            default_weight=default_weight,
        )
        for t in range(current + 1, 4)
    ]


def path_table(
    paths: Iterable[TierPath], names: Mapping[str, str], simulated: bool
) -> pd.DataFrame:
    """One row per criterion of each path: ``target tier, criterion, name, practice area,
    missing core`` (``"yes"`` or empty) and ``peer share`` (NaN without peers). ``names`` maps codes
    to criterion names (:func:`criterion_names`); ``simulated`` says whether the peer shares come
    from simulated assessments (``attrs["simulated"]``)."""
    columns = ["target tier", "criterion", "name", "practice area", "missing core", "peer share"]
    table = pd.DataFrame(
        [
            {
                "target tier": p.target,
                "criterion": c,
                "name": names[c],
                "practice area": a,
                "missing core": "yes" if c in p.missing_core else "",
                "peer share": s,
            }
            for p in paths
            for c, a, s in zip(p.criteria, p.practice_areas, p.peer_share)
        ],
        columns=columns,
    )
    table.attrs["simulated"] = bool(simulated)
    return table


@dataclass(frozen=True)
class CityWhatIf:
    """One city before and after a scenario, with its paths to higher tiers under the scenario."""

    before: CityScore
    after: CityScore
    scenario: str
    paths: tuple[TierPath, ...]
    simulated_population: bool = False

    def explain(self) -> str:
        b, a = self.before, self.after
        if not self.scenario:
            lines = [
                f"{b.met} of {b.total} criteria ({b.share:.1%}) under {b.standard.name}: {b.tier}."
            ]
            lines += [f"  - {r}" for r in b.reasons]
        else:
            lines = [self.scenario.replace(" for all cities", " for this city")]
            for when, s in (("Before: ", b), ("After:  ", a)):
                lines.append(
                    f"{when}{s.met} of {s.total} criteria ({s.share:.1%}) under "
                    f"{s.standard.name}: {s.tier}."
                )
                lines += [f"  - {r}" for r in s.reasons]
        for p in self.paths:
            lines.append(p.explain())
        if self.simulated_population and any(p.ranking == "prevalence" for p in self.paths):
            lines.append(
                "(Peer prevalence computed from SIMULATED assessments of fictional cities.)"
            )
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {
            "scenario": self.scenario,
            "before": self.before.as_dict(),
            "after": self.after.as_dict(),
            "paths": [p.as_dict() for p in self.paths],
            "peer_population_simulated": self.simulated_population,
        }


def city_whatif(
    met: Iterable[str],
    scenario: Scenario | Change | None,
    standard: Standard,
    *,
    outcome_met: bool = True,
    population=None,
    weights: Mapping[str, float] | None = None,
    default_weight: float | None = None,
) -> CityWhatIf:
    """Score one city (its met criteria under ``standard``) before and after ``scenario`` (``None``:
    no change), with its paths to higher tiers.

    Changes restricted to some cities do not apply to a lone city (it has no id): give them without
    ``cities``. Paths use the standard in effect after the scenario; peer prevalence is taken from
    ``population`` (assessments of ``standard``) scored under that standard.
    """
    std = require_standard(standard, "city_whatif")
    scenario = Scenario(scenario)
    for ch in scenario.changes:
        if getattr(ch, "cities", None) is not None:
            raise ScenarioError(
                "a single-city what-if cannot restrict changes to some cities: leave 'cities' out"
            )
    have = met_codes(met, std)
    row = np.isin(np.array(std.criteria), have)[None, :]
    std_after, m, out = scenario.transform(std, row, bool(outcome_met))
    met_after = tuple(c for c, v in zip(std_after.criteria, m[0]) if v)
    before = score_city(have, std, outcome_met)
    after = score_city(met_after, std_after, bool(out[0]))
    prevalence = peer_prevalence(population, std_after) if population is not None else None
    paths = paths_to_higher_tiers(
        met_after,
        std_after,
        outcome_met=bool(out[0]),
        prevalence=prevalence,
        weights=weights,
        default_weight=default_weight,
    )
    sim = bool(prevalence.attrs.get("simulated", False)) if prevalence is not None else False
    label = scenario.describe() if len(scenario) else ""
    return CityWhatIf(before, after, label, tuple(paths), sim)
