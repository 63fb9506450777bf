"""Prose and reader tables of notebooks 01 and 02 and of the simulated sections (wwc_analysis.text:
cohorts, levels, assessed), and the one cohort vocabulary: every label a reader sees says
"re-certified", the data value stays "recertified"."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from pandas.io.formats.style import Styler

from wwc_analysis import history
from wwc_analysis.text import assessed, cohorts, levels


@pytest.fixture(scope="module")
def summary(tiny):
    return history.round_summary(tiny)


@pytest.fixture(scope="module")
def std(tiny_std2022):
    return tiny_std2022


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
    assert cohorts.coverage(row, "new") == "identified 1 of 2 new cities"
    assert cohorts.coverage(row, "recertified") == (
        "0 re-certified cities identified; the count was not reported"
    )


# --- notebook 02 ----------------------------------------------------------------------------------
def test_round_intro(tiny):
    text = cohorts.round_intro("2024-01", 2024, tiny)
    assert text.startswith(
        "**Round 2024-01**, announced 23 January 2024 (date precision: day), under the 2022 "
        "standard."
    )
    assert "`year` parameter" not in text
    assert text.endswith("> Compilers' note on this round: every event identified")
    assert "the `year` parameter (2025) is not used" in cohorts.round_intro("2024-01", 2025, tiny)
    approximate = cohorts.round_intro("2021-07", 2021, tiny)
    assert "announced 14 July 2021 (date precision: approximate)" in approximate


def test_sizes_text_and_report(summary):
    text = cohorts.sizes_text(summary, "2024-01")
    assert "**7 certification events** in round 2024-01 (2 of them without a level)" in text
    assert "the program reported 13 cities ever certified" in text
    assert "the record identifies 11 cities ever certified" in text
    assert "- identified 3 of 3 upgraded cities" in text
    report = cohorts.sizes_report(history.cohort_sizes(summary, "2025-02")).splitlines()
    assert report[0].split() == ["Cohort", "Reported", "Identified", "Derived"]
    assert report[1].split() == ["new", "2", "1", "1"]
    assert report[3].split() == ["re-certified", "–", "0", "0"]
    assert report[5].split() == ["unknown", "–", "3", "2"]


def test_members_text_and_table(tiny):
    members = history.label_cohorts(history.round_members("2024-01", tiny))
    text = cohorts.members_text(members, "2024-01")
    assert text.startswith(
        "The record names 7 cities for round 2024-01: 3 new, 3 upgraded, 1 re-certified."
    )
    assert "Inferred rather than stated by a source: 1 level." in text
    html = cohorts.members_table(history.round_cities(members), "2024-01").to_html()
    assert ">re-certified<" in html and ">recertified<" not in html
    # a blank flag column is dropped
    assert ">Level inferred<" in html and ">Round inferred<" not in html
    later = history.label_cohorts(history.round_members("2025-02", tiny))
    later_text = cohorts.members_text(later, "2025-02")
    assert "from the sources for 1 of them, from the history alone for 1, and is unknown for 2" in (
        later_text
    )


def test_disagreements_text_and_table(tiny, summary):
    dis = history.disagreements(tiny)
    text = cohorts.disagreements_text(dis, summary, "2024-01")
    assert text.startswith(
        "In round 2024-01, **3** of the 7 events cannot be reconciled with the history "
        "(2 contradicted by it, 1 unverifiable)."
    )
    assert f"the record lists {len(dis)} such events" in text
    html = cohorts.disagreements_table(dis, "2024-01").to_html()
    assert "Santos" in html and "Tucson" in html and "Austin" in html
    assert cohorts.disagreements_table(dis, "2023-06") is None
    quiet = cohorts.disagreements_text(dis, summary, "2023-06")
    assert quiet.endswith("Nothing to list for this round.")


def test_upgrades_text_and_table(tiny):
    upgrades = history.upgrades_until("2024-01", tiny)
    text = cohorts.upgrades_text(upgrades, "2024-01")
    assert f"the record holds **{len(upgrades)} upgrades**" in text and len(upgrades) == 4
    assert "(Austin 2024-01, Santos 2024-01)" in text and "Round 2024-01 has 3 upgrades" in text
    assert "2 can be timed, a median of 3.6 years after the first certification" in text
    assert "Upgrades in round 2024-01" in cohorts.upgrades_table(upgrades, "2024-01").to_html()
    none = upgrades.assign(in_round=False)
    assert cohorts.upgrades_table(none, "2024-01") is None
    assert cohorts.upgrades_text(none, "2024-01").endswith("Round 2024-01 has 0 upgrades.")


def test_geography_text_and_tables(tiny):
    members = history.label_cohorts(history.round_members("2024-01", tiny))
    geo = history.cohort_geography(members)
    text = cohorts.geography_text(members, geo, "2024-01")
    assert text == (
        "The 7 cities of round 2024-01 are in 3 countries. New: United States 2, Mexico 1. "
        "Upgraded: United States 2, Brazil 1. Re-certified: United States 1."
    )
    assert ">re-certified<" in cohorts.geography_table(geo, "2024-01").to_html()
    regions = history.cohort_geography(members, by="region")
    html = cohorts.region_table(regions, "2024-01", top=3).to_html()
    assert len(regions) == 7 and "(the 3 largest of 7 groups)" in html


def test_comparison_text_and_report(summary):
    long = history.cohort_sizes_by_round(summary, until="2024-06")
    text = cohorts.comparison_text(history.reporting_coverage(long), "2024-06")
    assert text.startswith("Over the 6 rounds up to 2024-06:")
    assert (
        "- **New cities**: the program stated a count in 5 of the rounds, 12 cities in all (a "
        "sum of reported counts), of which the record identifies 9; counting every round, the "
        "record identifies 10."
    ) in text
    assert "- **Re-certified cities**: the program stated a count in 2 of the rounds" in text
    report = cohorts.by_round_report(history.cohort_sizes_table(long))
    assert "Re-certified reported" in report
    assert "ecertified" not in report.replace("e-certified", "")
    assert report.splitlines()[3].split() == ["2021-07", "–", "1", "–", "0", "–", "0"]


# --- notebook 01 ----------------------------------------------------------------------------------
def test_growth_texts(tiny, summary):
    as_of = pd.Timestamp("2024-06-30")
    grow, by_round = history.growth(tiny, 2024, as_of), history.levels_by_round(tiny, as_of)
    text = levels.growth_text(grow, by_round, as_of)
    assert text.startswith(
        "By 30 June 2024, 6 rounds had been announced. After the latest, **2024-06** (17 June "
        "2024), the record identifies **12** distinct cities ever certified"
    )
    assert "the program reported 15, so 3 certified cities are not identified" in text
    assert "The widest gap is 3 cities, after 2024-06." in text
    assert "Cities whose latest level is unknown appear from 2024-01 on." in text
    rounds = levels.year_rounds_text(summary, 2024, as_of)
    assert "- **2024-01** (23 Jan 2024), 7 events identified, 2 of them without a level:" in rounds
    assert "    - identified 3 of 3 upgraded cities" in rounds
    assert "    - 0 re-certified cities identified; the count was not reported" in rounds
    early = levels.year_rounds_text(summary, 2024, "2024-01-01")
    assert early.endswith("- no round announced in 2024 up to 1 January 2024.")  # no leading zero
    unplaced = levels.unplaced_text(tiny.unplaced)
    assert unplaced == (
        "A further 3 cities are shown as certified somewhere but cannot be placed in any round "
        "(San Nicolás, Fort Worth, Vicente López); they are not counted here."
    )
    assert levels.parameters_text(2024, as_of, "all countries") == (
        "**Year:** 2024 (announcement calendar year). **As of:** 30 June 2024. "
        "**Place:** all countries."
    )


def test_latest_texts(tiny):
    as_of = pd.Timestamp("2025-12-31")
    latest = history.latest_levels(as_of, tiny)
    text = levels.latest_text(latest, "all countries", as_of)
    assert text.startswith(
        "On 31 December 2025 the record identifies **13** certified cities in "
        "all countries: 4 Silver, 6 Gold, 1 Platinum, 2 Unknown."
    )
    assert "1 of those has an earlier known level" in text  # Austin: Silver in 2019-04
    assert levels.latest_report(latest, "all countries", as_of).splitlines() == [
        "as of 2025-12-31, all countries: 13 cities",
        "level",
        "Silver      4",
        "Gold        6",
        "Platinum    1",
        "Unknown     2",
    ]
    assert isinstance(levels.unknown_table(latest, "all countries", as_of), Styler)
    known = latest[latest["level"].notna()]
    assert levels.unknown_table(known, "X", as_of) == (
        "Every city in X has a known latest level on 31 December 2025."
    )
    known_text = levels.latest_text(known, "X", as_of)
    assert known_text.endswith("Every one of them has a known latest level.")


def test_geography_and_moves_texts(tiny):
    as_of = pd.Timestamp("2025-12-31")
    latest = history.latest_levels(as_of, tiny)
    by_country, by_region = history.geography(latest), history.geography(latest, by="region")
    text = levels.geography_text(latest, by_country, by_region, "all countries")
    assert text.startswith(
        "The 13 cities in all countries are in 4 countries and 7 regions. United States: 8, "
        "Brazil: 3, Canada: 1, Mexico: 1."
    )
    assert "(top 15 of 7)" not in levels.region_table(by_region, "all countries").to_html()
    assert "(top 3 of 7)" in levels.region_table(by_region, "all countries", top=3).to_html()
    matrix = history.transition_matrix(history.transitions(tiny, as_of))
    moves = history.transition_summary(matrix)
    assert "4 moved up a level, 1 kept their level, 1 moved down, and in 3" in levels.moves_text(
        moves, "all countries", as_of
    )
    assert levels.moves_report(matrix, moves).endswith(
        "moves: 4 up, 1 same level, 1 down, 3 with an unknown level; 9 in all"
    )
    said = levels.unknown_moves(history.transitions(tiny, as_of))
    assert said[0] == "The 3 moves with an unknown level:" and isinstance(said[1], Styler)
    assert levels.unknown_moves(history.transitions(tiny, "2023-12-31")) == [
        "No move in this selection involves an unknown level."
    ]


# --- simulated sections ---------------------------------------------------------------------------
def test_simulated_texts(tiny_sim, std):
    """On 300 fictional cities simulated in the tiny record's rounds (the shipped simulation's
    figures: tests/record)."""
    sim = history.assessment_history(history.simulated_assessments(tiny_sim), tiny_sim, std)
    pop, dated = history.simulated_population(sim, "2025-12-31")
    described = assessed.population_text(pop, dated, sim, "2025-12-31")
    text = assessed.criteria_met_text(pop, described, std)
    assert len(pop) == 300 and dated
    assert text.startswith(
        "This section uses the latest assessment announced on or before 31 "
        f"December 2025 of each of 300 fictional cities ({len(sim)} assessments in all up to then)"
    )
    cuts = (
        "22 of 43 criteria for Silver, 30 of 43 criteria for Gold, 37 of 43 criteria for Platinum"
    )
    assert cuts in text
    gates = history.gate_failures(pop)
    counts = history.tier_counts(pop)
    tiers = counts["fictional cities"]
    said = ", ".join(f"{tiers[t]} {t}" for t in ("Not certified", "Silver", "Gold", "Platinum"))
    # the sentence says whose tiers these are: fictional cities
    assert f"Tiers the fictional cities reach: {said}." in text
    _every_sentence_says_simulated(text)
    report = assessed.tiers_report(counts, gates).splitlines()
    assert report[0] == "SIMULATED tiers at the latest assessment of 300 fictional cities:"
    assert report[2].split() == ["Not", "certified", str(tiers["Not certified"])]
    assert report[6] == "shares of the 300 assessments:"
    assert "SIMULATED" in assessed.tiers_table(counts).to_html()
    gates_html = assessed.gates_table(history.gate_table(gates)).to_html()
    assert "Share of the 300 assessments" in gates_html


def test_simulated_round_texts(tiny_sim, std):
    tiers = history.simulated_tiers(2025, tiny_sim, std)
    gates = history.simulated_gates(2025, tiny_sim, std)
    row, n = tiers.loc["2025-02"], int(gates.loc["2025-02", "assessments"])
    blocked = gates.loc["2025-02", "blocked by a gate despite the threshold"]
    assert assessed.round_tiers_report(tiers, gates) == (
        f"SIMULATED 2025-02: {n} fictional assessments; Not certified {row['Not certified']}, "
        f"Silver {row['Silver']}, Gold {row['Gold']}, Platinum {row['Platinum']}; blocked by a "
        f"gate despite the threshold: {blocked:.1%}"
    )
    assert n == row.sum()
    assert "rounds of 2025" in assessed.round_gates_table(gates, 2025).to_html()
    none = assessed.no_simulated_text(2019)
    assert none.startswith("*No simulated assessments fall in the rounds of 2019")
    assert history.simulated_tiers(2019, tiny_sim, std).empty


def _every_sentence_says_simulated(text: str) -> None:
    """Each sentence of prose about simulated cities says so itself (simulated or fictional),
    except one stating the standard's rule."""
    for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z*])", text):
        if sentence.startswith("Rule:"):
            continue
        assert re.search(r"simulat|fictional", sentence, re.I), sentence


