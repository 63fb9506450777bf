"""Headline numbers of a year, reported vs identified."""

from __future__ import annotations

import pandas as pd
import pytest

import wwc_analysis
from wwc_analysis.history.annual import (
    annual_metrics,
    check_year,
    geography,
    metrics_json,
    round_members,
    years_with_rounds,
)


@pytest.fixture(scope="module")
def data():
    return wwc_analysis.load()


def test_years(data):
    assert years_with_rounds(data) == [2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026]
    with pytest.raises(ValueError, match="no certification round was announced in 2017; years with a round: 2018, 2019"):
        check_year(2017, data)


def test_2024_headlines(data):
    m = {x.name: x for x in annual_metrics(2024, data)}
    assert m["rounds"].value == 2 and m["rounds"].rounds == ("2024-01", "2024-06")
    assert (m["new_reported"].value, m["new_reported"].basis) == (21, "reported")
    assert m["new_reported"].note == "12 + 9 by round"
    one = {x.name: x for x in annual_metrics(2026, data)}
    assert (one["new_reported"].value, one["new_reported"].note) == (13, "as stated for 2026-01")
    assert m["new_identified"].value == 21
    assert (m["upgraded_reported"].value, m["upgraded_identified"].value) == (10, 10)
    # re-certifications were not reported for June 2024: no sum is invented
    assert m["recertified_reported"].value is None
    assert m["recertified_reported"].note == "not reported for 2024-06; 4 reported for the other round(s)"
    assert m["recertified_identified"].value == 4
    assert m["total_certified_reported"].value == 83
    assert m["total_certified_identified"].value == 77
    assert m["total_certified_identified"].note == "identified 77 of 83 (gap 6)"
    levels = sum(m[f"latest_{t}"].value for t in ("silver", "gold", "platinum", "unknown"))
    assert levels == 77


def test_metrics_json_is_serialisable(data):
    import json

    payload = metrics_json(2024, data)
    text = json.dumps(payload)
    assert '"basis": "reported"' in text and '"basis": "identified"' in text
    assert payload["metrics"]["new_reported"]["value"] == 21


def test_round_members(data):
    members = round_members("2024-01", data)
    assert len(members) == 22
    assert set(members.loc[members["reported_cohort"] == "upgraded", "city"]) == {
        "Phoenix", "Tempe", "Boston", "Mesa", "Norfolk", "San Jose"}
    with pytest.raises(ValueError, match="unknown round '2024-02'"):
        round_members("2024-02", data)


def test_geography_keeps_unknown(data):
    lv = wwc_analysis.latest_levels("2024-12-31", data)
    g = geography(lv)
    assert g["total"].sum() == len(lv)
    assert g.loc["United States", "total"] > g.loc["Brazil", "total"]
    states = geography(lv[lv["country"] == "United States"], by="region")
    assert states.loc[("United States", "AZ"), "total"] == 6
    assert pd.api.types.is_integer_dtype(states["Unknown"])


# ---- the annual summary in words and display tables (functions appended to summary.py) ----


def test_headline_sentences_2024(data):
    from wwc_analysis.history.annual import headline_sentences

    s = headline_sentences(2024, data)
    assert s[0] == "In 2024 the program announced two rounds (23 January and 17 June 2024)."
    assert s[1] == ("It reported 21 new cities (12 + 9), 10 upgraded cities (6 + 4) and 4 re-certified cities in "
                    "January (not reported for June).")
    assert s[2] == ("The record identifies all 21 new cities, all 10 upgraded cities and 4 re-certified cities "
                    "(all 4 reported for January).")
    assert s[3] == ("By the end of 2024 the program reported 83 cities certified in all; the record identifies 77 "
                    "of them, so 6 certified cities are not in the record.")
    assert "Silver for 37 cities, Gold for 28 and Platinum for 3, and not known for 9" in s[4]
    assert "eight countries, 4 of them reached for the first time this year (Colombia, Mexico, Chile and Guatemala)" in s[4]
    assert s[5].startswith("For two events the cohort the sources report disagrees")


@pytest.mark.parametrize("year", [2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026])
def test_headline_sentences_every_year(data, year):
    import re

    from wwc_analysis.history.annual import coverage_lines, headline_sentences

    text = " ".join(headline_sentences(year, data)) + " ".join(coverage_lines(year, data))
    assert "<NA>" not in text and "nan" not in text and "None" not in text
    assert not re.search(r"\b1 (new|upgraded|re-certified) cities", text) and "(s)" not in text


