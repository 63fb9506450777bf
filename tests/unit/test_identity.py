"""City identity checks (data.identity): likely duplicate cities are warnings naming both rows'
lines, ``--strict`` makes them errors; fictional ``sim-`` ids in a file not marked simulated are
refused. On copies of the tiny record."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.csv_edits import read_rows, write_rows
from wwc_analysis.cli.app import main
from wwc_analysis.data import check_dir, load_assessments
from wwc_analysis.data.identity import likely_duplicates, name_key, simulated_id_problems
from wwc_analysis.errors import DataValidationError


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Port St. Lucie", "Port Saint Lucie"),
        ("Port St Lucie", "port-saint-lucie"),
        ("Córdoba", "Ciudad de Cordoba"),
        ("St. Louis", "City of Saint Louis"),
        ("Fort Worth", "Ft. Worth"),
        ("Winston-Salem", "Winston Salem"),
        ("São Paulo", "SAO PAULO"),
        ("Mount Vernon", "Mt. Vernon"),
        ("Niterói", "Municipio de Niteroi"),
    ],
)
def test_names_that_are_one_place(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("San Jose", "San Josef"), ("Kansas City", "Kansas"), ("Santa Fe", "Santa Clara")],
)
def test_names_that_are_not(a, b):
    assert name_key(a) != name_key(b)


def _add_event(folder, city_id, city, region="AZ", country="United States", round_id="2025-02"):
    rows = read_rows(folder / "certifications.csv")
    rows.append(
        [city_id, city, region, country, round_id, "Silver", "new", "false", "false", ""]
        + ["https://example.org/tiny/copy"]
    )
    write_rows(folder / "certifications.csv", rows)
    return len(rows)  # the line of the new row


def test_a_variant_spelling_under_its_own_id_is_a_warning(tiny_copy):
    line = _add_event(tiny_copy, "city-of-mesa-az-us", "City of Mesa")
    found = check_dir(tiny_copy)
    assert found.problems == []
    assert len(found.warnings) == 1
    w = found.warnings[0]
    assert (w.file, w.row) == ("certifications.csv", line)
    text = str(w)
    head = f"certifications.csv:{line}: warning: 'City of Mesa' (city-of-mesa-az-us)"
    assert text.startswith(head)
    assert "'Mesa' (mesa-az-us, certifications.csv:2)" in text  # both rows, by line


def test_same_name_elsewhere_is_no_warning(tiny_copy):
    _add_event(tiny_copy, "mesa-ca-us", "Mesa", region="CA")  # another state
    _add_event(tiny_copy, "recife-pe-mx", "Recife", region="PE", country="Mexico")
    assert check_dir(tiny_copy).warnings == []


def test_the_tiny_and_shipped_records_have_no_warning(tiny, record):
    assert check_dir(tiny.data_dir).warnings == []
    assert check_dir(record.data_dir).warnings == []


def test_validate_warns_and_strict_fails(tiny_copy, capsys):
    line = _add_event(tiny_copy, "st-austin-tx-us", "St Austin")  # not Austin: no warning
    line = _add_event(tiny_copy, "davis-city-of-ca-us", "City of Davis", region="CA")
    assert main(["validate", str(tiny_copy)]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines()[0].startswith(f"certifications.csv:{line}: warning: 'City of Davis'")
    assert "OK: no problems found; 1 warning" in out
    assert main(["validate", str(tiny_copy), "--strict"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[-1] == (
        f"1 warning found in {tiny_copy} (--strict: warnings are errors)"
    )
    assert "Traceback" not in err


def test_strict_on_a_clean_folder_passes(tiny_copy, capsys):
    assert main(["validate", str(tiny_copy), "--strict"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("OK: no problems found")


def test_likely_duplicates_needs_its_columns():
    assert likely_duplicates(None, "x.csv") == []
    assert likely_duplicates(pd.DataFrame({"city_id": ["a"]}), "x.csv") == []


# --- fictional ids -------------------------------------------------------------------------------
def _assessments(tiny, tmp_path, simulated: str | None, ids=("sim-0001", "sim-0002")):
    """A complete assessment file of the 2022 standard for ``ids`` in round 2024-01."""
    codes = list(tiny.criteria.loc[tiny.criteria["standard"] == "2022", "code"])
    header = ["city_id", "round_id", "criterion", "met", "outcome_met"]
    header += ["simulated"] if simulated is not None else []
    rows = [header]
    for city in ids:
        for code in codes:
            row = [city, "2024-01", code, "true", "true"]
            rows.append(row + ([simulated] if simulated is not None else []))
    path = tmp_path / "assessments.csv"
    write_rows(path, rows)
    return path


def test_sim_ids_without_the_simulated_column_are_refused(tiny, tmp_path):
    path = _assessments(tiny, tmp_path, simulated=None)
    with pytest.raises(DataValidationError) as caught:
        load_assessments(path, tiny.data_dir)
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column) == (str(path), None, "simulated")
    assert "every city_id starts with 'sim-'" in problem.expected


def test_sim_ids_marked_simulated_load(tiny, tmp_path):
    frame = load_assessments(_assessments(tiny, tmp_path, "true"), tiny.data_dir)
    assert frame.attrs["simulated"] is True


def test_real_ids_without_the_column_load_as_real(tiny, tmp_path):
    path = _assessments(tiny, tmp_path, None, ids=("mesa-az-us",))
    assert load_assessments(path, tiny.data_dir).attrs["simulated"] is False


def test_a_sim_id_among_real_ones_is_named_at_its_first_line():
    frame = pd.DataFrame(
        {"city_id": ["mesa-az-us", "sim-0007", "sim-0007"], "simulated": [False, False, False]},
        index=[2, 3, 4],
    )
    [problem] = simulated_id_problems(frame, "mine.csv")
    assert (problem.row, problem.value) == (3, "false")
    assert "sim-0007 is a fictional city" in problem.expected
