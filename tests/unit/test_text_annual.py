"""The annual summary in words and display tables (wwc_analysis.text.annual): headline sentences,
the headline table, each round's cohorts, cities and disagreements, and the coverage lines. On the
tiny record (tests/fixtures/tiny); what the report says of the shipped record: tests/record."""

from __future__ import annotations

import re

import pytest
from pandas.io.formats.style import Styler

from wwc_analysis.history.annual import annual_metrics, rounds_in_year
from wwc_analysis.history.cohorts import round_members
from wwc_analysis.history.levels import countries_reached
from wwc_analysis.text.annual import (
    coverage_lines,
    coverage_report,
    headline_sentences,
    headline_table,
    headline_text,
    key_numbers,
    round_cohorts,
    round_disagreements,
    round_heading,
    round_section,
    round_table,
)
from wwc_analysis.text.words import DASH


def test_headline_sentences_2024(tiny):
    s = headline_sentences(2024, tiny)
    assert s[0] == "In 2024 the program announced two rounds (23 January and 17 June 2024)."
    # counts of two rounds are given round by round; their total is labelled a sum of reported
    # counts (no source states it)
    assert s[1] == (
        "It reported 3 new cities in January and 2 in June (sum of reported counts: 5), 3 "
        "upgraded cities in January and 1 in June (sum of reported counts: 4) and 1 re-certified "
        "city in January (not reported for June)."
    )
    assert s[2] == (
        "The record identifies 4 of the 5 new cities, all 4 upgraded cities and 1 re-certified "
        "city (all 1 reported for January)."
    )
    assert s[3] == (
        "By the end of 2024 the program reported 15 cities certified in all; the "
        "record identifies 12 of them, so 3 certified cities are not in the record."
    )
    assert "Silver for 5 cities, Gold for 4 and Platinum for 1, and not known for 2" in s[4]
    assert (
        "four countries, 2 of them reached for the first time this year (Canada and Mexico)"
    ) in s[4]
    assert s[5].startswith("For three events the cohort the sources report disagrees")


@pytest.mark.parametrize("which", ["record", "tiny"])
def test_headline_sentences_every_year(request, which):
    data = request.getfixturevalue(which)
    for year in sorted({int(y) for y in data.rounds["announced"].dt.year}):
        text = " ".join(headline_sentences(year, data)) + " ".join(coverage_lines(year, data))
        assert "<NA>" not in text and "nan" not in text and "None" not in text, year
        assert not re.search(r"\b1 (new|upgraded|re-certified|certified) cities", text), year
        assert "(s)" not in text, year


def test_headline_sentences_unreported(tiny):
    s = headline_sentences(2025, tiny)
    assert s[0] == "In 2025 the program announced one round (26 February 2025)."
    assert "the numbers of upgraded cities and re-certified cities were not reported" in s[1]
    assert "1 of the 2 new cities" in s[2]
    assert "three events whose cohort no source states" in s[2]
    assert s[3] == (
        "The program did not state how many cities had been certified in all after its "
        "February round; the record identifies 13 cities certified in all."
    )
    s = headline_sentences(2021, tiny)
    assert s[0] == "In 2021 the program announced one round (about 14 July 2021)."  # approximate
    assert s[1] == (
        "It did not report how many new cities, upgraded cities and re-certified cities there were."
    )
    assert s[2] == "The record identifies 1 new city, plus one event whose cohort no source states."
    assert "one country (United States)" in headline_sentences(2018, tiny)[4]
    assert headline_sentences(2018, tiny)[3] == (
        "By the end of 2018 the program reported 3 cities certified in all, and the record "
        "identifies every one of them."
    )


def test_one_missing_city_is_singular(tiny):
    """A gap of one: 'so 1 certified city is not in the record' (not '1 ... cities are')."""
    assert headline_sentences(2019, tiny)[3] == (
        "By the end of 2019 the program reported 5 cities certified in all; the record identifies "
        "4 of them, so 1 certified city is not in the record."
    )


def test_headline_table_dashes_unknown(tiny):
    t = headline_table(annual_metrics(2024, tiny))
    assert list(t.columns) == ["label", "value", "basis", "note"]
    values = dict(zip(t["label"], t["value"]))
    assert values["New cities (sum of reported counts)"] == "5"
    assert dict(zip(t["label"], t["basis"]))["New cities (sum of reported counts)"] == (
        "sum of reported counts"
    )
    assert values["Re-certified cities (reported)"] == DASH
    assert not t.isna().any().any()


