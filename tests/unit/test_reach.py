"""The reach analysis (history/reach.py) and the checks of the reach tables (data/reach_tables.py),
against the hand counts of tests/fixtures/reach/README.md (the tiny record with a made-up universe
and crosswalk)."""

from __future__ import annotations

import dataclasses
import json

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from tests.conftest import TINY_DIR
from tests.csv_edits import read_rows, set_cell, write_rows
from wwc_analysis import cli
from wwc_analysis.data import load, validate_dir
from wwc_analysis.errors import DataValidationError
from wwc_analysis.figures.maps import CERTIFIED_GID, reach_map
from wwc_analysis.history import reach

END_2025 = "2025-12-31"


# --- by country, hand count -----------------------------------------------------------------------
def test_by_country_matches_the_hand_count(tiny_reach):
    table = reach.reach_table(tiny_reach, "country", END_2025)
    got = table[["certified", "eligible", "residents", "eligible_population", "not_in_universe"]]
    expected = pd.DataFrame(
        {
            "certified": [8, 2, 1, 1, 0],
            "eligible": [12, 3, 2, 2, 1],
            "residents": [3_124_000, 2_800_000, 1_100_000, 1_000_000, 0],
            "eligible_population": [10_299_000, 14_800_000, 2_500_000, 3_700_000, 950_000],
            "not_in_universe": [0, 1, 0, 0, 0],
        },
        index=pd.Index(["United States", "Brazil", "Mexico", "Canada", "Argentina"]),
    )
    pd.testing.assert_frame_equal(
        got.sort_index(),
        expected.sort_index(),
        check_dtype=False,
        check_names=False,
        check_index_type=False,
    )
    assert table.loc["United States", "rate"] == pytest.approx(8 / 12)
    assert table.loc["Brazil", "residents_share"] == pytest.approx(2_800_000 / 14_800_000)


def test_by_band_matches_the_hand_count_and_the_boundary_is_inclusive(tiny_reach):
    table = reach.reach_table(tiny_reach, "band", END_2025)
    assert list(table.index.astype(str)) == ["30–100 k", "100–250 k", "250 k–1 M", "1 M+"]
    assert table["certified"].tolist() == [2, 1, 5, 4]
    assert table["eligible"].tolist() == [3, 1, 7, 9]
    bands = reach.population_band(pd.Series([29_999, 30_000, 99_999, 100_000, 999_999, 1_000_000]))
    assert bands.astype(object).where(bands.notna(), None).tolist() == [
        None,
        "30–100 k",
        "30–100 k",
        "100–250 k",
        "250 k–1 M",
        "1 M+",
    ]


def test_by_region_splits_the_country(tiny_reach):
    table = reach.reach_table(tiny_reach, "region", END_2025)
    assert table.loc[("United States", "Arizona"), ["certified", "eligible"]].tolist() == [3, 4]
    assert table.loc[("United States", "Texas"), ["certified", "eligible"]].tolist() == [3, 5]
    assert table["certified"].sum() == 12


def test_as_of_counts_only_the_rounds_announced_by_then(tiny_reach):
    table = reach.reach_table(tiny_reach, "country", "2018-12-31")
    assert table["certified"].sum() == 3
    assert table.loc["United States", "residents"] == 1_580_000


def test_unknown_grouping_is_refused(tiny_reach):
    with pytest.raises(ValueError, match="country, region, band"):
        reach.reach_table(tiny_reach, "state")


# --- the summary and the time series --------------------------------------------------------------
def test_summary_states_the_gap_and_the_cities_outside_the_universe(tiny_reach):
    s = reach.reach_summary(tiny_reach, END_2025)
    assert s["round_id"] == "2025-02"
    assert (s["certified_identified"], s["linked"]) == (13, 12)
    assert s["not_in_universe"] == ["Santos"]
    assert s["residents"] == 3_124_000 + 2_800_000 + 1_100_000 + 1_000_000
    assert s["eligible"] == 20
    assert s["eligible_population"] == 32_249_000
    assert s["reported_total_certified"] is None  # 2025-02 reports no total
    assert s["unidentified"] is None
    assert s["basis"]["residents_share"] == reach.APPROXIMATE
    assert s["basis"]["certified_identified"] == reach.IDENTIFIED


def test_summary_gap_after_a_round_with_a_reported_total(tiny_reach):
    s = reach.reach_summary(tiny_reach, "2019-12-31")
    got = (s["reported_total_certified"], s["certified_identified"], s["unidentified"])
    assert got == (5, 4, 1)


