"""Exact scoring: every tier boundary, the gates, long/wide frames, one city. The standards are
those of the tiny record (tests/fixtures/tiny: copies of the published ones); that the shipped
standards say the same is tests/record/test_shipped_tables.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wwc_analysis.rules.scoring import (
    SCORE_TIER_DTYPE,
    SCORE_TIERS,
    assessment_matrix,
    score,
    score_city,
    score_counts,
    score_matrix,
    threshold_tiers,
)
from wwc_analysis.rules.standards import Standard, get_standard, tier_code


@pytest.fixture(scope="module")
def s2022(tiny_std2022) -> Standard:
    return tiny_std2022


@pytest.fixture(scope="module")
def s2018(tiny_std2018) -> Standard:
    return tiny_std2018


def _expected_tiers(total: int, cuts: tuple[int, int, int]) -> list[int]:
    """Reference tiers by brute force with exact fractions: met/total >= pct/100."""
    from fractions import Fraction

    return [sum(Fraction(m, total) >= Fraction(c, 100) for c in cuts) for m in range(total + 1)]


def test_standard_2022_is_built_from_data(s2022):
    assert s2022.criteria_count == 43 == len(s2022.criteria)
    assert s2022.thresholds == (51, 68, 85)
    assert s2022.core == ("DM1", "LC1", "PA1")
    assert s2022.core_required and s2022.outcome_required
    assert len(set(s2022.practice_areas)) == 8
    assert [len(v) for v in s2022.criteria_by_area().values()] == [9, 7, 4, 5, 3, 8, 3, 4]


@pytest.mark.parametrize(
    "met, tier",
    [(0, 0), (21, 0), (22, 1), (29, 1), (30, 2), (36, 2), (37, 3), (43, 3)],
)
def test_2022_boundaries_on_43(s2022, met, tier):
    # 21 = 48.8 %, 22 = 51.2 %, 29 = 67.4 %, 30 = 69.8 %, 36 = 83.7 %, 37 = 86.0 %
    assert threshold_tiers([met], s2022)[0] == tier
    assert score_counts([met], s2022).tier[0] == tier  # gates pass by default


def test_2022_every_count_matches_exact_fractions(s2022):
    got = threshold_tiers(np.arange(44), s2022).tolist()
    assert got == _expected_tiers(43, (51, 68, 85))
    assert [s2022.required_met(t) for t in ("Silver", "Gold", "Platinum")] == [22, 30, 37]


@pytest.mark.parametrize(
    "met, tier",
    # 22 = 48.9 %, 23 = 51.1 %, 30 = 66.7 %, 31 = 68.9 %, 37 = 82.2 %, 38 = 84.4 %
    [(22, 0), (23, 1), (30, 1), (31, 2), (37, 2), (38, 3), (45, 3)],
)
def test_2018_boundaries_on_45(s2018, met, tier):
    assert s2018.criteria_count == 45 and s2018.thresholds == (51, 67, 84)
    assert not s2018.core_required and not s2018.outcome_required
    assert score_counts([met], s2018, core_ok=False, outcome_ok=False).tier[0] == tier


def test_2018_every_count_matches_exact_fractions(s2018):
    assert threshold_tiers(np.arange(46), s2018).tolist() == _expected_tiers(45, (51, 67, 84))


def test_exact_boundary_where_floats_would_wobble():
    # 51 % of 100 criteria is exactly 51: a float share 0.51 * 100 = 51.00000000000001 must not
    # matter.
    std = Standard("x", "percent_of_criteria", 100, (51, 68, 85))
    assert threshold_tiers([50, 51, 67, 68, 84, 85], std).tolist() == [0, 1, 1, 2, 2, 3]
    std = Standard("y", "percent_of_criteria", 300, (29, 57, 58))  # 0.29*300 = 86.99999999999999
    assert threshold_tiers([86, 87, 170, 171, 173, 174], std).tolist() == [0, 1, 1, 2, 2, 3]


def test_2017_components_rule(tiny):
    s2017 = get_standard("2017", tiny)
    assert s2017.tier_rule == "components"
    assert s2017.criteria == ("Commit", "Measure", "Take Stock", "Act")
    assert threshold_tiers(np.arange(5), s2017).tolist() == [0, 0, 1, 2, 3]
    assert score_city(["Commit", "Act", "Measure"], s2017).tier == "Gold"


def test_core_gate(s2022):
    full = set(s2022.criteria)
    for core in s2022.core:
        res = score_city(full - {core}, s2022, outcome_met=True)
        assert res.threshold_tier == "Platinum"
        assert res.tier == "Not certified"
        assert res.missing_core == (core,)
        assert any("core criteria missing: " + core in r for r in res.reasons)


def test_outcome_gate(s2022):
    res = score_city(s2022.criteria, s2022, outcome_met=False)
    assert res.threshold_tier == "Platinum" and res.tier == "Not certified"
    assert any("outcome requirement unmet" in r for r in res.reasons)
    assert score_city(s2022.criteria, s2022, outcome_met=True).tier == "Platinum"


def test_gates_can_be_switched_off(s2022):
    no_gates = s2022.with_gates(core_required=False, outcome_required=False)
    assert score_city(s2022.criteria[3:], no_gates, outcome_met=False).tier == "Platinum"


def test_vectorised_reasons_and_next_tier(s2022):
    m = np.zeros((4, 43), dtype=bool)
    core_idx = [s2022.criteria.index(c) for c in s2022.core]
    m[0, :22] = True  # 22 met: Silver (DM1, LC1, PA1 are among the first 22 codes)
    assert all(i < 22 for i in core_idx)
    m[1, :] = True
    m[1, core_idx[2]] = False  # PA1 missing
    m[2, :10] = True  # below Silver: DM1-DM9, LC1 ...
    m[2, core_idx] = True  # ... plus PA1: 11 met, all core
    m[3, :] = True
    arr = score_matrix(m, s2022, outcome_met=np.array([True, True, True, False]))
    df = arr.to_frame()
    assert df["tier"].tolist() == ["Silver", "Not certified", "Not certified", "Not certified"]
    assert df["reason"].tolist()[1:] == [
        "core criteria missing",
        "below the Silver threshold",
        "outcome requirement unmet",
    ]
    assert df["tier"].dtype == SCORE_TIER_DTYPE
    # to_next_tier by threshold: row 2 has 11 met -> 11 more to Silver; row 3 at Platinum -> 0
    assert df["to_next_tier"].tolist()[2:] == [11, 0]
    m[2, core_idx[2]] = False
    both = score_matrix(m[2:3], s2022, outcome_met=False).to_frame()
    assert (
        both["reason"][0]
        == "below the Silver threshold; core criteria missing; outcome requirement unmet"
    )


def _long(std: Standard, cities: dict[str, set[str]], outcome: dict[str, bool]) -> pd.DataFrame:
    rows = [
        {
            "city_id": c,
            "round_id": "2024-01",
            "criterion": k,
            "met": k in met,
            "outcome_met": outcome[c],
            "simulated": False,
        }
        for c, met in cities.items()
        for k in std.criteria
    ]
    return pd.DataFrame(rows)


def test_score_long_frame_matches_score_city(s2022):
    rng = np.random.default_rng(7)
    cities = {
        f"t-{i}": {c for c in s2022.criteria if rng.random() < 0.4 + i / 20} for i in range(12)
    }
    outcome = {c: bool(rng.random() < 0.8) for c in cities}
    df = _long(s2022, cities, outcome)
    scores = score(df, s2022)
    assert len(scores) == 12
    for c, met in cities.items():
        one = score_city(met, s2022, outcome[c])
        row = scores.loc[(c, "2024-01")]
        assert (row["met"], str(row["tier"]), str(row["threshold_tier"])) == (
            one.met,
            one.tier,
            one.threshold_tier,
        )
        assert row["missing_core"] == ", ".join(one.missing_core)
    assert not scores.attrs["simulated"]


def test_wide_frame_equals_long(s2022):
    rng = np.random.default_rng(3)
    cities = {f"w-{i}": {c for c in s2022.criteria if rng.random() < 0.7} for i in range(5)}
    outcome = dict.fromkeys(cities, True)
    long = score(_long(s2022, cities, outcome), s2022)
    wide = pd.DataFrame(
        [{k: k in met for k in s2022.criteria} for met in cities.values()], index=list(cities)
    )
    wide["outcome_met"] = True
    assert score(wide, s2022)["tier"].tolist() == long["tier"].tolist()


def test_simulated_flag_carried_through(s2022):
    df = _long(s2022, {"sim-1": set(s2022.criteria)}, {"sim-1": True}).assign(simulated=True)
    out = score(df, s2022)
    assert out["simulated"].all() and out.attrs["simulated"] is True


def test_long_frame_errors(s2022):
    df = _long(s2022, {"a": set()}, {"a": True})
    with pytest.raises(ValueError, match="missing"):
        assessment_matrix(df.iloc[1:], s2022)
    with pytest.raises(ValueError, match="duplicated"):
        assessment_matrix(pd.concat([df, df.iloc[:1]]), s2022)
    bad = df.copy()
    bad.loc[0, "criterion"] = "XX9"
    with pytest.raises(ValueError, match="XX9"):
        assessment_matrix(bad, s2022)
    mixed = df.copy()
    mixed.loc[0, "outcome_met"] = False
    with pytest.raises(ValueError, match="outcome_met"):
        assessment_matrix(mixed, s2022)


def test_score_city_refuses_unknown_and_duplicate_codes(s2022):
    with pytest.raises(ValueError, match="unknown criterion code.*ZZ1"):
        score_city(["DM1", "ZZ1"], s2022)
    with pytest.raises(ValueError, match="listed twice"):
        score_city(["DM1", "DM1"], s2022)


def test_bad_arguments(s2022, tiny):
    with pytest.raises(ValueError, match="0..43"):
        threshold_tiers([44], s2022)
    with pytest.raises(TypeError):
        threshold_tiers([0.5], s2022)
    with pytest.raises(TypeError, match="boolean"):
        score_matrix(np.zeros((1, 43), dtype=int), s2022)
    with pytest.raises(ValueError, match="43 criteria"):
        score_matrix(np.zeros((1, 42), dtype=bool), s2022)
    with pytest.raises(ValueError, match="must not decrease"):
        s2022.with_thresholds(gold=90)
    with pytest.raises(ValueError, match="0..100"):
        s2022.with_thresholds(platinum=101)
    with pytest.raises(KeyError, match="unknown standard"):
        get_standard("2030", tiny)
    with pytest.raises(ValueError, match="lists no criterion codes"):
        assessment_matrix(pd.DataFrame({"criterion": []}), get_standard("2018", tiny))


def test_tier_code_names():
    assert [tier_code(t) for t in SCORE_TIERS] == [0, 1, 2, 3]
    with pytest.raises(ValueError):
        tier_code("Bronze")


def test_explain_mentions_what_is_missing(s2022):
    res = score_city([c for c in s2022.criteria if c != "LC1"][:25], s2022, outcome_met=True)
    text = res.explain()
    assert "25 of 43" in text and "LC1" in text and "Gold threshold" in text


def test_explain_counts_one_missing_criterion_in_the_singular(s2022):
    """'1 more criteria would reach the Gold threshold': one criterion short reads as one."""
    others = [c for c in s2022.criteria if c not in s2022.core]
    met = [*s2022.core, *others[: 29 - len(s2022.core)]]
    text = score_city(met, s2022, outcome_met=True).explain()
    assert "29 of 43" in text and "1 more criterion would reach the Gold threshold" in text
    two = score_city([*met[:-1]], s2022, outcome_met=True).explain()
    assert "2 more criteria would reach the Gold threshold" in two
