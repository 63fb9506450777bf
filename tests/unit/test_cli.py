"""`wwc rounds` and `wwc score` in-process: formats, exact results and clear errors without
tracebacks, on the tiny record (``--data tests/fixtures/tiny``); ``wwc rounds`` of the shipped
record: tests/record/test_shipped_cli.py."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.conftest import TINY_DIR
from wwc_analysis.cli.app import main

TINY = ("--data", str(TINY_DIR))


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_rounds_wide_table(capsys):
    """``--format wide``: the full table of before issue 10, one line per round."""
    code, out, _ = run(capsys, "rounds", "--format", "wide", "--disagreements", *TINY)
    assert code == 0
    lines = out.splitlines()
    row = next(line for line in lines if line.startswith("2024-01"))
    # reported / identified / derived new, upgraded, re-certified; unstated, events, level
    # unknown, disagreements, total reported / identified
    assert row.split() == [
        "2024-01",
        "2024-01-23",
        "2022",
        "3",
        "3",
        "4",
        "3",
        "3",
        "1",
        "1",
        "1",
        "0",
        "0",
        "7",
        "2",
        "3",
        "13",
        "11",
    ]
    last = next(line for line in lines if line.startswith("2025-02"))
    assert last.split()[-2:] == ["–", "13"]  # no total reported
    assert "<NA>" not in out and "–" in out  # not reported is a dash, never <NA>
    assert "3 disagreements" in out
    assert (
        "2024-01 Santos: reported as upgraded, but no earlier certification of this city "
        "is on record"
    ) in out


#: The columns of the default table, left to right (an independent list: a column shown under
#: the wrong header fails test_rounds_table_holds_the_csv_numbers).
TABLE_COLUMNS = [
    "round_id",
    "standard",
    "reported_new",
    "identified_new",
    "derived_new",
    "reported_upgraded",
    "identified_upgraded",
    "derived_upgraded",
    "reported_recertified",
    "identified_recertified",
    "derived_recertified",
    "identified_unstated",
    "disagreements",
    "events",
    "level_unknown",
    "reported_total_certified",
    "identified_total_certified",
]


def rounds_table_rows(out: str) -> dict[str, dict[str, str]]:
    """The rows of ``wwc rounds``' default table, by round, each cell under its column name."""
    rows = [line.split() for line in out.splitlines() if line[:4].isdigit()]
    assert all(len(r) == len(TABLE_COLUMNS) for r in rows), rows
    return {r[0]: dict(zip(TABLE_COLUMNS, r)) for r in rows}


def test_rounds_table_holds_the_csv_numbers(capsys):
    """Every number of every round in the default table is the CSV's, a missing one the dash."""
    _, out_csv, _ = run(capsys, "rounds", "--format", "csv", *TINY)
    code, out, _ = run(capsys, "rounds", *TINY)
    assert code == 0
    table = rounds_table_rows(out)
    rows = list(csv.DictReader(io.StringIO(out_csv)))
    assert list(table) == [r["round_id"] for r in rows]
    for r in rows:
        assert table[r["round_id"]] == {c: r[c] or "–" for c in TABLE_COLUMNS}
    assert table["2025-02"]["reported_total_certified"] == "–"


def test_rounds_table_fits_100_columns_with_grouped_headers_and_a_legend(capsys):
    code, out, _ = run(capsys, "rounds", "--disagreements", *TINY)
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    top, head = lines[0], lines[1]
    for label in ("New cities", "Upgraded", "Recertified", "Cohort", "Level", "Certified"):
        assert label in top
    # each group label starts over its first column: "rep" under New cities, Upgraded...
    for label in ("New cities", "Upgraded", "Recertified"):
        assert head[top.index(label) :].startswith("rep id der")
    assert head[top.index("Cohort") :].startswith("unstated disputed")
    assert head[top.index("Certified") :].split() == ["rep", "id"]
    legend = " ".join(out.split("\n\n")[1].split())
    for words in (
        "rep = reported by the program",
        "id = identified in the record",
        "der = derived from",
        "– = not reported",
        "--format wide, csv or json",
    ):
        assert words in legend
    assert "<NA>" not in out and "nan" not in out and "None" not in out
    assert "3 disagreements" in out
    assert "  2024-01 Austin: reported as upgraded, but the level of this event is not known" in out
    assert "\n    certification: 2019-04 (Silver))" in out  # a long reason wraps, indented


def test_rounds_csv_and_json_agree(capsys):
    _, out_csv, _ = run(capsys, "rounds", "--format", "csv", *TINY)
    rows = list(csv.DictReader(io.StringIO(out_csv)))
    assert len(rows) == 7
    jan = next(r for r in rows if r["round_id"] == "2024-01")
    got = (jan["reported_new"], jan["identified_new"], jan["reported_total_certified"])
    assert got == ("3", "3", "13")
    _, out_json, _ = run(capsys, "rounds", "--format", "json", *TINY)
    payload = json.loads(out_json)
    june = next(r for r in payload["rounds"] if r["round_id"] == "2024-06")
    assert june["reported_recertified"] is None and june["reported_total_certified"] == 15
    assert june["announced"] == "2024-06-17"
    by_id = {r["round_id"]: r for r in payload["rounds"]}
    assert [by_id[r["round_id"]]["identified_new"] for r in rows] == [
        int(r["identified_new"]) for r in rows
    ]


