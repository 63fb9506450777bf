"""Broken input files: each is a Problem naming the file, line, column and what was expected.

Every data-directory case copies the tiny record (tests/fixtures/tiny) into ``tmp_path`` and breaks
exactly one thing (tests/csv_edits.py). Line numbers are those an editor shows: the header is line
1, the first data row line 2. ``wwc validate`` in a child process: tests/integration.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import TINY_DIR
from tests.csv_edits import (
    Breaker,
    add_column,
    append_copy_of_line,
    break_three_files,
    delete_line,
    drop_column,
    edit_row,
    read_rows,
    remove,
    rename_column,
    set_cell,
    transform_bytes,
    write_bytes,
    write_rows,
)
from wwc_analysis.cli import validate as validate_cli
from wwc_analysis.cli.app import main as cli_main
from wwc_analysis.data import (
    load,
    load_assessments,
    load_certifications,
    load_criteria,
    load_rounds,
    validate_dir,
)
from wwc_analysis.errors import DataValidationError, Problem

_UNSET = object()


@dataclass
class Case:
    id: str
    breaker: Breaker
    file: str
    row: int | None
    column: str | None
    expected: str  # a fragment of Problem.expected
    value: object = _UNSET  # the raw value quoted by the problem, when checked
    only: bool = True  # every problem is about this file, row and column (nothing else breaks)


def _latin1(data: bytes) -> bytes:
    return data.replace("Nicolás".encode(), "Nicolás".encode("latin-1"))


def _multiline_notes(d: Path) -> None:
    """Line 2's notes get an embedded newline, so record 3 starts on line 4; then break record 3."""
    rows = read_rows(d / "certifications.csv")
    notes = rows[0].index("notes")
    rows[1][notes] = "first line of the note\nsecond line of the note"
    rows[2][rows[0].index("level")] = "Diamond"
    write_rows(d / "certifications.csv", rows)


