"""``data/datapackage.json`` (a Frictionless Data Package) agrees with the pandera schemas of
``wwc_analysis.data.schemas``, so the two cannot drift: every table's resource lists the schema's
columns in order, with their types, required and unique flags, enums, patterns, minimums, primary
and foreign keys; every resource names its licence and sources and matches its file's header. The
foreign keys declared in ``schemas.FOREIGN_KEYS`` are the ones ``wwc validate`` enforces."""

from __future__ import annotations

import csv
import json
import re

import pandas as pd
import pytest

from tests.csv_edits import set_cell, write_rows
from wwc_analysis.data import check_dir, load_assessments, paths, schemas
from wwc_analysis.data.package import PACKAGE_FILE, checksums, data_files, record_edition
from wwc_analysis.errors import DataValidationError

PACKAGE = json.loads((paths.DATA_DIR / PACKAGE_FILE).read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in PACKAGE["resources"]}
#: table -> the resources holding it
TABLE_RESOURCES = {
    "criteria": [p.stem for p in sorted(paths.DATA_DIR.glob(paths.CRITERIA_GLOB))],
    "standards": ["standards"],
    "rounds": ["rounds"],
    "certifications": ["certifications"],
    "unplaced": ["unplaced"],
    "assessments": ["simulated-assessments"],
}
#: what a pandera pattern check says -> the pattern it applies
PATTERNS = {
    schemas.ROUND_ID_EXPECTED: schemas.ROUND_ID_PATTERN,
    schemas.CITY_ID_EXPECTED: schemas.CITY_ID_PATTERN,
    "a criterion code without blanks or commas": schemas.CODE_PATTERN,
}
MINIMUMS = {"a whole number >= 0": 0, "a whole number > 0": 1}
TYPES = {"string": "string", "Int64": "integer", "int64": "integer", "bool": "boolean"}

CASES = [(t, r) for t, names in TABLE_RESOURCES.items() for r in names]


def _type(dtype) -> str:
    if isinstance(dtype, pd.CategoricalDtype):
        return "string"
    if str(dtype).startswith("datetime64"):
        return "date"
    return TYPES[str(dtype)]


def _errors(column) -> list[str]:
    return [str(c.error) for c in column.checks]


def _unanchored(pattern: str) -> str:
    return pattern.removeprefix("^").removesuffix("$")


@pytest.mark.parametrize(("table", "resource"), CASES)
def test_fields_follow_the_pandera_schema(table, resource):
    schema = schemas.SCHEMAS[table]
    fields = RESOURCES[resource]["schema"]["fields"]
    assert [f["name"] for f in fields] == list(schemas.COLUMNS[table])
    assert set(schema.columns) == set(schemas.COLUMNS[table])
    for f in fields:
        column = schema.columns[f["name"]]
        c = f.get("constraints", {})
        what = f"{resource}.{f['name']}"
        assert f["type"] == _type(schemas.COLUMNS[table][f["name"]]), what
        assert c.get("required", False) == (not column.nullable), what
        assert c.get("unique", False) == (list(schema.unique or []) == [f["name"]]), what
        dtype = schemas.COLUMNS[table][f["name"]]
        said = _errors(column)
        enums = [e.removeprefix("one of ").split(", ") for e in said if e.startswith("one of ")]
        if isinstance(dtype, pd.CategoricalDtype):
            enums.append(list(dtype.categories))
        assert c.get("enum") == (enums[0] if enums else None), what
        patterns = [PATTERNS[e] for e in _errors(column) if e in PATTERNS]
        if patterns:
            assert c["pattern"] == _unanchored(patterns[0]), what
        elif "a non-empty text" in _errors(column):
            assert c["pattern"] == r".*\S.*", what
        else:
            assert "pattern" not in c, what
        minimums = [MINIMUMS[e] for e in _errors(column) if e in MINIMUMS]
        assert c.get("minimum") == (minimums[0] if minimums else None), what


