"""``CITATION.cff`` is valid Citation File Format 1.2.0 (the CFF JSON schema, kept in
``tests/fixtures/cff``) and says what the project ships: its version, the licences of ``LICENSE``
and the record's edition of ``data/datapackage.json``."""

from __future__ import annotations

import datetime
import json

import jsonschema
import yaml

import wwc_analysis
from tests.conftest import TESTS_DIR
from wwc_analysis.data import paths
from wwc_analysis.data.package import record_edition

CITATION = paths.PROJECT_ROOT / "CITATION.cff"
SCHEMA = TESTS_DIR / "fixtures" / "cff" / "schema-1.2.0.json"


def _citation() -> dict:
    data = yaml.safe_load(CITATION.read_text(encoding="utf-8"))
    # YAML reads dates as dates; the CFF schema (like cffconvert) wants their ISO text
    for ref in data.get("references", []):
        if isinstance(ref.get("date-released"), datetime.date):
            ref["date-released"] = ref["date-released"].isoformat()
    return data


def test_citation_validates_against_the_cff_schema():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(_citation(), schema, cls=jsonschema.Draft7Validator)


def test_an_invalid_citation_fails_the_schema():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    broken = {**_citation(), "cff-version": "1.2.0"}
    del broken["authors"]
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(broken))
    assert any("authors" in e.message for e in errors)


def test_citation_says_what_the_project_ships():
    data = _citation()
    assert data["version"] == wwc_analysis.__version__
    assert data["license"] == ["MIT", "CC-BY-4.0"]
    licence = (paths.PROJECT_ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in licence and "CC BY 4.0" in licence
    [record] = [r for r in data["references"] if r["type"] == "data"]
    edition = record_edition()
    assert (record["version"], record["date-released"]) == (edition["version"], edition["date"])
    assert record["license"] == "CC-BY-4.0"


def test_licence_notice_and_citation_tell_one_story():
    """Every file of the data package is named in LICENSE under its licence; the files built on
    GeoNames are credited in NOTICE (and the universe and its inputs in CITATION.cff), with the
    attribution the figures use."""
    package = json.loads((paths.DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    licence = (paths.PROJECT_ROOT / "LICENSE").read_text(encoding="utf-8")
    notice = (paths.PROJECT_ROOT / "NOTICE").read_text(encoding="utf-8")
    text = " ".join(licence.split())
    for resource in package["resources"]:
        where = resource["path"].split("/")[0] + "/" if "simulated/" in resource["path"] else ""
        assert (where or resource["path"]) in text, resource["path"]
    credit = "GeoNames (geonames.org), CC BY 4.0"
    assert f'"{credit}"' in text
    geonames = [
        r["path"]
        for r in package["resources"]
        if any("geonames.org" in s.get("path", "") for s in r["sources"])
    ]
    assert sorted(geonames) == [
        "crosswalk.csv",
        "universe.csv",
        "universe/admin1.csv",
        "universe/exclusions.csv",
    ]
    flat = " ".join(notice.split())
    for path in geonames:
        assert f"data/{path}" in flat, path
    assert f'"{credit}"' in flat
    [database] = [r for r in _citation()["references"] if r["type"] == "database"]
    assert database["url"] == "https://www.geonames.org/" and database["license"] == "CC-BY-4.0"
