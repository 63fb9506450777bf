"""Tests of the what-if engine (wwc_analysis.whatif), its command line and the checklist widget,
with the standards of the tiny record (tests/fixtures/tiny) and fictional cities simulated in its
rounds. (``wwc whatif`` reads the project's standards: the same 2022 and 2018 rules.)"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wwc_analysis import whatif as wi
from wwc_analysis.cli import whatif as whatif_cli
from wwc_analysis.cli.app import main as cli_main
from wwc_analysis.figures.whatif import plot_threshold_sweep
from wwc_analysis.rules.scoring import (
    SCORE_TIERS,
    assessment_matrix,
    score,
    score_city,
    score_matrix,
)
from wwc_analysis.rules.standards import Standard, get_standard, tier_code
from wwc_analysis.simulate import simulate_assessments, simulate_matrix
from wwc_analysis.text.whatif import format_probability
from wwc_analysis.whatif import (
    MarkMet,
    MarkUnmet,
    OutcomeMet,
    Scenario,
    ScenarioError,
    SetGates,
    SetThresholds,
    UseStandard,
)

#: The 15 criteria an example city of the tests has not met (all the others it has).
UNMET_EXAMPLE = frozenset(
    {"PA1", "EVAL1", "EVAL2", "EVAL3", "EVAL4", "RDC5", "RDC6", "RDC7", "RDC8"}
    | {"CI1", "CI2", "CI3", "BF3", "OD4", "LC7"}
)


def _met_except(std, unmet) -> list[str]:
    return [c for c in std.criteria if c not in unmet]


@pytest.fixture(scope="module")
def std(tiny_std2022):
    return tiny_std2022


@pytest.fixture(scope="module")
def s2018(tiny_std2018):
    return tiny_std2018


@pytest.fixture(scope="module")
def population(tiny):
    """A simulated long frame (fictional cities, two or more rounds for some)."""
    return simulate_assessments(tiny, 120, seed=7)


@pytest.fixture(scope="module")
def matrix(std):
    m, o = simulate_matrix(3000, std, seed=11)
    return m, o


def small_standard(
    thresholds=(50, 70, 90), n=8, core=("C1", "C2"), core_required=True, outcome_required=True
):
    """A hand-made percent-rule standard small enough for brute force."""
    codes = tuple(f"C{i}" for i in range(1, n + 1))
    areas = tuple("Area A" if i <= n // 2 else "Area B" for i in range(1, n + 1))
    return Standard(
        name="small",
        tier_rule="percent_of_criteria",
        criteria_count=n,
        thresholds=tuple(thresholds),
        criteria=codes,
        practice_areas=areas,
        core=core,
        core_required=core_required,
        outcome_required=outcome_required,
    )


# --------------------------------------------------------------------------------------------------
# Scenarios: composition, immutability, description
# --------------------------------------------------------------------------------------------------


def test_changes_and_scenarios_are_immutable_and_compose():
    a, b = MarkMet(["EVAL2", "RDC5"]), SetThresholds(gold=70)
    s = a + b
    assert s == Scenario([a, b]) == sum([a, b])
    assert (s + OutcomeMet()).changes == (a, b, OutcomeMet())
    assert Scenario([s, SetGates(core=False)]).changes[-1] == SetGates(core=False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.criteria = ("DM1",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.changes = ()
    assert isinstance(a.criteria, tuple) and MarkMet("EVAL2").criteria == ("EVAL2",)
    assert MarkMet(["DM1"]) != MarkUnmet(["DM1"])


def test_wrapping_a_scenario_keeps_its_name_and_changes():
    s = Scenario([MarkMet(["EVAL2"])], name="named")
    assert Scenario(s) == s and Scenario(s).describe().startswith("Scenario 'named':")
    assert Scenario(s, name="other").name == "other"


def test_met_criteria_reads_one_city(population):
    city = population["city_id"].iloc[0]
    codes, outcome = wi.met_criteria(population, city)
    latest = max(population.loc[population["city_id"] == city, "round_id"])
    rows = population[(population["city_id"] == city) & (population["round_id"] == latest)]
    assert codes == tuple(rows.loc[rows["met"], "criterion"]) and outcome == bool(
        rows["outcome_met"].iloc[0]
    )
    with pytest.raises(ScenarioError, match="nowhere"):
        wi.met_criteria(population, "nowhere")
    with pytest.raises(ScenarioError, match="no assessment in round 1999-01"):
        wi.met_criteria(population, city, "1999-01")


def _self_assessment(std, path: Path, *assessments) -> Path:
    """A long-format self-assessment CSV: one ``(city_id, round_id, met codes, outcome_met)`` per
    assessment,
    every criterion of the 2022 standard listed."""
    lines = ["city_id,round_id,criterion,met,outcome_met"]
    for city, round_id, met, outcome in assessments:
        lines += [
            f"{city},{round_id},{c},{str(c in met).lower()},{str(outcome).lower()}"
            for c in std.criteria
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_city_from_file_reads_one_city(tmp_path, std, tiny):
    path = _self_assessment(
        std, tmp_path / "mine.csv", ("my-town", "2024-01", {"DM1", "LC1"}, True)
    )
    own = wi.city_from_file(path, tiny)
    assert own == (("DM1", "LC1"), True, "my-town", "2024-01")
    met, outcome, city_id, round_id = own  # unpacks as the notebook uses it
    assert (own.met, own.outcome_met, own.city_id, own.round_id) == (
        met,
        outcome,
        city_id,
        round_id,
    )
    # several rounds of the city: the latest one, in the standard's order of criteria
    path = _self_assessment(
        std,
        tmp_path / "two-rounds.csv",
        ("my-town", "2025-02", {"PA1", "DM2", "DM1"}, False),
        ("my-town", "2024-01", {"DM1"}, True),
    )
    assert wi.city_from_file(path, tiny) == (("DM1", "DM2", "PA1"), False, "my-town", "2025-02")
    assert score_city(wi.city_from_file(path, tiny).met, std).met == 3


def test_city_from_file_refuses_several_cities(tmp_path, std, tiny):
    path = _self_assessment(
        std,
        tmp_path / "both.csv",
        ("a-town", "2024-01", {"DM1"}, True),
        ("b-town", "2024-01", set(), True),
    )
    with pytest.raises(
        ScenarioError, match=r"both\.csv holds 2 cities \(a-town, b-town\).*one city"
    ):
        wi.city_from_file(path, tiny)
    many = _self_assessment(
        std, tmp_path / "many.csv", *[(f"town-{i:02d}", "2024-01", set(), True) for i in range(12)]
    )
    with pytest.raises(ScenarioError, match=r"12 cities \(town-00, .*town-09 and 2 more\)"):
        wi.city_from_file(many, tiny)


def test_city_from_file_validates_against_data_dir(tmp_path, std, tiny):
    from wwc_analysis.errors import DataValidationError

    path = _self_assessment(std, tmp_path / "mine.csv", ("my-town", "2024-01", {"DM1"}, True))
    elsewhere = dataclasses.replace(tiny, data_dir=tmp_path / "no-data-here")
    with pytest.raises(DataValidationError):  # the rounds and criteria come from the Dataset's dir
        wi.city_from_file(path, elsewhere)
    bad = _self_assessment(std, tmp_path / "bad.csv", ("my-town", "1999-01", {"DM1"}, True))
    with pytest.raises(DataValidationError, match="1999-01"):
        wi.city_from_file(bad, tiny)
    (tmp_path / "empty.csv").write_text(
        "city_id,round_id,criterion,met,outcome_met\n", encoding="utf-8"
    )
    with pytest.raises(DataValidationError, match="only a header"):
        wi.city_from_file(tmp_path / "empty.csv", tiny)


def test_describe_is_readable(s2018):
    s = Scenario(
        [
            MarkMet(["EVAL2", "RDC5"], cities=["sim-0001"]),
            SetThresholds(gold=70),
            UseStandard(s2018),
            SetGates(outcome=False),
            OutcomeMet(),
        ],
        name="demo",
    )
    text = s.describe()
    assert text.splitlines()[0] == "Scenario 'demo':"
    assert "1. mark EVAL2, RDC5 as met for city sim-0001" in text
    assert "2. threshold Gold 70 %" in text
    assert "3. use the 2018 thresholds (with its gates)" in text
    assert "4. outcome gate off" in text
    assert "5. treat the outcome requirement as met for all cities" in text
    assert Scenario().describe() == "Scenario: no change (baseline)"


@pytest.mark.parametrize(
    "make, culprit",
    [
        (lambda: SetThresholds(gold=101), "gold: 101 is outside 0-100"),
        (lambda: SetThresholds(silver=-1), "silver: -1 is outside 0-100"),
        (lambda: SetThresholds(gold=70.5), "gold: 70.5 is not a whole percent"),
        (lambda: SetThresholds(), "at least one"),
        (lambda: MarkMet([]), "no criterion codes"),
        (lambda: MarkMet(["DM1", "DM1"]), "listed twice: DM1"),
        (lambda: SetGates(core="yes"), "core_gate"),
    ],
)
def test_bad_changes_are_refused_at_construction(make, culprit):
    with pytest.raises(ScenarioError, match=culprit):
        make()


def test_unknown_criterion_city_and_disordered_thresholds_name_the_culprit(population, std, tiny):
    with pytest.raises(ScenarioError, match=r"unknown criterion EVAL9 .*valid codes"):
        wi.apply(MarkMet(["EVAL9"]), population, std)
    with pytest.raises(ScenarioError, match=r"eval2 \(did you mean EVAL2\?\)"):
        wi.apply(MarkMet(["eval2"]), population, std)
    with pytest.raises(ScenarioError, match="unknown city id.*nowhere"):
        wi.apply(MarkMet(["DM2"], cities=["nowhere"]), population, std)
    with pytest.raises(ScenarioError, match="must not decrease"):
        wi.apply(SetThresholds(gold=90), population, std)
    with pytest.raises(ScenarioError, match="components"):
        wi.apply(UseStandard(get_standard("2017", tiny)), population, std)


# --------------------------------------------------------------------------------------------------
# apply: input shapes, exactness, no mutation
# --------------------------------------------------------------------------------------------------


def test_empty_scenario_reproduces_scoring(population, std):
    base = score(population, std)
    out = wi.apply(Scenario(), population, std)
    pd.testing.assert_frame_equal(out, base, check_like=False)
    assert out.attrs["simulated"] is True and out["simulated"].all()


def test_apply_accepts_long_wide_matrix_and_arrays(population, std):
    s = MarkMet(["EVAL2", "RDC5"]) + SetThresholds(gold=70)
    long_out = wi.apply(s, population, std)
    am = assessment_matrix(population, std)
    am_out = wi.apply(s, am)
    wide = pd.DataFrame(am.matrix, columns=list(std.criteria), index=am.index)
    wide["outcome_met"] = am.outcome_met
    wide_out = wi.apply(s, wide, std)
    arrays = wi.apply(s, (am.matrix, am.outcome_met), std)
    for other in (am_out, wide_out):
        assert (other["tier"].to_numpy() == long_out["tier"].to_numpy()).all()
    assert (arrays.tier == long_out["tier"].cat.codes.to_numpy()).all()
    assert long_out.attrs["standard"] == "2022 (thresholds 51/70/85)"


def test_apply_matches_direct_scoring_and_does_not_mutate(matrix, std):
    m, o = matrix
    m0, o0 = m.copy(), o.copy()
    s = (
        MarkMet(["EVAL2", "RDC5"])
        + MarkUnmet(["DM9"])
        + SetThresholds(silver=50, gold=70)
        + OutcomeMet()
    )
    got = wi.apply_arrays(s, m, o, std)
    expect_m = m.copy()
    expect_m[:, [std.criteria.index("EVAL2"), std.criteria.index("RDC5")]] = True
    expect_m[:, std.criteria.index("DM9")] = False
    expect = score_matrix(expect_m, std.with_thresholds(silver=50, gold=70), True)
    assert (got.tier == expect.tier).all() and (got.met == expect.met).all()
    assert (m == m0).all() and (o == o0).all()


def test_changes_apply_in_order(std):
    m = np.zeros((1, 43), dtype=bool)
    both = wi.apply_arrays(MarkMet(["DM2"]) + MarkUnmet(["DM2"]), m, True, std)
    assert both.met[0] == 0
    other_way = wi.apply_arrays(MarkUnmet(["DM2"]) + MarkMet(["DM2"]), m, True, std)
    assert other_way.met[0] == 1


def test_city_restricted_changes_touch_only_those_cities(population, std):
    ids = sorted(set(population["city_id"]))[:3]
    everything = MarkMet(list(std.criteria), cities=ids) + OutcomeMet(cities=ids)
    out = wi.apply(everything, population, std)
    chosen = out.index.get_level_values("city_id").isin(ids)
    assert (out.loc[chosen, "tier"] == "Platinum").all()
    base = score(population, std)
    assert (out.loc[~chosen, "tier"] == base.loc[~chosen, "tier"]).all()


def test_use_standard_2018_with_and_without_gates(population, s2018, std):
    no_gates = wi.apply(UseStandard(s2018), population, std)
    expect = score(population, std.with_thresholds(*s2018.thresholds).with_gates(False, False))
    assert (no_gates["tier"] == expect["tier"]).all()
    kept = wi.apply(UseStandard(s2018, keep_gates=True), population, std)
    expect_kept = score(population, std.with_thresholds(*s2018.thresholds))
    assert (kept["tier"] == expect_kept["tier"]).all()
    assert kept.attrs["standard"] == "2022 under 2018 thresholds"


def test_gates_and_outcome(population, std):
    base = score(population, std)
    no_gate = wi.apply(SetGates(core=False, outcome=False), population, std)
    assert (no_gate["tier"] == no_gate["threshold_tier"]).all()
    outcome = wi.apply(OutcomeMet(), population, std)
    assert outcome["outcome_ok"].all()
    assert (outcome["tier"] >= base["tier"]).all()


@given(data=st.data(), seed=st.integers(0, 2**31), restrict=st.booleans())
def test_adding_criteria_never_lowers_a_tier(data, seed, restrict, std):
    codes = data.draw(
        st.lists(st.sampled_from(std.criteria), min_size=1, max_size=10, unique=True), "codes"
    )
    rng = np.random.default_rng(seed)
    m = rng.random((200, 43)) < rng.uniform(0.2, 1.0, (200, 1))
    o = rng.random(200) < 0.8
    cities = sorted(rng.choice(200, 40, replace=False).tolist()) if restrict else None
    before = score_matrix(m, std, o)
    after = wi.apply_arrays(MarkMet(codes, cities=cities), m, o, std)
    assert (after.tier >= before.tier).all()
    assert (after.met >= before.met).all()
    worse = wi.apply_arrays(MarkUnmet(codes, cities=cities), m, o, std)
    assert (worse.tier <= before.tier).all()


@given(
    delta=st.integers(1, 30),
    tier=st.sampled_from(["silver", "gold", "platinum"]),
    seed=st.integers(0, 2**31),
)
def test_lowering_a_threshold_never_lowers_a_tier(delta, tier, seed, std):
    rng = np.random.default_rng(seed)
    m = rng.random((200, 43)) < rng.uniform(0.2, 1.0, (200, 1))
    idx = ("silver", "gold", "platinum").index(tier)
    lower = std.thresholds[idx - 1] if idx else 0
    new = max(lower, std.thresholds[idx] - delta)
    before = score_matrix(m, std, True)
    after = wi.apply_arrays(SetThresholds(**{tier: new}), m, True, std)
    assert (after.tier >= before.tier).all()


# --------------------------------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------------------------------


def test_compare_transitions_and_counts(population, std):
    s = SetThresholds(gold=70)
    c = wi.compare(population, s, standard=std)
    base, after = score(population, std), wi.apply(s, population, std)
    assert c.transitions.shape == (4, 4)
    assert list(c.transitions.index) == list(SCORE_TIERS) == list(c.transitions.columns)
    assert c.transitions.to_numpy().sum() == len(base) == c.summary["total"]
    assert (
        c.transitions.sum(axis=1).to_numpy()
        == base["tier"].value_counts(sort=False).reindex(SCORE_TIERS).to_numpy()
    ).all()
    assert (
        c.transitions.sum(axis=0).to_numpy()
        == after["tier"].value_counts(sort=False).reindex(SCORE_TIERS).to_numpy()
    ).all()
    # raising Gold only moves Gold cities down to Silver
    assert c.summary["up"] == 0
    assert c.summary["down"] == c.transitions.loc["Gold", "Silver"]
    assert c.summary["up"] + c.summary["down"] + c.summary["unchanged"] == c.summary["total"]
    assert set(c.changed()["tier_after"]) <= {"Silver"}
    # the same from two score frames
    c2 = wi.compare(base, after)
    pd.testing.assert_frame_equal(c.transitions, c2.transitions)
    assert c.simulated and c.cities["simulated"].all() and c.transitions.attrs["simulated"]
    assert "SIMULATED" in c.explain()
    d = c.to_dict()
    json.dumps(d)
    assert d["summary"]["down"] == c.summary["down"]


def test_compare_with_baseline_and_arrays(matrix, std, tiny):
    m, o = matrix
    base = Scenario(SetGates(outcome=False))
    c = wi.compare((m, o), OutcomeMet() + SetGates(outcome=False), baseline=base, standard=std)
    assert c.summary["up"] == c.summary["down"] == 0
    a, b = wi.apply_arrays(Scenario(), m, o, std), wi.apply_arrays(OutcomeMet(), m, o, std)
    c2 = wi.compare(a, b)
    assert c2.summary["down"] == 0 and c2.summary["up"] == int((b.tier > a.tier).sum()) > 0
    assert not c2.simulated
    with pytest.raises(TypeError):
        wi.compare(a, score(simulate_assessments(tiny, 3, seed=1), std))


def test_real_assessments_are_not_flagged_simulated(population, std):
    real = population.assign(simulated=False)
    real.attrs["simulated"] = False
    c = wi.compare(real, SetThresholds(gold=70), standard=std)
    assert not c.simulated and "SIMULATED" not in c.explain()


def test_moves_text_in_words(population, std):
    c = wi.compare(population, SetThresholds(gold=70), standard=std)
    before, after = c.transitions.sum(axis=1), c.transitions.sum(axis=0)
    shifts = "; ".join(
        f"{t} {before[t]} → {after[t]}" for t in SCORE_TIERS if before[t] != after[t]
    )
    n_rows, n_cities = c.summary["total"], population["city_id"].nunique()
    assert n_rows > n_cities  # some fictional cities have several rounds: the rows are assessments
    down = c.summary["down"]
    assert c.moves_text() == (
        f"**0** of the {n_rows} assessments of {n_cities} fictional cities move up and "
        f"**{down}** {'moves' if down == 1 else 'move'} down ({shifts})"
    )
    assert c.moves_text(markdown=False) == c.moves_text().replace("**", "")
    # one assessment per city, real (not simulated): "cities"; one mover is singular; nothing moved:
    # no shifts
    latest = population[
        population["round_id"] == population.groupby("city_id")["round_id"].transform("max")
    ]
    real = latest.assign(simulated=False)
    real.attrs["simulated"] = False
    one = real["city_id"].iloc[0]
    up = wi.compare(real, MarkMet(std.criteria, cities=[one]), standard=std)
    assert up.moves_text(markdown=False).startswith(
        f"{up.summary['up']} of the {len(real) // len(std.criteria)} cities "
    )
    none = wi.compare(real, Scenario(), standard=std)
    assert (
        none.moves_text()
        == f"**0** of the {none.summary['total']} cities move up and **0** move down"
    )
    a = wi.apply_arrays(Scenario(), np.zeros((2, 43), bool), np.ones(2, bool), std)
    b = wi.apply_arrays(Scenario(), np.array([[True] * 43, [False] * 43]), np.ones(2, bool), std)
    assert wi.compare(a, b).moves_text() == (
        "**1** of the 2 cities moves up and **0** move down (Not certified 2 → 1; Platinum 0 → 1)"
    )


def test_labelled_transitions(population, std):
    c = wi.compare(population, SetThresholds(gold=70), standard=std)
    t = c.labelled_transitions("2022 rules ↓", "Gold at 70 % →")
    assert (t.index.name, t.columns.name) == ("2022 rules ↓", "Gold at 70 % →")
    np.testing.assert_array_equal(t.to_numpy(), c.transitions.to_numpy())
    assert list(t.index) == list(t.columns) == list(SCORE_TIERS)
    assert (c.transitions.index.name, c.transitions.columns.name) == ("before", "after")  # a copy
    assert t.attrs["simulated"]


# --------------------------------------------------------------------------------------------------
# Paths to a higher tier
# --------------------------------------------------------------------------------------------------


def _reaches(met, std, target, outcome=True) -> bool:
    return tier_code(score_city(met, std, outcome).tier) >= tier_code(target)


@given(
    met_mask=st.lists(st.booleans(), min_size=8, max_size=8),
    thresholds=st.lists(st.integers(0, 100), min_size=3, max_size=3).map(sorted),
    target=st.sampled_from(["Silver", "Gold", "Platinum"]),
    core_required=st.booleans(),
    weights=st.lists(st.integers(0, 9), min_size=8, max_size=8),
)
def test_path_is_feasible_minimal_and_cheapest_by_brute_force(
    met_mask, thresholds, target, core_required, weights
):
    std = small_standard(tuple(thresholds), core_required=core_required)
    met = [c for c, v in zip(std.criteria, met_mask) if v]
    unmet = [c for c in std.criteria if c not in met]
    w = dict(zip(std.criteria, map(float, weights)))
    path = wi.path_to_tier(met, target, std, weights=w)
    assert len(set(path.criteria)) == path.count and not set(path.criteria) & set(met)
    if _reaches(met, std, target):
        assert path.count == 0
        return
    assert _reaches(met + list(path.criteria), std, target)
    feasible = [
        s
        for k in range(len(unmet) + 1)
        for s in itertools.combinations(unmet, k)
        if _reaches(met + list(s), std, target)
    ]
    assert min(len(s) for s in feasible) == path.count  # no smaller set reaches the target
    assert min(sum(w[c] for c in s) for s in feasible) == pytest.approx(
        path.cost
    )  # cheapest of ALL sets
    if core_required:
        assert set(std.core) - set(met) <= set(path.criteria)


def test_outcome_is_required_but_not_bought_with_criteria():
    std = small_standard((50, 70, 90))
    path = wi.path_to_tier(["C1", "C2", "C3", "C4"], "Silver", std, outcome_met=False)
    assert path.count == 0 and path.outcome_needed
    assert "outcome requirement" in path.explain()
    ungated = wi.path_to_tier(
        ["C1", "C2", "C3", "C4"],
        "Silver",
        std.with_gates(outcome_required=False),
        outcome_met=False,
    )
    assert not ungated.outcome_needed


def test_prevalence_ranking_and_explanation(population, std):
    prev = wi.peer_prevalence(population, std)
    gold = score(population, std)["tier"] == "Gold"
    am = assessment_matrix(population, std)
    np.testing.assert_allclose(prev["Gold"].to_numpy(), am.matrix[gold.to_numpy()].mean(axis=0))
    assert prev.attrs["cities"]["Gold"] == int(gold.sum()) > 0
    met = _met_except(std, UNMET_EXAMPLE)
    path = wi.path_to_tier(met, "Gold", std, outcome_met=False, prevalence=prev)
    assert path.count == std.required_met("Gold") - len(met) == 2
    assert path.missing_core == ("PA1",) and path.criteria[0] == "PA1"
    chosen = prev.loc[list(path.others), "Gold"]
    rest = prev.loc[[c for c in std.criteria if c not in met and c not in path.criteria], "Gold"]
    assert chosen.min() >= rest.max()
    text = path.explain()
    assert text.startswith(
        "To reach Gold you need 2 more criteria: you still lack the core criterion PA1; the other "
        "most common among Gold cities that you do not yet meet is "
    )
    assert "outcome requirement" in text and path.practice_areas[0] == "Performance and Analytics"
    assert path.tier_after == "Gold" and path.met_after == 30
    assert path.as_dict()["criteria"][0]["core"] is True


def test_paths_to_higher_tiers_cover_each_higher_tier(std):
    met = list(std.criteria[:30])  # DM1..RDC2: includes DM1, LC1, PA1
    assert score_city(met, std).tier == "Gold"
    paths = wi.paths_to_higher_tiers(met, std)
    assert [p.target for p in paths] == ["Platinum"] and paths[0].count == 7
    assert paths[0].ranking == "standard order"
    assert wi.paths_to_higher_tiers(list(std.criteria), std) == []
    with pytest.raises(ScenarioError, match="XYZ"):
        wi.path_to_tier(["XYZ"], "Gold", std)
    with pytest.raises(ScenarioError, match=">= 0"):
        wi.path_to_tier(met, "Platinum", std, weights={"EVAL2": -1})


def test_city_whatif(population, std):
    met = [
        c
        for c in std.criteria
        if c not in {"EVAL2", "RDC5", "EVAL3", "EVAL4", "CI3", "RDC8", "RDC7", "BF3", "OD4"}
    ]
    r = wi.city_whatif(met, MarkMet(["EVAL2", "RDC5"]), std, population=population)
    assert r.before.met == 34 and r.after.met == 36
    assert r.before.tier == "Gold" and r.after.tier == "Gold"
    assert [p.target for p in r.paths] == ["Platinum"] and r.paths[0].count == 1
    assert "SIMULATED" in r.explain()
    with pytest.raises(ScenarioError, match="cities"):
        wi.city_whatif(met, MarkMet(["EVAL2"], cities=["x"]), std)


# --------------------------------------------------------------------------------------------------
# Tier probabilities
# --------------------------------------------------------------------------------------------------


def _enumerate_exact(p, outcome, std):
    """Exact tier distribution of one city by enumerating its uncertain criteria."""
    unc = [j for j, v in enumerate(p) if 0 < v < 1]
    probs = np.zeros(4)
    for bits in itertools.product([False, True], repeat=len(unc)):
        row = np.asarray(p) == 1
        w = 1.0
        for j, b in zip(unc, bits):
            row[j] = b
            w *= p[j] if b else 1 - p[j]
        for out, wo in ((True, outcome), (False, 1 - outcome)):
            t = score_matrix(row[None, :], std, out).tier[0]
            probs[t] += w * wo
    return probs


@given(
    p=st.lists(st.sampled_from([0.0, 1.0, 0.1, 0.5, 0.77, 0.95]), min_size=8, max_size=8),
    outcome=st.sampled_from([0.0, 0.3, 1.0]),
    core_required=st.booleans(),
    thresholds=st.lists(st.integers(0, 100), min_size=3, max_size=3).map(sorted),
)
def test_tier_probabilities_equal_exhaustive_enumeration(p, outcome, core_required, thresholds):
    std = small_standard(tuple(thresholds), core_required=core_required)
    got = wi.tier_probabilities(np.array(p), outcome, std)
    np.testing.assert_allclose(got, _enumerate_exact(p, outcome, std), atol=1e-12)
    assert got.sum() == pytest.approx(1.0) and (got >= 0).all()


def test_tier_probabilities_match_monte_carlo(std):
    rng = np.random.default_rng(2024)
    n_cities, draws = 6, 40_000
    p = (rng.random((n_cities, 43)) < 0.7).astype(float)
    for i in range(n_cities):  # ten uncertain criteria per city, some of them core
        cols = rng.choice(43, 10, replace=False)
        p[i, cols] = rng.uniform(0.05, 0.95, 10)
    p[:, std.criteria.index("DM1")] = 1.0
    p[0, std.criteria.index("PA1")] = 0.6
    outcome = rng.uniform(0.5, 1.0, n_cities)
    exact = wi.tier_probabilities(p, outcome, std)
    np.testing.assert_allclose(exact.sum(axis=1), 1.0, atol=1e-12)
    for i in range(n_cities):
        sample = rng.random((draws, 43)) < p[i]
        out = rng.random(draws) < outcome[i]
        freq = np.bincount(score_matrix(sample, std, out).tier, minlength=4) / draws
        sigma = np.sqrt(np.maximum(exact[i] * (1 - exact[i]), 1e-12) / draws)
        assert (np.abs(freq - exact[i]) <= 4 * sigma + 1e-9).all(), (i, freq, exact[i])


def test_certain_probabilities_reproduce_scoring(matrix, std):
    m, o = matrix
    probs = wi.tier_probabilities(m[:500].astype(float), o[:500].astype(float), std)
    tiers = score_matrix(m[:500], std, o[:500]).tier
    assert (probs[np.arange(500), tiers] == 1.0).all()
    assert (probs.sum(axis=1) == 1.0).all()


def test_city_tier_probabilities_and_frame(std):
    met = [c for c in std.criteria if c not in {"EVAL2", "RDC5", "CI3", "EVAL4", "RDC8", "OD4"}]
    s = wi.city_tier_probabilities(met, {"EVAL2": 0.5, "RDC5": 0.5, "CI3": 0.5}, 1.0, std)
    # 37 met for Platinum: 37 certain; the three uncertain ones add to it
    assert s["Platinum"] == pytest.approx(1.0)
    s2 = wi.city_tier_probabilities(met[:-1], {"EVAL2": 0.5, "RDC5": 0.5}, 0.9, std)
    # 36 certain: Platinum needs at least one of two -> 0.75, times the outcome
    assert s2["Platinum"] == pytest.approx(0.75 * 0.9) and s2["Gold"] == pytest.approx(0.25 * 0.9)
    assert s2["Not certified"] == pytest.approx(0.1)
    frame = pd.DataFrame([dict.fromkeys(std.criteria, 1.0) | {"outcome": 0.5}])
    f = wi.tier_probability_frame(frame, std)
    assert f.loc[0, "Platinum"] == pytest.approx(0.5) and f.loc[
        0, "at_least_silver"
    ] == pytest.approx(0.5)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        wi.tier_probabilities(np.full(43, 1.5), 1.0, std)


@pytest.mark.parametrize(
    "p, text",
    [
        (0.5, "50.0%"),
        (0.03125, "3.1%"),
        (0, "0.0%"),
        (1, "100.0%"),
        (np.float64(0.25), "25.0%"),
        (0.0004, "less than 0.1%"),
        (0.5**50, "less than 0.1%"),
        (0.0005, "0.1%"),
        (0.9996, "more than 99.9%"),
        (0.9994, "99.9%"),
        (1 + 1e-15, "100.0%"),
        (1 - 1e-15, "100.0%"),
        (-1e-15, "0.0%"),  # floating-point noise of a sum
    ],
)
def test_format_probability(p, text):
    assert format_probability(p) == text


@pytest.mark.parametrize("p", [1.2, -0.1, float("nan")])
def test_format_probability_refuses_non_probabilities(p):
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        format_probability(p)


def test_count_distribution_is_poisson_binomial():
    base, dist = wi.count_distribution(np.array([[1.0, 0.5, 0.5, 0.0], [0.2, 1.0, 1.0, 1.0]]))
    assert base.tolist() == [1, 3]
    np.testing.assert_allclose(dist, [[0.25, 0.5, 0.25], [0.8, 0.2, 0.0]])


# --------------------------------------------------------------------------------------------------
# Threshold sweep
# --------------------------------------------------------------------------------------------------


def test_sweep_agrees_with_rescoring_at_every_integer_threshold(matrix, std):
    m, o = matrix
    m, o = m[:800], o[:800]
    sweep = wi.threshold_sweep((m, o), std)
    assert len(sweep) == 3 * 101 * 4
    for (tier, value), part in sweep.groupby(["swept", "threshold"], observed=True):
        swept = wi.sweep_standard(std, tier, value)
        expect = np.bincount(score_matrix(m, swept, o).tier, minlength=4)
        assert part["cities"].tolist() == expect.tolist(), (tier, value)
        assert tuple(part[["silver_min", "gold_min", "platinum_min"]].iloc[0]) == swept.thresholds
    current = sweep[(sweep["swept"] == "Gold") & (sweep["threshold"] == 68)]
    assert (
        current["cities"].tolist()
        == np.bincount(score_matrix(m, std, o).tier, minlength=4).tolist()
    )


@given(
    seed=st.integers(0, 2**31),
    tier=st.sampled_from(["Silver", "Gold", "Platinum"]),
    value=st.integers(0, 100),
)
def test_sweep_from_scores_equals_sweep_from_matrix(seed, tier, value, std):
    rng = np.random.default_rng(seed)
    m = rng.random((300, 43)) < rng.uniform(0, 1, (300, 1))
    o = rng.random(300) < 0.7
    a = wi.threshold_sweep((m, o), std, tiers=[tier], values=[value])
    b = wi.threshold_sweep(score_matrix(m, std, o), tiers=[tier], values=[value])
    assert a["cities"].tolist() == b["cities"].tolist()
    assert a["at_least"].tolist() == np.cumsum(a["cities"].to_numpy()[::-1])[::-1].tolist()


def test_sweep_frame_and_plot(population, std):
    import matplotlib

    matplotlib.use("Agg")
    sweep = wi.threshold_sweep(population, std)
    assert sweep.attrs["simulated"] and sweep.attrs["thresholds"] == {
        "Silver": 51,
        "Gold": 68,
        "Platinum": 85,
    }
    assert (
        sweep.groupby(["swept", "threshold"], observed=True)["cities"].sum()
        == sweep.attrs["cities"]
    ).all()
    fig = plot_threshold_sweep(sweep)
    assert len(fig.axes) == 3 and any("SIMULATED" in t.get_text() for t in fig.texts)
    with pytest.raises(ValueError, match="outside"):
        wi.threshold_sweep(population, std, values=[101])


# --------------------------------------------------------------------------------------------------
# Scenario files and the CLI
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def assessments_file(tmp_path_factory, population):
    path = tmp_path_factory.mktemp("whatif") / "assessments.csv"
    population.to_csv(path, index=False)
    return path


def _run_cli(tmp_path, text, capsys, *extra, suffix=".yaml"):
    f = tmp_path / f"scenario{suffix}"
    f.write_text(text)
    code = cli_main(["whatif", "--file", str(f), *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(
    "text, culprit",
    [
        ("mark_met: [EVAL2, RDC9]\n", "unknown criterion RDC9"),
        ("thresholds: {gold: 170}\n", "gold: 170 is outside 0-100"),
        ("thresholds: {gold: -5}\n", "gold: -5 is outside 0-100"),
        ("thresholds: {bronze: 40}\n", "unknown key 'bronze' in thresholds"),
        ("mark_mett: [EVAL2]\n", "unknown key 'mark_mett' (did you mean 'mark_met'?)"),
        (
            "city: {met: [DM1], outcome: true}\n",
            "unknown key 'outcome' (did you mean 'outcome_met'?) in city",
        ),
        ("city: {met: [DM1, XX1]}\n", "unknown criterion XX1"),
        ("standard: '2030'\n", "unknown standard '2030'"),
        ("core_gate: maybe\n", "core_gate: expected true or false"),
        ("thresholds: {gold: 90}\n", "must not decrease"),
        ("cities: [sim-0001]\n", "cities: only restricts"),
        ("- not a mapping\n", "must hold a mapping"),
        ("mark_met: [EVAL2\n", "not valid YAML"),
    ],
)
def test_cli_errors_name_the_culprit(tmp_path, capsys, assessments_file, text, culprit):
    code, out, err = _run_cli(tmp_path, text, capsys, "--assessments", str(assessments_file))
    assert code == 2
    assert culprit in err
    assert "Traceback" not in err and out == ""


def test_cli_errors_for_missing_files(tmp_path, capsys):
    code = cli_main(["whatif", "--file", str(tmp_path / "none.yaml")])
    assert code == 2 and "cannot read scenario file" in capsys.readouterr().err
    code, _, err = _run_cli(
        tmp_path, "thresholds: {gold: 70}\n", capsys, "--assessments", str(tmp_path / "x.csv")
    )
    assert code == 2 and "x.csv" in err


def test_cli_population_table_and_json(tmp_path, capsys, assessments_file, population, std):
    text = "name: Gold at 70\nthresholds: {gold: 70}\n"
    code, out, err = _run_cli(tmp_path, text, capsys, "--assessments", str(assessments_file))
    assert code == 0 and err == ""
    assert "SIMULATED" in out and "threshold Gold 70 %" in out
    assert "Scenario 'Gold at 70':" in out
    code, out, _ = _run_cli(
        tmp_path,
        json.dumps({"thresholds": {"gold": 70}}),
        capsys,
        "--assessments",
        str(assessments_file),
        "--format",
        "json",
        suffix=".json",
    )
    d = json.loads(out)
    expect = wi.compare(population, SetThresholds(gold=70), standard=std)
    assert d["summary"] == {k: int(v) for k, v in expect.summary.items()} and d["simulated"] is True
    assert len(d["changed"]) == expect.summary["down"] and {"city_id", "round_id"} <= set(
        d["changed"][0]
    )


def test_cli_tables_for_people(tmp_path, capsys, assessments_file, population, std):
    """The table format: the transition matrix and the changed cities with headers in words,
    aligned, no pandas axis-name lines; the numbers those of compare()."""
    code, out, _ = _run_cli(
        tmp_path,
        "mark_unmet: [PA1]\n",
        capsys,
        "--assessments",
        str(assessments_file),
        "--max-cities",
        "3",
    )
    assert code == 0
    expect = wi.compare(population, MarkUnmet(["PA1"]), standard=std)
    lines = out.splitlines()
    at = lines.index("Tiers before and after the scenario:")
    assert lines[at + 1].split() == ["After"]
    assert lines[at + 2].split() == ["Before", "Not", "certified", "Silver", "Gold", "Platinum"]
    for tier, line in zip(SCORE_TIERS, lines[at + 3 : at + 7]):
        assert line.startswith(tier)
        counts = [int(v) for v in line[len(tier) :].split()]
        assert counts == expect.transitions.loc[tier].tolist()
        # numbers right-aligned under their headers
        assert len(line) == len(lines[at + 2])
    changed = expect.changed().head(3)
    at = lines.index(f"Cities that change tier ({len(expect.changed())}, first 3):")
    assert lines[at + 1].split() == ["Tier", "Criteria", "met", "Not", "certified"]
    heads = ["City", "Round", "before", "after", "before", "after", "because"]
    assert lines[at + 2].split() == heads
    for (city, rnd), row, line in zip(changed.index, changed.itertuples(), lines[at + 3 :]):
        cells = re.split(r"\s{2,}", line.strip())
        want = [city, rnd, row.tier_before, row.tier_after, row.met_before, row.met_after]
        assert cells == [str(v) for v in want] + [row.reason_after or "–"]
    for pandas_noise in ("city_id", "round_id", "tier_before", "met_after", "reason_after", "NaN"):
        assert pandas_noise not in out
    assert "\nbefore" not in out and "\nafter" not in out  # no axis-name lines


def test_cli_single_city(tmp_path, capsys, assessments_file, std):
    met = [
        c
        for c in std.criteria
        if c not in {"EVAL2", "RDC5", "EVAL3", "EVAL4", "CI3", "RDC8", "RDC7", "BF3", "OD4"}
    ]
    text = f"mark_met: [EVAL2, RDC5]\ncity:\n  met: [{', '.join(met)}]\n  outcome_met: true\n"
    code, out, _ = _run_cli(
        tmp_path, text, capsys, "--assessments", str(assessments_file), "--format", "json"
    )
    d = json.loads(out)
    assert code == 0 and d["before"]["met"] == 34 and d["after"]["met"] == 36
    assert d["paths"][0]["target"] == "Platinum" and d["paths"][0]["count"] == 1
    weights = "  weights: {EVAL3: 5, EVAL4: 1, CI3: 2}\n  default_weight: 9\n"
    code, out, _ = _run_cli(
        tmp_path, text + weights, capsys, "--assessments", str(assessments_file)
    )
    assert code == 0 and "EVAL4 (Evaluations; effort 1)" in out and "Total effort: 1." in out
    # long sentences wrap at 100 columns, continued two spaces further in
    assert max(len(line) for line in out.splitlines()) <= 100
    assert "\n  " in out.split("To reach", 1)[1]


def test_parse_scenario_schema_order(tiny, std):
    sf = wi.parse_scenario(
        {
            "use_standard": "2018",
            "keep_gates": True,
            "thresholds": {"gold": 70},
            "core_gate": False,
            "mark_met": ["EVAL2"],
            "mark_unmet": "DM9",
            "outcome_met": True,
            "cities": ["a"],
            "round": "2024-06",
        },
        tiny,
    )
    kinds = [type(c).__name__ for c in sf.scenario.changes]
    assert kinds == [
        "UseStandard",
        "SetThresholds",
        "SetGates",
        "MarkMet",
        "MarkUnmet",
        "OutcomeMet",
    ]
    assert sf.round == "2024-06" and sf.scenario.changes[3].cities == ("a",)
    chosen = sf.scenario.standard_for(std)
    assert chosen.thresholds == (51, 70, 84)
    assert not chosen.core_required and chosen.outcome_required
    with pytest.raises(ScenarioError, match="keep_gates only applies"):
        wi.parse_scenario({"keep_gates": True}, tiny)


WRONG_TYPES = [
    ({"name": {"a": 1}}, "name: expected text, got {'a': 1}"),
    ({"name": None}, "name: expected text, got None"),
    ({"name": 70}, "name: expected text (quote a name that looks like a number), got 70"),
    ({"round": {"a": 1}}, "round: expected a round id like \"2025-02\" (quoted), got {'a': 1}"),
    ({"standard": {"a": 1}}, "standard: expected a standard's name like 2022, got {'a': 1}"),
    ({"use_standard": [2018]}, "use_standard: expected a standard's name like 2022, got [2018]"),
    ({"cities": [{"a": 1}], "mark_met": ["DM1"]}, "cities: expected city ids, got {'a': 1}"),
    ({"cities": [float("nan")], "mark_met": ["DM1"]}, "cities: expected city ids, got nan"),
    ({"mark_met": ""}, "mark_met: expected a list of criterion codes, got ''"),
    ({"mark_unmet": []}, "mark_unmet: expected a list of criterion codes, got []"),
    (
        {"city": {"met": ["DM1"], "weights": {"DM2": 1}, "default_weight": float("nan")}},
        "city.default_weight: expected a finite number >= 0, got nan",
    ),
    (
        {"city": {"met": ["DM1"], "weights": {"DM2": 1}, "default_weight": float("-inf")}},
        "city.default_weight: expected a finite number >= 0, got -inf",
    ),
    (
        {"city": {"met": ["DM1"], "weights": {"DM2": 1}, "default_weight": -1}},
        "city.default_weight: expected a finite number >= 0, got -1",
    ),
    (
        {"city": {"met": ["DM1"], "default_weight": 2}},
        "city.default_weight only applies together with city.weights (the effort of the criteria "
        "they leave out)",
    ),
    (
        {"city": {"met": ["DM1"], "weights": {"DM2": float("inf")}}},
        "city.weights.DM2: expected a finite number >= 0, got inf",
    ),
    (
        {"city": {"met": ["DM1"], "weights": {"DM2": "5"}}},
        "city.weights.DM2: expected a finite number >= 0, got '5'",
    ),
]


@pytest.mark.parametrize("spec, line", WRONG_TYPES, ids=[w[1][:40] for w in WRONG_TYPES])
def test_values_of_the_wrong_type_are_refused_naming_the_key(tiny, spec, line):
    """A value of the wrong kind was accepted (a mapping as a name, shown as "{'a': 1}"; a NaN
    default weight without weights, ignored) or refused by an internal name (MarkMet, "effort
    weight of DM2" for a NaN default weight): one line naming the key."""
    with pytest.raises(ScenarioError) as info:
        wi.parse_scenario(spec, tiny)
    assert str(info.value) == line


def test_values_of_the_right_type_are_read(tiny):
    sf = wi.parse_scenario(
        {"name": "g70", "standard": 2022, "round": "2024-06", "cities": ["a", 7],
         "mark_met": "DM1 LC1"},
        tiny,
    )  # fmt: skip
    assert sf.scenario.name == "g70" and sf.standard.name == "2022" and sf.round == "2024-06"
    assert sf.scenario.changes[0].cities == ("a", "7")
    sf = wi.parse_scenario(
        {"city": {"met": [], "weights": {"DM2": 0, "LC2": 2.5}, "default_weight": 1}}, tiny
    )
    assert sf.weights == {"DM2": 0.0, "LC2": 2.5} and sf.default_weight == 1.0


def test_whatif_is_a_wwc_subcommand(tmp_path, capsys, assessments_file):
    from wwc_analysis.cli import app as cli

    assert whatif_cli in cli.COMMANDS, "whatif is a wwc command"
    f = tmp_path / "s.yaml"
    f.write_text("mark_met: [NOPE1]\n")
    assert cli.main(["whatif", "--file", str(f), "--assessments", str(assessments_file)]) == 2
    assert "NOPE1" in capsys.readouterr().err


@pytest.mark.skipif(
    not whatif_cli.default_assessments_path().exists(),
    reason="the shipped simulated file is not generated yet",
)
def test_cli_default_assessments_say_simulated(tmp_path, capsys):
    code, out, _ = _run_cli(tmp_path, "thresholds: {gold: 70}\n", capsys)
    assert code == 0 and "SIMULATED" in out and "assessments.csv" in out


# --------------------------------------------------------------------------------------------------
# Checklist widget (headless)
# --------------------------------------------------------------------------------------------------


def test_checklist_builds_headless_and_updates_live(population, std):
    from wwc_analysis.whatif.checklist import checklist

    met = _met_except(std, UNMET_EXAMPLE)
    w = checklist(std, met=met, population=population)
    assert len(w.checkboxes) == 43 and len(w.accordion.children) == 8
    assert "Performance and Analytics — 4/5" in w.accordion.titles
    assert "Not certified" in w.panel.value and "core criterion PA1" in w.panel.value
    w.checkboxes["PA1"].value = True  # the user ticks PA1
    assert "29 of 43 criteria met (67.4%): Silver" in w.panel.value
    assert "To reach Gold you need 1 more criterion" in w.panel.value
    assert "Performance and Analytics — 5/5" in w.accordion.titles
    w.outcome.value = False
    assert "Not certified" in w.panel.value and "outcome requirement unmet" in w.panel.value
    w.set_met(std.criteria)
    w.outcome.value = True
    assert "Platinum" in w.summary() and "highest tier" in w.panel.value
    with pytest.raises(ScenarioError, match="ZZ9"):
        checklist(std, met=["ZZ9"])


def test_checklist_with_effort_weights(std):
    from wwc_analysis.whatif.checklist import checklist

    met = list(std.criteria[:29])
    w = checklist(std, met=met, weights={"EVAL4": 1.0, "EVAL3": 5.0})
    assert "EVAL4 (Evaluations; effort 1)" in w.panel.value
    w.checkboxes["EVAL4"].value = True
    assert "Gold" in w.summary().splitlines()[0]


def test_docs_cookbook_exists():
    text = (Path(__file__).resolve().parents[2] / "docs" / "whatif-cookbook.md").read_text()
    for needle in (
        "EVAL2 and RDC5",
        "70 %",
        "Platinum next round",
        "cheapest path",
        "2018 thresholds",
    ):
        assert needle in text


# --------------------------------------------------------------------------------------------------
# What the engine takes: a Standard and the Dataset, never the project's data behind one's back
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda pop: wi.apply(Scenario(), pop, "2022"),
        lambda pop: wi.apply(Scenario(), pop),  # a frame does not carry its standard
        lambda pop: wi.compare(pop, SetThresholds(gold=70)),
        lambda pop: wi.peer_prevalence(pop),
        lambda pop: wi.threshold_sweep(pop),
        lambda pop: wi.apply_arrays(Scenario(), np.zeros((1, 43), bool), True, "2022"),
        lambda pop: wi.path_to_tier(["DM1"], "Gold", "2022"),
        lambda pop: wi.paths_to_higher_tiers(["DM1"], "2022"),
        lambda pop: wi.city_whatif(["DM1"], None, "2022"),
        lambda pop: wi.tier_probabilities(np.ones(43), 1.0, "2022"),
        lambda pop: wi.city_tier_probabilities(["DM1"], {}, 1.0, "2022"),
        lambda pop: Scenario().standard_for("2022"),
        lambda pop: UseStandard("2018"),
    ],
)
def test_a_standard_name_is_refused(population, call):
    with pytest.raises(TypeError, match="give a Standard"):
        call(population)