CASES = [
    Case(
        "missing column",
        drop_column("certifications.csv", "level"),
        "certifications.csv",
        None,
        "level",
        "a column 'level' in the header",
    ),
    Case("missing file", remove("rounds.csv"), "rounds.csv", None, None, "the file to exist"),
    Case(
        "unknown level",
        set_cell("certifications.csv", 3, "level", "Bronze"),
        "certifications.csv",
        3,
        "level",
        "one of Silver, Gold, Platinum",
        "Bronze",
    ),
    Case(
        "lowercase level",
        set_cell("unplaced.csv", 4, "level", "gold"),
        "unplaced.csv",
        4,
        "level",
        "(case-sensitive)",
        "gold",
    ),
    Case(
        "unknown cohort",
        set_cell("certifications.csv", 7, "reported_cohort", "renewed"),
        "certifications.csv",
        7,
        "reported_cohort",
        "one of new, upgraded, recertified",
        "renewed",
    ),
    Case(
        "criterion code with a blank",
        set_cell("criteria_2022.csv", 5, "code", "DM 4"),
        "criteria_2022.csv",
        5,
        "code",
        "a criterion code without blanks or commas",
        "DM 4",
    ),
    Case(
        "duplicate criterion code",
        set_cell("criteria_2022.csv", 3, "code", "DM1"),
        "criteria_2022.csv",
        3,
        "standard, code",
        "unique (standard, code), but line 2 has the same values",
    ),
    Case(
        "duplicate certification key",
        append_copy_of_line("certifications.csv", 10),
        "certifications.csv",
        24,
        "city_id, round_id",
        "unique (city_id, round_id), but line 10 has the same values",
    ),
    Case(
        "duplicate round",
        append_copy_of_line("rounds.csv", 4),
        "rounds.csv",
        9,
        "round_id",
        "unique (round_id), but line 4",
    ),
    Case(
        "dangling round id",
        set_cell("certifications.csv", 5, "round_id", "2018-02"),
        "certifications.csv",
        5,
        "round_id",
        "a round_id listed in rounds.csv",
        "2018-02",
    ),
    Case(
        "dangling standard",
        set_cell("rounds.csv", 3, "standard", "2019"),
        "rounds.csv",
        3,
        "standard",
        "a standard listed in standards.csv (2017, 2018, 2022)",
        "2019",
    ),
    Case(
        "impossible date",
        set_cell("rounds.csv", 3, "announced", "2019-02-30"),
        "rounds.csv",
        3,
        "announced",
        "an ISO date YYYY-MM-DD",
        "2019-02-30",
    ),
    Case(
        "non-ISO date",
        set_cell("rounds.csv", 4, "announced", "29/06/2020"),
        "rounds.csv",
        4,
        "announced",
        "an ISO date YYYY-MM-DD",
        "29/06/2020",
    ),
    Case(
        "empty required date",
        set_cell("rounds.csv", 2, "announced", ""),
        "rounds.csv",
        2,
        "announced",
        "announced may not be empty",
    ),
    Case(
        "round_id not the month of announced",
        set_cell("rounds.csv", 2, "announced", "2018-02-25"),
        "rounds.csv",
        2,
        "round_id",
        "equal to the year and month of announced",
        "2018-01",
    ),
    Case(
        "unknown date precision",
        set_cell("rounds.csv", 5, "date_precision", "exact"),
        "rounds.csv",
        5,
        "date_precision",
        "one of day, month, approximate",
        "exact",
    ),
    Case(
        "non-boolean flag yes",
        set_cell("certifications.csv", 4, "round_inferred", "yes"),
        "certifications.csv",
        4,
        "round_inferred",
        "true or false",
        "yes",
    ),
    Case(
        "non-boolean flag 1",
        set_cell("criteria_2022.csv", 2, "core", "1"),
        "criteria_2022.csv",
        2,
        "core",
        "1/0, yes/no and other values are not accepted",
        "1",
    ),
    Case(
        "empty boolean",
        set_cell("standards.csv", 3, "outcome_requirement", ""),
        "standards.csv",
        3,
        "outcome_requirement",
        "outcome_requirement may not be empty",
    ),
    Case(
        "empty file",
        write_bytes("unplaced.csv", b""),
        "unplaced.csv",
        None,
        None,
        "the file is empty (0 bytes)",
    ),
    Case(
        "header only",
        write_bytes("unplaced.csv", b"city,region,country,level,notes,sources\n"),
        "unplaced.csv",
        None,
        None,
        "at least one data row, but the file has only a header row",
    ),
    Case(
        "semicolon delimiter",
        transform_bytes("standards.csv", lambda b: b.replace(b",", b";")),
        "standards.csv",
        1,
        None,
        "comma-separated values, but the header is one field split by ';'",
    ),
    Case(
        "tab delimiter",
        transform_bytes("unplaced.csv", lambda b: b.replace(b",", b"\t")),
        "unplaced.csv",
        1,
        None,
        "comma-separated values, but the header is one field split by tabs",
    ),
    Case(
        "non-UTF-8 bytes",
        transform_bytes("unplaced.csv", _latin1),
        "unplaced.csv",
        2,
        None,
        "byte 0xe1 at byte offset",
        "0xe1",
    ),
    Case(
        "extra column",
        add_column("rounds.csv", "comment", "x"),
        "rounds.csv",
        None,
        "comment",
        "'comment' is not one of them",
        "comment",
    ),
    Case(
        "misspelt column",
        rename_column("unplaced.csv", "level", "Level"),
        "unplaced.csv",
        None,
        "Level",
        "column names are lowercase",
        "Level",
        only=False,
    ),
    Case(
        "duplicate column name",
        add_column("unplaced.csv", "notes", "again"),
        "unplaced.csv",
        None,
        "notes",
        "each column once, but 'notes' appears 2 times",
    ),
    Case(
        "negative count",
        set_cell("rounds.csv", 3, "reported_new", "-4"),
        "rounds.csv",
        3,
        "reported_new",
        "a whole number >= 0",
        "-4",
    ),
    Case(
        "fractional count",
        set_cell("rounds.csv", 3, "reported_new", "4.5"),
        "rounds.csv",
        3,
        "reported_new",
        "a whole number written with digits only",
        "4.5",
    ),
    Case(
        "count as a word",
        set_cell("standards.csv", 2, "criteria_count", "fifty"),
        "standards.csv",
        2,
        "criteria_count",
        "a whole number",
        "fifty",
    ),
    Case(
        "malformed round_id",
        set_cell("certifications.csv", 6, "round_id", "2018-1"),
        "certifications.csv",
        6,
        "round_id",
        "a round id YYYY-MM",
        "2018-1",
        only=False,
    ),
    Case(
        "malformed city_id",
        set_cell("certifications.csv", 8, "city_id", "Seattle WA"),
        "certifications.csv",
        8,
        "city_id",
        "a city id slug",
        "Seattle WA",
        only=False,
    ),
    Case(
        "certification without sources",
        set_cell("certifications.csv", 2, "sources", ""),
        "certifications.csv",
        2,
        "sources",
        "sources may not be empty",
    ),
    Case(
        "empty source entry",
        set_cell("rounds.csv", 6, "sources", "https://example.org/a ; "),
        "rounds.csv",
        6,
        "sources",
        "none of them empty",
        "https://example.org/a ; ",
    ),
    Case(
        "too many fields",
        edit_row("certifications.csv", 9, lambda r: r + ["stray"]),
        "certifications.csv",
        9,
        None,
        "11 fields as in the header (too many fields",
        "12 fields",
    ),
    Case(
        "too few fields",
        edit_row("rounds.csv", 7, lambda r: r[:-2]),
        "rounds.csv",
        7,
        None,
        "11 fields as in the header (too few fields",
        "9 fields",
    ),
    Case(
        "unterminated quote",
        transform_bytes("unplaced.csv", lambda b: b.replace(b',"undated city', b',"x"y')),
        "unplaced.csv",
        4,
        None,
        "well-formed CSV",
    ),
    Case(
        "criteria count mismatch (row removed)",
        delete_line("criteria_2022.csv", 44),
        "standards.csv",
        4,
        "criteria_count",
        "42, the number of criteria of standard 2022 listed in criteria_2022.csv",
        "43",
    ),
    Case(
        "criteria count mismatch (count edited)",
        set_cell("standards.csv", 4, "criteria_count", "44"),
        "standards.csv",
        4,
        "criteria_count",
        "43, the number of criteria of standard 2022",
        "44",
    ),
    Case(
        "practice area count mismatch",
        set_cell("standards.csv", 4, "practice_area_count", "9"),
        "standards.csv",
        4,
        "practice_area_count",
        "8, the number of practice areas",
        "9",
    ),
    Case(
        "thresholds not increasing",
        set_cell("standards.csv", 4, "gold_min", "90"),
        "standards.csv",
        4,
        "platinum_min",
        "platinum_min greater than gold_min",
        "85",
    ),
    Case(
        "percent threshold above 100",
        set_cell("standards.csv", 3, "platinum_min", "140"),
        "standards.csv",
        3,
        "platinum_min",
        "between 0 and 100 when tier_rule is percent_of_criteria",
        "140",
    ),
    Case(
        "unknown tier rule",
        set_cell("standards.csv", 2, "tier_rule", "points"),
        "standards.csv",
        2,
        "tier_rule",
        "one of components, percent_of_criteria",
        "points",
    ),
    Case(
        "criteria file of another standard",
        set_cell("criteria_2022.csv", 10, "standard", "2018"),
        "criteria_2022.csv",
        10,
        "standard",
        "'2022', the standard named in the file name",
        "2018",
        only=False,
    ),
    Case(
        "same city_id for another city",
        set_cell("certifications.csv", 11, "city", "Elsewhere"),
        "certifications.csv",
        11,
        "city_id",
        "the same city, region and country on every row of a city_id; "
        "line 2 has Mesa, AZ, United States",
        "mesa-az-us",
    ),
    Case(
        "record after a quoted newline",
        _multiline_notes,
        "certifications.csv",
        4,
        "level",
        "one of Silver, Gold, Platinum",
        "Diamond",
    ),
]


