"""Headline numbers of a year, reported vs identified."""

from __future__ import annotations

import pandas as pd
import pytest

import wwc_analysis
from wwc_analysis.summary import annual_metrics, check_year, geography, metrics_json, round_members, years_with_rounds


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