def test_headline_sentences_unreported(data):
    from wwc_analysis.history.annual import headline_sentences

    s = headline_sentences(2026, data)
    assert s[0] == "In 2026 the program announced one round (about 15 January 2026)."  # approximate day
    assert "the numbers of upgraded cities and re-certified cities were not reported" in s[1]
    assert "none of the 13 new cities" in s[2] and "four events whose cohort no source states" in s[2]
    assert s[3] == ("The program did not state how many cities had been certified in all after its January round; "
                    "the record identifies 87 cities certified in all.")
    s = headline_sentences(2020, data)
    assert s[1] == "It did not report how many new cities, upgraded cities and re-certified cities there were."
    assert "one country (United States)" in headline_sentences(2018, data)[4]


def test_headline_table_dashes_unknown(data):
    from wwc_analysis.history.annual import headline_table
    from wwc_analysis.text.words import DASH

    t = headline_table(annual_metrics(2024, data))
    assert list(t.columns) == ["label", "value", "basis", "note"]
    values = dict(zip(t["label"], t["value"]))
    assert values["New cities (reported)"] == "21" and values["Re-certified cities (reported)"] == DASH
    assert not t.isna().any().any()


def test_round_cohorts_three_ways(data):
    from wwc_analysis.history.annual import round_cohorts

    t = round_cohorts("2024-01", data)
    assert t.loc["Reported by the program", ["New", "Upgraded", "Re-certified"]].tolist() == ["12", "6", "4"]
    assert t.loc["Derived from the history on record", ["New", "Upgraded"]].tolist() == ["13", "5"]  # San Jose
    assert round_cohorts("2024-06", data).loc["Reported by the program", "Re-certified"] == "–"
    with pytest.raises(ValueError, match="unknown round"):
        round_cohorts("2024-02", data)


def test_round_table_and_disagreements(data):
    from wwc_analysis.history.annual import round_disagreements, round_heading, round_table

    t = round_table("2024-01", data)
    assert len(t) == 22 and list(t["City"]) == list(round_members("2024-01", data)["city"])
    row = t.set_index("City").loc["Phoenix"]
    assert (row["Level"], row["Earlier certification"], row["Derived cohort"]) == ("Platinum", "2021-07 (Gold)", "upgraded")
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
    from wwc_analysis.history.annual import sources_html

    out = sources_html("https://a.example/x ; greenebarrett (June 2024 article; URL not recorded)")
    assert out.startswith('<a href="https://a.example/x"') and "[2: greenebarrett" in out
    assert sources_html(None) == "–"


def test_growth_and_countries(data):
    from wwc_analysis.history.annual import countries_reached, growth

    g = growth(2024, data)
    assert list(g.loc[g["in_year"], "round_id"]) == ["2024-01", "2024-06"]
    assert g["announced"].dt.year.max() == 2024
    c = countries_reached(2024, data)
    assert c["total"].sum() == 77
    assert set(c.index[c["new_country"]]) == {"Colombia", "Mexico", "Chile", "Guatemala"}
    assert c.loc["United States", "first_round"] == "2018-01"
    # first certification on record in 2024: the 21 reported new cities plus San Jose and Charlotte,
    # reported as upgraded but with no earlier certification on record
    assert c["new_cities"].sum() == 23


def test_coverage_lines(data):
    from wwc_analysis.history.annual import coverage_lines

    lines = coverage_lines(2025, data)
    assert lines[0].startswith("2025-02: identified 7 of 21 new cities, 2 upgraded cities (count not reported)")
    assert "level not known for 8 of 18 events on record" in lines[0]
    assert "Cities ever certified by the end of 2025: identified 87 of 104 reported (17 not in the record)" in lines
    assert any(line.startswith("2024 in all: identified 21 of 21 new cities") for line in coverage_lines(2024, data))


def test_simulated_tables(data):
    from wwc_analysis.history.annual import simulated_gates, simulated_tiers

    t = simulated_tiers(2024, data)
    assert list(t.index) == ["2024-01", "2024-06"] and list(t.columns) == ["Not certified", "Silver", "Gold", "Platinum"]
    assert t.attrs["simulated"] is True
    g = simulated_gates(2024, data)
    assert (g["assessments"] == t.sum(axis=1)).all()
    assert ((g.drop(columns="assessments") >= 0) & (g.drop(columns="assessments") <= 1)).all().all()
    assert simulated_tiers(2019, data).empty and simulated_gates(2019, data).empty  # no simulated round in 2019