def _matching(problems: list[Problem], case: Case) -> list[Problem]:
    return [
        p
        for p in problems
        if p.file == case.file
        and p.row == case.row
        and p.column == case.column
        and case.expected in p.expected
        and (case.value is _UNSET or p.value == case.value)
    ]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_data_dir_is_reported(tiny_copy: Path, case: Case):
    case.breaker(tiny_copy)
    with pytest.raises(DataValidationError) as info:
        load(tiny_copy)
    problems = info.value.problems
    found = _matching(problems, case)
    assert found, "expected problem not reported; got:\n" + "\n".join(map(str, problems))
    message = str(info.value)
    assert case.file in message and case.expected in message
    if case.only:
        assert all(p.file == case.file for p in problems), "\n".join(map(str, problems))
    assert validate_dir(tiny_copy) == problems


def test_problem_messages_are_one_line_each(tiny_copy: Path):
    _multiline_notes(tiny_copy)
    set_cell("certifications.csv", 2, "level", "Gold\nish")(tiny_copy)
    problems = validate_dir(tiny_copy)
    assert problems and all("\n" not in str(p) for p in problems)


def test_rows_with_wrong_field_counts_are_not_dropped_silently(tiny_copy: Path):
    edit_row("certifications.csv", 20, lambda r: r + ["x"])(tiny_copy)
    problems = validate_dir(tiny_copy)
    assert [p.row for p in problems] == [20]
    with pytest.raises(DataValidationError):
        load_certifications(tiny_copy)


