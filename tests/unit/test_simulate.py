"""The simulator of fictional cities: determinism, labels, model, calibration, command line. It runs
in the rounds of the tiny record (tests/fixtures/tiny); the shipped simulation and its calibration
against the shipped record: tests/record/test_shipped_simulation.py."""

from __future__ import annotations

import dataclasses
import io
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import TINY_DIR
from wwc_analysis import cli
from wwc_analysis import simulate as sim
from wwc_analysis.data.dataset import load_assessments
from wwc_analysis.rules.scoring import SCORE_TIERS, score, score_city, score_matrix
from wwc_analysis.simulate import model


@pytest.fixture(scope="module")
def std(tiny_std2022):
    return tiny_std2022


@pytest.fixture(scope="module")
def panel(tiny):
    """The default simulation (500 fictional cities) in the tiny record's rounds."""
    return sim.simulate(tiny)


@pytest.fixture(scope="module")
def big_scores(tiny, std):
    """A large simulation, scored: model properties without small-sample noise."""
    return score(sim.simulate_assessments(tiny, 20_000, seed=1), std)


@pytest.fixture(scope="module")
def panel_scores(panel, std):
    return score(panel.assessments, std)


# --- determinism ----------------------------------------------------------------------------------


def test_same_seed_gives_identical_frames(tiny):
    a = sim.simulate(tiny, 200, seed=5)
    b = sim.simulate(tiny, 200, seed=5)
    pd.testing.assert_frame_equal(a.assessments, b.assessments)
    pd.testing.assert_frame_equal(a.cities, b.cities)


def test_different_seed_gives_different_frames(tiny, std):
    a = sim.simulate_assessments(tiny, 200, seed=5)
    b = sim.simulate_assessments(tiny, 200, seed=6)
    assert not a.equals(b)
    m1, _ = sim.simulate_matrix(1000, std, seed=5)
    m2, _ = sim.simulate_matrix(1000, std, seed=6)
    assert not np.array_equal(m1, m2)


def test_simulate_matrix_is_deterministic_and_shaped(std):
    m1, o1 = sim.simulate_matrix(5000, seed=3, standard=std)
    m2, o2 = sim.simulate_matrix(5000, seed=3, standard=std)
    assert m1.shape == (5000, 43) and m1.dtype == np.bool_
    assert o1.shape == (5000,) and o1.dtype == np.bool_
    assert np.array_equal(m1, m2) and np.array_equal(o1, o2)
    assert sim.simulate_matrix(0, seed=1, standard=std)[0].shape == (0, 43)
    with pytest.raises(ValueError):
        sim.simulate_matrix(-1, seed=1, standard=std)


# --- fictional and labelled -----------------------------------------------------------------------


def test_ids_are_fictional_and_never_real(panel, tiny):
    ids = set(panel.assessments["city_id"])
    assert all(i.startswith(sim.CITY_PREFIX) for i in ids)
    assert ids.isdisjoint(set(tiny.certifications["city_id"].astype(str)))
    real = tiny.certifications["city_id"].astype(str)
    assert not any(i.startswith(sim.CITY_PREFIX) for i in real)
    assert set(panel.cities["city_id"]) >= ids
    assert panel.cities["city"].str.startswith("Simulated City ").all()


def test_every_frame_says_simulated(panel, panel_scores, tiny):
    a = panel.assessments
    assert list(a.columns) == list(sim.ASSESSMENT_COLUMNS)
    assert a["simulated"].dtype == bool and a["simulated"].all() and a.attrs["simulated"] is True
    assert panel.cities["simulated"].all() and panel.cities.attrs["simulated"] is True
    assert panel_scores["simulated"].all() and panel_scores.attrs["simulated"] is True
    assert sim.calibration(panel_scores, tiny).attrs["simulated"] is True


def test_frame_follows_the_contract(panel, tiny, std):
    a = panel.assessments
    for col in ("city_id", "round_id", "criterion"):
        assert a[col].dtype == pd.StringDtype()
    assert a["met"].dtype == bool and a["outcome_met"].dtype == bool
    assert not a.duplicated(["city_id", "round_id", "criterion"]).any()
    rounds_2022 = set(tiny.rounds.loc[tiny.rounds["standard"] == "2022", "round_id"])
    assert set(a["round_id"]) <= rounds_2022
    assert set(a["round_id"]) == rounds_2022  # 500 cities enter in every round
    assert (a.groupby(["city_id", "round_id"]).size() == std.criteria_count).all()
    assert (a.groupby(["city_id", "round_id"])["outcome_met"].nunique() == 1).all()


