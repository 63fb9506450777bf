"""``data/datapackage.json`` (a Frictionless Data Package) agrees with the pandera schemas of
``wwc_analysis.data.schemas``, so the two cannot drift: every table's resource (the record's, the
reach tables universe and crosswalk, the simulated assessments) lists the schema's columns in
order, with their types, required and unique flags, enums, patterns, minimums and maximums, primary
and foreign keys; every resource names its licence and sources and matches its file's header, and
every file's rows keep the constraints its resource declares (the build inputs in ``universe/``
have no pandera schema: this is their check). Resources derived from GeoNames credit it; the
universe says it is approximate. The foreign keys declared in ``schemas.FOREIGN_KEYS`` are the ones
``wwc validate`` enforces."""

from __future__ import annotations

import csv
import json
import math
import re
from datetime import date

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
    "universe": ["universe"],
    "crosswalk": ["crosswalk"],
}
#: Resources built on GeoNames data (CC BY 4.0): each credits it.
GEONAMES_DERIVED = {"universe", "crosswalk", "universe-admin1", "universe-exclusions"}
GEONAMES_CREDIT = "GeoNames (geonames.org), CC BY 4.0"
#: what a pandera pattern check says -> the pattern it applies
PATTERNS = {
    schemas.ROUND_ID_EXPECTED: schemas.ROUND_ID_PATTERN,
    schemas.CITY_ID_EXPECTED: schemas.CITY_ID_PATTERN,
    "a criterion code without blanks or commas": schemas.CODE_PATTERN,
    schemas.ISO_COUNTRY_EXPECTED: schemas.ISO_COUNTRY_PATTERN,
}
TYPES = {
    "string": "string",
    "Int64": "integer",
    "int64": "integer",
    "float64": "number",
    "bool": "boolean",
}

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


def _bounds(column, dtype) -> tuple[object, object]:
    """(minimum, maximum) that the column's pandera range checks allow (``None``: no bound); a
    strict lower bound of a whole number is the next whole number."""
    low = high = None
    for check in column.checks:
        stats = check.statistics or {}
        if check.name == "greater_than_or_equal_to":
            low = stats["min_value"]
        elif check.name == "greater_than":
            assert TYPES[str(dtype)] == "integer", "a strict bound needs whole numbers"
            low = stats["min_value"] + 1
        elif check.name == "in_range":
            assert stats["include_min"] and stats["include_max"]
            low, high = stats["min_value"], stats["max_value"]
        else:
            assert check.name not in ("less_than", "less_than_or_equal_to"), check.name
    return low, high


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
        assert (c.get("minimum"), c.get("maximum")) == _bounds(column, dtype), what


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


def test_resources_built_on_geonames_credit_it():
    """GeoNames data are CC BY 4.0: every resource built on them says so and credits GeoNames; the
    universe says it is approximate and not the program's list; the package names GeoNames among
    its sources."""
    for name, r in RESOURCES.items():
        geonames = [src for src in r["sources"] if "geonames.org" in src.get("path", "")]
        assert bool(geonames) == (name in GEONAMES_DERIVED), name
        if geonames:
            assert GEONAMES_CREDIT in r["description"], name
            assert any(GEONAMES_CREDIT in src["title"] for src in geonames), name
            assert [lic["name"] for lic in r["licenses"]] == ["CC-BY-4.0"], name
    universe = RESOURCES["universe"]
    assert universe["title"].startswith("The APPROXIMATE eligible universe")
    assert "NOT the program's own list" in universe["description"]
    assert any("geonames.org" in src.get("path", "") for src in PACKAGE["sources"])
    assert GEONAMES_CREDIT in PACKAGE["description"]


def _cell_problem(field: dict, value: str) -> str | None:
    """What is wrong with one non-empty cell under its Table Schema field, or ``None``."""
    kind, c = field["type"], field.get("constraints", {})
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            return "not an integer"
        number: float = int(value)
    elif kind == "number":
        try:
            number = float(value)
        except ValueError:
            return "not a number"
        if not math.isfinite(number):
            return "not a finite number"
    elif kind == "boolean":
        return None if value in field["trueValues"] + field["falseValues"] else "not a boolean"
    elif kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return "not a date"
        return None
    else:
        if "pattern" in c and not re.fullmatch(c["pattern"], value, re.S):
            return f"not matching {c['pattern']}"
        if "enum" in c and value not in c["enum"]:
            return "not one of the enum"
        return None
    if "minimum" in c and number < c["minimum"]:
        return "below the minimum"
    if "maximum" in c and number > c["maximum"]:
        return "above the maximum"
    return None


def _rows(resource: dict) -> list[dict[str, str]]:
    with (paths.DATA_DIR / resource["path"]).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("resource", list(RESOURCES))
def test_every_file_keeps_the_constraints_its_resource_declares(resource):
    """What ``frictionless validate`` checks, without it: types, required, unique, pattern, enum,
    bounds, the primary key and the foreign keys, on every row (one line per broken cell)."""
    r = RESOURCES[resource]
    schema = r["schema"]
    rows = _rows(r)
    broken = []
    for line, row in enumerate(rows, start=2):
        for f in schema["fields"]:
            value = row[f["name"]]
            if value == "":
                if f.get("constraints", {}).get("required"):
                    broken.append(f"{r['path']}:{line} {f['name']}: empty but required")
            elif (why := _cell_problem(f, value)) is not None:
                broken.append(f"{r['path']}:{line} {f['name']}: {value!r} {why}")
    unique = [f["name"] for f in schema["fields"] if f.get("constraints", {}).get("unique")]
    for key in [[name] for name in unique] + (
        [schema["primaryKey"]] if "primaryKey" in schema else []
    ):
        values = [tuple(row[k] for k in key) for row in rows]
        assert len(set(values)) == len(values), f"{r['path']}: {key} repeats"
    for fk in schema.get("foreignKeys", []):
        target = RESOURCES[fk["reference"]["resource"]]
        known = {tuple(row[k] for k in fk["reference"]["fields"]) for row in _rows(target)}
        for line, row in enumerate(rows, start=2):
            value = tuple(row[k] for k in fk["fields"])
            if any(value) and value not in known:
                broken.append(f"{r['path']}:{line} {fk['fields']}: {value} not in {target['path']}")
    assert broken == []


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