def test_header_out_of_step_with_every_row_is_one_problem(tiny_copy: Path):
    rename_column("unplaced.csv", "sources", "sources,extra")(tiny_copy)
    write_rows(tiny_copy / "unplaced.csv", read_rows(tiny_copy / "unplaced.csv"))
    text = (tiny_copy / "unplaced.csv").read_text(encoding="utf-8")
    (tiny_copy / "unplaced.csv").write_text(
        text.replace('"sources,extra"', "sources,extra"), encoding="utf-8"
    )
    problems = [p for p in validate_dir(tiny_copy) if p.row is not None]
    assert len(problems) == 1
    assert (
        problems[0].row == 1
        and "every data row (lines 2-4, 3 rows) has 6 fields" in problems[0].expected
    )


def test_missing_criteria_files(tiny_copy: Path):
    (tiny_copy / "criteria_2022.csv").unlink()
    problems = validate_dir(tiny_copy)
    assert any(
        "at least one criteria file named criteria_<standard>.csv" in p.expected for p in problems
    )


def test_all_problems_of_all_files_are_reported_at_once(tiny_copy: Path):
    set_cell("certifications.csv", 3, "level", "Bronze")(tiny_copy)
    set_cell("rounds.csv", 5, "announced", "2021-13-01")(tiny_copy)
    set_cell("unplaced.csv", 2, "level", "gold")(tiny_copy)
    set_cell("standards.csv", 4, "gold_min", "90")(tiny_copy)
    set_cell("criteria_2022.csv", 7, "core", "maybe")(tiny_copy)
    edit_row("certifications.csv", 21, lambda r: r[:5])(tiny_copy)
    with pytest.raises(DataValidationError) as info:
        load(tiny_copy)
    got = {(p.file, p.row, p.column) for p in info.value.problems}
    assert got == {
        ("certifications.csv", 3, "level"),
        ("rounds.csv", 5, "announced"),
        ("unplaced.csv", 2, "level"),
        ("standards.csv", 4, "platinum_min"),
        ("criteria_2022.csv", 7, "core"),
        ("certifications.csv", 21, None),
    }
    assert str(info.value).startswith("6 problems found in the input data:")


def test_single_table_loaders_report_their_own_problems(tiny_copy: Path):
    set_cell("certifications.csv", 3, "level", "Bronze")(tiny_copy)
    set_cell("rounds.csv", 3, "standard", "2019")(tiny_copy)
    assert len(load_criteria(tiny_copy)) == 43  # criteria are unaffected
    with pytest.raises(DataValidationError) as info:
        load_rounds(tiny_copy)
    assert [(p.file, p.row, p.column) for p in info.value.problems] == [
        ("rounds.csv", 3, "standard")
    ]


