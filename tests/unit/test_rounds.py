"""wwc_analysis.history.rounds: years, the round or date an analysis looks at, cumulative totals.

On the tiny record (tests/fixtures/tiny: no round in 2020 or 2022), and as relations on the shipped
record; its own figures are in tests/record."""

from __future__ import annotations

import pandas as pd
import pytest

from wwc_analysis.history import rounds
from wwc_analysis.history.rounds import (
    check_round,
    check_year,
    cumulative,
    growth,
    latest_year,
    resolve_as_of,
    resolve_round,
    round_info,
    to_timestamp,
    years_with_rounds,
)


def test_years(tiny):
    assert years_with_rounds(tiny) == [2018, 2019, 2021, 2023, 2024, 2025]
    assert latest_year(tiny) == 2025
    message = "no certification round was announced in 2020; years with a round: 2018, 2019, 2021"
    with pytest.raises(ValueError, match=message):
        check_year(2020, tiny)
    with pytest.raises(ValueError, match="year 'soon' is not a year"):
        check_year("soon", tiny)


def test_check_round_and_round_info(tiny):
    assert check_round(" 2024-01 ", tiny) == "2024-01"
    with pytest.raises(ValueError, match="unknown round '2024-02'; rounds: 2018-01, 2019-04"):
        check_round("2024-02", tiny)
    info = round_info("2024-06", tiny)
    assert info["announced"] == pd.Timestamp("2024-06-17") and info["standard"] == "2022"
    with pytest.raises(ValueError, match="unknown round"):
        round_info("1999-01", tiny)


def test_resolve_as_of(tiny):
    assert resolve_as_of(2024, None, tiny) == pd.Timestamp("2024-12-31")
    assert resolve_as_of("2024", "2024-06-30", tiny) == pd.Timestamp("2024-06-30")
    with pytest.raises(ValueError, match="no certification round was announced in 2022"):
        resolve_as_of(2022, None, tiny)


def test_resolve_round(tiny):
    assert resolve_round(2024, None, tiny) == "2024-06"  # last round announced in 2024
    assert resolve_round(2025, None, tiny) == "2025-02"
    assert resolve_round(2024, "2024-01", tiny) == "2024-01"
    assert resolve_round(2025, " 2019-04 ", tiny) == "2019-04"  # an explicit round wins
    with pytest.raises(ValueError, match="unknown round '2024-02'"):
        resolve_round(2024, "2024-02", tiny)
    with pytest.raises(ValueError, match="years with a round"):
        resolve_round(2020, None, tiny)


def test_cumulative_of_the_tiny_record(tiny):
    cum = cumulative(tiny).set_index("round_id")
    assert cum.loc["2018-01", "status"] == "reproduced"
    assert cum.loc["2019-04", "status"] == "identified 4 of 5 (gap 1)"
    assert cum.loc["2024-01", "reported_total_certified"] == 13
    assert cum.loc[
        "2024-06", ["reported_total_certified", "identified_total_certified"]
    ].tolist() == [
        15,
        12,
    ]
    assert cum.loc["2025-02", "status"] == "not reported; 13 identified"
    assert pd.isna(cum.loc["2025-02", "gap"])


@pytest.mark.parametrize("which", ["record", "tiny"])
def test_cumulative_reported_vs_identified(request, which):
    data = request.getfixturevalue(which)
    cum = cumulative(data).set_index("round_id")
    for r in cum.itertuples():
        if pd.isna(r.reported_total_certified):
            assert r.status.startswith("not reported")
        elif r.gap == 0:
            assert r.status == "reproduced"
        else:
            assert r.gap == r.reported_total_certified - r.identified_total_certified
            said = f"identified {r.identified_total_certified} of {r.reported_total_certified}"
            assert said in r.status
    # identified totals never decrease and end at the number of distinct cities on record
    assert cum["identified_total_certified"].is_monotonic_increasing
    last = cum["identified_total_certified"].iloc[-1]
    assert last == data.certifications["city_id"].nunique()


def test_more_identified_than_reported_is_said():
    assert rounds._gap(10, 12) == (-2, "2 more identified than reported (12 vs 10)")
    assert rounds._gap(pd.NA, 12)[1] == "not reported; 12 identified"


def test_growth(tiny):
    g = growth(tiny, 2024)
    assert list(g.loc[g["in_year"], "round_id"]) == ["2024-01", "2024-06"]
    assert g["announced"].dt.year.max() == 2024
    early = growth(tiny, 2024, "2024-06-30")  # the date cuts, the year marks
    assert list(early["round_id"])[-1] == "2024-06"
    assert early.iloc[-1]["reported_total_certified"] == 15
    assert early.iloc[-1]["identified_total_certified"] == 12
    march = growth(tiny, 2024, "2024-03-31")
    assert list(march.loc[march["in_year"], "round_id"]) == ["2024-01"]
    assert list(march["round_id"]) == ["2018-01", "2019-04", "2021-07", "2023-06", "2024-01"]
    with pytest.raises(ValueError, match="years with a round"):
        growth(tiny, 2020)


def test_to_timestamp():
    assert to_timestamp(2024) == pd.Timestamp("2024-12-31")
    assert to_timestamp("2024") == pd.Timestamp("2024-12-31")
    assert to_timestamp("2024-06-17") == pd.Timestamp("2024-06-17")
    with pytest.raises(ValueError, match="not a date"):
        to_timestamp("soon")


def test_functions_need_the_dataset():
    """No default silently loads the project's data: a forgotten Dataset is an error."""
    for f in (years_with_rounds, cumulative):
        with pytest.raises(TypeError):
            f()
