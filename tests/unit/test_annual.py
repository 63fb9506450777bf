"""Headline numbers of a year, reported vs identified: the Metric list and metrics.json, on the tiny
record (tests/fixtures/tiny: two rounds in 2024, the second without a re-certification count). The
shipped record's headline numbers: tests/record."""

from __future__ import annotations

import json

import pytest

from wwc_analysis.history.annual import annual_metrics, metrics_json, rounds_in_year
from wwc_analysis.history.cohorts import round_members


def test_2024_headlines(tiny):
    m = {x.name: x for x in annual_metrics(2024, tiny)}
    assert m["rounds"].value == 2 and m["rounds"].rounds == ("2024-01", "2024-06")
    # two rounds' reported counts added: a sum of reported counts, not a reported figure
    assert (m["new_reported"].value, m["new_reported"].basis) == (5, "sum of reported counts")
    assert m["new_reported"].label == "New cities (sum of reported counts)"
    assert m["new_reported"].note == "3 + 2 by round; no source states the sum"
    assert m["rounds"].basis == "reported" and m["rounds"].label == "Rounds announced"
    one = {x.name: x for x in annual_metrics(2025, tiny)}
    assert (one["new_reported"].value, one["new_reported"].note) == (2, "as stated for 2025-02")
    assert (one["new_reported"].basis, one["new_reported"].label) == (
        "reported",
        "New cities (reported)",
    )
    assert (one["total_certified_reported"].value, one["total_certified_identified"].value) == (
        None,
        13,
    )
    assert m["new_identified"].value == 4
    assert m["new_identified"].note == "2024-01: 3, 2024-06: 1"
    assert (m["upgraded_reported"].value, m["upgraded_identified"].value) == (4, 4)
    # re-certifications were not reported for June 2024: no sum is invented
    assert m["recertified_reported"].value is None
    assert m["recertified_reported"].note == (
        "not reported for 2024-06; 1 reported for the other round(s)"
    )
    assert m["recertified_identified"].value == 1
    assert m["events_identified"].value == 9
    assert m["events_identified"].note == "2 of them with the level not known"
    assert m["total_certified_reported"].value == 15
    assert m["total_certified_identified"].value == 12
    assert m["total_certified_identified"].note == "identified 12 of 15 (gap 3)"
    levels = [m[f"latest_{t}"].value for t in ("silver", "gold", "platinum", "unknown")]
    assert levels == [5, 4, 1, 2] and sum(levels) == 12
    assert m["countries_identified"].value == 4
    assert m["countries_identified"].note == "Brazil, Canada, Mexico, United States"


def test_metrics_json_is_serialisable(tiny):
    payload = metrics_json(2024, tiny)
    text = json.dumps(payload)
    assert '"basis": "reported"' in text and '"basis": "identified"' in text
    assert payload["metrics"]["new_reported"]["value"] == 5
    assert payload["year"] == 2024 and payload["metrics"]["rounds"]["rounds"] == [
        "2024-01",
        "2024-06",
    ]


def test_round_members(tiny):
    members = round_members("2024-01", tiny)
    assert len(members) == 7
    assert set(members.loc[members["reported_cohort"] == "upgraded", "city"]) == {
        "Mesa",
        "Austin",
        "Santos",
    }
    with pytest.raises(ValueError, match="unknown round '2024-02'"):
        round_members("2024-02", tiny)


def test_rounds_in_year(tiny):
    rs = rounds_in_year(2024, tiny)
    assert list(rs["round_id"]) == ["2024-01", "2024-06"] and rs["events"].sum() == 9
    with pytest.raises(ValueError, match="years with a round"):
        rounds_in_year(2020, tiny)


@pytest.mark.parametrize("which", ["record", "tiny"])
def test_a_year_adds_up(request, which):
    """Relations of every year: identified counts are the rounds' events, the latest levels add up
    to the cities identified, a reported sum only where every round reported."""
    data = request.getfixturevalue(which)
    for year in sorted({int(y) for y in data.rounds["announced"].dt.year}):
        m = {x.name: x for x in annual_metrics(year, data)}
        rs = rounds_in_year(year, data)
        assert m["events_identified"].value == rs["events"].sum()
        levels = sum(m[f"latest_{t}"].value for t in ("silver", "gold", "platinum", "unknown"))
        assert levels == m["total_certified_identified"].value, year
        for c in ("new", "upgraded", "recertified"):
            reported = rs[f"reported_{c}"]
            value = m[f"{c}_reported"].value
            assert value == (int(reported.sum()) if reported.notna().all() else None), (year, c)


def test_metric_labels_say_re_certified(tiny):
    labels = {m.name: m.label for m in annual_metrics(2024, tiny)}
    # the name keeps the data value
    assert labels["recertified_reported"] == "Re-certified cities (reported)"
    assert labels["new_identified"] == "New cities (identified)"
