"""Criteria-level profiles of cohorts, on assessment data (the shipped data are SIMULATED).

Tiers come from the scoring rules; cohorts of assessed cities come from the same derivation as the
public record (:func:`cohorts.classify_events`), applied to each city's certified rounds, so a simulated
city that goes Silver → Gold is ``upgraded`` by exactly the rule used for real cities. Every frame
returned here carries the input's ``simulated`` flag (column and ``attrs``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wwc_analysis.data.schemas import COHORT_DTYPE, LEVEL_DTYPE
from wwc_analysis.history.cohorts import DERIVED_COHORTS, classify_events
from wwc_analysis.rules.scoring import assessment_matrix, score_matrix
from wwc_analysis.rules.standards import Standard, get_standard

if TYPE_CHECKING:  # pragma: no cover
    from wwc_analysis.data.dataset import Dataset

HISTORY_COHORTS = (*DERIVED_COHORTS, "not certified")


def _simulated(assessments: pd.DataFrame) -> bool:
    if "simulated" in assessments.columns:
        return bool(assessments["simulated"].all())
    return bool(assessments.attrs.get("simulated", False))


def assessment_history(assessments: pd.DataFrame, data: Dataset, standard: Standard | str = "2022") -> pd.DataFrame:
    """One row per assessed (city, round): score, tier and cohort.

    ``cohort`` is ``not certified`` for an assessment below Silver (or blocked by a gate); otherwise the
    derived cohort against the city's latest earlier *certified* round: new / upgraded / recertified / lower.
    """
    std = get_standard(standard, data)
    am = assessment_matrix(assessments, std)
    arr = score_matrix(am.matrix, std, am.outcome_met)
    hist = arr.to_frame(index=am.index).reset_index()
    hist["simulated"] = am.simulated
    certified = hist[hist["tier"] != "Not certified"]
    as_certs = pd.DataFrame(
        {
            "city_id": certified["city_id"].astype("string"),
            "city": certified["city_id"].astype("string"),
            "region": pd.array([pd.NA] * len(certified), dtype="string"),
            "country": pd.array([pd.NA] * len(certified), dtype="string"),
            "round_id": certified["round_id"].astype("string"),
            "level": certified["tier"].astype(str).astype(LEVEL_DTYPE),
            "reported_cohort": pd.Categorical([None] * len(certified), dtype=COHORT_DTYPE),
        }
    )
    ev = classify_events(certifications=as_certs, rounds=data.rounds)
    hist = hist.merge(ev[["city_id", "round_id", "derived_cohort", "previous_level"]], on=["city_id", "round_id"], how="left")
    cohort = hist["derived_cohort"].astype("object").where(hist["tier"] != "Not certified", "not certified")
    hist["cohort"] = pd.Categorical(cohort, categories=list(HISTORY_COHORTS))
    hist = hist.drop(columns="derived_cohort")
    hist = hist.merge(data.rounds[["round_id", "announced"]], on="round_id", how="left")
    hist.attrs["simulated"] = _simulated(assessments)
    return hist.sort_values(["announced", "city_id"]).reset_index(drop=True)


def _joined(assessments: pd.DataFrame, history: pd.DataFrame, data: Dataset, standard) -> pd.DataFrame:
    std = get_standard(standard, data)
    area = dict(zip(std.criteria, std.practice_areas))
    a = assessments[["city_id", "round_id", "criterion", "met"]].merge(
        history[["city_id", "round_id", "cohort"]], on=["city_id", "round_id"], how="inner"
    )
    a["practice_area"] = a["criterion"].map(area)
    return a


def practice_area_profile(assessments: pd.DataFrame, history: pd.DataFrame, data: Dataset,
                          standard: Standard | str = "2022") -> pd.DataFrame:
    """Share of criteria met per practice area (columns, standard order) for each cohort (rows)."""
    std = get_standard(standard, data)
    a = _joined(assessments, history, data, std)
    prof = a.groupby(["cohort", "practice_area"], observed=True)["met"].mean().unstack("practice_area")
    prof = prof.reindex(columns=list(dict.fromkeys(std.practice_areas)))
    prof = prof.reindex([c for c in HISTORY_COHORTS if c in prof.index])
    prof.attrs["simulated"] = _simulated(assessments)
    return prof


def separating_criteria(assessments: pd.DataFrame, history: pd.DataFrame, data: Dataset,
                        a: str = "upgraded", b: str = "recertified", top: int = 10,
                        standard: Standard | str = "2022") -> pd.DataFrame:
    """Criteria whose prevalence differs most between cohort ``a`` and cohort ``b``.

    Columns: ``practice_area``, ``share_<a>``, ``share_<b>``, ``difference`` (a - b, in share points),
    sorted by absolute difference; also ``n_<a>`` / ``n_<b>``, the number of assessments in each cohort.
    """
    for c in (a, b):
        if c not in HISTORY_COHORTS:
            raise ValueError(f"unknown cohort {c!r}: expected one of {', '.join(HISTORY_COHORTS)}")
    std = get_standard(standard, data)
    j = _joined(assessments, history, data, std)
    prev = j[j["cohort"].isin([a, b])].groupby(["criterion", "cohort"], observed=True)["met"].mean().unstack("cohort")
    sizes = history["cohort"].value_counts()
    if a not in prev.columns or b not in prev.columns:
        raise ValueError(f"no assessments in cohort {a!r} or {b!r} to compare")
    out = pd.DataFrame(
        {
            "practice_area": pd.Series(dict(zip(std.criteria, std.practice_areas))).reindex(prev.index),
            f"share_{a}": prev[a],
            f"share_{b}": prev[b],
            "difference": prev[a] - prev[b],
        }
    )
    out = out.reindex(out["difference"].abs().sort_values(ascending=False, kind="stable").index).head(top)
    out[f"n_{a}"] = int(sizes.get(a, 0))
    out[f"n_{b}"] = int(sizes.get(b, 0))
    out.index.name = "criterion"
    out.attrs["simulated"] = _simulated(assessments)
    return out


def criterion_prevalence(assessments: pd.DataFrame, history: pd.DataFrame, data: Dataset,
                         standard: Standard | str = "2022") -> pd.DataFrame:
    """Share of assessments meeting each criterion, per tier reached (rows: criteria in standard order)."""
    std = get_standard(standard, data)
    j = assessments[["city_id", "round_id", "criterion", "met"]].merge(
        history[["city_id", "round_id", "tier"]], on=["city_id", "round_id"])
    prev = j.groupby(["criterion", "tier"], observed=True)["met"].mean().unstack("tier").reindex(list(std.criteria))
    prev.attrs["simulated"] = _simulated(assessments)
    return prev


def gate_failures(history: pd.DataFrame) -> pd.Series:
    """Shares of assessments (floats in 0..1) that are certified, fall below the Silver threshold, miss a
    core criterion, miss the outcome requirement, or reach the Silver share but are blocked by a gate.

    The number of assessments the shares are taken over is ``len(history)``, also kept in
    ``attrs["assessments"]`` (an int, so it never prints as a float among the shares).
    """
    n = len(history)
    if n == 0:
        raise ValueError("no assessments")
    out = pd.Series(
        {
            "certified": float(np.mean(history["tier"] != "Not certified")),
            "below Silver threshold": float(np.mean(history["threshold_tier"] == "Not certified")),
            "missing a core criterion": float(np.mean(~history["core_ok"])),
            "outcome requirement unmet": float(np.mean(~history["outcome_ok"])),
            "blocked by a gate despite the threshold": float(
                np.mean((history["threshold_tier"] != "Not certified") & (history["tier"] == "Not certified"))),
        },
        name="share",
    )
    out.attrs["assessments"] = n
    out.attrs["simulated"] = bool(history.attrs.get("simulated", False)) or (
        "simulated" in history.columns and bool(history["simulated"].all()))
    return out