# --- model behaviour ------------------------------------------------------------------------------


def test_capacity_growth_makes_later_assessments_score_higher(big_scores):
    s = big_scores.reset_index().sort_values(["city_id", "round_id"])
    s["attempt"] = s.groupby("city_id").cumcount()
    by_attempt = s.groupby("attempt")["met"].mean()
    assert by_attempt.is_monotonic_increasing and by_attempt.iloc[1] > by_attempt.iloc[0] + 2
    repeat = s[s.groupby("city_id")["city_id"].transform("size") > 1]
    first = repeat.groupby("city_id")["met"].first()
    last = repeat.groupby("city_id")["met"].last()
    assert (last - first).mean() > 2  # criteria met grow within a city


def test_later_rounds_score_higher_on_average(big_scores):
    by_round = big_scores.reset_index().groupby("round_id")["met"].mean().sort_index()
    assert by_round.iloc[-1] > by_round.iloc[0]


def test_matrix_growth_and_consistency_with_panel(std, big_scores):
    m0, _ = sim.simulate_matrix(50_000, seed=2, standard=std)
    m2, _ = sim.simulate_matrix(50_000, seed=2, standard=std, years_since_entry=2.0)
    assert m2.sum(axis=1).mean() > m0.sum(axis=1).mean() + 5
    # simulate_matrix is the panel's first assessment: same model, same distribution of criteria met
    s = big_scores.reset_index().sort_values(["city_id", "round_id"])
    first = s.groupby("city_id")["met"].first()
    assert abs(first.mean() - m0.sum(axis=1).mean()) < 0.3


def test_some_cities_fail_core_and_some_fail_outcome(panel_scores):
    s = panel_scores
    assert 0 < (~s["core_ok"]).sum() < len(s) / 2
    assert 0 < (~s["outcome_ok"]).sum() < len(s) / 2
    blocked = (s["threshold_tier"] > "Not certified") & (s["tier"] == "Not certified")
    assert blocked.any()  # the gates bind: some cities reach Silver by share and are not certified
    assert s.loc[blocked, "reason"].astype(str).str.contains("core").any()
    assert s.loc[blocked, "reason"].astype(str).str.contains("outcome").any()


def test_reapplicants_upgrade_recertify_and_fail(panel_scores):
    outcomes = sim.reapplication_outcomes(panel_scores).value_counts()
    kinds = (
        "upgraded",
        "recertified",
        "failed",
        "new after earlier attempt",
        "not certified again",
    )
    for kind in kinds:
        assert outcomes[kind] > 0, kind
    assert outcomes["first assessment"] == panel_scores.reset_index()["city_id"].nunique()


def test_every_tier_occurs_and_comes_from_scoring(panel, panel_scores, std):
    assert set(panel_scores["tier"].astype(str)) == set(SCORE_TIERS)
    am = panel_scores.iloc[:50]
    a = panel.assessments
    for (city, round_id), row in am.iterrows():
        rows = a[(a["city_id"] == city) & (a["round_id"] == round_id)]
        cs = score_city(rows.loc[rows["met"], "criterion"], std, bool(rows["outcome_met"].iloc[0]))
        assert cs.tier == row["tier"]


def test_reapplication_outcomes_on_known_histories():
    tiers = {
        ("up-a", "2023-06"): "Silver",
        ("up-a", "2024-01"): "Gold",
        ("rec-a", "2023-06"): "Gold",
        ("rec-a", "2024-06"): "Gold",
        ("fail-a", "2024-01"): "Gold",
        ("fail-a", "2025-02"): "Not certified",
        ("low-a", "2024-01"): "Gold",
        ("low-a", "2025-02"): "Silver",
        ("new-a", "2023-06"): "Not certified",
        ("new-a", "2024-06"): "Silver",
        ("again-a", "2023-06"): "Not certified",
        ("again-a", "2025-02"): "Not certified",
        # compared with the latest *certified* tier, not the latest assessment
        ("gap-a", "2023-06"): "Gold",
        ("gap-a", "2024-01"): "Not certified",
        ("gap-a", "2024-06"): "Gold",
    }
    idx = pd.MultiIndex.from_tuples(list(tiers), names=["city_id", "round_id"])
    tier = pd.Categorical(list(tiers.values()), categories=SCORE_TIERS, ordered=True)
    frame = pd.DataFrame({"tier": tier}, index=idx)
    shuffled = frame.sample(frac=1.0, random_state=0)  # order of rows must not matter
    got = sim.reapplication_outcomes(shuffled).astype(str).to_dict()
    assert got[("up-a", "2024-01")] == "upgraded"
    assert got[("rec-a", "2024-06")] == "recertified"
    assert got[("fail-a", "2025-02")] == "failed"
    assert got[("low-a", "2025-02")] == "lower"
    assert got[("new-a", "2024-06")] == "new after earlier attempt"
    assert got[("again-a", "2025-02")] == "not certified again"
    assert got[("gap-a", "2024-01")] == "failed" and got[("gap-a", "2024-06")] == "recertified"
    firsts = [(c, r) for c, r in tiers if r == min(rr for cc, rr in tiers if cc == c)]
    assert all(got[key] == "first assessment" for key in firsts)