def test_dependency_that_cannot_be_read_is_reported(tiny_copy: Path):
    (tiny_copy / "rounds.csv").unlink()
    with pytest.raises(DataValidationError) as info:
        load_certifications(tiny_copy)
    assert [p.file for p in info.value.problems] == ["rounds.csv"]


# ------------------------------------------------------------------ assessment files

HEADER = ["city_id", "round_id", "criterion", "met", "outcome_met"]


def _codes() -> list[str]:
    return load_criteria(TINY_DIR)["code"].tolist()


def _rows(
    city: str = "testville-tx-us", round_id: str = "2024-01", outcome: str = "true"
) -> list[list[str]]:
    return [
        [city, round_id, code, "true" if i % 2 else "false", outcome]
        for i, code in enumerate(_codes())
    ]


def _set(rows: list[list[str]], i: int, column: str, value: str) -> list[list[str]]:
    rows[i][HEADER.index(column)] = value
    return rows


@dataclass
class AssessmentCase:
    id: str
    header: list[str]
    rows: Callable[[], list[list[str]]]
    row: int | None
    column: str | None
    expected: str
    value: object = _UNSET


ASSESSMENT_CASES = [
    AssessmentCase(
        "duplicate row",
        HEADER,
        lambda: _rows() + [_rows()[3]],
        45,
        "city_id, round_id, criterion",
        "unique (city_id, round_id, criterion), but line 5 has the same values",
    ),
    AssessmentCase(
        "met is 1",
        HEADER,
        lambda: _set(_rows(), 2, "met", "1"),
        4,
        "met",
        "true or false (case-insensitive); 1/0, yes/no",
        "1",
    ),
    AssessmentCase(
        "met is yes",
        HEADER,
        lambda: _set(_rows(), 5, "met", "yes"),
        7,
        "met",
        "true or false",
        "yes",
    ),
    AssessmentCase(
        "met is maybe",
        HEADER,
        lambda: _set(_rows(), 6, "met", "maybe"),
        8,
        "met",
        "true or false",
        "maybe",
    ),
    AssessmentCase(
        "met is empty",
        HEADER,
        lambda: _set(_rows(), 6, "met", ""),
        8,
        "met",
        "met may not be empty",
    ),
    AssessmentCase(
        "unknown criterion",
        HEADER,
        lambda: _rows() + [["testville-tx-us", "2024-01", "XX9", "true", "true"]],
        45,
        "criterion",
        "a criterion code of standard 2022 (the standard of round 2024-01)",
        "XX9",
    ),
    AssessmentCase(
        "missing criterion",
        HEADER,
        lambda: [r for r in _rows() if r[2] not in ("LC3", "CI2")],
        2,
        "criterion",
        "every criterion of standard 2022 once for city testville-tx-us in round 2024-01",
        "LC3, CI2",
    ),
    AssessmentCase(
        "inconsistent outcome_met",
        HEADER,
        lambda: _set(_rows(), 10, "outcome_met", "false"),
        12,
        "outcome_met",
        "outcome_met the same on every row of a (city_id, round_id); line 2 has true",
        "false",
    ),
    AssessmentCase(
        "unknown round",
        HEADER,
        lambda: _rows(round_id="2024-02"),
        2,
        "round_id",
        "a round_id listed in rounds.csv (city testville-tx-us: 43 rows from line 2)",
        "2024-02",
    ),
    AssessmentCase(
        "round whose criteria are not listed",
        HEADER,
        lambda: _rows(round_id="2021-07"),
        2,
        "round_id",
        "round 2021-07 uses standard 2018, which has no criteria_2018.csv",
        "2021-07",
    ),
    AssessmentCase(
        "missing met column",
        ["city_id", "round_id", "criterion", "outcome_met"],
        lambda: [[r[0], r[1], r[2], r[4]] for r in _rows()],
        None,
        "met",
        "a column 'met' in the header",
    ),
    AssessmentCase(
        "non-boolean simulated",
        [*HEADER, "simulated"],
        lambda: [[*r, "no"] for r in _rows()],
        2,
        "simulated",
        "true or false",
        "no",
    ),
    AssessmentCase(
        "bad city_id",
        HEADER,
        lambda: _rows(city="Testville, TX"),
        2,
        "city_id",
        "a city id slug",
        "Testville, TX",
    ),
]