def test_an_assessment_matrix_carries_its_standard(population, std):
    am = assessment_matrix(population, std)
    assert wi.apply(Scenario(), am)["tier"].equals(wi.apply(Scenario(), population, std)["tier"])
    by_frame = wi.threshold_sweep(population, std)["cities"].tolist()
    assert wi.threshold_sweep(am)["cities"].tolist() == by_frame


def test_parse_scenario_resolves_standards_in_the_dataset_given(s2018, std, tiny):
    sf = wi.parse_scenario({"use_standard": "2018", "standard": "2022"}, tiny)
    assert sf.standard == std and sf.scenario.changes[0].standard == s2018
    assert wi.parse_scenario({}, tiny).standard == std  # the file's default standard
    kept = tiny.standards[tiny.standards["standard"] != "2018"]
    without_2018 = dataclasses.replace(tiny, standards=kept)
    with pytest.raises(ScenarioError, match="use_standard: unknown standard '2018'"):
        wi.parse_scenario({"use_standard": "2018"}, without_2018)
    with pytest.raises(ScenarioError, match="standard: unknown standard '2030'"):
        wi.parse_scenario({"standard": "2030"}, tiny)


def test_files_are_read_with_the_dataset_given(tmp_path):
    with pytest.raises(TypeError, match="give the Dataset"):
        wi.parse_scenario({"thresholds": {"gold": 70}}, None)
    with pytest.raises(TypeError, match="give the Dataset"):
        wi.city_from_file(tmp_path / "mine.csv", None)


