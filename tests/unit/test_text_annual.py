"""The annual summary in words and display tables (wwc_analysis.text.annual): headline sentences,
the headline table, each round's cohorts, cities and disagreements, and the coverage lines."""

from __future__ import annotations

import pytest

import wwc_analysis
from wwc_analysis.history.annual import annual_metrics, rounds_in_year
from wwc_analysis.history.cohorts import round_members


@pytest.fixture(scope="module")
def data():
    return wwc_analysis.load()


def test_headline_sentences_2024(data):
    from wwc_analysis.text.annual import headline_sentences

    s = headline_sentences(2024, data)
    assert s[0] == "In 2024 the program announced two rounds (23 January and 17 June 2024)."
    assert s[1] == (
        "It reported 21 new cities (12 + 9), 10 upgraded cities (6 + 4) and 4 "
        "re-certified cities in January (not reported for June)."
    )
    assert s[2] == (
        "The record identifies all 21 new cities, all 10 upgraded cities and 4 "
        "re-certified cities (all 4 reported for January)."
    )
    assert s[3] == (
        "By the end of 2024 the program reported 83 cities certified in all; the "
        "record identifies 77 of them, so 6 certified cities are not in the record."
    )
    assert "Silver for 37 cities, Gold for 28 and Platinum for 3, and not known for 9" in s[4]
    assert (
        "eight countries, 4 of them reached for the first time this year (Colombia, Mexico, "
        "Chile and Guatemala)"
    ) in s[4]
    assert s[5].startswith("For two events the cohort the sources report disagrees")


@pytest.mark.parametrize("year", [2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026])
def test_headline_sentences_every_year(data, year):
    import re

    from wwc_analysis.text.annual import coverage_lines, headline_sentences

    text = " ".join(headline_sentences(year, data)) + " ".join(coverage_lines(year, data))
    assert "<NA>" not in text and "nan" not in text and "None" not in text
    assert not re.search(r"\b1 (new|upgraded|re-certified) cities", text) and "(s)" not in text


def test_headline_sentences_unreported(data):
    from wwc_analysis.text.annual import headline_sentences

    s = headline_sentences(2026, data)
    # approximate day
    assert s[0] == "In 2026 the program announced one round (about 15 January 2026)."
    assert "the numbers of upgraded cities and re-certified cities were not reported" in s[1]
    assert "none of the 13 new cities" in s[2]
    assert "four events whose cohort no source states" in s[2]
    assert s[3] == (
        "The program did not state how many cities had been certified in all after its "
        "January round; the record identifies 87 cities certified in all."
    )
    s = headline_sentences(2020, data)
    assert s[1] == (
        "It did not report how many new cities, upgraded cities and re-certified cities there were."
    )
    assert "one country (United States)" in headline_sentences(2018, data)[4]


def test_headline_table_dashes_unknown(data):
    from wwc_analysis.text.annual import headline_table
    from wwc_analysis.text.words import DASH

    t = headline_table(annual_metrics(2024, data))
    assert list(t.columns) == ["label", "value", "basis", "note"]
    values = dict(zip(t["label"], t["value"]))
    assert values["New cities (reported)"] == "21"
    assert values["Re-certified cities (reported)"] == DASH
    assert not t.isna().any().any()


def test_round_cohorts_three_ways(data):
    from wwc_analysis.text.annual import round_cohorts

    t = round_cohorts("2024-01", data)
    cohorts = ["New", "Upgraded", "Re-certified"]
    assert t.loc["Reported by the program", cohorts].tolist() == ["12", "6", "4"]
    # San Jose
    assert t.loc["Derived from the history on record", ["New", "Upgraded"]].tolist() == ["13", "5"]
    assert round_cohorts("2024-06", data).loc["Reported by the program", "Re-certified"] == "–"
    with pytest.raises(ValueError, match="unknown round"):
        round_cohorts("2024-02", data)