@pytest.mark.parametrize("case", ASSESSMENT_CASES, ids=[c.id for c in ASSESSMENT_CASES])
def test_broken_assessment_file_is_reported(tmp_path: Path, case: AssessmentCase):
    path = tmp_path / "assessments.csv"
    write_rows(path, [case.header, *case.rows()])
    with pytest.raises(DataValidationError) as info:
        load_assessments(path, data_dir=TINY_DIR)
    problems = info.value.problems
    found = [
        p
        for p in problems
        if p.file == str(path)
        and p.row == case.row
        and p.column == case.column
        and case.expected in p.expected
        and (case.value is _UNSET or p.value == case.value)
    ]
    assert found, "expected problem not reported; got:\n" + "\n".join(map(str, problems))


def test_assessment_xlsx_refuses_numbers_as_booleans(tmp_path: Path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for i, row in enumerate(_rows()):
        sheet.append([row[0], row[1], row[2], 1 if i == 4 else row[3] == "true", True])
    workbook.save(tmp_path / "a.xlsx")
    with pytest.raises(DataValidationError) as info:
        load_assessments(tmp_path / "a.xlsx")
    assert [(p.row, p.column, p.value) for p in info.value.problems] == [(6, "met", "1")]


def test_assessment_xls_and_other_formats_are_refused_clearly(tmp_path: Path):
    for name, fragment in (("a.xls", "old Excel .xls format"), ("a.json", "a .csv or .xlsx file")):
        (tmp_path / name).write_bytes(b"not really")
        with pytest.raises(DataValidationError) as info:
            load_assessments(tmp_path / name)
        assert fragment in str(info.value)


def test_corrupt_xlsx_is_a_problem(tmp_path: Path):
    (tmp_path / "a.xlsx").write_bytes(b"this is not a zip file")
    with pytest.raises(DataValidationError) as info:
        load_assessments(tmp_path / "a.xlsx")
    assert "a readable .xlsx workbook" in str(info.value)


def test_shipped_simulated_file_problems_use_relative_name(tiny_copy: Path):
    (tiny_copy / "simulated").mkdir()
    write_rows(
        tiny_copy / "simulated" / "assessments.csv",
        [[*HEADER, "simulated"], *[[*r, "true"] for r in _rows()[1:]]],
    )
    problems = validate_dir(tiny_copy)
    assert [(p.file, p.column) for p in problems] == [("simulated/assessments.csv", "criterion")]
    assert problems[0].value == "DM1"


# ------------------------------------------------------------------ the `wwc validate` command


def test_register_adds_validate_subcommand(tiny_copy: Path, capsys):
    parser = argparse.ArgumentParser(prog="wwc")
    validate_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["validate", str(tiny_copy)])
    assert args.func(args) == 0
    assert "certifications" in capsys.readouterr().out

    break_three_files(tiny_copy)
    args = parser.parse_args(["validate", str(tiny_copy)])
    assert args.func(args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 4 and err[-1].startswith("3 problems found")


def test_validate_missing_directory_exits_1(tmp_path: Path, capsys):
    assert cli_main(["validate", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert "expected an existing data directory" in err and "Traceback" not in err


def test_core_required_but_no_core_criterion(tiny_copy: Path):
    rows = read_rows(tiny_copy / "criteria_2022.csv")
    core = rows[0].index("core")
    not_core = [[*r[:core], "false"] for r in rows[1:]]
    write_rows(tiny_copy / "criteria_2022.csv", [rows[0], *not_core])
    problems = validate_dir(tiny_copy)
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("standards.csv", 4, "core_criteria_required", "true")
    ]
    assert "at least one criterion with core=true in criteria_2022.csv" in problems[0].expected