@pytest.mark.parametrize(("table", "resource"), CASES)
def test_keys_follow_the_schema(table, resource):
    declared = RESOURCES[resource]["schema"]
    assert declared.get("primaryKey") == (list(schemas.SCHEMAS[table].unique or []) or None)
    foreign = [
        (fk["fields"][0], fk["reference"]["resource"], fk["reference"]["fields"][0])
        for fk in declared.get("foreignKeys", [])
    ]
    assert foreign == schemas.FOREIGN_KEYS.get(table, [])


@pytest.mark.parametrize("resource", list(RESOURCES))
def test_every_resource_has_its_file_licence_and_sources(resource):
    r = RESOURCES[resource]
    path = paths.DATA_DIR / r["path"]
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == [f["name"] for f in r["schema"]["fields"]]
    assert r["licenses"] and r["licenses"][0]["name"] == "CC-BY-4.0"
    assert r["sources"]
    for fk in r["schema"].get("foreignKeys", []):
        assert fk["reference"]["resource"] in RESOURCES
    if resource.startswith("simulated"):
        assert r["title"].startswith("SIMULATED") and "SIMULATED" in r["description"]


def test_every_data_file_is_a_resource():
    listed = {r["path"] for r in PACKAGE["resources"]}
    on_disk = {p.relative_to(paths.DATA_DIR).as_posix() for p in paths.DATA_DIR.rglob("*.csv")}
    assert listed == on_disk


def test_the_edition_is_the_one_the_readme_and_changes_name():
    edition = record_edition()
    assert edition["version"].split(".")[0] == str(edition["edition"])
    assert edition["created"].startswith(edition["date"])
    readme = (paths.DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert f"edition {edition['edition']} of {edition['date']}" in readme
    changes = (paths.DATA_DIR / "CHANGES.md").read_text(encoding="utf-8")
    assert f"## Edition {edition['edition']} ({edition['date']})" in changes


def test_a_folder_without_a_package_has_no_edition(tiny):
    assert record_edition(tiny.data_dir) is None
    assert PACKAGE_FILE not in [p.name for p in data_files(tiny.data_dir)]
    assert [c["file"] for c in checksums(tiny.data_dir)][:1] == ["criteria_2022.csv"]


def test_an_unreadable_package_is_no_edition(tmp_path):
    (tmp_path / PACKAGE_FILE).write_text("[1, 2", encoding="utf-8")
    assert record_edition(tmp_path) is None


# --- the foreign keys are those wwc validate enforces ---------------------------------------------
@pytest.mark.parametrize(
    ("file", "line", "column"),
    [
        ("certifications.csv", 2, "round_id"),
        ("rounds.csv", 2, "standard"),
        ("criteria_2022.csv", 2, "standard"),
    ],
)
def test_a_broken_foreign_key_is_a_problem(tiny_copy, file, line, column):
    value = "2017-01" if column == "round_id" else "2016"
    set_cell(file, line, column, value)(tiny_copy)
    problems = check_dir(tiny_copy).problems
    assert any(
        (p.file, p.row, p.column, p.value) == (file, line, column, value) for p in problems
    ), problems


def test_an_assessment_in_an_unknown_round_is_a_problem(tiny, tmp_path):
    path = tmp_path / "a.csv"
    write_rows(path, [["city_id", "round_id", "criterion", "met", "outcome_met"]])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("mine,2017-01,DM1,true,true\n")
    with pytest.raises(DataValidationError) as caught:
        load_assessments(path, tiny.data_dir)
    assert any(p.column == "round_id" and p.value == "2017-01" for p in caught.value.problems)


def test_patterns_are_the_schema_constants():
    """The Table Schema patterns (implicitly anchored) equal the anchored pandera ones."""
    for pattern in PATTERNS.values():
        assert re.fullmatch(r"\^.*\$", pattern)
