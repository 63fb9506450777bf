"""The shipped reach tables (data/universe.csv, data/crosswalk.csv) and the reach of 2025 against
``expected.yaml`` (``reach``), and ``wwc validate`` failing on a copy of data/ with a broken link.
The logic is tested on the tiny record with a made-up universe (tests/unit/test_reach.py)."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt

from tests.csv_edits import read_rows, write_rows
from wwc_analysis.cli.app import main
from wwc_analysis.figures.maps import CERTIFIED_GID, reach_map
from wwc_analysis.history import reach
from wwc_analysis.text.reach import reach_headline


def test_universe_and_crosswalk(record, expected):
    want = expected["reach"]
    universe, crosswalk = record.universe, record.crosswalk
    assert len(universe) == want["universe"]["places"]
    assert universe["country_code"].nunique() == want["universe"]["countries"]
    assert int(universe["population"].sum()) == want["universe"]["population"]
    assert universe["population"].min() >= 30_000
    assert len(crosswalk) == want["crosswalk"]["cities"]
    assert int(crosswalk["geonameid"].notna().sum()) == want["crosswalk"]["linked"]
    unlinked = sorted(crosswalk.loc[crosswalk["geonameid"].isna(), "city_id"])
    assert unlinked == want["crosswalk"]["not_places"]


def test_every_city_of_the_record_is_linked_or_explained(record):
    ids = set(record.crosswalk["city_id"])
    assert set(record.certifications["city_id"]) <= ids
    explained = record.crosswalk[record.crosswalk["geonameid"].isna()]
    assert (explained["match"] == "none").all() and explained["note"].str.len().gt(40).all()


def test_reach_of_2025(record, expected, capsys):
    want = expected["reach"]["end_of_2025"]
    summary = reach.reach_summary(record, "2025-12-31")
    for key in ("round_id", "certified_identified", "linked", "residents"):
        assert summary[key] == want[key], key
    assert round(100 * summary["residents_share"], 1) == want["residents_share_percent"]
    assert summary["reported_total_certified"] == want["reported_total_certified"]
    assert summary["unidentified"] == want["unidentified"]
    assert reach_headline(summary) == " ".join(want["headline"].split())
    assert main(["reach", "--year", "2025", "--format", "json"]) == 0
    rows = {r["country"]: r for r in json.loads(capsys.readouterr().out)["rows"]}
    table = reach.reach_table(record, "country", "2025-12-31")
    for country, (certified, eligible, residents) in want["by_country"].items():
        assert (rows[country]["certified"], rows[country]["eligible"]) == (certified, eligible)
        assert table.loc[country, "residents"] == residents
    bands = reach.reach_table(record, "band", "2025-12-31")
    got = {str(b): [int(r.certified), int(r.eligible)] for b, r in bands.iterrows()}
    assert got == want["by_band"]


def test_a_copy_with_a_broken_link_fails_wwc_validate(record_copy, capsys):
    path = record_copy / "crosswalk.csv"
    rows = read_rows(path)
    column = rows[0].index("geonameid")
    line = next(i for i, r in enumerate(rows) if r[0] == "mesa-az-us")
    rows[line][column] = "999999999"  # no such place in universe.csv
    write_rows(path, rows)
    assert main(["validate", str(record_copy)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"crosswalk.csv:{line + 1}: column 'geonameid': value '999999999': expected a place of "
        "universe.csv (no place 999999999 there)",
        f"1 problem found in {record_copy}",
    ]


def test_the_2025_map_shows_every_identified_certified_city_at_its_place(record):
    """Every identified certified city of 2025 that the crosswalk links is drawn at its place's
    coordinates, and only those; the others are named in the caption."""
    fig = reach_map(record, "2025-12-31", "americas")
    (points,) = [c for c in fig.axes[0].collections if c.get_gid() == CERTIFIED_GID]
    plotted = sorted(map(tuple, points.get_offsets().tolist()))
    certified = record.certifications.merge(record.rounds, on="round_id")
    ids = set(certified.loc[certified["announced"] <= "2025-12-31", "city_id"])
    links = record.crosswalk[record.crosswalk["city_id"].isin(ids)]
    places = links.merge(record.universe, on="geonameid")
    assert plotted == sorted(zip(places["longitude"], places["latitude"]))
    caption_text = " ".join(fig.texts[-1].get_text().split())
    for city in links.loc[links["geonameid"].isna(), "city"]:
        assert city in caption_text
    plt.close(fig)
