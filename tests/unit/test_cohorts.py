"""Cohorts derived from the certification history, checked against what the sources report:
derivation, disagreements, the per-round summary, cohort sizes, named cities and upgrades.

On the tiny record (tests/fixtures/tiny, whose README tells each city's story), and as relations on
the shipped record; the shipped record's own figures are in tests/record."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

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
def events(tiny):
    return classify_events(tiny)


@pytest.fixture(scope="module")
def summary(tiny):
    return round_summary(tiny).set_index("round_id")


@pytest.fixture(scope="module")
def flat_summary(summary):
    return summary.reset_index()


def test_january_2024_round(summary):
    r = summary.loc["2024-01"]
    assert r["announced"] == pd.Timestamp("2024-01-23")
    assert (r["reported_new"], r["reported_upgraded"], r["reported_recertified"]) == (3, 3, 1)
    identified = (r["identified_new"], r["identified_upgraded"], r["identified_recertified"])
    assert identified == (3, 3, 1)
    assert r["identified_unstated"] == 0
    assert r["events"] == 7  # all 7 events identified
    assert r["level_unknown"] == 2
    derived = [r[f"derived_{c}"] for c in ("new", "upgraded", "recertified", "lower", "unknown")]
    assert derived == [4, 1, 0, 1, 1]
    assert r["disagreements"] == 3
    assert (r["reported_total_certified"], r["identified_total_certified"]) == (13, 11)
    assert coverage(r, "new") == "identified 3 of 3 new cities"


def test_2024_rounds_totals(summary):
    june = summary.loc["2024-06"]
    assert (june["reported_new"], june["reported_upgraded"]) == (2, 1)
    assert pd.isna(june["reported_recertified"])
    assert june["reported_total_certified"] == 15
    assert coverage(june, "recertified") == (
        "0 re-certified cities identified; the count was not reported"
    )
    assert coverage(summary.loc["2023-06"], "new") == "identified 1 of 2 new cities"


@pytest.mark.parametrize("which", ["record", "tiny"])
def test_derived_agrees_with_reported_where_history_is_on_record(request, which):
    """Every event with a reported cohort either agrees with the derived one, or is listed with a
    reason."""
    data = request.getfixturevalue(which)
    events = classify_events(data)
    reported = events[events["reported_cohort"].notna()]
    listed = set(zip(*disagreements(data, events=events)[["city_id", "round_id"]].T.values))
    for r in reported.itertuples(index=False):
        key = (r.city_id, r.round_id)
        if str(r.reported_cohort) == str(r.derived_cohort) and not pd.isna(r.derived_cohort):
            assert key not in listed
        else:
            assert key in listed, key
    dis = disagreements(data, events=events)
    assert set(dis["status"]) <= {"disagrees", "unverifiable"} and dis["reason"].notna().all()


def test_disagreements_name_their_reason(tiny, events):
    """The listed disagreements are exactly the cases whose history is incomplete or contradicts."""
    dis = disagreements(tiny, events=events).set_index(["city_id", "round_id"])
    assert dis.loc[("santos-sp-br", "2024-01"), "status"] == "disagrees"
    reason = dis.loc[("santos-sp-br", "2024-01"), "reason"]
    assert "no earlier certification of this city is on record" in reason
    assert dis.loc[("tucson-az-us", "2024-01"), "reason"] == (
        "reported as recertified, but the level Silver compared with 2018-01 (Gold) makes it lower"
    )
    assert dis.loc[("austin-tx-us", "2024-01"), "status"] == "unverifiable"
    assert "level of this event is not known" in dis.loc[("austin-tx-us", "2024-01"), "reason"]
    assert set(dis.index) == {
        ("santos-sp-br", "2024-01"),
        ("tucson-az-us", "2024-01"),
        ("austin-tx-us", "2024-01"),
    }


def test_derivation_rules(events):
    ev = events.set_index(["city_id", "round_id"])
    assert ev.loc[("mesa-az-us", "2018-01"), "derived_cohort"] == "new"
    assert ev.loc[("mesa-az-us", "2019-04"), "derived_cohort"] == "upgraded"
    assert ev.loc[("fresno-ca-us", "2023-06"), "derived_cohort"] == "recertified"
    assert ev.loc[("tucson-az-us", "2024-01"), "derived_cohort"] == "lower"
    # Fresno 2025-02: cohort not stated, Gold after Silver -> derived upgraded, not a disagreement
    assert ev.loc[("fresno-ca-us", "2025-02"), "derived_cohort"] == "upgraded"
    assert ev.loc[("fresno-ca-us", "2025-02"), "status"] == "derived only"
    assert ev.loc[("plano-tx-us", "2021-07"), "status"] == "derived only"
    # Yuma 2025-02: Gold, but the 2024 level is unknown -> stays unknown
    t = ev.loc[("yuma-az-us", "2025-02")]
    assert pd.isna(t["derived_cohort"]) and t["status"] == "unknown"
    assert "earlier certification 2024-01 (level unknown)" in t["reason"]
    austin = ev.loc[("austin-tx-us", "2025-02")]
    assert austin["status"] == "unknown" and austin["reason"].startswith("neither this level")
    # a level-unknown first event is still new (needs no level)
    assert ev.loc[("yuma-az-us", "2024-01"), "derived_cohort"] == "new"
    assert ev.loc[("campinas-sp-br", "2025-02"), "status"] == "agrees"


def test_lower_is_derived(tiny):
    certs = tiny.certifications.copy()
    i = certs.index[(certs["city_id"] == "mesa-az-us") & (certs["round_id"] == "2024-01")][0]
    certs.loc[i, "level"] = "Silver"  # Gold in 2019-04
    ev = classify_events(dataclasses.replace(tiny, certifications=certs))
    ev = ev.set_index(["city_id", "round_id"])
    assert ev.loc[("mesa-az-us", "2024-01"), "derived_cohort"] == "lower"
    assert ev.loc[("mesa-az-us", "2024-01"), "status"] == "disagrees"


def test_upgrade_times(tiny):
    up = upgrade_times(tiny).set_index(["city_id", "round_id"])
    years = up.loc[("mesa-az-us", "2019-04"), "years_since_first"]
    assert years == pytest.approx(454 / 365.25, abs=0.01)  # 25 Jan 2018 to 24 Apr 2019
    assert up.loc[("mesa-az-us", "2024-01"), "first_round"] == "2018-01"
    # reported upgraded: no earlier certification on record, or the level is not known
    assert pd.isna(up.loc[("santos-sp-br", "2024-01"), "years_since_first"])
    assert pd.isna(up.loc[("austin-tx-us", "2024-01"), "years_since_first"])
    assert len(up) == 6


def test_cohort_sizes(flat_summary):
    s = cohort_sizes(flat_summary, "2024-01")
    assert s.loc["new"].tolist() == [3, 3, 4]  # Santos is reported upgraded but derives as new
    assert s.loc["upgraded"].tolist() == [3, 3, 1]
    assert s.loc["lower"].tolist()[1:] == [0, 1] and pd.isna(s.loc["lower", "reported"])
    late = cohort_sizes(flat_summary, "2025-02")
    assert pd.isna(late.loc["upgraded", "reported"])  # not reported stays not reported
    assert late.loc["unknown", "identified"] == 3 and late.loc["unknown", "derived"] == 2
    assert late["identified"].sum() == late["derived"].sum() == 4  # every event in exactly one row
    with pytest.raises(ValueError, match="not in the summary"):
        cohort_sizes(flat_summary, "1999-01")


@pytest.mark.parametrize("which", ["record", "tiny"])
def test_every_event_is_in_one_cohort_row(request, which):
    summary = round_summary(request.getfixturevalue(which))
    for r in summary.itertuples():
        sizes = cohort_sizes(summary, r.round_id)
        assert sizes["identified"].sum() == sizes["derived"].sum() == r.events, r.round_id


def test_cohort_sizes_by_round(flat_summary):
    long = cohort_sizes_by_round(flat_summary, until="2024-01")
    assert long["round_id"].nunique() == 5
    assert set(long["cohort"]) == {"new", "upgraded", "recertified"}
    row = long[(long["round_id"] == "2023-06") & (long["cohort"] == "upgraded")].iloc[0]
    assert (row["reported"], row["identified"], row["missing"]) == (1, 0, 1)
    assert long.loc[long["reported"].isna(), "missing"].isna().all()


def test_label_cohorts_and_geography(tiny):
    m = label_cohorts(round_members("2025-02", tiny))
    by_city = m.set_index("city")
    pair = ["cohort", "cohort_basis"]
    assert tuple(by_city.loc["Fresno", pair]) == ("upgraded", "derived")
    assert tuple(by_city.loc["Yuma", pair]) == ("unknown", "none")
    assert tuple(by_city.loc["Campinas", pair]) == ("new", "reported")
    geo = levels.cohort_geography(m)
    assert int(geo["total"].sum()) == len(m)
    assert geo.loc[("unknown", "United States"), "total"] == 2


def test_upgrades_until(tiny):
    up = upgrades_until("2024-01", tiny)
    assert up["in_round"].sum() == 3
    assert len(up) == 4  # Mesa 2019-04 before the round
    # no earlier record: not guessed
    assert up.loc[up["city"] == "Santos", "years_since_first"].isna().all()
    assert (up["round_id"] <= "2024-01").all()


def test_cohort_sizes_table_and_reporting_coverage(flat_summary):
    long = cohort_sizes_by_round(flat_summary, until="2024-06")
    wide = cohort_sizes_table(long)
    assert list(wide.columns[:2]) == ["new reported", "new identified"] and len(wide) == 6
    assert pd.isna(wide.loc["2024-06", "recertified reported"])
    assert wide.loc["2024-06", "new identified"] == 1
    cov = reporting_coverage(long)
    assert cov.loc["new"].to_dict() == {
        "rounds": 6,
        "rounds_reported": 5,
        "reported": 12,
        "identified_in_reported": 9,
        "identified": 10,
    }
    assert cov.loc["upgraded", "rounds_reported"] == 4 and cov.loc["upgraded", "reported"] == 6


def test_label_cohorts_and_round_cities(tiny):
    named = round_cities(label_cohorts(round_members("2024-01", tiny)))
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
    assert len(named) == 7 and named["cohort"].is_monotonic_increasing  # sorted by cohort first
    santos = named.set_index("city").loc["Santos"]
    # the sources win
    assert (santos["cohort"], santos["cohort_basis"]) == ("upgraded", "reported")


def test_round_metrics(tiny, flat_summary):
    sizes = cohort_sizes(flat_summary, "2024-01")
    m = round_metrics("2024-01", tiny, sizes, disagreements(tiny), upgrades_until("2024-01", tiny))
    assert m["round_id"] == "2024-01" and m["announced"] == pd.Timestamp("2024-01-23")
    assert m["cohort_sizes"]["reported"] == {
        "new": 3,
        "upgraded": 3,
        "recertified": 1,
        "lower": None,
        "unknown": None,
    }
    assert m["cohort_sizes"]["derived"]["new"] == 4
    assert (m["disagreements"], m["upgrades_in_round"]) == (3, 3)
    june = round_metrics(
        "2024-06",
        tiny,
        cohort_sizes(flat_summary, "2024-06"),
        disagreements(tiny),
        upgrades_until("2024-06", tiny),
    )
    assert june["cohort_sizes"]["reported"]["recertified"] is None
    assert (june["disagreements"], june["upgrades_in_round"]) == (0, 1)


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
