"""wwc_analysis.explore: parameters, place filter, levels over time, transitions, cohort sizes and
the choice of simulated assessments, pinned on the public record and the shipped simulated data."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import wwc_analysis
from wwc_analysis.history import explore, profiles
from wwc_analysis.history.annual import round_members
from wwc_analysis.text import tables, words


@pytest.fixture(scope="module")
def data():
    return wwc_analysis.load()


@pytest.fixture(scope="module")
def summary(data):
    return wwc_analysis.round_summary(data)


@pytest.fixture(scope="module")
def history(data):
    return profiles.assessment_history(explore.simulated_assessments(data), data)


# --- parameters -----------------------------------------------------------------------------------
def test_resolve_as_of(data):
    assert explore.resolve_as_of(2024, None, data) == pd.Timestamp("2024-12-31")
    assert explore.resolve_as_of("2024", "2024-06-30", data) == pd.Timestamp("2024-06-30")
    with pytest.raises(ValueError, match="no certification round was announced in 2017"):
        explore.resolve_as_of(2017, None, data)


def test_resolve_round(data):
    assert explore.resolve_round(2024, None, data) == "2024-06"  # last round announced in 2024
    assert explore.resolve_round(2026, None, data) == "2026-01"
    assert explore.resolve_round(2024, "2024-01", data) == "2024-01"
    assert explore.resolve_round(2026, " 2019-04 ", data) == "2019-04"  # an explicit round wins
    with pytest.raises(ValueError, match="unknown round '2024-02'"):
        explore.resolve_round(2024, "2024-02", data)
    with pytest.raises(ValueError, match="years with a round"):
        explore.resolve_round(2017, None, data)


# --- place ----------------------------------------------------------------------------------------
def test_filter_place(data):
    lv = wwc_analysis.latest_levels("2026-12-31", data)
    us = explore.filter_place(lv, "united states")
    assert set(us["country"]) == {"United States"} and len(us) == 63
    az = explore.filter_place(lv, "United States", "AZ")
    assert len(az) == 6 and set(az["region"]) == {"AZ"}
    assert len(explore.filter_place(lv, None, None)) == len(lv)
    with pytest.raises(ValueError, match="no country 'Frnce'; country values on record: Argentina"):
        explore.filter_place(lv, "Frnce")
    with pytest.raises(ValueError, match="no region 'ON' in United States"):
        explore.filter_place(lv, "United States", "ON")
    assert explore.place_label() == "all countries"
    assert explore.place_label("United States", "CA") == "CA, United States"


# --- levels over time -----------------------------------------------------------------------------
def test_growth_and_levels_over_time(data):
    g = explore.growth(data, "2024-06-30")
    assert list(g["round_id"])[-1] == "2024-06"
    assert g.iloc[-1]["reported_total_certified"] == 83 and g.iloc[-1]["identified_total_certified"] == 77
    lot = explore.levels_over_time(data, "2026-12-31").set_index("round_id")
    # identified totals agree with cohorts.cumulative, and every city is in exactly one bucket
    cum = wwc_analysis.cumulative(data).set_index("round_id")
    assert (lot["identified_total"] == cum["identified_total_certified"]).all()
    assert (lot[list(explore.LEVEL_BUCKETS)].sum(axis=1) == lot["identified_total"]).all()
    assert lot.loc["2024-01", ["Silver", "Gold", "Platinum", "Unknown"]].tolist() == [31, 24, 3, 9]
    us = explore.levels_over_time(data, "2024-06-30", country="United States")
    assert us.iloc[-1]["identified_total"] == 60


# --- transitions ----------------------------------------------------------------------------------
def test_transition_matrix_keeps_unknown(data):
    tr = explore.transitions(data, "2026-12-31")
    m = explore.transition_matrix(tr)
    assert list(m.index) == list(m.columns) == ["Silver", "Gold", "Platinum", "Unknown"]
    assert int(m.to_numpy().sum()) == len(tr) == len(wwc_analysis.level_transitions(data))
    assert m.loc["Silver", "Gold"] == 22 and m.loc["Gold", "Platinum"] == 4
    assert m.loc["Unknown"].sum() == 3 and m["Unknown"].sum() == 6  # unknown levels are counted, not dropped
    early = explore.transitions(data, "2024-06-30", country="United States")
    assert early["to_announced"].max() <= pd.Timestamp("2024-06-30")
    assert set(early["country"]) == {"United States"}


def test_transition_matrix_of_nothing():
    empty = pd.DataFrame({"from_level": pd.Series([], dtype="object"), "to_level": pd.Series([], dtype="object")})
    m = explore.transition_matrix(empty)
    assert m.shape == (4, 4) and int(m.to_numpy().sum()) == 0


# --- cohorts --------------------------------------------------------------------------------------
def test_cohort_sizes(summary):
    s = explore.cohort_sizes(summary, "2024-01")
    assert s.loc["new"].tolist() == [12, 12, 13]  # San Jose is reported upgraded but derives as new
    assert s.loc["upgraded"].tolist() == [6, 6, 5]
    late = explore.cohort_sizes(summary, "2026-01")
    assert pd.isna(late.loc["upgraded", "reported"])  # not reported stays not reported
    assert late.loc["unknown", "identified"] == 4 and late.loc["unknown", "derived"] == 3
    assert late["identified"].sum() == late["derived"].sum() == 8  # every event in exactly one row
    with pytest.raises(ValueError, match="not in the summary"):
        explore.cohort_sizes(summary, "1999-01")


def test_cohort_sizes_by_round(summary):
    long = explore.cohort_sizes_by_round(summary, until="2024-01")
    assert long["round_id"].nunique() == 8 and set(long["cohort"]) == {"new", "upgraded", "recertified"}
    row = long[(long["round_id"] == "2023-06") & (long["cohort"] == "upgraded")].iloc[0]
    assert (row["reported"], row["identified"], row["missing"]) == (7, 2, 5)
    assert long.loc[long["reported"].isna(), "missing"].isna().all()


def test_label_cohorts_and_geography(data):
    m = explore.label_cohorts(round_members("2026-01", data))
    by_city = m.set_index("city")
    assert (by_city.loc["Dallas", "cohort"], by_city.loc["Dallas", "cohort_basis"]) == ("upgraded", "derived")
    assert (by_city.loc["Ottawa", "cohort"], by_city.loc["Ottawa", "cohort_basis"]) == ("unknown", "none")
    assert by_city.loc["Glendale", "cohort_basis"] == "reported"
    geo = explore.cohort_geography(m)
    assert int(geo["total"].sum()) == len(m)
    assert geo.loc[("upgraded", "United States"), "total"] == 3


def test_upgrades_until(data):
    up = explore.upgrades_until("2024-01", data)
    assert up["in_round"].sum() == 6
    assert up.loc[up["city"] == "San Jose", "years_since_first"].isna().all()  # no earlier record: not guessed
    assert (up["round_id"] <= "2024-01").all()


# --- simulated ------------------------------------------------------------------------------------
def test_latest_assessments(history):
    la = explore.latest_assessments(history, "2024-12-31")
    assert la["city_id"].is_unique and la["announced"].max() <= pd.Timestamp("2024-12-31")
    assert la.attrs["simulated"] is True
    assert la["assessments"].sum() == (history["announced"] <= pd.Timestamp("2024-12-31")).sum()


def test_simulated_scope(history):
    own, text = explore.simulated_scope(history, "2026-01")
    assert set(own["round_id"]) == {"2026-01"} and "round 2026-01" in text
    pooled, text = explore.simulated_scope(history, "2024-01")
    assert len(pooled) == len(history) and "pooled" in text and "1 upgraded" in text
    assert pooled.attrs["simulated"] is True


def test_with_counts(data, history):
    prof = profiles.practice_area_profile(explore.simulated_assessments(data), history, data)
    labelled = explore.with_counts(prof, history)
    n = history["cohort"].value_counts()
    assert labelled.index[0] == f"new (n={n['new']})"
    assert labelled.attrs["simulated"] is True


def test_simulated_assessments_fallback(data, tmp_path):
    # a researcher's folder without simulated/ still gets the shipped simulated file
    import shutil

    from wwc_analysis.data import paths

    for f in paths.DATA_DIR.glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    own = wwc_analysis.load(tmp_path)
    assert own.assessments is None
    sim = explore.simulated_assessments(own)
    assert len(sim) == len(data.assessments) and sim["simulated"].all()
    assert sim.attrs["source"].endswith("assessments.csv")


def test_transition_summary(data):
    s = explore.transition_summary(explore.transition_matrix(explore.transitions(data)))
    assert s == {"up": 26, "same": 12, "down": 0, "unknown": 7, "total": 45}


def test_simulated_population(history):
    pop, text = explore.simulated_population(history, "2024-06-30")
    assert pop["announced"].max() <= pd.Timestamp("2024-06-30") and "30 June 2024" in text
    # before the simulation starts: the latest assessments on record, and the sentence says so
    early, text = explore.simulated_population(history, "2019-12-31")
    assert len(early) == history["city_id"].nunique() and "no simulated assessment is dated" in text


def test_cohort_sizes_table_and_reporting_coverage(summary):
    long = explore.cohort_sizes_by_round(summary, until="2024-06")
    wide = explore.cohort_sizes_table(long)
    assert list(wide.columns[:2]) == ["new reported", "new identified"] and len(wide) == 9
    assert pd.isna(wide.loc["2024-06", "recertified reported"]) and wide.loc["2024-06", "new identified"] == 9
    cov = explore.reporting_coverage(long)
    assert cov.loc["new"].to_dict() == {"rounds": 9, "rounds_reported": 7, "reported": 67,
                                        "identified_in_reported": 67, "identified": 74}
    assert cov.loc["upgraded", "rounds_reported"] == 4 and cov.loc["upgraded", "reported"] == 20


def test_plural():
    assert words.plural(1, "country") == "1 country"
    assert words.plural(3, "country") == "3 countries"
    assert words.plural(0, "round") == "0 rounds"
    assert words.plural(2, "day") == "2 days"
    assert words.plural(2, "city", "cities") == "2 cities"


# --- tables for the report --------------------------------------------------------------------------
@pytest.fixture
def messy():
    """A filtered frame as the notebooks have them: gappy integer index, snake_case names, booleans,
    and every kind of missing value pandas has (NaN, None, <NA> in Int64 / string / boolean / category)."""
    return pd.DataFrame({
        "city": pd.array(["Alexandria", "Medellín", pd.NA], dtype="string"),
        "last_known_level": pd.Categorical(["Gold", None, "Silver"]),
        "level_inferred": [True, False, False],
        "reported": pd.array([13, pd.NA, 4], dtype="Int64"),
        "share": [0.4123, float("nan"), 1.0],
        "checked": pd.array([True, pd.NA, False], dtype="boolean"),
        "note": ["a", None, "c"],
    }, index=[0, 40, 47])


def test_readable():
    assert tables.readable("last_known_level") == "Last known level"
    assert tables.readable("total") == "Total"
    assert tables.readable("new reported") == "New reported"
    assert tables.readable("Gold") == "Gold"


def test_report_frame(messy):
    out = tables.report_frame(messy)
    assert list(out.index) == [0, 1, 2]  # the gappy row numbers are gone, not shown as a column
    assert list(out.columns) == ["City", "Last known level", "Level inferred", "Reported", "Share", "Checked", "Note"]
    assert out["Level inferred"].tolist() == ["yes", "", ""]
    assert out["Checked"].tolist() == ["yes", tables.MISSING, ""]  # unknown is not "no"
    assert out["Reported"].tolist() == ["13", tables.MISSING, "4"]
    assert out["Share"].tolist() == ["0.41", tables.MISSING, "1.00"]
    text = out.to_string()
    for token in ("<NA>", "NaN", "None", "True", "False", "nan"):
        assert token not in text
    chosen = tables.report_frame(messy, {"city": "City", "share": "Share met"}, formats={"share": "{:.0%}"})
    assert list(chosen.columns) == ["City", "Share met"] and chosen["Share met"].tolist() == ["41%", "–", "100%"]
    with pytest.raises(KeyError, match="no column 'town'"):
        tables.report_frame(messy, ["town"])


def test_report_frame_index(summary):
    sizes = explore.cohort_sizes(summary, "2026-01")  # named index "cohort" -> a leading column
    out = tables.report_frame(sizes)
    assert list(out.columns) == ["Cohort", "Reported", "Identified", "Derived"]
    assert out.loc[out["Cohort"] == "upgraded", "Reported"].item() == "–"
    assert list(tables.report_frame(sizes, index=False).columns) == ["Reported", "Identified", "Derived"]
    assert tables.report_text(sizes).splitlines() == [
        "Cohort       Reported  Identified  Derived",
        "new                13           0        0",
        "upgraded            –           4        5",
        "recertified         –           0        0",
        "lower               –           0        0",
        "unknown             –           4        3",
    ]


def test_report_table(messy):
    styler = tables.report_table(messy, {"city": "City", "note": "Reason", "reported": None},
                                  wrap=["note"], caption="Cities & <reasons>")
    html = styler.to_html()
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", html)
    assert cells == ["City", "Reason", "Reported", "Alexandria", "a", "13", "Medellín", "–", "–", "–", "c", "4"]
    assert "<caption>Cities &amp; &lt;reasons&gt;</caption>" in html
    assert re.search(r"td\.col1 \{\s*white-space: normal", html)  # only the reason column breaks lines
    assert re.search(r"\.col2 \{\s*text-align: right", html)  # numbers align right
    assert html == tables.report_table(messy, {"city": "City", "note": "Reason", "reported": None},
                                         wrap=["note"], caption="Cities & <reasons>").to_html()  # same bytes
    assert "white-space: normal" in tables.report_table(messy, wrap=["note"]).to_html()  # by name, all columns
    with pytest.raises(KeyError, match="to wrap"):
        tables.report_table(messy, ["city"], wrap=["note"])
    sim = messy.copy()
    sim.attrs["simulated"] = True
    assert "SIMULATED" in tables.report_table(sim, ["city"]).to_html()


def test_report_table_raw_html_columns():
    links = pd.DataFrame({"city": ["A & B"], "sources": ['<a href="https://example.org/x?a=1&amp;b=2">[1]</a>']})
    html = tables.report_table(links, raw_html=["Sources"], wrap=["sources"]).to_html()  # by header or name
    assert '<a href="https://example.org/x?a=1&amp;b=2">[1]</a>' in html  # shown as a link
    assert "A &amp; B" in html  # every other cell is still escaped
    escaped = tables.report_table(links).to_html()
    assert "&lt;a href=" in escaped and "<a href" not in escaped  # HTML only where asked
    assert tables.report_table(links).uuid == tables.report_table(links, wrap=()).uuid  # ids unchanged by default
    assert tables.report_table(links).uuid != tables.report_table(links, raw_html=["sources"]).uuid
    with pytest.raises(KeyError, match="no column 'links' to show as HTML"):
        tables.report_table(links, raw_html=["links"])


def test_report_table_row_labels():
    """An unnamed index of row labels (as summary.round_cohorts) shown with index=True: a column with an
    empty header, not 'Index'; a named index keeps its name as header."""
    table = pd.DataFrame({"New": ["13", "0"], "Upgraded": ["–", "4"]}, index=["Reported", "Identified"])
    assert list(tables.report_frame(table, index=True).columns) == ["", "New", "Upgraded"]
    assert tables.report_frame(table, index=True)[""].tolist() == ["Reported", "Identified"]
    assert list(tables.report_frame(table).columns) == ["New", "Upgraded"]  # unnamed: hidden by default
    assert list(tables.report_frame(table.rename_axis("basis"), index=True).columns) == ["Basis", "New", "Upgraded"]
    html = tables.report_table(table, index=True).to_html()
    assert re.findall(r"<th[^>]*>([^<]*)</th>", html) == ["", "New", "Upgraded"]
    assert tables.report_text(table, index=True).splitlines()[1].startswith("Reported    13")
    with pytest.raises(ValueError, match="header 'New'"):
        tables.report_frame(table.assign(new=1))  # 'new' would read 'New' too: never a silently lost column
