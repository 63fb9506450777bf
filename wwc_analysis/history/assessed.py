"""Assessed cities: criteria-level assessments scored into tiers and cohorts (the shipped data are
SIMULATED), practice-area profiles, separating criteria, gate failures, and which simulated
assessments an analysis looks at.

Tiers come from the scoring rules of a :class:`~wwc_analysis.rules.standards.Standard`; cohorts of
assessed cities come from the same derivation as the public record
(:func:`cohorts.classify_events`), applied to each city's certified rounds, so a simulated city that
goes Silver -> Gold is ``upgraded`` by exactly the rule used for real cities. Every frame returned
here carries the input's ``simulated`` flag (column and ``attrs``).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wwc_analysis.data.package import simulated_source
from wwc_analysis.data.schemas import COHORT_DTYPE, LEVEL_DTYPE
from wwc_analysis.history.annual import rounds_in_year
from wwc_analysis.history.cohorts import DERIVED_COHORTS, classify_events
from wwc_analysis.history.rounds import to_timestamp
from wwc_analysis.rules.scoring import SCORE_TIERS, assessment_matrix, score_matrix

if TYPE_CHECKING:  # pragma: no cover
    from wwc_analysis.data.dataset import Dataset
    from wwc_analysis.rules.standards import Standard

HISTORY_COHORTS = (*DERIVED_COHORTS, "not certified")


def _simulated(assessments: pd.DataFrame) -> bool:
    if "simulated" in assessments.columns:
        return bool(assessments["simulated"].all())
    return bool(assessments.attrs.get("simulated", False))


def simulated_assessments(data: Dataset) -> pd.DataFrame:
    """``data.assessments``; when the data folder has none, the project's shipped simulated file
    (:func:`~wwc_analysis.data.package.simulated_source`), validated against the folder's rounds
    and criteria. ``attrs["source"]`` names the file used, ``attrs["fallback"]`` says whether it is
    the shipped one standing in."""
    if data.assessments is not None:
        out = data.assessments
        out.attrs.setdefault("source", str(data.data_dir / "simulated" / "assessments.csv"))
        out.attrs.setdefault("fallback", False)
        return out
    from wwc_analysis.data.dataset import load_assessments  # a named file, not the project's tables

    path, fallback = simulated_source(data.data_dir)
    out = load_assessments(path, data.data_dir)
    out.attrs["source"] = str(path)
    out.attrs["fallback"] = fallback
    return out


def assessment_history(assessments: pd.DataFrame, data: Dataset, std: Standard) -> pd.DataFrame:
    """One row per assessed (city, round): score, tier and cohort under the standard ``std``.

    ``cohort`` is ``not certified`` for an assessment below Silver (or blocked by a gate); otherwise
    the derived cohort against the city's latest earlier *certified* round: new / upgraded /
    recertified / lower.
    """
    am = assessment_matrix(assessments, std)
    arr = score_matrix(am.matrix, std, am.outcome_met)
    hist = arr.to_frame(index=am.index).reset_index()
    hist["simulated"] = am.simulated
    certified = hist[hist["tier"] != "Not certified"]
    ev = classify_events(dataclasses.replace(data, certifications=_as_certifications(certified)))
    hist = hist.merge(
        ev[["city_id", "round_id", "derived_cohort", "previous_level"]],
        on=["city_id", "round_id"],
        how="left",
    )
    certified = hist["tier"] != "Not certified"
    cohort = hist["derived_cohort"].astype("object").where(certified, "not certified")
    hist["cohort"] = pd.Categorical(cohort, categories=list(HISTORY_COHORTS))
    hist = hist.drop(columns="derived_cohort")
    hist = hist.merge(data.rounds[["round_id", "announced"]], on="round_id", how="left")
    hist.attrs["simulated"] = _simulated(assessments)
    return hist.sort_values(["announced", "city_id"]).reset_index(drop=True)


def _as_certifications(certified: pd.DataFrame) -> pd.DataFrame:
    """Certified assessments as rows of a ``certifications`` table (no place, no reported
    cohort)."""
    n = len(certified)
    return pd.DataFrame(
        {
            "city_id": certified["city_id"].astype("string"),
            "city": certified["city_id"].astype("string"),
            "region": pd.array([pd.NA] * n, dtype="string"),
            "country": pd.array([pd.NA] * n, dtype="string"),
            "round_id": certified["round_id"].astype("string"),
            "level": certified["tier"].astype(str).astype(LEVEL_DTYPE),
            "reported_cohort": pd.Categorical([None] * n, dtype=COHORT_DTYPE),
        }
    )


def _joined(assessments: pd.DataFrame, history: pd.DataFrame, std: Standard) -> pd.DataFrame:
    area = dict(zip(std.criteria, std.practice_areas))
    a = assessments[["city_id", "round_id", "criterion", "met"]].merge(
        history[["city_id", "round_id", "cohort"]], on=["city_id", "round_id"], how="inner"
    )
    a["practice_area"] = a["criterion"].map(area)
    return a


def practice_area_profile(
    assessments: pd.DataFrame, history: pd.DataFrame, std: Standard
) -> pd.DataFrame:
    """Share of criteria met per practice area (columns, standard order) for each cohort (rows)."""
    a = _joined(assessments, history, std)
    prof = a.groupby(["cohort", "practice_area"], observed=True)["met"].mean()
    prof = prof.unstack("practice_area")
    prof = prof.reindex(columns=list(dict.fromkeys(std.practice_areas)))
    prof = prof.reindex([c for c in HISTORY_COHORTS if c in prof.index])
    prof.attrs["simulated"] = _simulated(assessments)
    return prof


def separating_criteria(
    assessments: pd.DataFrame,
    history: pd.DataFrame,
    std: Standard,
    a: str = "upgraded",
    b: str = "recertified",
    top: int = 10,
) -> pd.DataFrame:
    """Criteria whose prevalence differs most between cohort ``a`` and cohort ``b``.

    Columns: ``practice_area``, ``share_<a>``, ``share_<b>``, ``difference`` (a - b, in share
    points), sorted by absolute difference; also ``n_<a>`` / ``n_<b>``, the number of assessments in
    each cohort.
    """
    for c in (a, b):
        if c not in HISTORY_COHORTS:
            raise ValueError(f"unknown cohort {c!r}: expected one of {', '.join(HISTORY_COHORTS)}")
    j = _joined(assessments, history, std)
    j = j[j["cohort"].isin([a, b])]
    area = dict(zip(std.criteria, std.practice_areas))
    prev = j.groupby(["criterion", "cohort"], observed=True)["met"].mean().unstack("cohort")
    sizes = history["cohort"].value_counts()
    if a not in prev.columns or b not in prev.columns:
        raise ValueError(f"no assessments in cohort {a!r} or {b!r} to compare")
    out = pd.DataFrame(
        {
            "practice_area": pd.Series(area).reindex(prev.index),
            f"share_{a}": prev[a],
            f"share_{b}": prev[b],
            "difference": prev[a] - prev[b],
        }
    )
    order = out["difference"].abs().sort_values(ascending=False, kind="stable").index
    out = out.reindex(order).head(top)
    out[f"n_{a}"] = int(sizes.get(a, 0))
    out[f"n_{b}"] = int(sizes.get(b, 0))
    out.index.name = "criterion"
    out.attrs["simulated"] = _simulated(assessments)
    return out


def criterion_prevalence(
    assessments: pd.DataFrame, history: pd.DataFrame, std: Standard
) -> pd.DataFrame:
    """Share of assessments meeting each criterion, per tier reached (rows: criteria in standard
    order)."""
    j = assessments[["city_id", "round_id", "criterion", "met"]].merge(
        history[["city_id", "round_id", "tier"]], on=["city_id", "round_id"]
    )
    prev = j.groupby(["criterion", "tier"], observed=True)["met"].mean().unstack("tier")
    prev = prev.reindex(list(std.criteria))
    prev.attrs["simulated"] = _simulated(assessments)
    return prev


def criterion_names(data: Dataset, std: Standard) -> pd.Series:
    """The name of each criterion of ``std`` (index: the criterion code), from ``data.criteria``."""
    criteria = data.criteria[data.criteria["standard"] == std.name]
    return criteria.set_index("code")["name"]


def gate_failures(history: pd.DataFrame) -> pd.Series:
    """Shares of assessments (floats in 0..1) that are certified, fall below the Silver threshold,
    miss a core criterion, miss the outcome requirement, or reach the Silver share but are blocked
    by a gate.

    The number of assessments the shares are taken over is ``len(history)``, also kept in
    ``attrs["assessments"]`` (an int, so it never prints as a float among the shares).
    """
    n = len(history)
    if n == 0:
        raise ValueError("no assessments")
    below = history["threshold_tier"] == "Not certified"
    uncertified = history["tier"] == "Not certified"
    out = pd.Series(
        {
            "certified": float(np.mean(~uncertified)),
            "below Silver threshold": float(np.mean(below)),
            "missing a core criterion": float(np.mean(~history["core_ok"])),
            "outcome requirement unmet": float(np.mean(~history["outcome_ok"])),
            "blocked by a gate despite the threshold": float(np.mean(~below & uncertified)),
        },
        name="share",
    )
    out.attrs["assessments"] = n
    out.attrs["simulated"] = bool(history.attrs.get("simulated", False)) or (
        "simulated" in history.columns and bool(history["simulated"].all())
    )
    return out


def either_gate_failed(history: pd.DataFrame) -> float:
    """Share of assessments that miss a core criterion or the outcome requirement (or both)."""
    return float((~history["core_ok"] | ~history["outcome_ok"]).mean())


def tier_counts(population: pd.DataFrame) -> pd.DataFrame:
    """Assessments of ``population`` by tier reached (index ``tier``, lowest first): ``fictional
    cities`` and ``share`` (rounded to 3 decimals). Marked simulated."""
    tiers = population["tier"].value_counts().reindex(list(SCORE_TIERS), fill_value=0)
    out = pd.DataFrame({"fictional cities": tiers, "share": (tiers / tiers.sum()).round(3)})
    out.attrs["simulated"] = True
    return out


def simulated_metrics(population: pd.DataFrame) -> dict:
    """The SIMULATED numbers for ``metrics.json``: tiers reached and the share failing either
    gate."""
    tiers = tier_counts(population)["fictional cities"]
    return {
        "note": "SIMULATED DATA: fictional cities",
        "tiers": {k: int(v) for k, v in tiers.items()},
        "either_gate_failed": round(either_gate_failed(population), 3),
    }


def gate_table(gates: pd.Series) -> pd.DataFrame:
    """:func:`gate_failures` as a table: index ``outcome``, ``share`` (3 decimals) and
    ``assessments`` (the number the shares are taken over). Marked simulated."""
    out = gates.round(3).to_frame("share").rename_axis("outcome")
    out = out.assign(assessments=gates.attrs["assessments"])
    out.attrs["simulated"] = True
    return out


# --- which simulated assessments an analysis looks at ---------------------------------------------
def latest_assessments(history: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """Each assessed city's most recent assessment announced on or before ``as_of`` (one row per
    city).

    ``history`` is :func:`assessment_history`; adds ``assessments`` (how many the city had up to the
    date). The ``simulated`` flag in ``attrs`` is kept."""
    h = history
    if as_of is not None:
        h = h[h["announced"] <= to_timestamp(as_of)]
    h = h.sort_values(["city_id", "announced"], kind="stable")
    n = h.groupby("city_id").size()
    out = h.groupby("city_id").tail(1).reset_index(drop=True)
    out["assessments"] = out["city_id"].map(n).astype("int64")
    out.attrs = dict(history.attrs)
    return out


def simulated_population(history: pd.DataFrame, as_of=None) -> tuple[pd.DataFrame, bool]:
    """:func:`latest_assessments` as of ``as_of``, and whether it is dated (True) or a fallback.

    When no simulated assessment was announced by ``as_of`` (the simulation starts with the first
    round of the 2022 standard), every city's latest assessment on record is used instead (False),
    rather than an empty population; :func:`text.assessed.population_text` says which.
    """
    pop = latest_assessments(history, as_of)
    if len(pop):
        return pop, True
    return latest_assessments(history), False


def simulated_scope(
    history: pd.DataFrame, round_id: str, cohorts=("upgraded", "recertified"), min_size: int = 10
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The simulated assessments to profile for ``round_id``: that round's when each of ``cohorts``
    has at least ``min_size`` assessments there; otherwise every simulated round, pooled.

    Returns the chosen rows of ``history`` and the cohorts that were too small in the round (with
    their sizes; empty when the round's own assessments are used).
    """
    in_round = history[history["round_id"] == round_id]
    sizes = in_round["cohort"].value_counts()
    small = {c: int(sizes.get(c, 0)) for c in cohorts if int(sizes.get(c, 0)) < min_size}
    out = (history if small else in_round).copy()
    out.attrs = dict(history.attrs)
    return out.reset_index(drop=True), small