def test_round_cohorts_three_ways(tiny):
    t = round_cohorts("2024-01", tiny)
    cohorts = ["New", "Upgraded", "Re-certified"]
    assert t.loc["Reported by the program", cohorts].tolist() == ["3", "3", "1"]
    # Santos: reported upgraded, derived new; Tucson: reported re-certified, derived lower
    derived = t.loc["Derived from the history on record"]
    assert derived[[*cohorts, "Lower level", "Cohort not known"]].tolist() == [
        "4",
        "1",
        "0",
        "1",
        "1",
    ]
    assert round_cohorts("2024-06", tiny).loc["Reported by the program", "Re-certified"] == "–"
    with pytest.raises(ValueError, match="unknown round"):
        round_cohorts("2024-02", tiny)


def test_round_table_and_disagreements(tiny):
    t = round_table("2024-01", tiny)
    assert len(t) == 7 and list(t["City"]) == list(round_members("2024-01", tiny)["city"])
    row = t.set_index("City").loc["Mesa"]
    shown = (row["Level"], row["Earlier certification"], row["Derived cohort"])
    assert shown == ("Platinum", "2019-04 (Gold)", "upgraded")
    assert t.set_index("City").loc["Yuma", "Level"] == "not known"
    assert t.set_index("City").loc["Monterrey", "Inferred"] == "level inferred"
    assert t["Sources"].str.contains('<a href="https://').all()
    assert not round_table("2024-01", tiny, links=False)["Sources"].str.contains("<a ").any()
    assert (t != "<NA>").all().all() and not t.isna().any().any()
    d = round_disagreements("2024-01", tiny)
    assert list(d["City"]) == ["Austin", "Santos", "Tucson"]
    assert d["Why"].iloc[1].startswith("reported as upgraded")
    assert round_disagreements("2023-06", tiny).empty
    heading = round_heading("2025-02", tiny)
    assert heading.startswith("### Round 2025-02: announced 26 February 2025")
    assert "did not state a cumulative total" in heading and "[1]" in heading
    approximate = round_heading("2021-07", tiny)
    assert approximate.startswith("### Round 2021-07: announced about 14 July 2021")
    assert "[2: Tiny city release (URL not recorded)]" in approximate


def test_sources_html():
    from wwc_analysis.text.annual import sources_html

    out = sources_html("https://a.example/x ; greenebarrett (June 2024 article; URL not recorded)")
    assert out.startswith('<a href="https://a.example/x"') and "[2: greenebarrett" in out
    assert sources_html(None) == "–"


def test_coverage_lines(tiny):
    lines = coverage_lines(2025, tiny)
    assert lines[0] == (
        "2025-02: identified 1 of 2 new cities, 0 upgraded cities (count not reported), "
        "0 re-certified cities (count not reported), and 3 events with no cohort stated; level "
        "not known for 2 of 4 events on record"
    )
    assert "Cities ever certified by the end of 2025: 13 identified; no total was reported" in lines
    in_2024 = coverage_lines(2024, tiny)
    assert in_2024[0].startswith(
        "2024-01: identified 3 of 3 new cities, 3 of 3 upgraded cities, 1 of 1 re-certified city"
    )
    assert "round placement inferred for 1" in in_2024[1]
    assert any(line.startswith("2024 in all: identified 4 of 5 new cities") for line in in_2024)
    assert (
        "Cities ever certified by the end of 2024: identified 12 of 15 reported (3 not in the "
        "record)"
    ) in in_2024
    assert in_2024[-1].startswith("Not counted anywhere above: 3 cities shown as certified")


def test_key_numbers_say_re_certified(tiny):
    lines = key_numbers(2024, annual_metrics(2024, tiny), rounds_in_year(2024, tiny)).splitlines()
    assert lines[0] == "Key numbers 2024 (reported / identified; '–' = not reported)"
    assert lines[1:5] == [
        "  new                5 / 4  (sum of reported counts: 3 + 2)",
        "  upgraded           4 / 4  (sum of reported counts: 3 + 1)",
        "  re-certified       – / 1",
        "  ever certified    15 / 12",
    ]
    assert lines[5] == "  rounds: 2024-01, 2024-06; countries: 4"
    assert lines[6] == "  latest level at year end: Silver 5, Gold 4, Platinum 1, unknown 2"