def test_score_met_text_and_json(capsys, tiny_std2022):
    std = tiny_std2022
    met = ",".join(std.criteria[:30])  # includes DM1, LC1 and PA1
    code, out, _ = run(capsys, "score", "--met", met, "--outcome-met", *TINY)
    assert code == 0 and out.startswith("30 of 43 criteria met (69.8%) under standard 2022: Gold.")
    code, out, _ = run(capsys, "score", "--met", met, "--format", "json", *TINY)
    result = json.loads(out)
    got = (result["tier"], result["threshold_tier"], result["met"])
    assert got == ("Not certified", "Gold", 30)
    assert any("outcome requirement unmet" in r for r in result["reasons"])


def test_score_lowercase_codes_and_core_reason(capsys, tiny_std2022):
    std = tiny_std2022
    met = ",".join(c.lower() for c in std.criteria if c != "PA1")
    code, out, _ = run(capsys, "score", "--met", met, "--outcome-met", *TINY)
    assert code == 0
    assert "Not certified" in out and "core criteria missing: PA1" in out


@pytest.mark.parametrize(
    "count, tier", [(22, "Not certified"), (23, "Silver"), (31, "Gold"), (38, "Platinum")]
)
def test_score_count_2018(capsys, count, tier):
    code, out, _ = run(
        capsys, "score", "--standard", "2018", "--count", str(count), "--format", "json", *TINY
    )
    assert code == 0 and json.loads(out)["tier"] == tier


@pytest.mark.parametrize(
    "argv, lines",
    [
        (
            ["--count", "30"],
            [
                "30 of 43 criteria met (69.8%) under standard 2022: Not certified.",
                "- core criteria not all met (a city missing any of DM1, LC1 and PA1 is not "
                "certified)",
                "- outcome requirement unmet (an internationally recognised standard on at least "
                "one outcome)",
                "- with every core criterion and the outcome requirement met it would be Gold",
                "- 7 more criteria for Platinum (37 of 43, 85%)",
                "  (pass --core-met if the city meets every core criterion)",
                "  (pass --outcome-met if the city meets the outcome requirement)",
            ],
        ),
        (
            ["--count", "21", "--core-met"],
            [
                "21 of 43 criteria met (48.8%) under standard 2022: Not certified.",
                "- outcome requirement unmet (an internationally recognised standard on at least "
                "one outcome)",
                "- 1 more criterion for Silver (22 of 43, 51%), with the outcome requirement met",
                "  (pass --outcome-met if the city meets the outcome requirement)",
            ],
        ),
        (
            ["--count", "36", "--core-met", "--outcome-met"],
            [
                "36 of 43 criteria met (83.7%) under standard 2022: Gold.",
                "- 1 more criterion for Platinum (37 of 43, 85%)",
            ],
        ),
        (
            ["--count", "37", "--core-met", "--outcome-met"],
            [
                "37 of 43 criteria met (86.0%) under standard 2022: Platinum.",
                "- Platinum is the highest tier",
            ],
        ),
        (
            ["--standard", "2018", "--count", "22"],  # no gates in 2018: no hint
            [
                "22 of 45 criteria met (48.9%) under standard 2018: Not certified.",
                "- 1 more criterion for Silver (23 of 45, 51%)",
            ],
        ),
        (
            ["--standard", "2017", "--count", "3"],
            [
                "3 of the 4 Standard components under standard 2017: Gold.",
                "- 1 more Standard component for Platinum (4 of 4)",
            ],
        ),
    ],
)
def test_score_count_explains_itself(capsys, argv, lines):
    """``--count N`` in sentences, like ``--met``: the tier, what holds it back and the next tier
    named with the criteria it needs; no raw dump."""
    code, out, _ = run(capsys, "score", *argv, *TINY)
    assert code == 0 and out.splitlines() == lines


def test_score_count_wraps_long_reasons_at_100_columns(capsys):
    code, out, _ = run(capsys, "score", "--count", "0", *TINY)
    assert code == 0 and max(len(line) for line in out.splitlines()) <= 100
    assert (
        "- 22 more criteria for Silver (22 of 43, 51%), with every core criterion and the "
        "outcome requirement\n  met" in out
    )
    assert "None" not in out and "reason:" not in out and "to_next_tier" not in out