def test_difficulties_follow_the_stated_assumptions(std):
    d = sim.criterion_difficulties(std)
    by_area = d.groupby("practice_area")["difficulty"].mean()
    for easy in ("Data Management", "Leadership and Capacity"):
        for hard in ("Results-Driven Contracting", "Evaluations"):
            assert by_area[easy] < by_area[hard]
    non_core = d[~d["core"]]
    assert d.loc[d["core"], "difficulty"].max() < non_core["difficulty"].min()
    assert set(d.loc[d["core"], "criterion"]) == {"DM1", "LC1", "PA1"}
    assert d["p_met_at_mean"].between(0, 1).all()


def test_probit_table_is_monotone_and_centred():
    t = model._probit_table()
    assert (np.diff(t.astype(np.int64)) >= 0).all()
    assert t[model._OFFSET] == 1 << 15  # Phi(0) = 1/2
    assert t[0] == 0 and t[-1] == (1 << 16) - 1


def test_parameters_are_documented():
    table = sim.parameters_table()
    assert len(table) == len(dataclasses.fields(sim.SimulationParameters))
    assert (table["why"].str.len() > 40).all()


def test_unknown_practice_area_is_refused(std):
    params = dataclasses.replace(
        sim.SimulationParameters(), area_difficulty=(("Data Management", 0.0),)
    )
    with pytest.raises(KeyError, match="practice area"):
        sim.simulate_matrix(10, seed=1, standard=std, params=params)


# --- calibration ----------------------------------------------------------------------------------


def test_public_targets_are_computed_from_the_data(tiny):
    """The tiny record's figures: 15 certified of over 30 applicants after 2024-06; 3 of the 4 new
    cities with a known level at Silver; 4 upgraded and 2 re-certified in 2023-06 and 2024-01; 1
    Platinum event of 16 certifications reported in the 2022 rounds."""
    t = {x.metric: x for x in sim.public_targets(tiny)}
    assert math.isclose(t["certified_share_cities"].target, 15 / 30)
    assert math.isclose(t["certified_share_assessments"].target, 15 / 30)
    assert "2024-06" in t["certified_share_cities"].source
    assert math.isclose(t["silver_share_of_first_certifications"].target, 3 / 4)
    assert math.isclose(t["upgraded_share_of_recertifying"].target, 4 / 6)
    assert "(2023-06, 2024-01)" in t["upgraded_share_of_recertifying"].source
    assert math.isclose(t["platinum_share_of_certified"].target, 1 / 16)
    for x in t.values():
        assert x.low <= x.high and x.source


def test_calibration_accepts_frames_and_scores_alike(panel, panel_scores, tiny):
    a = sim.calibration(panel.assessments, tiny)
    b = sim.calibration(panel_scores, tiny)
    c = sim.calibration(panel_scores.reset_index(), tiny)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    with pytest.raises(ValueError, match="expected an assessment frame"):
        sim.calibration(pd.DataFrame({"x": [1]}), tiny)


def test_calibration_detects_a_miscalibrated_model(tiny):
    everyone_gold = dataclasses.replace(sim.SimulationParameters(), capacity_mean=1.5)
    df = sim.simulate_assessments(tiny, 2000, seed=1, params=everyone_gold)
    table = sim.calibration(df, tiny)
    assert not table.set_index("metric").loc["certified_share_assessments", "within"]


# --- pass bands derived from the record -----------------------------------------------------------


