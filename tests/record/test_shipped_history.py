"""The history of the shipped record: years, every round's counts, cohorts, levels and the headline
numbers of a year, against ``expected.yaml`` (``years``, ``rounds``, ``cohorts``, ``levels``,
``annual``)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from wwc_analysis import history
from wwc_analysis.data import Dataset
from wwc_analysis.history import annual, cohorts, levels, rounds


def _na(value):
    """None for a missing value (<NA>, NaN), else the value: how expected.yaml says null."""
    return None if pd.isna(value) else value


def _key(table: pd.DataFrame, city_id: str, round_id: str) -> pd.Series:
    return table.set_index(["city_id", "round_id"]).loc[(city_id, round_id)]


# --- years and rounds -----------------------------------------------------------------------------
def test_years(record: Dataset, expected):
    years = expected["years"]
    assert rounds.years_with_rounds(record) == years
    assert rounds.latest_year(record) == years[-1]
    listed = ", ".join(map(str, years[:2]))
    with pytest.raises(ValueError, match=f"years with a round: {listed}"):
        rounds.check_year(years[0] - 1, record)
    with pytest.raises(ValueError, match=f"no certification round was announced in {years[0] - 1}"):
        rounds.resolve_as_of(years[0] - 1, None, record)
    with pytest.raises(
        ValueError, match=f"unknown round '2024-02'; rounds: {list(expected['rounds'])[0]}"
    ):
        rounds.check_round("2024-02", record)
    for year, round_id in expected["last_round_of_year"].items():
        assert rounds.resolve_round(year, None, record) == round_id


def test_every_round_is_expected(record: Dataset, expected):
    assert list(record.rounds["round_id"]) == list(expected["rounds"])


@pytest.mark.parametrize("round_id", ["2024-01", "2024-06"])
def test_round_info(record: Dataset, expected, round_id):
    want = expected["rounds"][round_id]
    info = rounds.round_info(round_id, record)
    assert info["announced"] == pd.Timestamp(want["announced"])
    assert info["standard"] == want["standard"]


def test_round_summary(record: Dataset, expected):
    """Reported, identified and derived counts of every round (history.round_summary)."""
    summary = history.round_summary(record).set_index("round_id")
    cum = rounds.cumulative(record).set_index("round_id")
    got = {}
    for round_id, r in summary.iterrows():
        got[round_id] = {
            "announced": f"{r['announced']:%Y-%m-%d}",
            "standard": r["standard"],
            "reported": {
                "new": _na(r["reported_new"]),
                "upgraded": _na(r["reported_upgraded"]),
                "recertified": _na(r["reported_recertified"]),
                "total_certified": _na(r["reported_total_certified"]),
            },
            "identified": {
                **{c: r[f"identified_{c}"] for c in ("new", "upgraded", "recertified", "unstated")},
                "total_certified": r["identified_total_certified"],
            },
            "derived": {
                c: r[f"derived_{c}"] for c in ("new", "upgraded", "recertified", "lower", "unknown")
            },
            "events": r["events"],
            "level_unknown": r["level_unknown"],
            "disagreements": r["disagreements"],
            "status": cum.loc[round_id, "status"],
        }
    for round_id, want in expected["rounds"].items():
        assert got[round_id] == want, round_id


def test_cumulative_totals(record: Dataset, expected):
    cum = rounds.cumulative(record).set_index("round_id")
    for round_id, want in expected["rounds"].items():
        reported = want["reported"]["total_certified"]
        assert _na(cum.loc[round_id, "reported_total_certified"]) == reported, round_id
        identified = want["identified"]["total_certified"]
        assert cum.loc[round_id, "identified_total_certified"] == identified, round_id
        assert _na(cum.loc[round_id, "gap"]) == (
            None if reported is None else reported - identified
        ), round_id
    assert cum["identified_total_certified"].iloc[-1] == expected["tables"]["cities"]


def test_growth_of_2024(record: Dataset, expected):
    g = rounds.growth(record, 2024)
    assert list(g.loc[g["in_year"], "round_id"]) == ["2024-01", "2024-06"]
    early = rounds.growth(record, 2024, "2024-06-30")
    last = expected["rounds"]["2024-06"]
    assert list(early["round_id"])[-1] == "2024-06"
    assert early.iloc[-1]["reported_total_certified"] == last["reported"]["total_certified"]
    assert early.iloc[-1]["identified_total_certified"] == last["identified"]["total_certified"]
    march = rounds.growth(record, 2024, "2024-03-31")
    assert list(march.loc[march["in_year"], "round_id"]) == ["2024-01"]


# --- cohorts --------------------------------------------------------------------------------------
def test_disagreements(record: Dataset, expected):
    dis = cohorts.disagreements(record).set_index(["city_id", "round_id"])
    want = expected["cohorts"]["disagreements"]
    assert set(dis.index) == {(city, round_id) for city, round_id, _, _ in want}
    for city, round_id, status, reason in want:
        assert dis.loc[(city, round_id), "status"] == status, city
        assert dis.loc[(city, round_id), "reason"].startswith(reason), city


def test_derived_cohorts(record: Dataset, expected):
    events = cohorts.classify_events(record)
    for city, round_id, cohort, status in expected["cohorts"]["derived"]:
        event = _key(events, city, round_id)
        assert (_na(event["derived_cohort"]), event["status"]) == (cohort, status), city
    city, round_id, reason = expected["cohorts"]["underivable_reason"]
    assert reason in _key(events, city, round_id)["reason"]


def test_lower_is_derived_from_an_edited_level(record: Dataset, expected):
    city, round_id = expected["cohorts"]["lower_if_edited"]
    certs = record.certifications.copy()
    row = certs.index[(certs["city_id"] == city) & (certs["round_id"] == round_id)][0]
    certs.loc[row, "level"] = "Silver"
    events = cohorts.classify_events(dataclasses.replace(record, certifications=certs))
    assert tuple(_key(events, city, round_id)[["derived_cohort", "status"]]) == (
        "lower",
        "disagrees",
    )


def test_years_to_upgrade(record: Dataset, expected):
    up = cohorts.upgrade_times(record)
    for city, round_id, years in expected["cohorts"]["years_to_upgrade"]:
        got = _na(_key(up, city, round_id)["years_since_first"])
        assert got == (None if years is None else pytest.approx(years, abs=0.01)), city


@pytest.mark.parametrize("round_id", ["2024-01", "2026-01"])
def test_cohort_sizes(record: Dataset, expected, round_id):
    sizes = cohorts.cohort_sizes(history.round_summary(record), round_id)
    got = {c: [_na(v) for v in row] for c, row in sizes.iterrows()}
    assert got == expected["cohorts"]["sizes"][round_id]


def test_members_of_2024_01(record: Dataset, expected):
    want = expected["cohorts"]["members"]["2024-01"]
    members = cohorts.round_members("2024-01", record)
    assert len(members) == want["cities"]
    upgraded = members.loc[members["reported_cohort"] == "upgraded", "city"]
    assert sorted(upgraded) == want["upgraded"]
    upgrades = cohorts.upgrades_until("2024-01", record)
    assert upgrades["in_round"].sum() == want["upgrades_in_round"]
    named = cohorts.round_cities(cohorts.label_cohorts(members))
    assert len(named) == want["cities"]
    city, cohort = want["reported_basis"]
    assert tuple(named.set_index("city").loc[city, ["cohort", "cohort_basis"]]) == (
        cohort,
        "reported",
    )
    # an upgrade reported without an earlier certification on record is not timed
    assert upgrades.loc[upgrades["city"] == city, "years_since_first"].isna().all()


def test_members_of_2026_01(record: Dataset, expected):
    want = expected["cohorts"]["members"]["2026-01"]
    labelled = cohorts.label_cohorts(cohorts.round_members("2026-01", record)).set_index("city")
    for city, pair in want["labelled"].items():
        assert list(labelled.loc[city, ["cohort", "cohort_basis"]]) == pair, city
    geo = levels.cohort_geography(labelled.reset_index())
    assert geo.loc[("upgraded", "United States"), "total"] == want["upgraded_in_united_states"]


def test_cohort_sizes_by_round(record: Dataset, expected):
    summary = history.round_summary(record)
    want = expected["cohorts"]["by_round_until_2024_01"]
    long = cohorts.cohort_sizes_by_round(summary, until="2024-01")
    assert long["round_id"].nunique() == want["rounds"]
    row = long[(long["round_id"] == "2023-06") & (long["cohort"] == "upgraded")].iloc[0]
    assert [row["reported"], row["identified"], row["missing"]] == want["upgraded_2023_06"]


def test_reporting_coverage(record: Dataset, expected):
    want = expected["cohorts"]["coverage_until_2024_06"]
    long = cohorts.cohort_sizes_by_round(history.round_summary(record), until="2024-06")
    wide = cohorts.cohort_sizes_table(long)
    assert len(wide) == want["rounds"]
    june = expected["rounds"]["2024-06"]
    assert _na(wide.loc["2024-06", "recertified reported"]) == june["reported"]["recertified"]
    assert wide.loc["2024-06", "new identified"] == june["identified"]["new"]
    coverage = cohorts.reporting_coverage(long)
    for cohort in ("new", "upgraded", "recertified"):
        assert coverage.loc[cohort].to_dict() == want[cohort], cohort


def test_round_metrics(record: Dataset, expected):
    want = expected["cohorts"]["metrics_2024_06"]
    sizes = cohorts.cohort_sizes(history.round_summary(record), "2024-06")
    m = cohorts.round_metrics(
        "2024-06",
        record,
        sizes,
        cohorts.disagreements(record),
        cohorts.upgrades_until("2024-06", record),
    )
    assert m["announced"] == pd.Timestamp(expected["rounds"]["2024-06"]["announced"])
    assert m["cohort_sizes"]["reported"] == want["reported"]
    assert m["cohort_sizes"]["derived"]["new"] == want["derived_new"]
    assert (m["disagreements"], m["upgrades_in_round"]) == (
        want["disagreements"],
        want["upgrades_in_round"],
    )


# --- levels ---------------------------------------------------------------------------------------
def test_latest_levels(record: Dataset, expected):
    want = expected["levels"]
    for city, as_of, level in want["latest"]:
        got = levels.latest_levels(as_of, record).set_index("city_id").loc[city, "level"]
        assert _na(got) == level, (city, as_of)
    city, as_of, level, round_id = want["last_known"]
    row = levels.latest_levels(as_of, record).set_index("city_id").loc[city]
    assert (row["last_known_level"], row["last_known_round"]) == (level, round_id)
    city, as_of = want["not_yet_certified"]
    assert city not in set(levels.latest_levels(as_of, record)["city_id"])
    assert len(levels.latest_levels(None, record)) == expected["tables"]["cities"]


def test_places(record: Dataset, expected):
    want = expected["levels"]
    latest = levels.latest_levels("2026-12-31", record)
    assert len(levels.filter_place(latest, "united states")) == want["united_states"]
    assert len(levels.filter_place(latest, "United States", "AZ")) == want["arizona"]
    with pytest.raises(ValueError, match=f"country values on record: {want['first_country']}"):
        levels.filter_place(latest, "Frnce")
    states = levels.geography(
        levels.latest_levels("2024-12-31", record).query("country == 'United States'"),
        by="region",
    )
    assert states.loc[("United States", "AZ"), "total"] == want["arizona"]


def test_levels_after_each_round(record: Dataset, expected):
    lot = levels.levels_over_time(record, "2026-12-31").set_index("round_id")
    got = {r: list(row) for r, row in lot[list(levels.LEVEL_BUCKETS)].iterrows()}
    assert got == expected["levels"]["levels_after_round"]
    us = levels.levels_over_time(record, "2024-06-30", country="United States")
    assert (
        us.iloc[-1]["identified_total"] == expected["levels"]["united_states_identified_2024_06_30"]
    )
    by_round = levels.levels_by_round(record, "2024-06-30").set_index("round_id")
    june = expected["rounds"]["2024-06"]
    gap = june["reported"]["total_certified"] - june["identified"]["total_certified"]
    assert by_round.loc["2024-06", "gap"] == gap


def test_transitions(record: Dataset, expected):
    want = expected["levels"]
    matrix = levels.transition_matrix(levels.transitions(record, "2026-12-31"))
    assert {level: list(row) for level, row in matrix.iterrows()} == want["transitions"]
    assert levels.transition_summary(matrix) == want["moves"]
    to_2024 = levels.transitions(record, "2024-12-31")
    assert levels.transition_summary(levels.transition_matrix(to_2024)) == want["moves_2024"]


def test_countries_reached_in_2024(record: Dataset, expected):
    want = expected["levels"]["countries_2024"]
    c = levels.countries_reached(2024, record)
    got = {
        country: {
            "total": int(r["total"]),
            "new_cities": int(r["new_cities"]),
            "first_round": r["first_round"],
            "new_country": bool(r["new_country"]),
        }
        for country, r in c.iterrows()
    }
    assert got == want
    assert c["total"].sum() == expected["annual"]["2024"]["total_certified_identified"][0]


def test_levels_metrics_2024(record: Dataset, expected):
    year = expected["annual"]["2024"]
    latest = levels.latest_levels("2024-12-31", record)
    moves = levels.transition_summary(
        levels.transition_matrix(levels.transitions(record, "2024-12-31"))
    )
    counts = levels.level_counts(latest["level"])
    m = levels.levels_metrics(rounds.growth(record, 2024), counts, moves)
    assert (m["identified_total_certified"], m["reported_total_certified"]) == (
        year["total_certified_identified"][0],
        year["total_certified_reported"][0],
    )
    assert m["latest_levels"] == {
        tier: year[f"latest_{tier.lower()}"][0] for tier in levels.LEVEL_BUCKETS
    }
    assert m["transitions"] == expected["levels"]["moves_2024"]
    later = levels.levels_metrics(rounds.growth(record, 2026), counts, moves)
    assert (
        later["reported_total_certified"]
        == expected["annual"]["2026"]["total_certified_reported"][0]
    )


# --- the headline numbers of a year ---------------------------------------------------------------
@pytest.mark.parametrize("year", ["2024", "2026"])
def test_annual_metrics(record: Dataset, expected, year):
    got = {m.name: [m.value, m.note] for m in annual.annual_metrics(int(year), record)}
    assert got == expected["annual"][year]
    payload = annual.metrics_json(int(year), record)
    assert (
        payload["metrics"]["new_reported"]["value"] == expected["annual"][year]["new_reported"][0]
    )


def test_rounds_of_2024(record: Dataset, expected):
    year = expected["annual"]["2024"]
    rs = annual.rounds_in_year(2024, record)
    assert list(rs["round_id"]) == ["2024-01", "2024-06"]
    assert rs["events"].sum() == year["events_identified"][0]
    metrics = {m.name: m for m in annual.annual_metrics(2024, record)}
    assert metrics["rounds"].rounds == tuple(rs["round_id"])
