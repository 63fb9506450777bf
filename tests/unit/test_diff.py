"""``wwc diff`` and the comparison behind it (history.diff, text.diff) on edits of the tiny record:
every kind of change is found, keyed and counted, and the numbers it moves are the numbers the
package computes from each folder."""

from __future__ import annotations

import json

import pytest

from tests.csv_edits import read_rows, write_rows
from wwc_analysis.cli.app import main
from wwc_analysis.data import load
from wwc_analysis.history import annual_metrics, round_summary
from wwc_analysis.history.diff import diff_datasets
from wwc_analysis.text.diff import diff_markdown, diff_text

SOROCABA = [
    "sorocaba-sp-br",
    "Sorocaba",
    "SP",
    "Brazil",
    "2025-02",
    "Silver",
    "new",
    "false",
    "false",
    "",
    "https://example.org/tiny/sorocaba/2025",
]


def _edit(folder):
    """The edits: Waco removed, Sorocaba added, Yuma 2024-01's level found (Silver), Monterrey's
    notes reworded, Plano's region spelt out, Davis under a new id 'City of Davis', Fort Worth
    placed out of unplaced.csv."""
    rows = read_rows(folder / "certifications.csv")
    header, out = rows[0], [rows[0]]
    for row in rows[1:]:
        r = dict(zip(header, row))
        if r["city_id"] == "waco-tx-us":
            continue
        if (r["city_id"], r["round_id"]) == ("yuma-az-us", "2024-01"):
            r["level"] = "Silver"
        if r["city_id"] == "monterrey-nl-mx":
            r["notes"] += " and a city release"
            r["sources"] += " ; https://example.org/tiny/monterrey/release"
        if r["city_id"] == "davis-ca-us":
            r["city_id"], r["city"] = "city-of-davis-ca-us", "City of Davis"
        if r["city_id"] == "plano-tx-us":
            r["region"] = "Texas"
        out.append([r[k] for k in header])
    fort_worth = ["fort-worth-tx-us", "Fort Worth", "TX", "United States", "2025-02", "Gold", "new"]
    out += [SOROCABA, [*fort_worth, "false", "false", "", "https://example.org/tiny/fw"]]
    write_rows(folder / "certifications.csv", out)
    unplaced = read_rows(folder / "unplaced.csv")
    write_rows(folder / "unplaced.csv", [r for r in unplaced if r[0] != "Fort Worth"])


@pytest.fixture
def edited(tiny_copy):
    _edit(tiny_copy)
    return load(tiny_copy)


@pytest.fixture
def diff(tiny, edited):
    return diff_datasets(tiny, edited)


def test_the_same_folder_has_no_difference(tiny):
    d = diff_datasets(tiny, tiny)
    assert d.empty and not d.rounds and not d.metrics
    assert "no difference in any table" in diff_text(d)
    assert "No difference in any table" in diff_markdown(d)


def test_the_reach_tables_are_not_compared_and_the_words_say_so(tiny, tiny_reach):
    """The reach tables are not part of the record's editions: a folder that gains them differs
    in no table of the record, and text, Markdown and JSON name the files left out."""
    d = diff_datasets(tiny, tiny_reach)
    assert d.empty and not d.rounds and not d.metrics
    assert d.not_compared == ("universe", "crosswalk")
    assert d.as_dict()["not_compared"] == ["universe", "crosswalk"]
    said = "the reach tables (the approximate eligible universe and the crosswalk to it)"
    assert "no difference in any table of the record" in diff_text(d)
    assert f"Not compared: universe.csv and crosswalk.csv, {said}" in diff_text(d)
    assert f"Not compared: `universe.csv` and `crosswalk.csv`, {said}" in diff_markdown(d)
    assert diff_datasets(tiny, tiny).not_compared == ()
    assert "Not compared" not in diff_text(diff_datasets(tiny, tiny))


def test_events_added_removed_and_changed_field_by_field(diff):
    ev = diff.events
    assert ev.key == ("city_id", "round_id")
    assert {(r["city_id"], r["round_id"]) for r in ev.added} == {
        ("sorocaba-sp-br", "2025-02"),
        ("fort-worth-tx-us", "2025-02"),
        ("city-of-davis-ca-us", "2024-01"),
    }
    assert {(r["city_id"], r["round_id"]) for r in ev.removed} == {
        ("waco-tx-us", "2021-07"),
        ("davis-ca-us", "2024-01"),
    }
    changed = {c.key: c for c in ev.changed}
    assert set(changed) == {
        ("yuma-az-us", "2024-01"),
        ("monterrey-nl-mx", "2024-01"),
        ("plano-tx-us", "2021-07"),
    }
    yuma = changed[("yuma-az-us", "2024-01")].changes
    assert [(c.name, c.old, c.new) for c in yuma] == [("level", None, "Silver")]
    assert changed[("monterrey-nl-mx", "2024-01")].fields() == ("notes", "sources")
    assert diff.event_change_kinds() == {"counting": 1, "city": 1, "documentation": 1}
    assert [c.key for c in diff.events_counting_differently()] == [("yuma-az-us", "2024-01")]