def _record(tiny, rounds=None, certifications=None):
    """A copy of the record with edited tables (the shipped simulation stays as it is)."""
    return dataclasses.replace(
        tiny,
        rounds=tiny.rounds if rounds is None else rounds,
        certifications=tiny.certifications if certifications is None else certifications,
    )


def test_bands_are_derived_from_the_computed_targets(tiny):
    targets = sim.public_targets(tiny)
    assert {t.metric for t in targets} == set(sim.ASSUMED_BANDS) >= set(sim.TOLERANCES)
    for t in targets:
        if t.metric in sim.TOLERANCES:
            below, above = sim.TOLERANCES[t.metric]
            assert not math.isnan(t.target), t.metric  # the tiny record has these figures
            assert (t.low, t.high) == (
                round(max(0.0, t.target - below), 3),
                round(min(1.0, t.target + above), 3),
            ), t.metric
            assert t.low <= t.target <= t.high and t.band.startswith("public"), t.metric
        else:
            assert math.isnan(t.target) and t.band == "assumption", t.metric
            assert (t.low, t.high) == sim.ASSUMED_BANDS[t.metric]


def test_a_missing_figure_falls_back_to_the_stated_assumption(tiny):
    r = tiny.rounds.copy()
    r["reported_applicants"] = pd.NA
    targets = {t.metric: t for t in sim.public_targets(_record(tiny, rounds=r))}
    for m in ("certified_share_assessments", "certified_share_cities"):
        assert math.isnan(targets[m].target)
        assert (targets[m].low, targets[m].high) == sim.ASSUMED_BANDS[m]
        assert targets[m].band == "assumption (the record has no figure)"


def test_cli_calibration_of_an_edited_record_copy_says_no(tiny_copy, capsys):
    """``wwc simulate --calibration --data COPY`` of a record whose applicant figure moved: the
    target follows the figure and the simulation no longer meets it."""
    rounds = (tiny_copy / "rounds.csv").read_text(encoding="utf-8")
    assert "over 30 applicant cities" in rounds
    moved = rounds.replace("over 30 applicant cities", "over 20 applicant cities")
    (tiny_copy / "rounds.csv").write_text(moved, encoding="utf-8")
    args = ["simulate", "--calibration", "--data", str(tiny_copy), "--format", "csv"]
    assert cli.main(args) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("metric")
    assert table.loc["certified_share_cities", "target"] == round(15 / 20, 3)
    assert (table.loc["certified_share_cities", ["low", "high"]] == [0.66, 0.76]).all()
    assert not table.loc["certified_share_cities", "within"]
    assert table.loc["certified_share_cities", "band"] == "public -0.09/+0.01"


def test_calibration_formats_show_the_bands(tiny, panel_scores):
    table = sim.calibration(panel_scores, tiny)
    text = sim.format_calibration(table)
    markdown = sim.format_calibration(table, "markdown")
    assert "| tolerance | band | within |" in markdown
    for row in table.itertuples():
        shown = [f"{x:.2f}" if round(x, 2) == x else f"{x:.3f}" for x in (row.low, row.high)]
        assert "-".join(shown) in text and f"| {'-'.join(shown)} | {row.band} |" in markdown


def test_the_calibration_table_is_for_people(tiny, panel_scores):
    """Words, not keys: each row's description (wrapped, never cut), "–" where the record has no
    figure, a legend; within 100 columns."""
    table = sim.calibration(panel_scores, tiny)
    text = sim.format_calibration(table)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert not any(metric in text for metric in table["metric"])  # no raw keys
    body = text.split("\n\n")[1].splitlines()[1:]  # the rows under the header
    rows: list[list[str]] = []
    for line in body:
        if line.startswith("  "):  # a wrapped description goes on
            rows[-1][0] += " " + line.strip()
        else:
            rows.append([line[:58].strip(), *line[58:].split()])
    assert [r[0] for r in rows] == list(table["description"])
    publics = [r[2] for r in rows]
    assert publics == [("–" if pd.isna(t) else f"{t:.3f}") for t in table["target"]]
    assert "–" in publics and "public: " in text and "within: " in text  # and the legend


# --- command line ---------------------------------------------------------------------------------


