"""Tests of the what-if notebook's prose (wwc_analysis.text.whatif) and charts
(wwc_analysis.figures.whatif), with the standards of the tiny record (tests/fixtures/tiny) and 150
fictional cities simulated in its rounds."""

from __future__ import annotations

import dataclasses

import matplotlib
import pandas as pd
import pytest

from wwc_analysis import whatif
from wwc_analysis.figures import whatif as charts
from wwc_analysis.rules.scoring import score_city
from wwc_analysis.simulate import simulate_assessments
from wwc_analysis.text import whatif as prose

MET = [
    "DM1",
    "DM2",
    "DM3",
    "DM4",
    "LC1",
    "LC2",
    "LC3",
    "OD1",
    "OD2",
    "OD3",
    "PA1",
    "PA2",
    "PA3",
    "BF1",
    "RDC1",
    "RDC2",
    "CI1",
    "EVAL1",
    "DM5",
    "LC4",
    "OD4",
    "PA5",
    "BF2",
    "RDC3",
    "CI2",
]


@pytest.fixture(autouse=True, scope="module")
def _headless():
    """Charts are drawn without a display."""
    matplotlib.use("Agg")


@pytest.fixture(scope="module")
def std(tiny_std2022):
    return tiny_std2022


@pytest.fixture(scope="module")
def s2018(tiny_std2018):
    return tiny_std2018


@pytest.fixture(scope="module")
def population(tiny):
    """The latest assessment of each of 150 simulated (fictional) cities."""
    frame = simulate_assessments(tiny, 150, seed=3)
    latest = frame.groupby("city_id")["round_id"].transform("max")
    return frame[frame["round_id"] == latest]


@pytest.fixture(scope="module")
def scenarios(population, s2018, std):
    return whatif.rule_scenarios(population, std, s2018, 70, MET, True)


def test_city_label_and_sentence(std):
    assert prose.city_label(None) == "the city of the `met` parameter"
    mine = whatif.ExampleCity(("DM1",), True, whatif.example.MET_PARAMETER)
    assert prose.city_label(mine) == "the city of the `met` parameter"
    assert prose.example_note(mine) == ""
    own = whatif.SelfAssessment(("DM1",), True, "my-town", "2024-01")
    assert prose.city_label(own, "/somewhere/mine.csv") == (
        "city `my-town`, round 2024-01, from the self-assessment file `mine.csv`"
    )
    city = score_city(MET, std, True)
    assert prose.city_sentence(city) == (
        "The city meets **25 of 43** criteria (**58.1%**) and reaches **Silver**."
    )
    blocked = score_city([c for c in MET if c != "PA1"] + ["DM6", "DM7"], std, False)
    text = prose.city_sentence(blocked)
    assert "reaches **Not certified** (its share alone would give Silver)." in text
    assert text.endswith(" It does not meet the outcome requirement.")
    assert prose.area_caption(city, "city `x`").endswith("The city: city x; 25 of 43 criteria met.")
    # a simulated example city is called so in its own sentence; its reasons are a Markdown list
    assert prose.city_sentence(city, simulated=True).startswith(
        "The SIMULATED example city meets **25 of 43** criteria"
    )
    assert prose.city_reasons(city) == "\n".join(city.explain().splitlines()[1:])
    assert prose.city_reasons(city).startswith("- ")
    assert prose.area_caption(city, "x").startswith("Criteria and thresholds: the 2022 standard")


def test_the_median_simulated_applicant_is_named_and_labelled(std):
    example = whatif.ExampleCity(
        ("DM1", "LC1"),
        False,
        whatif.example.MEDIAN_APPLICANT,
        "sim-0042",
        "2024-06",
        True,
        212,
        "the rounds of 2024",
    )
    label = prose.city_label(example)
    assert label == (
        "the SIMULATED example city `sim-0042`, the median simulated applicant of the rounds of "
        "2024 (round 2024-06)"
    )
    note = prose.example_note(example)
    assert "**fictional city** (SIMULATED" in note and "of the 212 simulated assessments" in note
    assert "median number of criteria met (2;" in note and "-p met" in note


