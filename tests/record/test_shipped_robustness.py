"""The robustness analysis of the shipped SIMULATED assessments: the figures of
docs/whatif-cookbook.md (questions 6 to 9), held in ``expected.yaml`` (``robustness``). The method
is tested on small cases in tests/unit/test_robustness.py."""

from __future__ import annotations

import pytest

from wwc_analysis import whatif as wi
from wwc_analysis.whatif import UncertainInputs


@pytest.fixture(scope="module")
def want(expected) -> dict:
    return expected["robustness"]


@pytest.fixture(scope="module")
def latest(record):
    return wi.select_assessments(record.assessments, "latest")


@pytest.fixture(scope="module")
def inputs(std2022) -> UncertainInputs:
    """Question 7's rules: cut-offs +-3, gates at 1/2, every criterion kept at 0.95."""
    return UncertainInputs(
        thresholds={t: (v - 3, v + 3) for t, v in std2022.threshold_map.items()},
        core=dict.fromkeys(std2022.core, 0.5),
        outcome=0.5,
        criteria=dict.fromkeys(std2022.criteria, 0.95),
    )


def test_tier_counts_under_uncertain_cut_offs_and_gates(latest, std2022, want):
    spec = UncertainInputs(
        thresholds={t: (v - 3, v + 3) for t, v in std2022.threshold_map.items()},
        core=dict.fromkeys(std2022.core, 0.5),
        outcome=0.5,
    )
    result = wi.uncertainty(latest, spec, std2022, samples=4096, seed=2022)
    assert result.n_cities == want["cities"] and result.simulated
    got = want["gates_and_cut_offs"]
    assert result.summary()["cities_that_can_change"] == got["can_change"]
    frame = result.count_frame(0.9)
    for tier, row in got["counts"].items():
        cols = ["baseline", "median", "low", "high", "min", "max"]
        assert [int(frame.at[tier, c]) for c in cols] == row, tier


def test_what_drives_the_gold_count(latest, std2022, inputs, want):
    s = wi.sensitivity(latest, inputs, std2022, samples=1024, seed=2022, criteria="all")
    ranking = s.ranking("Gold")
    got = want["gold_drivers"]
    assert list(ranking["label"][:2]) == [got["first"], got["second"]]
    assert round(float(ranking["total_effect"].iloc[0]), 2) == got["total_effect"]


def test_binding_criteria(latest, std2022, want):
    loo = wi.leave_one_out(latest, std2022).table()
    for code, (changed, up, down) in want["leave_one_out"].items():
        assert loo.loc[code, ["changed", "up", "down"]].tolist() == [changed, up, down], code
    assert list(loo.index[:3]) == list(want["leave_one_out"])[:3]
    add = wi.add_one(latest, std2022).table()
    assert add["changed"].head(3).to_dict() == want["add_one"]


def test_one_city(record, std2022, inputs, want):
    met, outcome = wi.met_criteria(record.assessments, "sim-0045")
    city = wi.city_stability(met, inputs, std2022, outcome_met=outcome, samples=4096, seed=2022)
    got = want["sim_0045"]
    assert round(float(city.shares[1]), 2) == got["Silver"]
    assert round(float(city.shares[2]), 2) == got["Gold"]
    assert list(city.decisive_table(3).index) == got["decisive"]