def test_headline_text_and_coverage_report(tiny):
    paragraphs = headline_text(2024, tiny).split("\n\n")
    s = headline_sentences(2024, tiny)
    assert paragraphs == [" ".join(s[:3]), " ".join(s[3:])]
    report = coverage_report(2025, tiny, width=80)
    assert report.startswith("- 2025-02: identified 1 of 2 new cities")
    assert all(len(line) <= 80 for line in report.splitlines())
    assert report.count("\n- ") == len(coverage_lines(2025, tiny)) - 1


def test_round_section(tiny):
    parts = round_section("2024-01", tiny)
    assert parts[0].startswith("### Round 2024-01") and isinstance(parts[1], Styler)
    assert parts[2].startswith("**Cities named in round 2024-01**") and isinstance(parts[3], Styler)
    html = parts[5].to_html()  # the round's disagreements, as a table
    assert "Santos" in html and "Tucson" in html
    quiet = round_section("2023-06", tiny)
    assert quiet[-1].startswith("*Round 2023-06: every reported cohort agrees")


@pytest.mark.parametrize("which", ["record", "tiny"])
def test_round_table_labels_cohorts(request, which):
    data = request.getfixturevalue(which)
    t = round_table("2024-01", data)
    assert "re-certified" in set(t["Reported cohort"])
    assert "recertified" not in set(t["Reported cohort"])
    # data unchanged
    assert set(round_members("2024-01", data)["reported_cohort"].dropna()) >= {"recertified"}


def test_countries_table(tiny):
    from wwc_analysis.text.annual import countries_table

    html = countries_table(countries_reached(2024, tiny), 2024).to_html()
    assert "First on record in 2024" in html
    assert "New country in 2024" in html
    assert ">Cities<" in html and ">Canada<" in html


# --- a reconstructed round (no program announcement found) ----------------------------------------
@pytest.fixture
def rebuilt(tiny_copy):
    """The tiny record with its 2021-07 round reconstructed: its notes say no program-wide
    announcement was found (as the shipped record's 2022-03 does)."""
    from tests.csv_edits import set_cell
    from wwc_analysis.data import load

    note = "inferred round: no program-wide announcement found; date from a city release"
    set_cell("rounds.csv", 4, "notes", note)(tiny_copy)
    return load(tiny_copy)


def test_a_reconstructed_round_is_never_announced_nor_reported(tiny, rebuilt):
    from wwc_analysis.history.rounds import reconstructed_rounds
    from wwc_analysis.text.cohorts import round_intro
    from wwc_analysis.text.levels import growth_text

    assert reconstructed_rounds(tiny) == [] and reconstructed_rounds(rebuilt) == ["2021-07"]
    s = headline_sentences(2021, rebuilt)
    assert s[0] == (
        "The record places one round in 2021 (about 14 July 2021), reconstructed from other "
        "public sources: no program announcement of it was found."
    )
    assert s[1] == (
        "No source reports how many new cities, upgraded cities and re-certified cities there were."
    )
    assert s[3].startswith(
        "By the end of 2021, 7 cities had been certified in all, as stated outside any program "
        "announcement (the year's last round is reconstructed); the record identifies 6 of them"
    )
    assert not any("program announced" in x or "program reported" in x for x in s)
    rounds = {m.name: m for m in annual_metrics(2021, rebuilt)}["rounds"]
    assert (rounds.value, rounds.basis) == (1, "identified")
    assert rounds.label == "Rounds on record (0 announced, 1 reconstructed)"
    assert "reconstructed: no program announcement found" in rounds.note
    plain = {m.name: m for m in annual_metrics(2021, tiny)}["rounds"]
    assert (plain.basis, plain.label) == ("reported", "Rounds announced")
    heading = round_heading("2021-07", rebuilt)
    assert heading.startswith("### Round 2021-07: reconstructed, dated about 14 July 2021")
    assert "announced" not in heading.split("*Notes in the record:*")[0].replace(
        "No program announcement", ""
    ).replace("program announcement", "")
    assert "**Round 2021-07**, reconstructed (no program announcement of it was found)" in (
        round_intro("2021-07", 2021, rebuilt)
    )
    from wwc_analysis import history

    grow = history.growth(rebuilt, 2024, "2024-06-30")
    text = growth_text(grow, history.levels_by_round(rebuilt, "2024-06-30"), "2024-06-30")
    assert text.startswith(
        "By 30 June 2024 the record has 6 rounds: 5 announced by the program and 1 "
        "reconstructed round (2021-07), of which no program announcement was found."
    )