def test_cli_writes_and_prints_calibration(tmp_path, capsys, tiny):
    args = ["--out", str(tmp_path), "--n-cities", "40", "--seed", "9", "--calibration"]
    assert cli.main(["simulate", *args, "--data", str(TINY_DIR)]) == 0
    out = capsys.readouterr().out
    assert "SIMULATED" in out and "share of applicant assessments reaching a tier" in out
    assert (tmp_path / "assessments.csv").exists() and (tmp_path / "cities.csv").exists()
    again = sim.simulate_assessments(tiny, 40, seed=9)
    written = load_assessments(tmp_path / "assessments.csv", TINY_DIR)
    pd.testing.assert_frame_equal(written, again)


def test_cli_markdown_and_nothing_to_do(capsys):
    flags = ["--data", str(TINY_DIR)]
    args = ["simulate", "--calibration", "--n-cities", "30", "--format", "markdown", *flags]
    assert cli.main(args) == 0
    assert "| metric | simulated | public |" in capsys.readouterr().out
    assert cli.main(["simulate", *flags]) == 2
    assert "nothing to do" in capsys.readouterr().err
    assert cli.main(["simulate", "--calibration", "--n-cities", "0", *flags]) == 2


# --- scoring a simulated frame equals scoring its rows one by one ---------------------------------


@given(n=st.integers(1, 12), seed=st.integers(0, 2**32 - 1))
def test_scoring_a_simulated_frame_equals_scoring_each_city(n, seed, tiny, std):
    df = sim.simulate_assessments(tiny, n, seed=seed)
    scores = score(df, std)
    for (city, round_id), group in df.groupby(["city_id", "round_id"]):
        met = group.loc[group["met"], "criterion"]
        one = score_city(met, std, bool(group["outcome_met"].iloc[0]))
        row = scores.loc[(city, round_id)]
        got = (row["met"], str(row["threshold_tier"]), str(row["tier"]))
        assert got == (one.met, one.threshold_tier, one.tier)
        assert row["missing_core"] == ", ".join(one.missing_core)


def test_large_matrix_is_seeded_and_calibrated(std):
    """Shape, determinism and certified share at scale (timings: benchmarks/bench_scoring.py)."""
    m, o = sim.simulate_matrix(200_000, seed=1, standard=std)
    m2, o2 = sim.simulate_matrix(200_000, seed=1, standard=std)
    assert m.shape == (200_000, 43) and m.dtype == bool
    assert np.array_equal(m, m2) and np.array_equal(o, o2)
    arrays = score_matrix(m, std, o)
    assert 0.3 < (arrays.tier > 0).mean() < 0.6


# --- the room takes what it uses ------------------------------------------------------------------


def test_a_forgotten_dataset_or_standard_fails_loudly(tiny, std):
    """Old calls (``simulate(500, 2022)``, a standard by name) raise instead of loading the data."""
    with pytest.raises(TypeError, match="simulate takes the Dataset"):
        sim.simulate(500, 2022)
    with pytest.raises(TypeError, match="simulate takes the Dataset"):
        sim.simulate_assessments(40, seed=9)
    with pytest.raises(TypeError, match="calibration takes the Dataset"):
        sim.calibration(pd.DataFrame({"x": [1]}), None)
    with pytest.raises(TypeError, match="simulate_matrix takes a Standard"):
        sim.simulate_matrix(10, "2022")
    with pytest.raises(TypeError, match="simulate_matrix takes a Standard"):
        sim.simulate_matrix(10, 1, std)  # the old order (n, seed, standard)
    with pytest.raises(TypeError, match="criterion_difficulties takes a Standard"):
        sim.criterion_difficulties("2022")
    with pytest.raises(TypeError):
        sim.public_targets()


def test_nothing_in_the_room_loads_the_data(monkeypatch, tmp_path, tiny, std):
    """Simulation, calibration and files use the Dataset they are given, never a table loader."""
    import wwc_analysis.data.dataset as data_load

    def no_load(*args, **kwargs):
        raise AssertionError("the simulate room read the project's tables")

    for name in ("load", "load_criteria", "load_standards", "load_rounds", "load_certifications"):
        monkeypatch.setattr(data_load, name, no_load)
    df = sim.simulate_assessments(tiny, 30, seed=4)
    sim.calibration(df, tiny)
    sim.write_simulated(tmp_path, tiny, 30, 4)
    sim.simulate_matrix(10, std)
    sim.criterion_difficulties(std)
    assert sim.simulated_rounds(tiny)["entry_weight"].sum() == pytest.approx(1.0)