def test_over_time_has_every_round_and_never_fills_the_gap(tiny_reach):
    series = reach.reach_over_time(tiny_reach)
    assert series["round_id"].tolist() == tiny_reach.rounds["round_id"].tolist()
    first = series.iloc[0]
    assert (first["certified"], first["residents"]) == (3, 1_580_000)
    assert series["certified"].is_monotonic_increasing
    assert series["residents"].is_monotonic_increasing
    assert series["unidentified"].tolist()[:2] == [0, 1]
    assert pd.isna(series["unidentified"].iloc[-1])  # no total reported: the gap stays unknown
    last = series.iloc[-1]
    assert (last["certified"], last["linked"]) == (13, 12)


def test_over_time_by_band_agrees_with_the_table_after_each_round(tiny_reach):
    long = reach.reach_over_time(tiny_reach, "band")
    for round_id, announced in tiny_reach.rounds[["round_id", "announced"]].itertuples(index=False):
        table = reach.reach_table(tiny_reach, "band", announced)
        got = long[long["round_id"] == round_id].set_index("band")["certified"]
        assert got.tolist() == table["certified"].tolist(), round_id


# --- lists ----------------------------------------------------------------------------------------
def test_largest_not_certified_leaves_out_certified_and_unplaced_cities(tiny_reach):
    top = reach.largest_not_certified(tiny_reach, END_2025, n=2)
    us = top[top["country"] == "United States"]["name"].tolist()
    assert us == ["Los Angeles", "Houston"]  # Fort Worth is certified (unplaced.csv)
    one = reach.largest_not_certified(tiny_reach, END_2025, n=5, country="united states")
    assert one["name"].tolist() == ["Los Angeles", "Houston", "Flagstaff"]
    early = reach.largest_not_certified(tiny_reach, "2018-12-31", n=20, country="United States")
    assert "Austin" in early["name"].tolist()  # certified only in 2019


def test_milestones_name_the_first_city_of_each_country(tiny_reach):
    firsts = reach.milestones(tiny_reach).set_index("country")
    assert firsts.loc["United States", "cities"] == "Fresno, Mesa, Tucson"
    assert firsts.loc["United States", "n"] == 3
    assert firsts.loc["Brazil", ["round_id", "cities"]].tolist() == ["2023-06", "Recife"]
    assert firsts.loc["Canada", "round_id"] == "2024-06"
    regions = reach.milestones(tiny_reach, "region").set_index(["country", "region"])
    assert regions.loc[("United States", "TX"), "cities"] == "Austin"


def test_certified_places_put_each_linked_city_at_its_place(tiny_reach):
    cities = reach.certified_places(tiny_reach, END_2025).set_index("city_id")
    assert cities.loc["mesa-az-us", ["latitude", "longitude"]].tolist() == [33.42227, -111.82264]
    assert not cities.loc["santos-sp-br", "linked"]
    assert pd.isna(cities.loc["santos-sp-br", "population"])


def test_a_dataset_without_the_reach_tables_says_so(tiny):
    assert tiny.universe is None
    with pytest.raises(ValueError, match="universe.csv and crosswalk.csv"):
        reach.reach_table(tiny)


# --- the checks of the reach tables ---------------------------------------------------------------
def test_the_fixture_is_valid(tiny_reach_copy):
    assert validate_dir(tiny_reach_copy) == []


def test_a_broken_link_fails_validation(tiny_reach_copy):
    set_cell("crosswalk.csv", 7, "geonameid", "999")(tiny_reach_copy)  # mesa-az-us
    problems = validate_dir(tiny_reach_copy)
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("crosswalk.csv", 7, "geonameid", "999")
    ]
    assert "a place of universe.csv" in problems[0].expected
    with pytest.raises(DataValidationError):
        load(tiny_reach_copy)


def test_a_place_in_another_country_or_linked_twice_fails(tiny_reach_copy):
    set_cell("crosswalk.csv", 9, "geonameid", "5")(tiny_reach_copy)  # ottawa -> Toronto: fine
    set_cell("crosswalk.csv", 2, "geonameid", "6")(tiny_reach_copy)  # austin -> Ottawa (Canada)
    set_cell("crosswalk.csv", 3, "geonameid", "3")(tiny_reach_copy)  # campinas -> Recife's place
    problems = {(p.row, p.column): p.expected for p in validate_dir(tiny_reach_copy)}
    assert "a place in United States; 6 is in Canada" in problems[(2, "geonameid")]
    assert "already campinas-sp-br's" in problems[(11, "geonameid")]