def test_load_scenario_file_reads_yaml_and_json(tmp_path, std, tiny):
    (tmp_path / "s.yaml").write_text("name: g70\nthresholds: {gold: 70}\n")
    (tmp_path / "s.json").write_text(json.dumps({"name": "g70", "thresholds": {"gold": 70}}))
    a = wi.load_scenario_file(tmp_path / "s.yaml", tiny)
    b = wi.load_scenario_file(tmp_path / "s.json", tiny)
    assert a == b and a.scenario.changes == (SetThresholds(gold=70),) and a.standard == std
    (tmp_path / "empty.yaml").write_text("")
    with pytest.raises(ScenarioError, match="is empty"):
        wi.load_scenario_file(tmp_path / "empty.yaml", tiny)


def test_rule_scenarios_are_the_three_comparisons(population, s2018, std):
    met = list(std.criteria[:25])
    r = wi.rule_scenarios(population, std, s2018, 70, met, True)
    expect = wi.compare(population, SetThresholds(gold=70), standard=std)
    assert r.gold.counts() == expect.counts() == {k: int(v) for k, v in expect.summary.items()}
    thr = wi.compare(population, UseStandard(s2018, keep_gates=True), standard=std)
    full = wi.compare(population, UseStandard(s2018), standard=std)
    assert r.thresholds.counts() == thr.counts() and r.rules.counts() == full.counts()
    assert r.city_gold == wi.city_whatif(met, SetThresholds(gold=70), std).after
    assert r.city_thresholds.standard.thresholds == s2018.thresholds
    assert r.gold_standard.required_met("Gold") == 31
    assert r.metrics() == {
        "gold_scenario": {"gold": 70, **expect.counts()},
        "2018_thresholds": thr.counts(),
        "2018_rules": full.counts(),
    }


