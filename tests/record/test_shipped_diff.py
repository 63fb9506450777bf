"""The data update of edition 2: ``wwc diff`` of edition 1 (``tests/fixtures/edition1`` laid over a
copy of the record's tables of ``data/``) and the shipped data, against ``expected.yaml``
(``diff_edition_1``), and ``data/CHANGES.md`` holding its Markdown.

Edition 1 is rebuilt as it was: the record's tables only. The reach tables (``universe.csv``,
``crosswalk.csv``) are not part of the record's editions; the shipped crosswalk links edition 2's
cities, so laid beside edition 1's events it would not validate (and ``wwc diff`` does not compare
them)."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import TESTS_DIR
from wwc_analysis.data import Dataset, load, paths
from wwc_analysis.history.diff import diff_datasets
from wwc_analysis.text.diff import diff_markdown

EDITION_1 = TESTS_DIR / "fixtures" / "edition1"


@pytest.fixture(scope="module")
def edition_1(tmp_path_factory) -> Dataset:
    folder = tmp_path_factory.mktemp("edition1") / "data"
    folder.mkdir()
    reach = {paths.FILES[name] for name in paths.REACH_TABLES}
    for path in paths.DATA_DIR.glob("*.csv"):
        if path.name not in reach:
            shutil.copy(path, folder / path.name)
    for path in EDITION_1.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    return load(folder)


@pytest.fixture(scope="module")
def diff(edition_1, record):
    return diff_datasets(edition_1, record)


@pytest.fixture(scope="module")
def want(expected) -> dict:
    return expected["diff_edition_1"]


def test_edition_1_is_the_first_edition(edition_1, expected):
    assert edition_1.universe is None and edition_1.crosswalk is None
    assert len(edition_1.certifications) == 132
    assert edition_1.certifications["city_id"].nunique() == 87
    assert len(edition_1.unplaced) == 5


def test_events(diff, want):
    ev = diff.events
    assert {
        "added": len(ev.added),
        "removed": len(ev.removed),
        "changed": len(ev.changed),
    } == want["events"]
    assert diff.event_change_kinds() == want["kinds"]
    assert [list(c.key) for c in diff.events_counting_differently()] == want["counting"]
    assert [[r["city_id"], r["round_id"]] for r in ev.removed] == want["removed"]


def test_cities_and_tables(diff, want):
    cities = want["cities"]
    assert len(diff.cities_added) == cities["added"]
    assert len(diff.cities_removed) == cities["removed"]
    assert len(diff.cities_renamed) == cities["renamed"]
    assert [p["city"] for p in diff.placed] == cities["placed"]
    assert [name for name, t in diff.tables.items() if t.empty] == want["unchanged"]


def test_the_counts_that_move(diff, want, expected):
    got = {r: {c.name: [c.old, c.new] for c in cs} for r, cs in diff.rounds.items()}
    assert got == want["rounds"]
    # the figures after the change are those of the record tier
    for round_id, counts in want["rounds"].items():
        after = expected["rounds"][round_id]
        if "identified_total_certified" in counts:
            total = counts["identified_total_certified"][1]
            assert total == after["identified"]["total_certified"]
    assert sorted(diff.metrics) == want["years"]


def test_changes_md_holds_the_diff(diff):
    """data/CHANGES.md holds `wwc diff --format markdown` of edition 1 and the shipped data (run
    from the project folder: `wwc diff EDITION1 data --format markdown`), below the folder line."""
    text = (paths.DATA_DIR / "CHANGES.md").read_text(encoding="utf-8")
    body = diff_markdown(diff).split("\n", 2)[2]  # without the line naming the two folders
    assert body in text