def test_a_city_of_the_record_without_a_row_fails(tiny_reach_copy):
    path = tiny_reach_copy / "crosswalk.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("waco")), "utf-8")
    problems = validate_dir(tiny_reach_copy)
    assert [(p.file, p.row, p.value) for p in problems] == [("crosswalk.csv", None, "waco-tx-us")]


def test_a_city_added_without_a_crosswalk_row_says_what_row_to_add(tiny_reach_copy, capsys):
    """A researcher adds a city to certifications.csv and forgets crosswalk.csv: wwc validate
    names the file to edit, the city_id, the city and the line it was added on, and what the row
    holds (a geonameid and its match, or match none and a note)."""
    from wwc_analysis.cli.app import main

    rows = read_rows(tiny_reach_copy / "certifications.csv")
    rows.append(
        ["sorocaba-sp-br", "Sorocaba", "SP", "Brazil", "2025-02", "Silver", "new", "false"]
        + ["false", "", "https://example.org/tiny/sorocaba/2025"]
    )
    write_rows(tiny_reach_copy / "certifications.csv", rows)
    assert main(["validate", str(tiny_reach_copy)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        "crosswalk.csv: column 'city_id': value 'sorocaba-sp-br': expected a row for every city "
        f"of the record; sorocaba-sp-br (Sorocaba, SP, Brazil, certifications.csv:{len(rows)}) "
        "has none: add a row to crosswalk.csv with this city_id, its city, region and country as "
        "certifications.csv names them, and either the geonameid of its place in universe.csv "
        "with match exact_name, alternate_name or manual and a note on how it was matched, or an "
        "empty geonameid with match none and a note saying why it is not linked (data/README.md, "
        "crosswalk.csv)"
    )
    assert err[1].startswith("1 problem found")
    with (tiny_reach_copy / "crosswalk.csv").open("a", encoding="utf-8") as handle:
        handle.write("sorocaba-sp-br,Sorocaba,SP,Brazil,,none,not linked yet,,\n")
    assert main(["validate", str(tiny_reach_copy)]) == 0


def test_an_unplaced_city_without_a_row_and_a_stray_row_fail(tiny_reach_copy):
    set_cell("crosswalk.csv", 12, "city", "San Nicolas")(tiny_reach_copy)
    found = validate_dir(tiny_reach_copy)
    problems = [(p.file, p.row, p.column) for p in found]
    assert ("unplaced.csv", 2, "city") in problems  # San Nicolás has no row any more
    said = next(p.expected for p in found if p.file == "unplaced.csv")
    assert said.startswith("a row in crosswalk.csv with the same city, region and country")
    assert "add one, with a city_id built like those of certifications.csv" in said
    assert "or an empty geonameid with match none and a note" in said
    assert ("crosswalk.csv", 12, "city_id") in problems  # and the row is no city of the record


def test_names_differing_from_the_record_fail(tiny_reach_copy):
    set_cell("crosswalk.csv", 10, "region", "PA")(tiny_reach_copy)  # plano is TX
    problems = validate_dir(tiny_reach_copy)
    assert [(p.row, p.column) for p in problems] == [(10, "city")]
    assert "Plano / TX / United States" in problems[0].expected


def test_a_link_without_a_method_and_a_population_without_a_source_fail(tiny_reach_copy):
    set_cell("crosswalk.csv", 14, "match", "none")(tiny_reach_copy)  # tucson, linked
    set_cell("crosswalk.csv", 15, "population_source", "")(tiny_reach_copy)  # vicente lópez
    problems = {(p.row, p.column): p.expected for p in validate_dir(tiny_reach_copy)}
    assert set(problems) == {(14, "geonameid"), (15, "population_source")}
    assert problems[(14, "geonameid")].startswith("a geonameid when match is not 'none'")


def test_one_reach_file_without_the_other_is_a_problem(tiny_reach_copy):
    (tiny_reach_copy / "universe.csv").unlink()
    problems = validate_dir(tiny_reach_copy)
    assert [p.file for p in problems] == ["universe.csv"]


def test_a_dataset_replaced_without_reach_keeps_working(tiny_reach):
    bare = dataclasses.replace(tiny_reach, universe=None, crosswalk=None)
    with pytest.raises(ValueError):
        reach.reach_summary(bare)


# --- the command line, in process -----------------------------------------------------------------
def test_wwc_reach_by_country_gives_the_hand_count(tiny_reach, capsys):
    args = ["reach", "--year", "2025", "--by", "country", "--format", "json"]
    assert cli.main([*args, "--data", str(tiny_reach.data_dir)]) == 0
    payload = json.loads(capsys.readouterr().out)
    rows = {r["country"]: r for r in payload["rows"]}
    got = {c: (r["certified"], r["eligible"], r["residents"]) for c, r in rows.items()}
    assert got == {
        "United States": (8, 12, 3.12),
        "Brazil": (2, 3, 2.8),
        "Mexico": (1, 2, 1.1),
        "Canada": (1, 2, 1.0),
        "Argentina": (0, 1, 0.0),
    }
    assert payload["basis"]["eligible"] == "approximate"
    assert payload["basis"]["certified"] == "identified"
    assert "GeoNames" in payload["credit"] and "CC BY 4.0" in payload["credit"]
    assert payload["summary"]["not_in_universe"] == ["Santos"]


def test_wwc_reach_text_and_csv_say_approximate(tiny_reach, capsys):
    data = ["--data", str(tiny_reach.data_dir)]
    assert cli.main(["reach", "--year", "2025", "--by", "band", *data]) == 0
    text = capsys.readouterr().out
    assert "approximate" in text and "CC BY 4.0" in text
    assert cli.main(["reach", "--year", "2025", "--format", "csv", *data]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert "Eligible places (approximate)" in header
    assert "Certified cities (identified)" in header


def test_wwc_reach_refuses_a_year_without_a_round_and_a_record_without_reach(tiny_reach, capsys):
    assert cli.main(["reach", "--year", "2020", "--data", str(tiny_reach.data_dir)]) == 2
    assert "years with a round" in capsys.readouterr().err
    assert cli.main(["reach", "--year", "2025", "--data", str(TINY_DIR)]) == 2
    assert "universe.csv and crosswalk.csv" in capsys.readouterr().err


def test_wwc_reach_refuses_a_date_before_the_first_round(tiny_reach, capsys):
    """--as-of before any round printed a table of zeros headed "(round None)"."""
    data = ["--data", str(tiny_reach.data_dir)]
    for fmt in ("text", "csv", "json"):
        argv = ["reach", "--year", "2018", "--as-of", "2018-01-24", "--format", fmt, *data]
        assert cli.main(argv) == 2
        out, err = capsys.readouterr()
        assert out == "" and err == (
            "wwc reach: no round had been announced by 24 January 2018 (--as-of); the first, "
            "2018-01, was announced on 25 January 2018\n"
        )
    assert cli.main(["reach", "--year", "2018", "--as-of", "2018-01-25", *data]) == 0
    assert "(round 2018-01)" in capsys.readouterr().out


# --- the maps -------------------------------------------------------------------------------------
def test_the_map_puts_every_linked_certified_city_at_its_place(tiny_reach):
    fig = reach_map(tiny_reach, END_2025, "americas")
    (points,) = [c for c in fig.axes[0].collections if c.get_gid() == CERTIFIED_GID]
    plotted = sorted(map(tuple, points.get_offsets().tolist()))
    cities = reach.certified_places(tiny_reach, END_2025)
    linked = cities[cities["linked"]]
    assert plotted == sorted(zip(linked["longitude"], linked["latitude"]))
    text = fig.texts[-1].get_text().replace("\n", " ")
    assert "APPROXIMATE" in text and "CC BY 4.0" in text and "Santos" in text
    plt.close(fig)


def test_reach_files_credit_geonames(tiny_reach):
    """Every CSV of the reach carries the universe's credit: approximate, GeoNames, CC BY 4.0."""
    from wwc_analysis.data.reach_tables import UNIVERSE_CREDIT
    from wwc_analysis.text import reach as text_reach

    table = reach.reach_table(tiny_reach, "country", END_2025)
    for frame in (text_reach.reach_file(table, "country"), text_reach.reach_file(table)):
        assert frame.attrs["note"] == UNIVERSE_CREDIT
    assert (
        "GeoNames (geonames.org), CC BY 4.0" in UNIVERSE_CREDIT and "APPROXIMATE" in UNIVERSE_CREDIT
    )
