"""The shipped tables as loaded: sizes, what is inferred or missing, the rounds' span and the
standards, against ``expected.yaml`` (``tables``, ``standards``)."""

from __future__ import annotations

import pandas as pd
import pytest

from wwc_analysis.data import Dataset, validate_dir
from wwc_analysis.report import build as report
from wwc_analysis.rules.standards import get_standard


@pytest.fixture(scope="module")
def tables(expected) -> dict:
    return expected["tables"]


def test_shipped_data_validates():
    assert validate_dir() == []


def test_sizes(record: Dataset, tables):
    rows = {name: len(getattr(record, name)) for name in tables["rows"]}
    assert rows == tables["rows"]
    c = record.certifications
    assert c["city_id"].nunique() == tables["cities"]
    assert int(c["level"].isna().sum()) == tables["level_missing"]
    assert int(c["round_inferred"].sum()) == tables["round_inferred"]


def test_inferred_levels(record: Dataset, tables):
    c = record.certifications
    inferred = c.loc[c["level_inferred"], ["city_id", "round_id", "level"]]
    assert inferred.astype(str).values.tolist() == tables["level_inferred"]
    assert c["level"].max() == tables["highest_level"]


def test_missing_values_stay_missing(record: Dataset, tables):
    c = record.certifications
    city, round_id = tables["level_missing_example"]
    row = c[(c["city_id"] == city) & (c["round_id"] == round_id)]
    assert len(row) == 1 and pd.isna(row["level"].iloc[0])
    notes = c["notes"]
    assert notes.isna().sum() == tables["notes_missing"]
    assert notes[notes.isna()].iloc[0] is pd.NA
    u = record.unplaced
    assert u.loc[u["region"].isna(), "city"].tolist() == tables["unplaced_without_region"]
    r = record.rounds.set_index("round_id")
    assert r.loc["2018-01", "reported_new"] == tables["reported_new_2018_01"]
    for round_id, column in tables["not_reported"]:
        assert pd.isna(r.loc[round_id, column]), (round_id, column)


def test_rounds_span(record: Dataset, tables, expected):
    r = record.rounds
    assert (r["round_id"].iloc[0], r["round_id"].iloc[-1]) == (
        tables["first_round"],
        tables["last_round"],
    )
    assert set(r["standard"]) == set(expected["standards"])
    years = report.report_years(r)
    assert years[0] == int(tables["first_round"][:4])
    with pytest.raises(report.ReportError, match=f"years with a round: {years[0]}"):
        report.resolve_year(years[0] - 1, r)


@pytest.mark.parametrize("name", ["2017", "2018", "2022"])
def test_standards(record: Dataset, expected, name):
    want = expected["standards"][name]
    row = record.standards.set_index("standard").loc[name]
    std = get_standard(name, record)
    assert row["tier_rule"] == std.tier_rule == want["tier_rule"]
    assert row["criteria_count"] == want["criteria_count"]
    assert list(std.thresholds) == want["thresholds"]
    assert [row["silver_min"], row["gold_min"], row["platinum_min"]] == want["thresholds"]
    assert (bool(row["core_criteria_required"]), std.core_required) == (want["core_required"],) * 2
    assert (bool(row["outcome_requirement"]), std.outcome_required) == (
        want["outcome_required"],
    ) * 2
    if "components" in want:
        assert list(std.criteria) == want["components"]
    if "core" in want:
        assert list(std.core) == want["core"]
        assert record.criteria.loc[record.criteria["core"], "code"].tolist() == want["core"]
        assert std.criteria_count == len(std.criteria) == want["criteria_count"]
        sizes = [len(v) for v in std.criteria_by_area().values()]
        assert sizes == want["criteria_per_area"]


def _add_port_saint_lucie(folder, geonameid: str = "") -> tuple[int, int]:
    """The issue's edit, as a researcher makes it: "Port Saint Lucie" added to certifications.csv
    under its own id beside "Port St. Lucie", with the crosswalk row every new city needs (match
    ``none`` and a note, or ``geonameid`` with match ``manual``). Returns the new row's line and
    the line of Port St. Lucie's first row."""
    from tests.csv_edits import read_rows, write_rows

    path = folder / "certifications.csv"
    rows = read_rows(path)
    header = rows[0]
    first = next(i for i, r in enumerate(rows) if r[0] == "port-st-lucie-fl-us")
    copy = dict(zip(header, rows[first]))
    copy.update(city_id="port-saint-lucie-fl-us", city="Port Saint Lucie", round_id="2025-02")
    rows.append([copy[c] for c in header])
    write_rows(path, rows)
    crosswalk = read_rows(folder / "crosswalk.csv")
    match, note = ("manual", "the GeoNames place") if geonameid else ("none", "not linked yet")
    link = ["port-saint-lucie-fl-us", "Port Saint Lucie", "FL", "United States", geonameid]
    write_rows(folder / "crosswalk.csv", [*crosswalk, [*link, match, note, "", ""]])
    return len(rows), first + 1


def test_a_variant_spelling_of_a_shipped_city_is_a_warning(record_copy, capsys):
    """The issue's case: "Port Saint Lucie" added under its own id beside "Port St. Lucie" (with
    its crosswalk row, unlinked). wwc validate warns, naming both rows' lines; --strict exits
    non-zero."""
    from wwc_analysis.cli.app import main

    line, first = _add_port_saint_lucie(record_copy)
    assert main(["validate", str(record_copy)]) == 0
    err = capsys.readouterr().err
    assert err.startswith(
        f"certifications.csv:{line}: warning: 'Port Saint Lucie' (port-saint-lucie-fl-us) "
        f"is likely the same city as 'Port St. Lucie' (port-st-lucie-fl-us, "
        f"certifications.csv:{first})"
    )
    assert main(["validate", str(record_copy), "--strict"]) == 1
    assert "1 warning found" in capsys.readouterr().err


def test_a_variant_spelling_linked_to_its_place_is_a_problem(record_copy, capsys):
    """Linked to its GeoNames place, the variant finds the place already Port St. Lucie's: a
    problem (exit 1) naming the other city, beside the warning."""
    from wwc_analysis.cli.app import main

    _add_port_saint_lucie(record_copy, geonameid="4169171")
    assert main(["validate", str(record_copy)]) == 1
    err = capsys.readouterr().err
    assert "expected a GeoNames place linked to one city only; 4169171 is already " in err
    assert "port-st-lucie-fl-us's" in err and "warning: 'Port Saint Lucie'" in err
