"""wwc_analysis.history.levels: latest levels, levels after each round, moves between levels and
geography, with the place filter: pinned on the tiny record (tests/fixtures/tiny), and relations on
the shipped record (its figures: tests/record)."""

from __future__ import annotations

import pandas as pd
import pytest

import wwc_analysis
from wwc_analysis.history import levels
from wwc_analysis.history.levels import (
    LEVEL_BUCKETS,
    countries_reached,
    filter_place,
    geography,
    latest_levels,
    level_counts,
    level_transitions,
    levels_by_round,
    levels_metrics,
    levels_over_time,
    transition_matrix,
    transition_summary,
    transitions,
)
from wwc_analysis.history.rounds import growth


def test_latest_levels_as_of(tiny):
    before = latest_levels("2023-12-31", tiny).set_index("city_id")
    after = latest_levels("2024-01-31", tiny).set_index("city_id")
    assert before.loc["mesa-az-us", "level"] == "Gold"
    assert after.loc["mesa-az-us", "level"] == "Platinum"
    assert "monterrey-nl-mx" not in before.index
    # unknown stays unknown, with the last known level only as context
    austin = latest_levels(2025, tiny).set_index("city_id").loc["austin-tx-us"]
    assert pd.isna(austin["level"])
    assert austin["last_known_level"] == "Silver"
    assert austin["last_known_round"] == "2019-04"
    assert (austin["first_round"], austin["events"]) == ("2019-04", 3)
    assert len(latest_levels(None, tiny)) == 13
    assert str(after["level"].dtype) == "category" and after["level"].cat.ordered


@pytest.mark.parametrize("which", ["record", "tiny"])
def test_level_counts_keep_unknown(request, which):
    lv = latest_levels("2024-12-31", request.getfixturevalue(which))
    counts = level_counts(lv["level"])
    assert list(counts.index) == ["Silver", "Gold", "Platinum", "Unknown"]
    assert counts.sum() == len(lv)
    assert counts["Unknown"] == lv["level"].isna().sum() > 0


@pytest.mark.parametrize("which", ["record", "tiny"])
def test_level_transitions(request, which):
    data = request.getfixturevalue(which)
    tr = level_transitions(data)
    assert len(tr) == len(data.certifications) - data.certifications["city_id"].nunique()


def test_filter_place(tiny):
    lv = wwc_analysis.latest_levels("2025-12-31", tiny)
    us = filter_place(lv, "united states")
    assert set(us["country"]) == {"United States"} and len(us) == 8
    az = filter_place(lv, "United States", "AZ")
    assert len(az) == 3 and set(az["region"]) == {"AZ"}
    assert len(filter_place(lv, None, None)) == len(lv)
    message = "no country 'Frnce'; country values on record: Brazil, Canada, Mexico, United States"
    with pytest.raises(ValueError, match=message):
        filter_place(lv, "Frnce")
    with pytest.raises(ValueError, match="no region 'ON' in United States"):
        filter_place(lv, "United States", "ON")
    from wwc_analysis.text.levels import place_label

    assert place_label() == "all countries"
    assert place_label("United States", "CA") == "CA, United States"


def test_growth_and_levels_over_time(tiny):
    g = growth(tiny, 2024, "2024-06-30")
    assert list(g["round_id"])[-1] == "2024-06"
    assert g.iloc[-1]["reported_total_certified"] == 15
    assert g.iloc[-1]["identified_total_certified"] == 12
    lot = levels_over_time(tiny, "2025-12-31").set_index("round_id")
    assert lot.loc["2024-01", ["Silver", "Gold", "Platinum", "Unknown"]].tolist() == [5, 3, 1, 2]
    assert lot.loc["2025-02", ["Silver", "Gold", "Platinum", "Unknown"]].tolist() == [4, 6, 1, 2]
    us = levels_over_time(tiny, "2024-06-30", country="United States")
    assert us.iloc[-1]["identified_total"] == 8
    az = levels_over_time(tiny, "2024-06-30", country="United States", region="az")
    assert az.iloc[-1]["identified_total"] == 3


@pytest.mark.parametrize("which", ["record", "tiny"])
def test_levels_over_time_agree_with_the_totals(request, which):
    data = request.getfixturevalue(which)
    lot = levels_over_time(data, None).set_index("round_id")
    # identified totals agree with cohorts.cumulative, and every city is in exactly one bucket
    cum = wwc_analysis.cumulative(data).set_index("round_id")
    assert (lot["identified_total"] == cum["identified_total_certified"]).all()
    assert (lot[list(LEVEL_BUCKETS)].sum(axis=1) == lot["identified_total"]).all()