def test_separating_texts(tiny_sim, std):
    assessments = history.simulated_assessments(tiny_sim)
    sim = history.assessment_history(assessments, tiny_sim, std)
    scope, small = history.simulated_scope(sim, "2025-02", min_size=0)  # the round's own
    described = assessed.scope_text(scope, "2025-02", small)
    assert described == f"the {len(scope)} simulated assessments of round 2025-02"
    separating = history.separating_criteria(assessments, scope, std)
    separating = separating.join(history.criterion_names(tiny_sim, std))
    text = assessed.separating_text(separating, scope, described)
    n = scope["cohort"].value_counts()
    assert text.startswith(
        f"This section uses the {len(scope)} simulated assessments of round 2025-02: "
        f"{n['new']} new, {n['upgraded']} upgraded, {n['recertified']} re-certified, "
        f"{n['lower']} lower, {n['not certified']} not certified."
    )
    top = separating.iloc[0]
    assert f"**{separating.index[0]}** ({top['name']}, " in text
    assert "In this simulation, " in text  # the sentence on the top criteria says whose they are
    _every_sentence_says_simulated(text)
    report = assessed.separating_report(separating).splitlines()
    assert report[1].split() == ["upgraded", "re-certified", "difference"]
    assert report[3].split()[0] == separating.index[0]
    points = f"+{round(top['difference'] * 100)} points"
    assert points in assessed.separating_table(separating).to_html()
