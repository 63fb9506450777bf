"""wwc_analysis.history.levels: latest levels, levels after each round, moves between levels and
geography, with the place filter, pinned on the public record."""

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


@pytest.fixture(scope="module")
def data():
    return wwc_analysis.load()


def test_latest_levels_as_of(data):
    before = latest_levels("2023-12-31", data).set_index("city_id")
    after = latest_levels("2024-01-31", data).set_index("city_id")
    assert before.loc["phoenix-az-us", "level"] == "Gold"
    assert after.loc["phoenix-az-us", "level"] == "Platinum"
    assert "new-york-city-ny-us" not in before.index
    # unknown stays unknown, with the last known level only as context
    little_rock = latest_levels(2025, data).set_index("city_id").loc["little-rock-ar-us"]
    assert pd.isna(little_rock["level"])
    assert little_rock["last_known_level"] == "Silver"
    assert little_rock["last_known_round"] == "2021-07"
    assert len(latest_levels(None, data)) == 87
    assert str(after["level"].dtype) == "category" and after["level"].cat.ordered


def test_level_counts_keep_unknown(data):
    lv = latest_levels("2024-12-31", data)
    counts = level_counts(lv["level"])
    assert list(counts.index) == ["Silver", "Gold", "Platinum", "Unknown"]
    assert counts.sum() == len(lv)
    assert counts["Unknown"] == lv["level"].isna().sum() > 0


def test_level_transitions(data):
    tr = level_transitions(data)
    assert len(tr) == len(data.certifications) - data.certifications["city_id"].nunique()


def test_filter_place(data):
    lv = wwc_analysis.latest_levels("2026-12-31", data)
    us = filter_place(lv, "united states")
    assert set(us["country"]) == {"United States"} and len(us) == 63
    az = filter_place(lv, "United States", "AZ")
    assert len(az) == 6 and set(az["region"]) == {"AZ"}
    assert len(filter_place(lv, None, None)) == len(lv)
    with pytest.raises(ValueError, match="no country 'Frnce'; country values on record: Argentina"):
        filter_place(lv, "Frnce")
    with pytest.raises(ValueError, match="no region 'ON' in United States"):
        filter_place(lv, "United States", "ON")
    from wwc_analysis.text.levels import place_label

    assert place_label() == "all countries"
    assert place_label("United States", "CA") == "CA, United States"


def test_growth_and_levels_over_time(data):
    g = growth(data, 2024, "2024-06-30")
    assert list(g["round_id"])[-1] == "2024-06"
    assert g.iloc[-1]["reported_total_certified"] == 83
    assert g.iloc[-1]["identified_total_certified"] == 77
    lot = levels_over_time(data, "2026-12-31").set_index("round_id")
    # identified totals agree with cohorts.cumulative, and every city is in exactly one bucket
    cum = wwc_analysis.cumulative(data).set_index("round_id")
    assert (lot["identified_total"] == cum["identified_total_certified"]).all()
    assert (lot[list(LEVEL_BUCKETS)].sum(axis=1) == lot["identified_total"]).all()
    assert lot.loc["2024-01", ["Silver", "Gold", "Platinum", "Unknown"]].tolist() == [31, 24, 3, 9]
    us = levels_over_time(data, "2024-06-30", country="United States")
    assert us.iloc[-1]["identified_total"] == 60


def test_transition_matrix_keeps_unknown(data):
    tr = transitions(data, "2026-12-31")
    m = transition_matrix(tr)
    assert list(m.index) == list(m.columns) == ["Silver", "Gold", "Platinum", "Unknown"]
    assert int(m.to_numpy().sum()) == len(tr) == len(wwc_analysis.level_transitions(data))
    assert m.loc["Silver", "Gold"] == 22 and m.loc["Gold", "Platinum"] == 4
    # unknown levels are counted, not dropped
    assert m.loc["Unknown"].sum() == 3 and m["Unknown"].sum() == 6
    early = transitions(data, "2024-06-30", country="United States")
    assert early["to_announced"].max() <= pd.Timestamp("2024-06-30")
    assert set(early["country"]) == {"United States"}


def test_transition_matrix_of_nothing():
    empty = pd.DataFrame(
        {"from_level": pd.Series([], dtype="object"), "to_level": pd.Series([], dtype="object")}
    )
    m = transition_matrix(empty)
    assert m.shape == (4, 4) and int(m.to_numpy().sum()) == 0


def test_transition_summary(data):
    s = transition_summary(transition_matrix(transitions(data)))
    assert s == {"up": 26, "same": 12, "down": 0, "unknown": 7, "total": 45}


def test_geography_keeps_unknown(data):
    lv = wwc_analysis.latest_levels("2024-12-31", data)
    g = geography(lv)
    assert g["total"].sum() == len(lv)
    assert g.loc["United States", "total"] > g.loc["Brazil", "total"]
    states = geography(lv[lv["country"] == "United States"], by="region")
    assert states.loc[("United States", "AZ"), "total"] == 6
    assert pd.api.types.is_integer_dtype(states["Unknown"])


def test_growth_and_countries(data):
    g = growth(data, 2024)
    assert list(g.loc[g["in_year"], "round_id"]) == ["2024-01", "2024-06"]
    assert g["announced"].dt.year.max() == 2024
    c = countries_reached(2024, data)
    assert c["total"].sum() == 77
    assert set(c.index[c["new_country"]]) == {"Colombia", "Mexico", "Chile", "Guatemala"}
    assert c.loc["United States", "first_round"] == "2018-01"
    # first certification on record in 2024: the 21 reported new cities plus San Jose and Charlotte,
    # reported as upgraded but with no earlier certification on record
    assert c["new_cities"].sum() == 23


def test_levels_by_round(data):
    """The levels after each round beside the reported totals: what notebook 01 draws and saves."""
    by_round = levels_by_round(data, "2024-06-30")
    assert list(by_round.columns) == [
        "round_id",
        "announced",
        *LEVEL_BUCKETS,
        "identified_total",
        "reported_total_certified",
        "identified_total_certified",
        "gap",
        "status",
    ]
    assert list(by_round["round_id"])[-1] == "2024-06"
    assert (by_round["identified_total"] == by_round["identified_total_certified"]).all()
    assert by_round.set_index("round_id").loc["2024-06", "gap"] == 6


def test_levels_metrics(data):
    lv = latest_levels("2024-12-31", data)
    moves = transition_summary(transition_matrix(transitions(data, "2024-12-31")))
    m = levels_metrics(growth(data, 2024), level_counts(lv["level"]), moves)
    assert (m["identified_total_certified"], m["reported_total_certified"]) == (77, 83)
    assert m["latest_levels"] == {"Silver": 37, "Gold": 28, "Platinum": 3, "Unknown": 9}
    assert m["transitions"] == {"up": 20, "same": 9, "down": 0, "unknown": 0, "total": 29}
    later = levels_metrics(growth(data, 2026), level_counts(lv["level"]), moves)
    assert later["reported_total_certified"] is None


def test_functions_need_the_dataset():
    """No default silently loads the project's data: a forgotten Dataset is an error."""
    with pytest.raises(TypeError):
        latest_levels("2024-12-31")
    with pytest.raises(TypeError):
        levels.level_transitions()