def test_transition_matrix_keeps_unknown(tiny):
    tr = transitions(tiny, "2025-12-31")
    m = transition_matrix(tr)
    assert list(m.index) == list(m.columns) == ["Silver", "Gold", "Platinum", "Unknown"]
    assert int(m.to_numpy().sum()) == len(tr) == len(wwc_analysis.level_transitions(tiny)) == 9
    assert m.loc["Silver", "Gold"] == 3 and m.loc["Gold", "Platinum"] == 1
    assert m.loc["Gold", "Silver"] == 1  # Tucson
    # unknown levels are counted, not dropped
    assert m.loc["Unknown"].sum() == 2 and m["Unknown"].sum() == 2
    early = transitions(tiny, "2024-06-30", country="United States")
    assert early["to_announced"].max() <= pd.Timestamp("2024-06-30")
    assert set(early["country"]) == {"United States"} and len(early) == 5
    arizona = transitions(tiny, None, country="United States", region="AZ")
    assert set(arizona["city_id"]) == {"mesa-az-us", "tucson-az-us", "yuma-az-us"}


def test_transition_matrix_of_nothing():
    empty = pd.DataFrame(
        {"from_level": pd.Series([], dtype="object"), "to_level": pd.Series([], dtype="object")}
    )
    m = transition_matrix(empty)
    assert m.shape == (4, 4) and int(m.to_numpy().sum()) == 0


def test_transition_summary(tiny):
    s = transition_summary(transition_matrix(transitions(tiny)))
    assert s == {"up": 4, "same": 1, "down": 1, "unknown": 3, "total": 9}


def test_geography_keeps_unknown(tiny):
    lv = wwc_analysis.latest_levels("2024-12-31", tiny)
    g = geography(lv)
    assert g["total"].sum() == len(lv)
    assert g.loc["United States"].tolist() == [3, 2, 1, 2, 8]  # Silver ... Unknown, total
    assert g.loc["United States", "total"] > g.loc["Brazil", "total"]
    states = geography(lv[lv["country"] == "United States"], by="region")
    assert states.loc[("United States", "AZ"), "total"] == 3
    assert pd.api.types.is_integer_dtype(states["Unknown"])
    with pytest.raises(ValueError, match="by must be"):
        geography(lv, by="city")


def test_growth_and_countries(tiny):
    g = growth(tiny, 2024)
    assert list(g.loc[g["in_year"], "round_id"]) == ["2024-01", "2024-06"]
    assert g["announced"].dt.year.max() == 2024
    c = countries_reached(2024, tiny)
    assert c["total"].sum() == 12
    assert set(c.index[c["new_country"]]) == {"Mexico", "Canada"}
    assert c.loc["United States", "first_round"] == "2018-01"
    assert c.loc["Brazil", "first_round"] == "2023-06"
    # first certification on record in 2024: the 4 new cities identified plus Santos, reported as
    # upgraded but with no earlier certification on record
    assert c["new_cities"].sum() == 5 and c.loc["Brazil", "new_cities"] == 1


def test_levels_by_round(tiny):
    """The levels after each round beside the reported totals: what notebook 01 draws and saves."""
    by_round = levels_by_round(tiny, "2024-06-30")
    assert list(by_round.columns) == [
        "round_id",
        "announced",
        *LEVEL_BUCKETS,
        "identified_total",
        "reported_total_certified",
        "identified_total_certified",
        "gap",
        "status",
        "reconstructed",
    ]
    assert list(by_round["round_id"])[-1] == "2024-06"
    assert (by_round["identified_total"] == by_round["identified_total_certified"]).all()
    assert by_round.set_index("round_id").loc["2024-06", "gap"] == 3


def test_levels_metrics(tiny):
    lv = latest_levels("2024-12-31", tiny)
    moves = transition_summary(transition_matrix(transitions(tiny, "2024-12-31")))
    m = levels_metrics(growth(tiny, 2024), level_counts(lv["level"]), moves)
    assert (m["identified_total_certified"], m["reported_total_certified"]) == (12, 15)
    assert m["latest_levels"] == {"Silver": 5, "Gold": 4, "Platinum": 1, "Unknown": 2}
    assert m["transitions"] == {"up": 3, "same": 1, "down": 1, "unknown": 1, "total": 6}
    later = levels_metrics(growth(tiny, 2025), level_counts(lv["level"]), moves)
    assert later["reported_total_certified"] is None


def test_functions_need_the_dataset():
    """No default silently loads the project's data: a forgotten Dataset is an error."""
    with pytest.raises(TypeError):
        latest_levels("2024-12-31")
    with pytest.raises(TypeError):
        levels.level_transitions()
