"""The shipped simulation (data/simulated) and its calibration against the shipped record: the file
is what the generator writes, the record's targets are the figures of ``expected.yaml``
(``simulation``), the simulation passes them and fails a record whose figure moved, and what the
notebooks say of it. The simulator's logic is tested on the tiny record in tests/unit."""

from __future__ import annotations

import dataclasses
import io
import math
import shutil

import pandas as pd
import pytest

from wwc_analysis import cli, history
from wwc_analysis import simulate as sim
from wwc_analysis.data import Dataset, load_assessments, paths
from wwc_analysis.rules.scoring import score
from wwc_analysis.text import assessed

SHIPPED = paths.SIMULATED_DIR


@pytest.fixture(scope="module")
def want(expected) -> dict:
    return expected["simulation"]


@pytest.fixture(scope="module")
def panel(record: Dataset):
    """The default simulation: what data/simulated holds."""
    return sim.simulate(record)


@pytest.fixture(scope="module")
def panel_scores(panel, std2022):
    return score(panel.assessments, std2022)


@pytest.fixture(scope="module")
def sim_history(record: Dataset, std2022) -> pd.DataFrame:
    return history.assessment_history(history.simulated_assessments(record), record, std2022)


# --- the file -------------------------------------------------------------------------------------
def test_regenerating_gives_the_shipped_bytes(tmp_path, record: Dataset):
    written = sim.write_simulated(tmp_path, record)
    for name, path in written.items():
        shipped = SHIPPED / path.name
        assert shipped.read_bytes() == path.read_bytes(), (
            f"{shipped} differs from a fresh `wwc simulate` ({name})"
        )


def test_shipped_file_loads_validated_and_equals_the_generator(panel, want):
    loaded = load_assessments(SHIPPED / "assessments.csv")
    assert loaded.attrs["simulated"] is True
    pd.testing.assert_frame_equal(loaded, panel.assessments, check_dtype=True)
    assert (SHIPPED / "assessments.csv").stat().st_size < 1_500_000
    sizes = {
        "rows": len(loaded),
        "cities": loaded["city_id"].nunique(),
        "assessments": len(loaded.drop_duplicates(["city_id", "round_id"])),
    }
    assert sizes == want["file"]
    assert sorted(loaded["round_id"].unique()) == want["rounds"]
    readme = (SHIPPED / "README.md").read_text(encoding="utf-8")
    needles = (
        "SIMULATED",
        f"seed: {sim.DEFAULT_SEED}",
        sim.GENERATOR_VERSION,
        "wwc simulate --out data/simulated",
    )
    for needle in needles:
        assert needle in readme


def test_load_picks_up_the_shipped_simulation(record: Dataset):
    assert record.assessments is not None and record.assessments.attrs["simulated"] is True
    assert record.assessments["city_id"].str.startswith(sim.CITY_PREFIX).all()


# --- calibration ----------------------------------------------------------------------------------
def test_public_targets_are_the_record_figures(record: Dataset, want):
    t = {x.metric: x for x in sim.public_targets(record)}
    assert set(want["targets"]) == set(sim.TOLERANCES)  # the record has a figure for each
    for metric, (numerator, denominator) in want["targets"].items():
        assert math.isclose(t[metric].target, numerator / denominator), metric
        assert t[metric].band.startswith("public"), metric
        assert t[metric].low <= t[metric].target <= t[metric].high, metric
    assert want["applicants_round"] in t["certified_share_cities"].source


def test_calibration_holds_for_the_shipped_file(record: Dataset):
    table = sim.calibration(load_assessments(SHIPPED / "assessments.csv"), record)
    bad = table.loc[~table["within"], ["metric", "simulated", "low", "high"]]
    assert bad.empty, bad.to_string()


@pytest.mark.slow  # 20,000 fictional cities
def test_calibration_holds_for_the_model(record: Dataset, std2022):
    big = score(sim.simulate_assessments(record, 20_000, seed=1), std2022)
    table = sim.calibration(big, record)
    assert len(table) == len(sim.public_targets(record))
    bad = table.loc[~table["within"], ["metric", "simulated", "low", "high"]]
    assert bad.empty, bad.to_string()
    shares = table.set_index("metric")["simulated"]
    # the public order of levels: Silver most common, then Gold, few Platinum
    assert (
        shares["silver_share_of_certified"]
        > shares["gold_share_of_certified"]
        > shares["platinum_share_of_certified"]
    )


def _failing(table: pd.DataFrame) -> set[str]:
    return set(table.loc[~table["within"], "metric"])


def _record(data, rounds=None, certifications=None):
    """A copy of the record with edited tables (the shipped simulation stays as it is)."""
    return dataclasses.replace(
        data,
        rounds=data.rounds if rounds is None else rounds,
        certifications=data.certifications if certifications is None else certifications,
    )


def _in_2022(frame: pd.DataFrame, data) -> pd.Series:
    r = data.rounds
    ids = set(r.loc[r["standard"].astype(str) == "2022", "round_id"].astype(str))
    return frame["round_id"].astype(str).isin(ids)


def _applicants_moved(data):
    """Every 2022 round with a total now reports applicants making the certified share about 0.9."""
    r = data.rounds.copy()
    rows = _in_2022(r, data) & r["reported_total_certified"].notna()
    totals = r.loc[rows, "reported_total_certified"].astype(int)
    r.loc[rows, "reported_applicants"] = [f"{round(x / 0.9)} applicant cities" for x in totals]
    return _record(data, rounds=r), {"certified_share_assessments", "certified_share_cities"}


def _first_levels_moved(data):
    """The new cities' Silver levels of 2022 rounds are Gold instead: no Silver first level."""
    c = data.certifications.copy()
    new = c["reported_cohort"].astype(str) == "new"
    rows = _in_2022(c, data) & new & (c["level"] == "Silver")
    c.loc[rows, "level"] = "Gold"
    return _record(data, certifications=c), {"silver_share_of_first_certifications"}