def test_score_count_machine_formats_keep_their_keys(capsys):
    code, out, _ = run(capsys, "score", "--count", "30", "--format", "json", *TINY)
    assert code == 0 and json.loads(out) == {
        "standard": "2022",
        "met": 30,
        "total": 43,
        "share": 0.6977,
        "threshold_tier": "Gold",
        "tier": "Not certified",
        "reason": "core criteria missing; outcome requirement unmet",
        "to_next_tier": 7,
    }
    code, out, _ = run(capsys, "score", "--count", "37", "--format", "csv", "--core-met", *TINY)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 1
    assert (rows[0]["tier"], rows[0]["reason"], rows[0]["to_next_tier"]) == (
        "Not certified",
        "outcome requirement unmet",
        "0",
    )


def _assessment_file(path, std, cities) -> str:
    """A researcher's own assessment file of round 2024-01: ``cities`` maps a city id to
    ``(meets(i, code), outcome_met)``, ``i`` the criterion's place in the standard."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["city_id", "round_id", "criterion", "met", "outcome_met"])
        for city, (meets, outcome) in cities.items():
            for i, code in enumerate(std.criteria):
                w.writerow(
                    [city, "2024-01", code, str(meets(i, code)).lower(), str(outcome).lower()]
                )
    return str(path)


#: A city meeting its first 37 criteria and the outcome requirement: Platinum.
TESTVILLE = {"testville-tx-us": (lambda i, code: i < 37, True)}


def test_score_file(capsys, tiny_std2022, tmp_path):
    path = _assessment_file(tmp_path / "own.csv", tiny_std2022, TESTVILLE)
    code, out, _ = run(capsys, "score", "--file", path, "--format", "json", *TINY)
    assert code == 0
    payload = json.loads(out)
    assert payload["note"] is None  # a researcher's own file is not simulated
    assert payload["scores"][0]["tier"] == "Platinum" and payload["scores"][0]["met"] == 37


def test_score_file_of_simulated_data_says_so(capsys):
    from wwc_analysis.data.paths import SIMULATED_DIR

    code, out, _ = run(capsys, "score", "--file", str(SIMULATED_DIR / "assessments.csv"))
    assert code == 0 and out.startswith("SIMULATED DATA")


def test_score_file_table_for_people(capsys, tiny_std2022, tmp_path):
    """The table format of --file: headers in words, the share in percent, the dash where no core
    criterion is missing, what keeps a city from a tier on a line of its own under its row (the
    table fits 100 columns however many reasons), the tier counts headed in words."""
    cities = {
        **TESTVILLE,
        "otherton-tx-us": (lambda i, code: code != "PA1", False),
        "lowland-tx-us": (lambda i, code: i < 5 and code not in ("DM1", "LC1", "PA1"), False),
    }
    path = _assessment_file(tmp_path / "own.csv", tiny_std2022, cities)
    code, out, _ = run(capsys, "score", "--file", path, *TINY)
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert lines[0].split()[0] == "City" and lines[0].endswith("  Outcome met")
    assert "city_id" not in out and "NaN" not in out and "None" not in out
    rows = {line.split()[0]: re.split(r"\s{2,}", line) for line in lines[1:6] if line[0] != " "}
    assert rows["testville-tx-us"] == [
        "testville-tx-us", "2024-01", "37", "43", "86.0%", "Platinum", "–", "yes"
    ]  # fmt: skip
    assert rows["otherton-tx-us"] == [
        "otherton-tx-us", "2024-01", "42", "43", "97.7%", "Not certified", "PA1", "no"
    ]  # fmt: skip
    under = {lines[i - 1].split()[0]: lines[i] for i in range(1, 7) if lines[i].startswith(" ")}
    assert under["otherton-tx-us"].split(": ", 1) == [
        "    not certified",
        "core criteria missing; outcome requirement unmet",
    ]
    assert "below the Silver threshold; core criteria missing" in under["lowland-tx-us"]
    assert "testville-tx-us" not in under  # certified: no line
    tiers = lines.index("") + 1
    assert lines[tiers].split() == ["Tier", "Assessments"]
    assert [line.split()[-1] for line in lines[tiers + 1 :]] == ["2", "0", "0", "1"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["score", "--met", "DM1,XX9"], "unknown criterion code(s) XX9"),
        (["score", "--standard", "2030", "--met", "DM1"], "unknown standard '2030'"),
        (["score", "--standard", "2018", "--met", "DM1"], "score it with --count N"),
        (["score", "--count", "44"], "--count must lie in 0..43"),
        (["score", "--file", "/no/such/file.csv"], "does not exist"),
    ],
)
def test_score_errors_are_clear(capsys, argv, message):
    code, out, err = run(capsys, *argv, *TINY)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_score_bad_file_lists_problems(capsys, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "city_id,round_id,criterion,met,outcome_met\ntestville-tx-us,2024-01,DM1,maybe,true\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "score", "--file", str(path), *TINY)
    assert code == 1 and "bad.csv:2" in err and "'maybe'" in err and "Traceback" not in err