def test_paths_text_long_paths_and_rough_peers(population, std):
    city = score_city(MET, std, True)
    paths = whatif.paths_to_higher_tiers(MET, std, population=population)
    assert [p.target for p in paths] == ["Gold", "Platinum"] and paths[1].count == 12
    text = prose.paths_text(paths, city, "THE POPULATION", long_path=10, few_peers=1000)
    gold, platinum, source = text.split("\n\n")
    # the explanation, its peers named simulated wherever it speaks of them
    named = paths[0].explain().replace("Gold cit", "simulated Gold cit")
    assert "Gold cit" in paths[0].explain() and gold.startswith("**Gold.** " + named)
    assert "among simulated Gold cities" in gold and " of simulated Gold cities" in gold
    assert "so these peer shares are rough.)*" in gold  # fewer than 1000 simulated cities at Gold
    assert platinum.startswith(
        "**Platinum.** To reach Platinum you need 12 more criteria; the "
        "table below lists them, most common among the simulated Platinum cities first."
    )
    assert source == "*Peer shares come from the **SIMULATED** population: THE POPULATION.*"
    assert "rough" not in prose.paths_text(paths, city, "p", few_peers=0)
    in_order = whatif.paths_to_higher_tiers(MET, std)  # no population: the standard's order
    assert "follow the standard's order" in prose.paths_text(in_order, city, "p")
    top = score_city(list(std.criteria), std, True)
    assert prose.paths_text([], top, "p").startswith("The city is already at **Platinum**")


def test_paths_check_lists_codes_with_peer_shares(population, std):
    paths = whatif.paths_to_higher_tiers(MET, std, population=population)
    lines = prose.paths_check(paths).splitlines()
    assert lines[0] == (f"Gold: {paths[0].count} more -> 30/43 (Gold); outcome also needed: no")
    assert lines[1].startswith(f"  {paths[0].criteria[0]} ") and lines[1].endswith("%")
    assert all(len(line) <= 100 for line in lines)
    no_peers = prose.paths_check(whatif.paths_to_higher_tiers(MET, std)).splitlines()
    assert no_peers[1] == "  " + ", ".join(whatif.paths_to_higher_tiers(MET, std)[0].criteria)


def test_path_table_view_shows_percent_and_dash(population, std, tiny):
    paths = whatif.paths_to_higher_tiers(MET, std, population=population)
    table = whatif.path_table(paths, whatif.criterion_names(tiny.criteria, std), simulated=True)
    table.loc[0, "peer share"] = float("nan")
    html = prose.path_table_view(table).to_html()
    assert "SIMULATED" in html and "Peer share" in html and "–" in html
    assert f"{table.loc[1, 'peer share']:.0%}" in html


def test_rule_scenario_prose(scenarios, std):
    city = score_city(MET, std, True)
    gold = prose.gold_scenario(scenarios, city)
    assert gold.startswith(
        "**Gold at 70 % instead of 68 %** (Gold then needs 31 of 43 criteria "
        "instead of 30): " + scenarios.gold.moves_text()
    )
    assert gold.endswith(
        "**SIMULATED: tiers of the 150 fictional cities, 2022 rules (rows) vs "
        "Gold at 70 % (columns)**"
    )
    std2018 = prose.standard_scenario(scenarios)
    assert "Gold needs 29 instead of 30, the other tiers the same count" in std2018
    assert "keeping the 2022 gates: " + scenarios.thresholds.moves_text() in std2018
    note = prose.gates_note(scenarios)
    extra = scenarios.rules.summary["up"] - scenarios.thresholds.summary["up"]
    assert note.startswith("Under the full 2018 rules, which had no core or outcome gate, ")
    assert f": {extra} of those moves up come from dropping the core and outcome gates" in note
    same_gates = dataclasses.replace(scenarios, other=std.with_thresholds(gold=67))
    assert prose.gates_note(same_gates) == ""
    assert prose.gold_transitions(scenarios).index.name == "2022 rules ↓"
    assert prose.threshold_transitions(scenarios).columns.name == "2018 thresholds →"


def test_scenarios_check(scenarios, std):
    city = score_city(MET, std, True)
    lines = prose.scenarios_check(scenarios, city).splitlines()
    s = scenarios.gold.summary
    assert lines[0] == (
        f"SIMULATED Gold at 70 %: {s['up']} up, {s['down']} down, {s['unchanged']} "
        f"unchanged of {s['total']}"
    )
    assert lines[1].startswith("SIMULATED 2018 thresholds, 2022 gates: ")
    assert lines[2].startswith("SIMULATED 2018 rules (its gates): ")
    assert lines[3] == "city: Silver -> Silver (Gold at 70 %), Silver (2018 thresholds)"