def test_cities_added_removed_renamed_and_placed(diff):
    assert [c["city_id"] for c in diff.cities_added] == ["sorocaba-sp-br", "fort-worth-tx-us"]
    assert diff.cities_added[0]["first_round"] == "2025-02"
    assert [c["city_id"] for c in diff.cities_removed] == ["waco-tx-us"]
    renamed = {c.key: c for c in diff.cities_renamed}
    assert [(c.name, c.old, c.new) for c in renamed[("plano-tx-us",)].changes] == [
        ("region", "TX", "Texas")
    ]
    # a new id for the same place ("City of Davis" is Davis): one city renamed, not two
    assert ("davis-ca-us", "city-of-davis-ca-us") in renamed
    assert diff.placed == (
        {
            "city": "Fort Worth",
            "country": "United States",
            "city_id": "fort-worth-tx-us",
            "first_round": "2025-02",
        },
    )
    assert [r["city"] for r in diff.tables["unplaced"].removed] == ["Fort Worth"]
    assert all(diff.tables[t].empty for t in ("standards", "criteria", "rounds"))


def test_every_count_that_moves_is_the_package_s_own(tiny, edited, diff):
    before = round_summary(tiny).set_index("round_id")
    after = round_summary(edited).set_index("round_id")
    for round_id, changes in diff.rounds.items():
        for c in changes:
            assert (before.at[round_id, c.name], after.at[round_id, c.name]) == (c.old, c.new)
    moved = {(r, c.name) for r, cs in diff.rounds.items() for c in cs}
    assert ("2021-07", "events") in moved and ("2024-01", "level_unknown") in moved
    assert ("2025-02", "identified_new") in moved  # Sorocaba and Fort Worth
    # nothing is listed that did not move
    assert all(c.old != c.new for cs in diff.rounds.values() for c in cs)
    for year, changes in diff.metrics.items():
        a = {m.name: m.value for m in annual_metrics(year, tiny)}
        b = {m.name: m.value for m in annual_metrics(year, edited)}
        assert {c.name: (c.old, c.new) for c in changes} == {
            n: (a[n], b[n]) for n in a if a[n] != b[n]
        }
    assert set(diff.metrics) == {2021, 2023, 2024, 2025}


def test_text_and_markdown_say_each_change(diff):
    text = diff_text(diff)
    assert "3 added, 2 removed, 3 changed (1 in a level, cohort or flag" in text
    assert "  + sorocaba-sp-br 2025-02: Sorocaba (SP, Brazil), Silver, new" in text
    assert "  - waco-tx-us 2021-07: Waco (TX, United States), Silver, new, round inferred" in text
    assert "level: \u2013 \u2192 Silver" in text
    assert "sources: + https://example.org/tiny/monterrey/release" in text
    assert "placed: Fort Worth (United States) leaves unplaced.csv" in text
    assert "2024-01  events with the level not known" in text
    md = diff_markdown(diff)
    assert "| added | sorocaba-sp-br | 2025-02 | Sorocaba (SP, Brazil), Silver, new |" in md
    assert "| yuma-az-us | 2024-01 | level: \u2013 \u2192 Silver |" in md
    assert "#### Per-round counts that move" in md and "| 2024-01 | events with" in md
    assert "Unchanged: `standards.csv`, `criteria_<standard>.csv`, `rounds.csv`." in md
    assert "None" not in text and "None" not in md and "nan" not in md


def test_cli_formats(tiny_copy, capsys):
    from tests.conftest import TINY_DIR

    _edit(tiny_copy)
    for fmt in ("text", "markdown", "json"):
        assert main(["diff", str(TINY_DIR), str(tiny_copy), "--format", fmt]) == 0
        out = capsys.readouterr().out
        assert "sorocaba-sp-br" in out, fmt
    payload = json.loads(out)
    assert payload["tables"]["certifications"]["key"] == ["city_id", "round_id"]
    assert len(payload["tables"]["certifications"]["added"]) == 3
    assert payload["rounds"]["2024-01"] == [
        {"name": "level_unknown", "old": 2, "new": 1},
        {"name": "identified_total_certified", "old": 11, "new": 10},
    ]
    assert payload["metrics"]["2024"][0]["label"].endswith("(identified)")


def test_cli_refuses_a_broken_folder(tiny_copy, capsys):
    from tests.conftest import TINY_DIR

    rows = read_rows(tiny_copy / "certifications.csv")
    rows[1][5] = "Silverish"
    write_rows(tiny_copy / "certifications.csv", rows)
    assert main(["diff", str(TINY_DIR), str(tiny_copy)]) == 1
    err = capsys.readouterr().err
    assert "certifications.csv:2: column 'level': value 'Silverish'" in err
    assert "Traceback" not in err


def test_cli_names_the_folder_with_problems_and_checks_both(tiny_copy, tmp_path, capsys):
    """Both folders hold files of the same names: a problem must say which folder it is in (it
    named only certifications.csv), and the second folder's problems come in the same run."""
    from tests.conftest import TINY_DIR

    rows = read_rows(tiny_copy / "certifications.csv")
    rows[1][5] = "Silverish"
    write_rows(tiny_copy / "certifications.csv", rows)
    missing = tmp_path / "nowhere"
    assert main(["diff", str(missing), str(tiny_copy)]) == 1
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[0] == f"wwc diff: OLD_DIR {missing} is not a folder (it does not exist)"
    assert lines[1] == f"wwc diff: NEW_DIR {tiny_copy} has 1 problem:"
    assert lines[2].startswith("  certifications.csv:2: column 'level': value 'Silverish'")
    assert lines[-1].startswith("Nothing was compared") and len(lines) == 4
    assert main(["diff", str(TINY_DIR), str(TINY_DIR / "rounds.csv")]) == 1
    err = capsys.readouterr().err
    assert f"NEW_DIR {TINY_DIR / 'rounds.csv'} is not a folder (it is a file)" in err