def simulated_history(year, data: Dataset, std: Standard) -> pd.DataFrame:
    """SIMULATED: :func:`assessment_history` of the simulated assessments of the year's rounds
    (empty when none falls in the year). The assessments are those of every simulated section:
    :func:`simulated_assessments` (the shipped file when the data folder has none)."""
    ids = list(rounds_in_year(year, data)["round_id"])
    a = simulated_assessments(data)
    if not a["round_id"].isin(ids).any():
        return pd.DataFrame()
    hist = assessment_history(a[a["round_id"].isin(ids)], data, std)
    hist.attrs["simulated"] = True
    return hist


def rounds_without_simulated(year, data: Dataset, std: Standard) -> list[str]:
    """The rounds of ``year`` under ``std`` that no simulated assessment falls in: the SIMULATED
    tables of the year (:func:`simulated_tiers`, :func:`simulated_gates`) have no row for them,
    and a reader must be told. Rounds of another standard are not listed (the simulation covers
    one standard)."""
    rounds = rounds_in_year(year, data)
    under = rounds.loc[rounds["standard"].astype(str) == std.name, "round_id"].astype(str)
    assessed = set(simulated_assessments(data)["round_id"].astype(str))
    return [r for r in under if r not in assessed]


def simulated_tiers(year, data: Dataset, std: Standard) -> pd.DataFrame:
    """SIMULATED: fictional assessments of the year's rounds, counted by round (rows) and tier
    reached (columns ``Not certified`` ... ``Platinum``). Empty when no simulated assessment falls
    in the year."""
    hist = simulated_history(year, data, std)
    if hist.empty:
        out = pd.DataFrame(columns=list(SCORE_TIERS), dtype="int64")
    else:
        out = pd.crosstab(hist["round_id"].astype(str), hist["tier"])
        out = out.reindex(columns=list(SCORE_TIERS), fill_value=0)
    out.index.name, out.columns.name = "round_id", None
    out.attrs["simulated"] = True
    return out


def simulated_gates(year, data: Dataset, std: Standard) -> pd.DataFrame:
    """SIMULATED: per round of the year, the number of fictional assessments and the shares
    certified, below the Silver threshold, missing a core criterion, missing the outcome
    requirement, and blocked by a gate despite the threshold (see :func:`gate_failures`). Empty when
    there are none."""
    hist = simulated_history(year, data, std)
    if hist.empty:
        out = pd.DataFrame()
    else:
        groups = hist.groupby(hist["round_id"].astype(str))
        out = pd.DataFrame({rid: gate_failures(g) for rid, g in groups}).T
        out.insert(0, "assessments", groups.size().astype("int64"))
    out.index.name = "round_id"
    out.attrs["simulated"] = True
    return out


__all__ = [
    "HISTORY_COHORTS",
    "assessment_history",
    "criterion_names",
    "criterion_prevalence",
    "either_gate_failed",
    "gate_failures",
    "gate_table",
    "latest_assessments",
    "practice_area_profile",
    "separating_criteria",
    "simulated_assessments",
    "simulated_gates",
    "simulated_history",
    "simulated_metrics",
    "simulated_population",
    "simulated_scope",
    "simulated_tiers",
    "tier_counts",
]
