"""Assessed cities (wwc_analysis.history.assessed): cohorts and criteria profiles of assessment data
(tiers from the scoring rules), and which simulated assessments an analysis looks at. On frames
built here and on a simulation in the tiny record's rounds (``tiny_sim``); the shipped
simulation's figures: tests/record/test_shipped_simulation.py."""

from __future__ import annotations

import pandas as pd
import pytest

import wwc_analysis
from wwc_analysis.history import assessed
from wwc_analysis.history.assessed import (
    assessment_history,
    criterion_names,
    criterion_prevalence,
    either_gate_failed,
    gate_failures,
    gate_table,
    practice_area_profile,
    separating_criteria,
    simulated_metrics,
    tier_counts,
)
from wwc_analysis.text import assessed as assessed_text
from wwc_analysis.text.cohorts import with_counts


@pytest.fixture(scope="module")
def std(tiny_std2022):
    return tiny_std2022


def _rows(std, city, round_id, n_met, outcome=True, drop_core=()):
    core = [c for c in std.core if c not in drop_core]
    rest = [c for c in std.criteria if c not in std.core and c not in drop_core]
    met = set(core + rest[: max(0, n_met - len(core))])
    return [
        {
            "city_id": city,
            "round_id": round_id,
            "criterion": c,
            "met": c in met,
            "outcome_met": outcome,
            "simulated": True,
        }
        for c in std.criteria
    ]


@pytest.fixture(scope="module")
def frame(std):
    rows = []
    # Silver -> Gold: upgraded
    rows += _rows(std, "sim-a", "2023-06", 22) + _rows(std, "sim-a", "2024-06", 30)
    # Gold -> Gold: recertified
    rows += _rows(std, "sim-b", "2023-06", 30) + _rows(std, "sim-b", "2024-06", 31)
    # core missing: not certified
    rows += _rows(std, "sim-c", "2024-01", 40, drop_core=("PA1",))
    # first certification: new
    rows += _rows(std, "sim-c", "2025-02", 37)
    rows += _rows(std, "sim-d", "2024-01", 40, outcome=False)  # outcome gate
    # Platinum -> Silver: lower
    rows += _rows(std, "sim-e", "2023-06", 37) + _rows(std, "sim-e", "2025-02", 25)
    df = pd.DataFrame(rows)
    df.attrs["simulated"] = True
    return df


def test_history_cohorts_follow_the_rules(frame, tiny_sim, std):
    h = assessment_history(frame, tiny_sim, std).set_index(["city_id", "round_id"])
    assert h.loc[("sim-a", "2023-06"), "cohort"] == "new"
    assert h.loc[("sim-a", "2024-06"), "cohort"] == "upgraded"
    assert h.loc[("sim-b", "2024-06"), "cohort"] == "recertified"
    assert h.loc[("sim-c", "2024-01"), "cohort"] == "not certified"
    assert h.loc[("sim-c", "2025-02"), "cohort"] == "new"
    assert h.loc[("sim-d", "2024-01"), "cohort"] == "not certified"
    assert h.loc[("sim-e", "2025-02"), "cohort"] == "lower"
    assert h["simulated"].all() and h.attrs["simulated"]


def test_profiles(frame, tiny_sim, std):
    h = assessment_history(frame, tiny_sim, std)
    prof = practice_area_profile(frame, h, std)
    assert list(prof.columns) == list(dict.fromkeys(std.practice_areas))
    assert prof.index[0] == "new" and prof.attrs["simulated"]
    assert ((prof >= 0) & (prof <= 1)).all().all()
    sep = separating_criteria(frame, h, std, top=5)
    assert len(sep) == 5
    assert sep["difference"].abs().is_monotonic_decreasing
    assert (sep["n_upgraded"] == 1).all() and (sep["n_recertified"] == 1).all()
    with pytest.raises(ValueError, match="unknown cohort"):
        separating_criteria(frame, h, std, a="promoted")
    prev = criterion_prevalence(frame, h, std)
    assert list(prev.index) == list(std.criteria)
    assert prev.loc["DM1"].min() == 1.0  # every assessment here meets DM1


def test_gate_failures(frame, tiny_sim, std):
    g = gate_failures(assessment_history(frame, tiny_sim, std))
    assert g.attrs["assessments"] == 9 and "assessments" not in g.index
    assert g.dtype == float and g.attrs["simulated"]
    assert g["missing a core criterion"] == pytest.approx(1 / 9)
    assert g["outcome requirement unmet"] == pytest.approx(1 / 9)
    assert g["blocked by a gate despite the threshold"] == pytest.approx(2 / 9)
    assert g["certified"] == pytest.approx(7 / 9)


@pytest.fixture(scope="module")
def history(tiny_sim, std):
    return assessment_history(assessed.simulated_assessments(tiny_sim), tiny_sim, std)


def test_latest_assessments(history):
    la = assessed.latest_assessments(history, "2024-12-31")
    assert la["city_id"].is_unique and la["announced"].max() <= pd.Timestamp("2024-12-31")
    assert la.attrs["simulated"] is True
    assert la["assessments"].sum() == (history["announced"] <= pd.Timestamp("2024-12-31")).sum()


