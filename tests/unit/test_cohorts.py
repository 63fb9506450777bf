"""Cohorts derived from the certification history, checked against the public record: derivation,
disagreements, the per-round summary, cohort sizes, named cities and upgrades."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

import wwc_analysis
from wwc_analysis.history import cohorts, levels
from wwc_analysis.history.cohorts import (
    classify_events,
    cohort_sizes,
    cohort_sizes_by_round,
    cohort_sizes_table,
    disagreements,
    label_cohorts,
    reporting_coverage,
    round_cities,
    round_members,
    round_metrics,
    round_summary,
    upgrade_times,
    upgrades_until,
)
from wwc_analysis.text.cohorts import coverage


@pytest.fixture(scope="module")
def data():
    return wwc_analysis.load()


@pytest.fixture(scope="module")
def events(data):
    return classify_events(data)


@pytest.fixture(scope="module")
def summary(data):
    return round_summary(data).set_index("round_id")


@pytest.fixture(scope="module")
def flat_summary(summary):
    return summary.reset_index()


def test_january_2024_round(summary):
    r = summary.loc["2024-01"]
    assert r["announced"] == pd.Timestamp("2024-01-23")
    assert (r["reported_new"], r["reported_upgraded"], r["reported_recertified"]) == (12, 6, 4)
    identified = (r["identified_new"], r["identified_upgraded"], r["identified_recertified"])
    assert identified == (12, 6, 4)
    assert r["identified_unstated"] == 0
    assert r["events"] == 22  # all 22 events identified
    assert r["level_unknown"] == 9
    assert r["reported_total_certified"] == 74
    assert coverage(r, "new") == "identified 12 of 12 new cities"


def test_2024_rounds_totals(summary):
    june = summary.loc["2024-06"]
    assert (june["reported_new"], june["reported_upgraded"]) == (9, 4)
    assert pd.isna(june["reported_recertified"])
    assert june["reported_total_certified"] == 83
    assert coverage(june, "recertified") == (
        "0 re-certified cities identified; the count was not reported"
    )
    feb25 = summary.loc["2025-02"]
    assert coverage(feb25, "new") == "identified 7 of 21 new cities"


def test_derived_agrees_with_reported_where_history_is_on_record(data, events):
    """Every event with a reported cohort either agrees with the derived one, or is listed with a
    reason."""
    reported = events[events["reported_cohort"].notna()]
    listed = set(zip(*disagreements(data, events=events)[["city_id", "round_id"]].T.values))
    for r in reported.itertuples(index=False):
        key = (r.city_id, r.round_id)
        if str(r.reported_cohort) == str(r.derived_cohort) and not pd.isna(r.derived_cohort):
            assert key not in listed
        else:
            assert key in listed, key
    # The listed disagreements are exactly the cases whose history is incomplete.
    dis = disagreements(data, events=events).set_index(["city_id", "round_id"])
    no_history = {
        ("san-jose-ca-us", "2024-01"),
        ("charlotte-nc-us", "2024-06"),
        ("boulder-co-us", "2025-02"),
        ("tulsa-ok-us", "2025-02"),
    }
    for key in no_history:
        assert dis.loc[key, "status"] == "disagrees"
        assert "no earlier certification of this city is on record" in dis.loc[key, "reason"]
    unknown_level = {
        ("little-rock-ar-us", "2025-02"),
        ("philadelphia-pa-us", "2025-02"),
        ("scottsdale-az-us", "2025-02"),
        ("south-bend-in-us", "2025-02"),
    }
    for key in unknown_level:
        assert dis.loc[key, "status"] == "unverifiable"
        assert "level of this event is not known" in dis.loc[key, "reason"]
    assert set(dis.index) == no_history | unknown_level


def test_derivation_rules(events):
    ev = events.set_index(["city_id", "round_id"])
    assert ev.loc[("kansas-city-mo-us", "2018-01"), "derived_cohort"] == "new"
    assert ev.loc[("kansas-city-mo-us", "2019-04"), "derived_cohort"] == "upgraded"
    assert ev.loc[("tempe-az-us", "2021-07"), "derived_cohort"] == "recertified"
    # Seattle 2023-06: cohort not stated, gold after gold -> derived recertified, not a disagreement
    assert ev.loc[("seattle-wa-us", "2023-06"), "derived_cohort"] == "recertified"
    assert ev.loc[("seattle-wa-us", "2023-06"), "status"] == "derived only"
    # Tres de Febrero 2026-01: gold, but the 2024 level is unknown -> stays unknown
    t = ev.loc[("tres-de-febrero-buenos-aires-ar", "2026-01")]
    assert pd.isna(t["derived_cohort"]) and t["status"] == "unknown"
    assert "earlier certification 2024-01 (level unknown)" in t["reason"]
    # a level-unknown first event is still new (needs no level)
    assert ev.loc[("alexandria-va-us", "2024-01"), "derived_cohort"] == "new"


def test_lower_is_derived(data):
    certs = data.certifications.copy()
    i = certs.index[(certs["city_id"] == "tempe-az-us") & (certs["round_id"] == "2024-01")][0]
    certs.loc[i, "level"] = "Silver"
    ev = classify_events(dataclasses.replace(data, certifications=certs))
    ev = ev.set_index(["city_id", "round_id"])
    assert ev.loc[("tempe-az-us", "2024-01"), "derived_cohort"] == "lower"
    assert ev.loc[("tempe-az-us", "2024-01"), "status"] == "disagrees"


def test_upgrade_times(data):
    up = upgrade_times(data).set_index(["city_id", "round_id"])
    years = up.loc[("kansas-city-mo-us", "2019-04"), "years_since_first"]
    assert years == pytest.approx(1.24, abs=0.01)
    assert pd.isna(up.loc[("san-jose-ca-us", "2024-01"), "years_since_first"])


def test_cohort_sizes(flat_summary):
    s = cohort_sizes(flat_summary, "2024-01")
    assert s.loc["new"].tolist() == [12, 12, 13]  # San Jose is reported upgraded but derives as new
    assert s.loc["upgraded"].tolist() == [6, 6, 5]
    late = cohort_sizes(flat_summary, "2026-01")
    assert pd.isna(late.loc["upgraded", "reported"])  # not reported stays not reported
    assert late.loc["unknown", "identified"] == 4 and late.loc["unknown", "derived"] == 3
    assert late["identified"].sum() == late["derived"].sum() == 8  # every event in exactly one row
    with pytest.raises(ValueError, match="not in the summary"):
        cohort_sizes(flat_summary, "1999-01")


def test_cohort_sizes_by_round(flat_summary):
    long = cohort_sizes_by_round(flat_summary, until="2024-01")
    assert long["round_id"].nunique() == 8
    assert set(long["cohort"]) == {"new", "upgraded", "recertified"}
    row = long[(long["round_id"] == "2023-06") & (long["cohort"] == "upgraded")].iloc[0]
    assert (row["reported"], row["identified"], row["missing"]) == (7, 2, 5)
    assert long.loc[long["reported"].isna(), "missing"].isna().all()


def test_label_cohorts_and_geography(data):
    m = label_cohorts(round_members("2026-01", data))
    by_city = m.set_index("city")
    pair = ["cohort", "cohort_basis"]
    assert tuple(by_city.loc["Dallas", pair]) == ("upgraded", "derived")
    assert tuple(by_city.loc["Ottawa", pair]) == ("unknown", "none")
    assert by_city.loc["Glendale", "cohort_basis"] == "reported"
    geo = levels.cohort_geography(m)
    assert int(geo["total"].sum()) == len(m)
    assert geo.loc[("upgraded", "United States"), "total"] == 3


def test_upgrades_until(data):
    up = upgrades_until("2024-01", data)
    assert up["in_round"].sum() == 6
    # no earlier record: not guessed
    assert up.loc[up["city"] == "San Jose", "years_since_first"].isna().all()
    assert (up["round_id"] <= "2024-01").all()


def test_cohort_sizes_table_and_reporting_coverage(flat_summary):
    long = cohort_sizes_by_round(flat_summary, until="2024-06")
    wide = cohort_sizes_table(long)
    assert list(wide.columns[:2]) == ["new reported", "new identified"] and len(wide) == 9
    assert pd.isna(wide.loc["2024-06", "recertified reported"])
    assert wide.loc["2024-06", "new identified"] == 9
    cov = reporting_coverage(long)
    assert cov.loc["new"].to_dict() == {
        "rounds": 9,
        "rounds_reported": 7,
        "reported": 67,
        "identified_in_reported": 67,
        "identified": 74,
    }
    assert cov.loc["upgraded", "rounds_reported"] == 4 and cov.loc["upgraded", "reported"] == 20


def test_label_cohorts_and_round_cities(data):
    named = round_cities(label_cohorts(round_members("2024-01", data)))
    assert list(named.columns) == [
        "cohort",
        "cohort_basis",
        "city",
        "region",
        "country",
        "level",
        "previous_level",
        "previous_round",
        "level_inferred",
        "round_inferred",
    ]
    assert len(named) == 22 and named["cohort"].is_monotonic_increasing  # sorted by cohort first
    san_jose = named.set_index("city").loc["San Jose"]
    # the sources win
    assert (san_jose["cohort"], san_jose["cohort_basis"]) == ("upgraded", "reported")


def test_round_metrics(data, flat_summary):
    sizes = cohort_sizes(flat_summary, "2024-06")
    m = round_metrics("2024-06", data, sizes, disagreements(data), upgrades_until("2024-06", data))
    assert m["round_id"] == "2024-06" and m["announced"] == pd.Timestamp("2024-06-17")
    assert m["cohort_sizes"]["reported"] == {
        "new": 9,
        "upgraded": 4,
        "recertified": None,
        "lower": None,
        "unknown": None,
    }
    assert m["cohort_sizes"]["derived"]["new"] == 10
    assert (m["disagreements"], m["upgrades_in_round"]) == (1, 4)


def test_cohort_vocabulary_is_one_definition():
    from wwc_analysis.data.schemas import COHORTS

    assert cohorts.REPORTED_COHORTS == COHORTS
    assert cohorts.COHORT_LABELS["recertified"] == "re-certified"  # the label; the data value stays
    assert set(COHORTS) <= set(cohorts.COHORT_LABELS)


def test_functions_need_the_dataset():
    """No default silently loads the project's data: a forgotten Dataset is an error."""
    for f in (classify_events, round_summary, disagreements, upgrade_times):
        with pytest.raises(TypeError):
            f()