def test_round_table_and_disagreements(data):
    from wwc_analysis.text.annual import round_disagreements, round_heading, round_table

    t = round_table("2024-01", data)
    assert len(t) == 22 and list(t["City"]) == list(round_members("2024-01", data)["city"])
    row = t.set_index("City").loc["Phoenix"]
    shown = (row["Level"], row["Earlier certification"], row["Derived cohort"])
    assert shown == ("Platinum", "2021-07 (Gold)", "upgraded")
    assert t.set_index("City").loc["Recife", "Level"] == "not known"
    assert t["Sources"].str.contains('<a href="https://').all()
    assert not round_table("2024-01", data, links=False)["Sources"].str.contains("<a ").any()
    assert (t != "<NA>").all().all() and not t.isna().any().any()
    d = round_disagreements("2024-01", data)
    assert list(d["City"]) == ["San Jose"] and d["Why"].iloc[0].startswith("reported as upgraded")
    assert round_disagreements("2023-06", data).empty
    heading = round_heading("2026-01", data)
    assert heading.startswith("### Round 2026-01: announced about 15 January 2026")
    assert "did not state a cumulative total" in heading and "[1]" in heading


def test_sources_html():
    from wwc_analysis.text.annual import sources_html

    out = sources_html("https://a.example/x ; greenebarrett (June 2024 article; URL not recorded)")
    assert out.startswith('<a href="https://a.example/x"') and "[2: greenebarrett" in out
    assert sources_html(None) == "–"


def test_coverage_lines(data):
    from wwc_analysis.text.annual import coverage_lines

    lines = coverage_lines(2025, data)
    assert lines[0].startswith(
        "2025-02: identified 7 of 21 new cities, 2 upgraded cities (count not reported)"
    )
    assert "level not known for 8 of 18 events on record" in lines[0]
    assert (
        "Cities ever certified by the end of 2025: identified 87 of 104 reported (17 not in "
        "the record)"
    ) in lines
    assert any(
        line.startswith("2024 in all: identified 21 of 21 new cities")
        for line in coverage_lines(2024, data)
    )


def test_key_numbers_say_re_certified(data):
    from wwc_analysis.text.annual import key_numbers

    lines = key_numbers(2024, annual_metrics(2024, data), rounds_in_year(2024, data)).splitlines()
    assert lines[0] == "Key numbers 2024 (reported / identified; '–' = not reported)"
    assert lines[1:5] == [
        "  new               21 / 21",
        "  upgraded          10 / 10",
        "  re-certified       – / 4",
        "  ever certified    83 / 77",
    ]
    assert lines[5] == "  rounds: 2024-01, 2024-06; countries: 8"


def test_headline_text_and_coverage_report(data):
    from wwc_analysis.text.annual import (
        coverage_lines,
        coverage_report,
        headline_sentences,
        headline_text,
    )

    paragraphs = headline_text(2024, data).split("\n\n")
    s = headline_sentences(2024, data)
    assert paragraphs == [" ".join(s[:3]), " ".join(s[3:])]
    report = coverage_report(2025, data, width=80)
    assert report.startswith("- 2025-02: identified 7 of 21 new cities")
    assert all(len(line) <= 80 for line in report.splitlines())
    assert report.count("\n- ") == len(coverage_lines(2025, data)) - 1


def test_round_section(data):
    from pandas.io.formats.style import Styler

    from wwc_analysis.text.annual import round_section

    parts = round_section("2024-01", data)
    assert parts[0].startswith("### Round 2024-01") and isinstance(parts[1], Styler)
    assert parts[2].startswith("**Cities named in round 2024-01**") and isinstance(parts[3], Styler)
    assert "San Jose" in parts[5].to_html()  # the round's one disagreement, as a table
    quiet = round_section("2023-06", data)
    assert quiet[-1].startswith("*Round 2023-06: every reported cohort agrees")


def test_round_table_labels_cohorts(data):
    from wwc_analysis.text.annual import round_table

    t = round_table("2024-01", data)
    assert "re-certified" in set(t["Reported cohort"])
    assert "recertified" not in set(t["Reported cohort"])
    # data unchanged
    assert set(round_members("2024-01", data)["reported_cohort"].dropna()) >= {"recertified"}


def test_countries_table(data):
    from wwc_analysis.history.levels import countries_reached
    from wwc_analysis.text.annual import countries_table

    html = countries_table(countries_reached(2024, data), 2024).to_html()
    assert "First on record in 2024" in html
    assert "New country in 2024" in html
    assert ">Cities<" in html
