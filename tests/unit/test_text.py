"""Prose and reader tables of notebooks 01 and 02 and of the simulated sections (wwc_analysis.text:
cohorts, levels, assessed), and the one cohort vocabulary: every label a reader sees says
"re-certified", the data value stays "recertified"."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.io.formats.style import Styler

import wwc_analysis
from wwc_analysis import history
from wwc_analysis.text import assessed, cohorts, levels


@pytest.fixture(scope="module")
def data():
    return wwc_analysis.load()


@pytest.fixture(scope="module")
def summary(data):
    return history.round_summary(data)


@pytest.fixture(scope="module")
def std(data):
    return wwc_analysis.get_standard("2022", data)


# --- the cohort vocabulary ------------------------------------------------------------------------
def test_cohort_labels():
    assert cohorts.cohort_label("recertified") == "re-certified"
    assert cohorts.cohort_label("new") == "new"
    assert cohorts.cohort_label("not certified") == "not certified"
    assert cohorts.relabel("recertified reported") == "re-certified reported"
    assert cohorts.COHORT_NOUNS == {
        "new": "new cities",
        "upgraded": "upgraded cities",
        "recertified": "re-certified cities",
    }
    assert cohorts.cities(1, "recertified") == "1 re-certified city"
    assert cohorts.cities(21, "new") == "21 new cities"
    assert cohorts.COHORT_LABELS is history.COHORT_LABELS  # one definition


def test_coverage_in_words(summary):
    row = summary.set_index("round_id").loc["2024-06"]
    assert cohorts.coverage(row, "new") == "identified 9 of 9 new cities"
    assert cohorts.coverage(row, "recertified") == (
        "0 re-certified cities identified; the count was not reported"
    )


# --- notebook 02 ----------------------------------------------------------------------------------
def test_round_intro(data):
    text = cohorts.round_intro("2024-01", 2024, data)
    assert text.startswith("**Round 2024-01**, announced 23 January 2024 (date precision: day)")
    assert "`year` parameter" not in text and "> Compilers' note on this round:" in text
    assert "the `year` parameter (2026) is not used" in cohorts.round_intro("2024-01", 2026, data)


def test_sizes_text_and_report(summary):
    text = cohorts.sizes_text(summary, "2024-01")
    assert "**22 certification events** in round 2024-01 (9 of them without a level)" in text
    assert "the program reported 74 cities ever certified" in text
    assert "- identified 4 of 4 re-certified cities" in text
    report = cohorts.sizes_report(history.cohort_sizes(summary, "2026-01")).splitlines()
    assert report[0].split() == ["Cohort", "Reported", "Identified", "Derived"]
    assert report[3].split() == ["re-certified", "–", "0", "0"]


def test_members_text_and_table(data):
    members = history.label_cohorts(history.round_members("2024-01", data))
    text = cohorts.members_text(members, "2024-01")
    assert text.startswith(
        "The record names 22 cities for round 2024-01: 12 new, 6 upgraded, 4 re-certified"
    )
    assert "Inferred rather than stated by a source: 1 level." in text
    html = cohorts.members_table(history.round_cities(members), "2024-01").to_html()
    assert ">re-certified<" in html and ">recertified<" not in html
    # a blank flag column is dropped
    assert ">Level inferred<" in html and ">Round inferred<" not in html


def test_disagreements_text_and_table(data, summary):
    dis = history.disagreements(data)
    text = cohorts.disagreements_text(dis, summary, "2024-01")
    assert text.startswith("In round 2024-01, **1** of the 22 events cannot be reconciled")
    assert f"the record lists {len(dis)} such events" in text
    assert "San Jose" in cohorts.disagreements_table(dis, "2024-01").to_html()
    assert cohorts.disagreements_table(dis, "2023-06") is None
    quiet = cohorts.disagreements_text(dis, summary, "2023-06")
    assert quiet.endswith("Nothing to list for this round.")


def test_upgrades_text_and_table(data):
    upgrades = history.upgrades_until("2024-01", data)
    text = cohorts.upgrades_text(upgrades, "2024-01")
    assert f"the record holds **{len(upgrades)} upgrades**" in text
    assert "(San Jose 2024-01)" in text and "Round 2024-01 has 6 upgrades" in text
    assert "Upgrades in round 2024-01" in cohorts.upgrades_table(upgrades, "2024-01").to_html()
    none = upgrades.assign(in_round=False)
    assert cohorts.upgrades_table(none, "2024-01") is None
    assert cohorts.upgrades_text(none, "2024-01").endswith("Round 2024-01 has 0 upgrades.")


def test_geography_text_and_tables(data):
    members = history.label_cohorts(history.round_members("2024-01", data))
    geo = history.cohort_geography(members)
    text = cohorts.geography_text(members, geo, "2024-01")
    assert text.startswith("The 22 cities of round 2024-01 are in ") and "Re-certified: " in text
    assert ">re-certified<" in cohorts.geography_table(geo, "2024-01").to_html()
    regions = history.cohort_geography(members, by="region")
    html = cohorts.region_table(regions, "2024-01", top=3).to_html()
    assert f"(the 3 largest of {len(regions)} groups)" in html


def test_comparison_text_and_report(summary):
    long = history.cohort_sizes_by_round(summary, until="2024-06")
    text = cohorts.comparison_text(history.reporting_coverage(long), "2024-06")
    assert text.startswith("Over the 9 rounds up to 2024-06:")
    assert "- **Re-certified cities**: the program stated a count in 2 of the rounds" in text
    report = cohorts.by_round_report(history.cohort_sizes_table(long))
    assert "Re-certified reported" in report
    assert "ecertified" not in report.replace("e-certified", "")


# --- notebook 01 ----------------------------------------------------------------------------------
def test_growth_texts(data, summary):
    as_of = pd.Timestamp("2024-06-30")
    grow, by_round = history.growth(data, 2024, as_of), history.levels_by_round(data, as_of)
    text = levels.growth_text(grow, by_round, as_of)
    assert text.startswith(
        "By 30 June 2024, 9 rounds had been announced. After the latest, **2024-06**"
    )
    assert "the program reported 83, so 6 certified cities are not identified" in text
    assert "The widest gap is 9 cities, after 2022-03." in text
    assert "Cities whose latest level is unknown appear from 2024-01 on." in text
    rounds = levels.year_rounds_text(summary, 2024, as_of)
    assert "- **2024-01** (23 Jan 2024), 22 events identified, 9 of them without a level:" in rounds
    assert "    - identified 4 of 4 re-certified cities" in rounds
    early = levels.year_rounds_text(summary, 2024, "2024-01-01")
    assert early.endswith("- no round announced in 2024 up to 01 January 2024.")
    unplaced = levels.unplaced_text(data.unplaced)
    assert unplaced.startswith("A further 5 cities are shown as certified")
    assert levels.parameters_text(2024, as_of, "all countries") == (
        "**Year:** 2024 (announcement calendar year). **As of:** 30 June 2024. "
        "**Place:** all countries."
    )


def test_latest_texts(data):
    as_of = pd.Timestamp("2026-12-31")
    latest = history.latest_levels(as_of, data)
    text = levels.latest_text(latest, "all countries", as_of)
    assert text.startswith(
        "On 31 December 2026 the record identifies **87** certified cities in "
        "all countries: 34 Silver, 32 Gold, 5 Platinum, 16 Unknown."
    )
    assert "4 of those have an earlier known level" in text
    assert levels.latest_report(latest, "all countries", as_of).splitlines()[:3] == [
        "as of 2026-12-31, all countries: 87 cities",
        "level",
        "Silver      34",
    ]
    assert isinstance(levels.unknown_table(latest, "all countries", as_of), Styler)
    known = latest[latest["level"].notna()]
    assert levels.unknown_table(known, "X", as_of) == (
        "Every city in X has a known latest level on 31 December 2026."
    )
    known_text = levels.latest_text(known, "X", as_of)
    assert known_text.endswith("Every one of them has a known latest level.")


def test_geography_and_moves_texts(data):
    as_of = pd.Timestamp("2026-12-31")
    latest = history.latest_levels(as_of, data)
    by_country, by_region = history.geography(latest), history.geography(latest, by="region")
    text = levels.geography_text(latest, by_country, by_region, "all countries")
    assert text.startswith(
        "The 87 cities in all countries are in 9 countries and 48 regions. United States: 63"
    )
    assert "(top 15 of 48)" in levels.region_table(by_region, "all countries").to_html()
    matrix = history.transition_matrix(history.transitions(data, as_of))
    moves = history.transition_summary(matrix)
    assert "26 moved up a level, 12 kept their level, 0 moved down, and in 7" in levels.moves_text(
        moves, "all countries", as_of
    )
    assert levels.moves_report(matrix, moves).endswith(
        "moves: 26 up, 12 same level, 0 down, 7 with an unknown level; 45 in all"
    )
    said = levels.unknown_moves(history.transitions(data, as_of))
    assert said[0] == "The 7 moves with an unknown level:" and isinstance(said[1], Styler)
    assert levels.unknown_moves(history.transitions(data, "2023-12-31")) == [
        "No move in this selection involves an unknown level."
    ]


# --- simulated sections ---------------------------------------------------------------------------
def test_simulated_texts(data, std):
    sim = history.assessment_history(history.simulated_assessments(data), data, std)
    pop, dated = history.simulated_population(sim, "2026-12-31")
    described = assessed.population_text(pop, dated, sim, "2026-12-31")
    text = assessed.criteria_met_text(pop, described, std)
    assert text.startswith(
        "This section uses the latest assessment announced on or before 31 "
        "December 2026 of each of 500 fictional cities"
    )
    cuts = (
        "22 of 43 criteria for Silver, 30 of 43 criteria for Gold, 37 of 43 criteria for Platinum"
    )
    assert cuts in text
    gates = history.gate_failures(pop)
    counts = history.tier_counts(pop)
    report = assessed.tiers_report(counts, gates).splitlines()
    assert report[0] == "SIMULATED tiers at the latest assessment of 500 fictional cities:"
    assert report[2].split() == ["Not", "certified", "294"]
    assert "SIMULATED" in assessed.tiers_table(counts).to_html()
    gates_html = assessed.gates_table(history.gate_table(gates)).to_html()
    assert "Share of the 500 assessments" in gates_html


def test_simulated_round_texts(data, std):
    tiers = history.simulated_tiers(2026, data, std)
    gates = history.simulated_gates(2026, data, std)
    assert assessed.round_tiers_report(tiers, gates) == (
        "SIMULATED 2026-01: 201 fictional assessments; Not certified 99, Silver 58, Gold 34, "
        "Platinum 10; blocked by a gate despite the threshold: 5.0%"
    )
    assert "rounds of 2026" in assessed.round_gates_table(gates, 2026).to_html()
    none = assessed.no_simulated_text(2019)
    assert none.startswith("*No simulated assessments fall in the rounds of 2019")


def test_separating_texts(data, std):
    sim = history.assessment_history(history.simulated_assessments(data), data, std)
    scope, small = history.simulated_scope(sim, "2026-01")
    described = assessed.scope_text(scope, "2026-01", small)
    separating = history.separating_criteria(history.simulated_assessments(data), scope, std)
    separating = separating.join(history.criterion_names(data, std))
    text = assessed.separating_text(separating, scope, described)
    assert text.startswith(
        "This section uses the 201 simulated assessments of round 2026-01: 62 "
        "new, 17 upgraded, 23 re-certified, 0 lower, 99 not certified."
    )
    assert "**RDC7** (Open and Shared Procurement Data, Results-Driven Contracting)" in text
    report = assessed.separating_report(separating).splitlines()
    assert report[1].split() == ["upgraded", "re-certified", "difference"]
    assert report[3].split()[0] == "RDC7"
    assert "+40 points" in assessed.separating_table(separating).to_html()