def test_sweep_prose(population, std):
    sweep = whatif.threshold_sweep(population, std)
    gold = sweep[(sweep["swept"] == "Gold") & (sweep["tier"] == "Gold")].set_index("threshold")
    text = prose.sweep_sentence(sweep, std, 75)
    assert text.startswith(
        f"At the 2022 Gold cut-off (68 %), {gold.loc[68, 'at_least']} of the "
        "150 fictional cities are Gold or above; at the scenario's 75 %, "
        f"{gold.loc[75, 'at_least']} are."
    )
    assert " of these fictional cities are not certified at every cut-off" in text
    assert prose.sweep_title(sweep).endswith("(150 fictional cities)")
    assert prose.sweep_note("P", std).startswith("Source: data/simulated/assessments.csv, P;")


def test_probability_sentence_and_caption(std):
    city = score_city(MET, std, True)
    path = whatif.path_to_tier(MET, "Gold", std)
    uncertain = dict.fromkeys(path.criteria, 0.5)
    probs = whatif.city_tier_probabilities(MET, uncertain, 1.0, std)
    text = prose.probability_sentence(probs, path, city, uncertain, 0.5)
    assert "chance of reaching **Gold or above is 3.1%**: all of them have to come through" in text
    assert text.endswith("The chance of staying Silver is 96.9%.")
    one = {path.criteria[0]: 0.5}
    near = score_city(MET + list(path.criteria[1:]), std, False)
    near_path = whatif.path_to_tier(near.met_criteria, "Gold", std, outcome_met=False)
    probs = whatif.city_tier_probabilities(near.met_criteria, one, 0.5, std)
    text = prose.probability_sentence(probs, near_path, near, one, 0.5)
    assert "the one criterion of the path to Gold" in text and "both have to come through" in text
    assert ", and the outcome requirement too" in text
    top = score_city(list(std.criteria), std, True)
    assert "nothing is uncertain" in prose.probability_sentence(probs, None, top, {}, 0.5)
    caption = prose.probability_caption(near, "city `x`", one, 0.5)
    assert "city x. Uncertain" in caption and "; the outcome requirement too." in caption


def test_introduction_lists_the_sources_of_both_standards(s2018, std, tiny):
    text = prose.introduction("L", std, s2018, 2026, "P", tiny.standards)
    assert text.startswith("**City:** L.\n\n**Rules:** " + std.describe())
    for name in ("2022", "2018"):
        assert f"- Standard {name}: <" in text
    assert "- Standard 2017" not in text


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.texts] + [t.get_text() for ax in fig.axes for t in ax.texts]


def test_charts_return_figures_with_captions(population, std):
    city = score_city(MET, std, True)
    areas = whatif.criteria_met_by_area(city.met_criteria, std)
    fig = charts.plot_criteria_by_area(areas, city.tier, "the note")
    assert len(fig.axes) == 1 and "the note" in _texts(fig)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == list(areas.index[::-1])
    probs = whatif.city_tier_probabilities(MET, {"DM6": 0.5}, 1.0, std)
    fig = charts.plot_tier_probabilities(probs, 1, 0.5, "note two")
    assert fig.axes[0].get_title() == "Chance of each tier, 1 criteria at 50%"
    assert [round(p.get_height(), 4) for p in fig.axes[0].patches] == [round(v, 4) for v in probs]


def test_sweep_chart_marks_the_scenario(population, std):
    sweep = whatif.threshold_sweep(population, std)
    fig = charts.plot_threshold_sweep(
        sweep, scenario=("Gold", 72), title="T", note="N", figsize=(13, 4.4)
    )
    assert len(fig.axes) == 3 and fig.get_suptitle() == "T"
    assert any("SIMULATED" in t and "N" in t for t in _texts(fig))
    assert "scenario 72 %" in [t.get_text() for t in fig.axes[1].texts]
    assert "scenario 72 %" not in [t.get_text() for t in fig.axes[0].texts]
    assert tuple(fig.get_size_inches()) == (13, 4.4)
    one = sweep[sweep["swept"] == "Gold"].copy()
    one.attrs = sweep.attrs
    with pytest.raises(ValueError, match="1 swept tier"):
        charts.plot_threshold_sweep(one, ax=list(fig.axes))
    plain = charts.plot_threshold_sweep(one, share=True)
    assert plain.axes[0].get_ylabel() == "Share of cities at or above the tier"
    assert isinstance(plain, matplotlib.figure.Figure) and isinstance(one, pd.DataFrame)
