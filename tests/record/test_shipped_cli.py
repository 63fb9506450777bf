"""``wwc rounds`` on the shipped record, in-process, against ``expected.yaml`` (``cli``,
``rounds``). The command's formats and errors are tested on the tiny record in
tests/unit/test_cli.py."""

from __future__ import annotations

import csv
import io
import json

from tests.unit.test_cli import TABLE_COLUMNS, rounds_table_rows
from wwc_analysis.cli.app import main


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_rounds_wide_table(capsys, expected):
    want = expected["cli"]
    code, out, _ = run(capsys, "rounds", "--format", "wide", "--disagreements")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("2024-01"))
    assert row.split() == want["rounds_row_2024_01"]
    assert want["disagreements_said"] in out
    assert want["disagreement_line"] in out


def test_rounds_table_holds_the_csv_numbers(capsys):
    """The default table of the shipped record: every number of every round is the CSV's (a missing
    one the dash), in 100 columns, and the legend and the disagreements follow."""
    _, out_csv, _ = run(capsys, "rounds", "--format", "csv")
    code, out, _ = run(capsys, "rounds", "--disagreements")
    assert code == 0 and max(len(line) for line in out.splitlines()) <= 100
    table = rounds_table_rows(out)
    rows = list(csv.DictReader(io.StringIO(out_csv)))
    assert list(table) == [r["round_id"] for r in rows]
    for r in rows:
        assert table[r["round_id"]] == {c: r[c] or "–" for c in TABLE_COLUMNS}


def test_rounds_csv_and_json(capsys, expected):
    _, out_csv, _ = run(capsys, "rounds", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out_csv)))
    assert len(rows) == expected["tables"]["rows"]["rounds"]
    jan, want = next(r for r in rows if r["round_id"] == "2024-01"), expected["rounds"]["2024-01"]
    got = (jan["reported_new"], jan["identified_new"], jan["reported_total_certified"])
    assert got == tuple(
        str(v)
        for v in (
            want["reported"]["new"],
            want["identified"]["new"],
            want["reported"]["total_certified"],
        )
    )
    _, out_json, _ = run(capsys, "rounds", "--format", "json")
    june = next(r for r in json.loads(out_json)["rounds"] if r["round_id"] == "2024-06")
    want = expected["rounds"]["2024-06"]
    assert june["reported_recertified"] == want["reported"]["recertified"]
    assert june["reported_total_certified"] == want["reported"]["total_certified"]
    assert june["announced"] == want["announced"]