def _platinum_moved(data):
    """Every Gold event of 2022 rounds is Platinum instead."""
    c = data.certifications.copy()
    c.loc[_in_2022(c, data) & (c["level"] == "Gold"), "level"] = "Platinum"
    return _record(data, certifications=c), {"platinum_share_of_certified"}


def _upgrades_moved(data):
    """The rounds reporting upgrades and recertifications report no recertification."""
    r = data.rounds.copy()
    rows = _in_2022(r, data) & r["reported_upgraded"].notna() & r["reported_recertified"].notna()
    r.loc[rows, "reported_recertified"] = 0
    return _record(data, rounds=r), {"upgraded_share_of_recertifying"}


@pytest.mark.parametrize(
    "edit", [_applicants_moved, _first_levels_moved, _platinum_moved, _upgrades_moved]
)
def test_a_record_that_moves_a_target_fails_the_calibration(edit, record, panel_scores):
    """The shipped simulation passes against the shipped record; against a record whose figure moved
    out of reach, exactly the metrics of that figure fail."""
    assert _failing(sim.calibration(panel_scores, record)) == set()
    moved, metrics = edit(record)
    before = {t.metric: t for t in sim.public_targets(record)}
    after = {t.metric: t for t in sim.public_targets(moved)}
    for m in metrics:
        assert after[m].target != before[m].target and after[m].band.startswith("public"), m
        assert (after[m].low, after[m].high) != (before[m].low, before[m].high), m
    assert _failing(sim.calibration(panel_scores, moved)) == metrics


def test_cli_calibration_of_an_edited_record_copy_says_no(tmp_path, capsys, want):
    """``wwc simulate --calibration --data COPY`` of a record whose applicant figure moved."""
    edit = want["applicants_edited"]
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, copy)
    rounds = (copy / "rounds.csv").read_text(encoding="utf-8")
    assert edit["from"] in rounds
    (copy / "rounds.csv").write_text(rounds.replace(edit["from"], edit["to"]), encoding="utf-8")
    assert cli.main(["simulate", "--calibration", "--data", str(copy), "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index("metric")
    numerator, denominator = edit["target"]
    assert table.loc["certified_share_cities", "target"] == round(numerator / denominator, 3)
    assert not table.loc["certified_share_cities", "within"]
    assert table.loc["certified_share_cities", "band"] == edit["band"]


# --- what the notebooks say of it -----------------------------------------------------------------
def test_population_at_the_end_of_2024(sim_history, want):
    w = want["population_2024_12_31"]
    pop, dated = history.simulated_population(sim_history, "2024-12-31")
    assert dated and len(pop) == w["cities"]
    counts = history.tier_counts(pop)
    assert counts["fictional cities"].to_dict() == w["tiers"]
    table = history.gate_table(history.gate_failures(pop))
    assert (table["assessments"] == w["cities"]).all()
    assert table.loc["certified", "share"] == w["certified_share"]
    m = history.simulated_metrics(pop)
    assert m["tiers"] == w["tiers"]
    assert m["either_gate_failed"] == round(history.either_gate_failed(pop), 3)
    assert m["either_gate_failed"] == w["either_gate_failed"]


def test_population_at_the_end_of_2026(sim_history, std2022, want):
    w = want["population_2026_12_31"]
    pop, dated = history.simulated_population(sim_history, "2026-12-31")
    described = assessed.population_text(pop, dated, sim_history, "2026-12-31")
    text = assessed.criteria_met_text(pop, described, std2022)
    assert text.startswith(w["starts"])
    assert all(part in text for part in w["has"])
    gates, counts = history.gate_failures(pop), history.tier_counts(pop)
    report = assessed.tiers_report(counts, gates).splitlines()
    assert [" ".join(line.split()) for line in report[:3]] == [
        " ".join(line.split()) for line in w["report_first_lines"]
    ]
    assert w["gates_caption"] in assessed.gates_table(history.gate_table(gates)).to_html()


def test_rounds_with_simulated_assessments(record: Dataset, std2022, want):
    tiers = history.simulated_tiers(2024, record, std2022)
    assert list(tiers.index) == want["rounds_of_2024"]
    tiers = history.simulated_tiers(2026, record, std2022)
    gates = history.simulated_gates(2026, record, std2022)
    assert assessed.round_tiers_report(tiers, gates) == want["round_2026_01"]


def test_profile_scope(sim_history, want):
    own, small = history.simulated_scope(sim_history, want["scope_own"])
    assert set(own["round_id"]) == {want["scope_own"]} and small == {}
    pooled = want["scope_pooled"]
    everything, small = history.simulated_scope(sim_history, pooled["round"])
    assert len(everything) == len(sim_history) and small == pooled["too_small"]
    text = assessed.scope_text(everything, pooled["round"], small)
    assert "pooled" in text and f"{small['upgraded']} upgraded" in text
    assert "fewer than 10" in text


def test_separating_criteria_of_2026_01(record: Dataset, sim_history, std2022, want):
    w = want["separating_2026_01"]
    scope, small = history.simulated_scope(sim_history, want["scope_own"])
    described = assessed.scope_text(scope, want["scope_own"], small)
    separating = history.separating_criteria(history.simulated_assessments(record), scope, std2022)
    separating = separating.join(history.criterion_names(record, std2022))
    text = assessed.separating_text(separating, scope, described)
    assert text.startswith(w["starts"])
    assert all(part in text for part in w["has"])
    assert assessed.separating_report(separating).splitlines()[3].split()[0] == w["top"]
    assert w["points"] in assessed.separating_table(separating).to_html()