def test_simulated_scope(history):
    # every cohort large enough (min_size 0): the round's own assessments
    own, small = assessed.simulated_scope(history, "2025-02", min_size=0)
    text = assessed_text.scope_text(own, "2025-02", small)
    assert set(own["round_id"]) == {"2025-02"} and "round 2025-02" in text
    assert small == {} and own.attrs["simulated"] is True
    # a cohort too small: every round, pooled, and the text says which cohort and why
    in_round = history.loc[history["round_id"] == "2024-01", "cohort"].value_counts()
    pooled, small = assessed.simulated_scope(history, "2024-01", min_size=10_000)
    text = assessed_text.scope_text(pooled, "2024-01", small, min_size=10_000)
    assert len(pooled) == len(history) and "pooled" in text
    assert pooled.attrs["simulated"] is True
    assert small == {c: int(in_round[c]) for c in ("upgraded", "recertified")}
    assert f"{small['upgraded']} upgraded" in text and "(fewer than 10000)" in text
    assert text.startswith(f"all {len(history)} simulated assessments of rounds 2023-06 to 2025-02")
    # the counts are said to be simulated, in the sentence itself: never read as the real round's
    assert text.endswith(
        f"because round 2024-01 has only {small['upgraded']} upgraded and "
        f"{small['recertified']} re-certified simulated assessments of fictional cities (fewer "
        "than 10000)"
    )
    # a round the simulation does not cover: no "has only 0 upgraded"
    early, small = assessed.simulated_scope(history, "2018-01")
    text = assessed_text.scope_text(early, "2018-01", small)
    assert text.endswith(
        "because the simulation has no assessment of a fictional city in round 2018-01 (it "
        "covers the rounds of the 2022 standard)"
    )
    assert "only 0" not in text
    # the default: 10 of each
    default, small = assessed.simulated_scope(history, "2024-01")
    assert small == {c: n for c, n in small.items() if n < 10}


def test_with_counts(tiny_sim, std, history):
    prof = practice_area_profile(assessed.simulated_assessments(tiny_sim), history, std)
    labelled = with_counts(prof, history)
    n = history["cohort"].value_counts()
    assert labelled.index[0] == f"new (n={n['new']})"
    assert labelled.attrs["simulated"] is True
    assert f"re-certified (n={n['recertified']})" in labelled.index  # labelled for a reader


def test_simulated_assessments_fallback(record, record_copy):
    # a researcher's folder without simulated/ still gets the shipped simulated file
    own = wwc_analysis.load(record_copy)
    assert own.assessments is None
    sim = assessed.simulated_assessments(own)
    assert len(sim) == len(record.assessments) and sim["simulated"].all()
    assert sim.attrs["source"].endswith("assessments.csv")


def test_simulated_population(history):
    pop, dated = assessed.simulated_population(history, "2024-06-30")
    text = assessed_text.population_text(pop, dated, history, "2024-06-30")
    assert pop["announced"].max() <= pd.Timestamp("2024-06-30") and "30 June 2024" in text
    assert dated is True
    # before the simulation starts: the latest assessments on record, and the sentence says so
    early, dated = assessed.simulated_population(history, "2019-12-31")
    text = assessed_text.population_text(early, dated, history, "2019-12-31")
    assert len(early) == history["city_id"].nunique() and "no simulated assessment is dated" in text
    assert dated is False


def test_simulated_tables(tiny_sim, std):
    from wwc_analysis.history.assessed import simulated_gates, simulated_tiers

    t = simulated_tiers(2024, tiny_sim, std)
    assert list(t.index) == ["2024-01", "2024-06"]
    assert list(t.columns) == ["Not certified", "Silver", "Gold", "Platinum"]
    assert t.attrs["simulated"] is True
    g = simulated_gates(2024, tiny_sim, std)
    assert (g["assessments"] == t.sum(axis=1)).all()
    assert ((g.drop(columns="assessments") >= 0) & (g.drop(columns="assessments") <= 1)).all().all()
    # none in 2019
    assert simulated_tiers(2019, tiny_sim, std).empty and simulated_gates(2019, tiny_sim, std).empty


def test_tier_counts_gate_table_and_metrics(history):
    pop, _ = assessed.simulated_population(history, "2024-12-31")
    counts = tier_counts(pop)
    assert list(counts.index) == ["Not certified", "Silver", "Gold", "Platinum"]
    assert counts.index.name == "tier"
    assert list(counts.columns) == ["fictional cities", "share"]
    assert counts.attrs["simulated"] is True
    assert counts["fictional cities"].sum() == len(pop) == pop["city_id"].nunique()
    assert counts["share"].sum() == pytest.approx(1, abs=0.005)
    table = gate_table(gate_failures(pop))
    assert table.index.name == "outcome"
    assert (table["assessments"] == len(pop)).all()
    assert table.attrs["simulated"]
    certified = 1 - counts.loc["Not certified", "fictional cities"] / len(pop)
    assert table.loc["certified", "share"] == round(certified, 3)
    m = simulated_metrics(pop)
    assert m["tiers"] == counts["fictional cities"].to_dict()
    assert m["either_gate_failed"] == round(either_gate_failed(pop), 3)
    assert "SIMULATED" in m["note"]


def test_gate_table_of_the_built_frame(frame, tiny_sim, std):
    """9 assessments: 7 certified, one missing PA1, one without the outcome."""
    h = assessment_history(frame, tiny_sim, std)
    m = simulated_metrics(h)
    assert m["tiers"] == {"Not certified": 2, "Silver": 2, "Gold": 3, "Platinum": 2}
    assert m["either_gate_failed"] == round(2 / 9, 3)
    table = gate_table(gate_failures(h))
    assert table.loc["certified", "share"] == round(7 / 9, 3)
    assert (table["assessments"] == 9).all()


def test_criterion_names(tiny_sim, std):
    names = criterion_names(tiny_sim, std)
    assert list(names.index) == list(std.criteria) and names.name == "name"
    assert names["RDC3"] == "Assessing Vendor Performance"


def test_scoring_needs_a_standard_object(frame, tiny_sim):
    """The standard is passed, never defaulted to a name."""
    with pytest.raises(TypeError):
        assessment_history(frame, tiny_sim)
