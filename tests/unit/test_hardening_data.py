"""Data files that once broke the loader or buried their real error (issue 11): an extra criteria
file of an unlisted standard, a duplicated criterion code with thousands of consequences, control
characters in text cells, Excel formulas and oversized sheets. Each case reproduces the report
that filed it; every message names file, line, column and what was expected."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import TINY_DIR
from tests.csv_edits import read_rows, set_cell, write_rows
from wwc_analysis.cli.app import main
from wwc_analysis.data import load, load_assessments, validate_dir
from wwc_analysis.errors import DataValidationError
from wwc_analysis.simulate import simulate_assessments

HEADER = ["city_id", "round_id", "criterion", "met", "outcome_met"]


def _criteria_of_2030(d: Path) -> None:
    """criteria_2030.csv: the 2022 criteria under a standard that standards.csv does not list."""
    rows = read_rows(d / "criteria_2022.csv")
    write_rows(d / "criteria_2030.csv", [rows[0], *[["2030", *r[1:]] for r in rows[1:]]])


def _with_simulated(d: Path, tiny) -> Path:
    """The tiny copy with SIMULATED assessments of 40 fictional cities in simulated/."""
    (d / "simulated").mkdir()
    path = d / "simulated" / "assessments.csv"
    frame = simulate_assessments(tiny, 40, seed=7)
    frame.assign(**{c: frame[c].map(str).str.lower() for c in ("met", "outcome_met", "simulated")})[
        [*HEADER, "simulated"]
    ].to_csv(path, index=False)
    return path


# ------------------------------------------------------------------ item 1


def test_criteria_of_an_unlisted_standard_is_one_problem(tiny_copy: Path, capsys):
    """It ended in ``TypeError: unhashable type: 'Series'`` (two criteria files share line
    numbers)."""
    _criteria_of_2030(tiny_copy)
    problems = validate_dir(tiny_copy)
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("criteria_2030.csv", 2, "standard", "2030")
    ]
    assert problems[0].expected == (
        "a standard listed in standards.csv (2017, 2018, 2022) (43 rows from line 2)"
    )
    for argv in (["validate", str(tiny_copy)], ["rounds", "--data", str(tiny_copy)]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "criteria_2030.csv:2: column 'standard': value '2030'" in err
        assert "Traceback" not in err and "unexpected" not in err


def test_unlisted_standard_in_one_row_of_a_second_file(tiny_copy: Path):
    _criteria_of_2030(tiny_copy)
    rows = read_rows(tiny_copy / "criteria_2030.csv")
    write_rows(tiny_copy / "criteria_2030.csv", rows)
    set_cell("criteria_2022.csv", 5, "standard", "2030")(tiny_copy)
    problems = validate_dir(tiny_copy)
    assert ("criteria_2022.csv", 5, "standard") in {(p.file, p.row, p.column) for p in problems}
    assert ("criteria_2030.csv", 2, "standard") in {(p.file, p.row, p.column) for p in problems}


# ------------------------------------------------------------------ item 6


def test_duplicated_criterion_code_is_one_line_then_its_consequences_counted(tiny_copy, tiny):
    """It gave one line per city and round (723 of them ending in an empty 'missing: ')."""
    path = _with_simulated(tiny_copy, tiny)
    set_cell("criteria_2022.csv", 4, "code", "DM2")(tiny_copy)  # DM3 -> DM2, line 3's code
    problems = validate_dir(tiny_copy)
    rows, groups = sum(1 for _ in path.open()) - 1, 0
    groups = len(simulate_assessments(tiny, 40, seed=7).groupby(["city_id", "round_id"]))
    assert [(p.file, p.row, p.column) for p in problems] == [
        ("criteria_2022.csv", 4, "standard, code"),
        ("simulated/assessments.csv", None, "criterion"),
    ]
    assert problems[1].expected == (
        "criterion codes checked against criteria_2022.csv, which has problems of its own "
        f"(listed with it): the {rows:,} rows ({groups:,} cities and rounds) of this file were "
        "not checked against the criteria"
    )
    assert not any(str(p).rstrip().endswith("missing:") for p in problems)


def test_a_file_checked_against_broken_criteria_says_so(tiny_copy, tmp_path):
    set_cell("criteria_2022.csv", 4, "code", "DM2")(tiny_copy)
    own = tmp_path / "own.csv"
    write_rows(own, [HEADER, ["testville-tx-us", "2024-01", "DM1", "true", "true"]])
    with pytest.raises(DataValidationError) as info:
        load_assessments(own, tiny_copy)
    assert [(p.file, p.row) for p in info.value.problems] == [
        ("criteria_2022.csv", 4),
        (str(own), None),
    ]


# ------------------------------------------------------------------ item 7


@pytest.mark.parametrize(
    "file, line, column, value",
    [
        ("certifications.csv", 3, "notes", "ok\x1b[2J\x1b[31mred"),
        ("unplaced.csv", 3, "city", "San Nicolás\x00"),
        ("unplaced.csv", 2, "notes", "a\u202eb"),
        ("rounds.csv", 3, "reported_applicants", "bell\x07"),
        ("criteria_2022.csv", 5, "name", "Name\x9b1m"),
    ],
)
def test_control_characters_in_text_are_refused_and_never_printed(
    tiny_copy, capsys, file, line, column, value
):
    set_cell(file, line, column, value)(tiny_copy)
    problems = validate_dir(tiny_copy)
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [(file, line, column, value)]
    assert "control characters" in problems[0].expected
    assert main(["validate", str(tiny_copy)]) == 1
    err = capsys.readouterr().err
    assert f"{file}:{line}: column {column!r}" in err
    assert not any(ch in err for ch in "\x00\x07\x1b\x9b\u202e")


def test_tabs_and_newlines_in_notes_are_text(tiny_copy):
    set_cell("certifications.csv", 3, "notes", "first\tline\r\nsecond line")(tiny_copy)
    assert validate_dir(tiny_copy) == []
    assert "\tline\r\nsecond" in load(tiny_copy).certifications.loc[1, "notes"]


def test_control_character_in_an_assessment_file(tmp_path):
    path = tmp_path / "own.csv"
    shutil.copy(TINY_DIR / "criteria_2022.csv", tmp_path / "c.csv")
    codes = [r[1] for r in read_rows(tmp_path / "c.csv")[1:]]
    rows = [["testville-tx-us", "2024-01", code, "true", "true"] for code in codes]
    rows[3][2] = "DM\x1b4"
    write_rows(path, [HEADER, *rows])
    with pytest.raises(DataValidationError) as info:
        load_assessments(path, TINY_DIR)
    assert (5, "criterion", "DM\x1b4") in {(p.row, p.column, p.value) for p in info.value.problems}
    assert "\x1b" not in str(info.value)


# ------------------------------------------------------------------ items 9 and 10: Excel


def _codes() -> list[str]:
    return [r[1] for r in read_rows(TINY_DIR / "criteria_2022.csv")[1:]]


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "assessments"
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def _city_rows(met: object = True) -> list[list[object]]:
    return [["testville-tx-us", "2024-01", code, met, True] for code in _codes()]


def test_excel_formula_cells_are_named_not_read_as_empty(tmp_path: Path):
    """A formula was read as an empty cell ("met may not be empty")."""
    rows = _city_rows()
    rows[2][3] = "=IF(B2=B3,TRUE,FALSE)"
    rows[5][2] = '=CONCAT("DM","6")'
    path = _workbook(tmp_path / "own.xlsx", [HEADER, *rows])
    with pytest.raises(DataValidationError) as info:
        load_assessments(path, TINY_DIR)
    problems = info.value.problems
    assert [(p.row, p.column, p.value) for p in problems] == [
        (4, "met", "=IF(B2=B3,TRUE,FALSE)"),
        (7, "criterion", '=CONCAT("DM","6")'),
    ]
    assert all("formula" in p.expected and "not evaluated" in p.expected for p in problems)
    assert "may not be empty" not in str(info.value)


def _sparse_sheet(path: Path, last_row: int) -> Path:
    """A valid workbook whose sheet also holds one cell on row ``last_row`` (3 KB on disk)."""
    import zipfile

    source = _workbook(path.with_suffix(".src.xlsx"), [HEADER, *_city_rows()])
    cell = f'<row r="{last_row}"><c r="A{last_row}" t="inlineStr"><is><t>x</t></is></c></row>'
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            data = src.read(name)
            if name.startswith("xl/worksheets/"):
                data = data.replace(b"</sheetData>", cell.encode() + b"</sheetData>")
            out.writestr(name, data)
    return path


def test_excel_sheet_expanding_to_millions_of_rows_is_refused_quickly(tmp_path: Path):
    """A 3.5 MB .xlsx whose sheet expands to 5 M rows ran past 3 minutes."""
    import time

    path = _sparse_sheet(tmp_path / "huge.xlsx", 5_000_000)
    start = time.perf_counter()
    with pytest.raises(DataValidationError) as info:
        load_assessments(path, TINY_DIR)
    assert time.perf_counter() - start < 10
    (problem,) = info.value.problems
    assert problem.row is None
    assert "at most 1,048,576 rows" in problem.expected and "--max-rows" in problem.expected


def test_row_limit_is_an_option(tmp_path: Path, capsys):
    path = tmp_path / "own.csv"
    write_rows(path, [HEADER, *[[*r[:3], "true", "true"] for r in _city_rows()]])
    assert len(load_assessments(path, TINY_DIR)) == 43
    with pytest.raises(DataValidationError) as info:
        load_assessments(path, TINY_DIR, max_rows=40)
    assert "at most 40 rows" in str(info.value)
    xlsx = _workbook(tmp_path / "own.xlsx", [HEADER, *_city_rows()])
    with pytest.raises(DataValidationError, match="at most 40 rows"):
        load_assessments(xlsx, TINY_DIR, max_rows=40)
    for argv in (
        ["score", "--file", str(path), "--data", str(TINY_DIR), "--max-rows", "40"],
        ["validate", str(TINY_DIR), "--assessments", str(path), "--max-rows", "40"],
    ):
        assert main(argv) == 1
        assert "at most 40 rows" in capsys.readouterr().err
    assert main(["score", "--file", str(path), "--data", str(TINY_DIR), "--max-rows", "43"]) == 0


def test_excel_rows_beyond_the_declared_range_are_read(tmp_path: Path):
    """Streaming trusts the sheet's declared range unless told otherwise: a row below it would be
    dropped without a word."""
    path = _sparse_sheet(tmp_path / "longer.xlsx", 60)
    with pytest.raises(DataValidationError) as info:
        load_assessments(path, TINY_DIR)
    assert 60 in {p.row for p in info.value.problems}


def test_row_limit_applies_to_the_tables_of_the_folder(tiny_copy: Path, capsys):
    assert main(["validate", str(tiny_copy), "--max-rows", "20"]) == 1
    err = capsys.readouterr().err
    assert "certifications.csv: expected at most 20 rows of data" in err
    assert main(["validate", str(tiny_copy), "--max-rows", "43"]) == 0


def test_every_command_reading_the_folder_honours_max_rows(tiny_reach_copy: Path, capsys, tiny):
    """The message about a table over the limit names --max-rows: every command that reads the
    folder takes the option and applies it to the folder's tables (score and whatif read them
    with the default limit; reach, diff and robustness had no option)."""
    folder = str(tiny_reach_copy)
    population = tiny_reach_copy.parent / "assessments.csv"
    simulate_assessments(tiny, 5, seed=1).to_csv(population, index=False)  # 258 rows
    spec = tiny_reach_copy.parent / "spec.yaml"
    spec.write_text("uncertain: {outcome: 0.5}\nsamples: 8\nsensitivity: false\n")
    commands = [
        ["score", "--met", "DM1", "--data", folder],
        ["reach", "--year", "2025", "--data", folder],
        ["diff", str(TINY_DIR), folder],
        ["robustness", "--file", str(spec), "--data", folder, "--assessments", str(population)],
    ]
    for argv in commands:
        assert main([*argv, "--max-rows", "21"]) == 1, argv
        err = capsys.readouterr().err
        assert "certifications.csv: expected at most 21 rows of data" in err, argv
        assert main([*argv, "--max-rows", "1000"]) == 0, (argv, capsys.readouterr().err)
        capsys.readouterr()
    robustness = commands[-1][:-2] + ["--assessments", str(population), "--max-rows", "100"]
    assert main(robustness) == 1
    assert "assessments.csv: expected at most 100 rows of data" in capsys.readouterr().err
