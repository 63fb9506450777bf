"""Headline numbers of a year, reported vs identified: the Metric list and metrics.json."""

from __future__ import annotations

import pytest

import wwc_analysis
from wwc_analysis.history.annual import annual_metrics, metrics_json, rounds_in_year
from wwc_analysis.history.cohorts import round_members


@pytest.fixture(scope="module")
def data():
    return wwc_analysis.load()


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
    assert m["recertified_reported"].note == (
        "not reported for 2024-06; 4 reported for the other round(s)"
    )
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
        "Phoenix",
        "Tempe",
        "Boston",
        "Mesa",
        "Norfolk",
        "San Jose",
    }
    with pytest.raises(ValueError, match="unknown round '2024-02'"):
        round_members("2024-02", data)


def test_rounds_in_year(data):
    rs = rounds_in_year(2024, data)
    assert list(rs["round_id"]) == ["2024-01", "2024-06"] and rs["events"].sum() == 35
    with pytest.raises(ValueError, match="years with a round"):
        rounds_in_year(2017, data)


def test_metric_labels_say_re_certified(data):
    labels = {m.name: m.label for m in annual_metrics(2024, data)}
    # the name keeps the data value
    assert labels["recertified_reported"] == "Re-certified cities (reported)"
    assert labels["new_identified"] == "New cities (identified)"