def test_criteria_met_by_area_and_path_table(population, std, tiny):
    met = ["DM1", "DM2", "LC1", "PA1", "OD1"]
    areas = wi.criteria_met_by_area(met, std)
    assert list(areas.index) == list(std.criteria_by_area()) and areas.index.name == "practice area"
    assert areas["met"].sum() == 5 and areas["criteria"].sum() == 43
    assert areas.loc["Data Management", "met"] == 2
    names = wi.criterion_names(tiny.criteria, std)
    assert len(names) == 43
    assert names == wi.criterion_names(tiny.criteria, std.with_thresholds(gold=70))
    assert wi.criterion_names(tiny.criteria, dataclasses.replace(std, name="1999")) == {}
    paths = wi.paths_to_higher_tiers(met, std, population=population)
    table = wi.path_table(paths, names, simulated=True)
    assert len(table) == sum(p.count for p in paths) and table.attrs["simulated"]
    assert list(table.columns) == [
        "target tier",
        "criterion",
        "name",
        "practice area",
        "missing core",
        "peer share",
    ]
    first = table.iloc[0]
    assert first["name"] == names[first["criterion"]] and first["missing core"] in ("", "yes")
    assert wi.path_table([], names, simulated=False).empty


def test_checklist_labels_criteria_with_the_names_given(std, tiny):
    from wwc_analysis.whatif.checklist import checklist

    names = wi.criterion_names(tiny.criteria, std)
    w = checklist(std, met=["DM1"], names=names)
    assert w.checkboxes["DM1"].description == f"DM1 {names['DM1']} (core)"
    assert checklist(std).checkboxes["DM2"].description == "DM2"  # codes alone without names
