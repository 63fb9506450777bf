"""Cohorts and criteria profiles of assessment data (tiers from the scoring rules)."""

from __future__ import annotations

import pandas as pd
import pytest

import wwc_analysis
from wwc_analysis.history.profiles import (
    assessment_history,
    criterion_prevalence,
    gate_failures,
    practice_area_profile,
    separating_criteria,
)


@pytest.fixture(scope="module")
def data():
    return wwc_analysis.load()


@pytest.fixture(scope="module")
def std(data):
    return wwc_analysis.get_standard("2022", data)


def _rows(std, city, round_id, n_met, outcome=True, drop_core=()):
    core = [c for c in std.core if c not in drop_core]
    rest = [c for c in std.criteria if c not in std.core and c not in drop_core]
    met = set(core + rest[: max(0, n_met - len(core))])
    return [
        {"city_id": city, "round_id": round_id, "criterion": c, "met": c in met, "outcome_met": outcome, "simulated": True}
        for c in std.criteria
    ]


@pytest.fixture(scope="module")
def frame(std):
    rows = []
    rows += _rows(std, "sim-a", "2023-06", 22) + _rows(std, "sim-a", "2024-06", 30)  # Silver -> Gold: upgraded
    rows += _rows(std, "sim-b", "2023-06", 30) + _rows(std, "sim-b", "2024-06", 31)  # Gold -> Gold: recertified
    rows += _rows(std, "sim-c", "2024-01", 40, drop_core=("PA1",))                   # core missing: not certified
    rows += _rows(std, "sim-c", "2025-02", 37)                                       # first certification: new
    rows += _rows(std, "sim-d", "2024-01", 40, outcome=False)                        # outcome gate
    rows += _rows(std, "sim-e", "2023-06", 37) + _rows(std, "sim-e", "2026-01", 25)  # Platinum -> Silver: lower
    df = pd.DataFrame(rows)
    df.attrs["simulated"] = True
    return df


def test_history_cohorts_follow_the_rules(frame, data):
    h = assessment_history(frame, data).set_index(["city_id", "round_id"])
    assert h.loc[("sim-a", "2023-06"), "cohort"] == "new"
    assert h.loc[("sim-a", "2024-06"), "cohort"] == "upgraded"
    assert h.loc[("sim-b", "2024-06"), "cohort"] == "recertified"
    assert h.loc[("sim-c", "2024-01"), "cohort"] == "not certified"
    assert h.loc[("sim-c", "2025-02"), "cohort"] == "new"
    assert h.loc[("sim-d", "2024-01"), "cohort"] == "not certified"
    assert h.loc[("sim-e", "2026-01"), "cohort"] == "lower"
    assert h["simulated"].all() and h.attrs["simulated"]


def test_profiles(frame, data, std):
    h = assessment_history(frame, data)
    prof = practice_area_profile(frame, h, data)
    assert list(prof.columns) == list(dict.fromkeys(std.practice_areas))
    assert prof.index[0] == "new" and prof.attrs["simulated"]
    assert ((prof >= 0) & (prof <= 1)).all().all()
    sep = separating_criteria(frame, h, data, top=5)
    assert len(sep) == 5
    assert sep["difference"].abs().is_monotonic_decreasing
    assert (sep["n_upgraded"] == 1).all() and (sep["n_recertified"] == 1).all()
    with pytest.raises(ValueError, match="unknown cohort"):
        separating_criteria(frame, h, data, a="promoted")
    prev = criterion_prevalence(frame, h, data)
    assert list(prev.index) == list(std.criteria)
    assert prev.loc["DM1"].min() == 1.0  # every assessment here meets DM1


def test_gate_failures(frame, data):
    g = gate_failures(assessment_history(frame, data))
    assert g.attrs["assessments"] == 9 and "assessments" not in g.index
    assert g.dtype == float and g.attrs["simulated"]
    assert g["missing a core criterion"] == pytest.approx(1 / 9)
    assert g["outcome requirement unmet"] == pytest.approx(1 / 9)
    assert g["blocked by a gate despite the threshold"] == pytest.approx(2 / 9)
    assert g["certified"] == pytest.approx(7 / 9)
