"""Cohorts derived from the certification history, checked against the public record."""

from __future__ import annotations

import pandas as pd
import pytest

import wwc_analysis
from wwc_analysis.history.cohorts import (
    classify_events,
    coverage,
    cumulative,
    disagreements,
    latest_levels,
    level_counts,
    level_transitions,
    round_summary,
    to_timestamp,
    upgrade_times,
)


@pytest.fixture(scope="module")
def data():
    return wwc_analysis.load()


@pytest.fixture(scope="module")
def events(data):
    return classify_events(data)


@pytest.fixture(scope="module")
def summary(data):
    return round_summary(data).set_index("round_id")


def test_january_2024_round(summary):
    r = summary.loc["2024-01"]
    assert r["announced"] == pd.Timestamp("2024-01-23")
    assert (r["reported_new"], r["reported_upgraded"], r["reported_recertified"]) == (12, 6, 4)
    assert (r["identified_new"], r["identified_upgraded"], r["identified_recertified"]) == (12, 6, 4)
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
    assert coverage(june, "recertified") == "0 re-certified cities identified; the count was not reported"
    feb25 = summary.loc["2025-02"]
    assert coverage(feb25, "new") == "identified 7 of 21 new cities"


def test_derived_agrees_with_reported_where_history_is_on_record(events):
    """Every event with a reported cohort either agrees with the derived one, or is listed with a reason."""
    reported = events[events["reported_cohort"].notna()]
    listed = set(zip(*disagreements(events=events)[["city_id", "round_id"]].T.values))
    for r in reported.itertuples(index=False):
        key = (r.city_id, r.round_id)
        if str(r.reported_cohort) == str(r.derived_cohort) and not pd.isna(r.derived_cohort):
            assert key not in listed
        else:
            assert key in listed, key
    # The listed disagreements are exactly the cases whose history is incomplete.
    dis = disagreements(events=events).set_index(["city_id", "round_id"])
    no_history = {("san-jose-ca-us", "2024-01"), ("charlotte-nc-us", "2024-06"), ("boulder-co-us", "2025-02"), ("tulsa-ok-us", "2025-02")}
    for key in no_history:
        assert dis.loc[key, "status"] == "disagrees"
        assert "no earlier certification of this city is on record" in dis.loc[key, "reason"]
    unknown_level = {("little-rock-ar-us", "2025-02"), ("philadelphia-pa-us", "2025-02"), ("scottsdale-az-us", "2025-02"), ("south-bend-in-us", "2025-02")}
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
    ev = classify_events(certifications=certs, rounds=data.rounds).set_index(["city_id", "round_id"])
    assert ev.loc[("tempe-az-us", "2024-01"), "derived_cohort"] == "lower"
    assert ev.loc[("tempe-az-us", "2024-01"), "status"] == "disagrees"


def test_cumulative_reported_vs_identified(data):
    cum = cumulative(data).set_index("round_id")
    assert cum.loc["2018-01", "status"] == "reproduced"
    assert cum.loc["2019-04", "status"] == "reproduced"
    assert cum.loc["2024-01", "reported_total_certified"] == 74
    assert cum.loc["2024-06", "reported_total_certified"] == 83
    for r in cum.itertuples():
        if pd.isna(r.reported_total_certified):
            assert r.status.startswith("not reported")
        elif r.gap == 0:
            assert r.status == "reproduced"
        else:
            assert r.gap == r.reported_total_certified - r.identified_total_certified
            assert f"identified {r.identified_total_certified} of {r.reported_total_certified}" in r.status
    # identified totals never decrease and end at the number of distinct cities on record
    assert cum["identified_total_certified"].is_monotonic_increasing
    assert cum["identified_total_certified"].iloc[-1] == data.certifications["city_id"].nunique() == 87


def test_latest_levels_as_of(data):
    before = latest_levels("2023-12-31", data).set_index("city_id")
    after = latest_levels("2024-01-31", data).set_index("city_id")
    assert before.loc["phoenix-az-us", "level"] == "Gold"
    assert after.loc["phoenix-az-us", "level"] == "Platinum"
    assert "new-york-city-ny-us" not in before.index
    # unknown stays unknown, with the last known level only as context
    little_rock = latest_levels(2025, data).set_index("city_id").loc["little-rock-ar-us"]
    assert pd.isna(little_rock["level"])
    assert little_rock["last_known_level"] == "Silver" and little_rock["last_known_round"] == "2021-07"
    assert len(latest_levels(None, data)) == 87
    assert str(after["level"].dtype) == "category" and after["level"].cat.ordered


def test_level_counts_keep_unknown(data):
    lv = latest_levels("2024-12-31", data)
    counts = level_counts(lv["level"])
    assert list(counts.index) == ["Silver", "Gold", "Platinum", "Unknown"]
    assert counts.sum() == len(lv)
    assert counts["Unknown"] == lv["level"].isna().sum() > 0


def test_transitions_and_upgrade_times(data):
    tr = level_transitions(data)
    assert len(tr) == len(data.certifications) - data.certifications["city_id"].nunique()
    up = upgrade_times(data).set_index(["city_id", "round_id"])
    assert up.loc[("kansas-city-mo-us", "2019-04"), "years_since_first"] == pytest.approx(1.24, abs=0.01)
    assert pd.isna(up.loc[("san-jose-ca-us", "2024-01"), "years_since_first"])


def test_to_timestamp():
    assert to_timestamp(2024) == pd.Timestamp("2024-12-31")
    assert to_timestamp("2024") == pd.Timestamp("2024-12-31")
    assert to_timestamp("2024-06-17") == pd.Timestamp("2024-06-17")
    with pytest.raises(ValueError, match="not a date"):
        to_timestamp("soon")
