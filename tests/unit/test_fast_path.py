"""The fast path of loading (issue 11, item 15) gives the slow path's answer, or none.

``read_fast`` (pandas' C parser, the schema's checks in bulk, on codes) may only return a table that
``read_slow`` (record by record, every problem at its line) reads identically and without any
problem; at the first doubt it returns ``None`` and the slow path answers. These tests hold the two
paths to that on files broken at random, byte by byte and cell by cell, and on the quoting corner
cases where pandas and Python's csv module disagree. Figures of speed: benchmarks/bench_load.py.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import TINY_DIR
from tests.csv_edits import read_rows, write_rows
from tests.unit.test_bad_input import ASSESSMENT_CASES
from tests.unit.test_bad_input import CASES as BAD_CASES
from wwc_analysis.data import load_assessments, validate_dir
from wwc_analysis.data.convert import convert
from wwc_analysis.data.cross import check_assessments
from wwc_analysis.data.fastread import fast_raw_frame
from wwc_analysis.data.read import DEFAULT_MAX_ROWS, csv_records, raw_frame
from wwc_analysis.data.schema_check import schema_problems
from wwc_analysis.data.table import Reader, read_fast, read_slow, read_table

#: Cell values that have tripped CSV readers, converters or checks.
AWKWARD = [
    "",
    " ",
    "true",
    "TRUE",
    " false ",
    "1",
    "yes",
    "012",
    "1e5",
    "Gold",
    "gold",
    " Gold",
    "2018-01",
    "2018-1",
    "a,b",
    'a"b',
    '"',
    '""',
    "a\nb",
    "a\r\nb",
    "a\rb",
    "tab\there",
    "nul\x00",
    "esc\x1b[31m",
    "caf\u00e9",
    "\ufeffbom",
    "x" * 300,
    "https://example.org/a ; ",
    "; https://example.org/a",
    "NA",
    "nan",
    "None",
]
BYTES = [b'"', b",", b"\n", b"\r", b"\r\n", b"\x00", b" ", b'""', b"\xff", b"\xc3", b"\n\n"]


def _both(path: Path, table: str) -> tuple[object, object]:
    name = path.name
    return read_fast(table, path, name, DEFAULT_MAX_ROWS), read_slow(table, path, name, 10**9)


def _assert_same_or_none(path: Path, table: str) -> bool:
    """``read_table`` (fast path first) gives the slow path's table: the same problems, frame and
    completeness; ``read_fast`` is ``None`` or that table without a problem. True if fast."""
    fast, slow = _both(path, table)
    found = read_table(table, path, path.name, DEFAULT_MAX_ROWS)
    assert found.problems == slow.problems
    if slow.frame is not None:  # pandera cut down to the failing checks finds the same problems
        assert _schema_problems_both_ways(path, table)
    assert found.complete == slow.complete
    if slow.frame is None:
        assert found.frame is None
    else:
        pd.testing.assert_frame_equal(found.frame, slow.frame)
    if fast is None:
        return False
    assert slow.problems == [], "fast path accepted a file the slow path refuses"
    assert slow.complete and fast.complete
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    return True


def _schema_problems_both_ways(path: Path, table: str) -> bool:
    records, _ = csv_records(path, path.name, 10**9)
    raw, _ = raw_frame(records, table, path.name)
    typed, _, bad, kept = convert(raw, table, path.name)
    full = schema_problems(typed, raw, table, path.name, bad, kept, reduce=False)
    reduced = schema_problems(typed, raw, table, path.name, bad, kept)
    assert Counter(reduced) == Counter(full)  # (pandera's order within a cell varies)
    return True


def _write(path: Path, rows: list[list[str]], how: dict) -> None:
    text = io.StringIO()
    quoting = csv.QUOTE_ALL if how["quote_all"] else csv.QUOTE_MINIMAL
    csv.writer(text, lineterminator=how["newline"], quoting=quoting).writerows(rows)
    data = text.getvalue().encode("utf-8")
    data = data if how["last_newline"] else data.rstrip(b"\r\n")
    for position, insert in how["inserts"]:
        at = position % (len(data) + 1)
        data = data[:at] + insert + data[at:]
    path.write_bytes((b"\xef\xbb\xbf" if how["bom"] else b"") + data)


_HOW = st.fixed_dictionaries(
    {
        "quote_all": st.booleans(),
        "newline": st.sampled_from(["\n", "\r\n"]),
        "last_newline": st.booleans(),
        "bom": st.booleans(),
        "inserts": st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(BYTES)), max_size=2),
    }
)
_EDITS = st.lists(
    st.tuples(
        st.integers(0, 10**3),
        st.integers(0, 20),
        st.one_of(st.sampled_from(AWKWARD), st.text(max_size=6)),
    ),
    max_size=3,
)


@pytest.mark.parametrize(
    "file, table",
    [
        ("certifications.csv", "certifications"),
        ("rounds.csv", "rounds"),
        ("unplaced.csv", "unplaced"),
        ("criteria_2022.csv", "criteria"),
    ],
)
@given(edits=_EDITS, how=_HOW, duplicate=st.booleans())
def test_fast_path_gives_the_slow_answer_or_none(
    tmp_path_factory, file, table, edits, how, duplicate
):
    rows = read_rows(TINY_DIR / file)
    for row, column, value in edits:
        if len(rows) > 1:
            target = rows[1 + row % (len(rows) - 1)]
            target[column % len(target)] = value
    if duplicate:
        rows.append(list(rows[-1]))
    path = tmp_path_factory.mktemp("fast") / file
    _write(path, rows, how)
    _assert_same_or_none(path, table)


def _assessment_rows(outcome: str = "true") -> list[list[str]]:
    codes = [r[1] for r in read_rows(TINY_DIR / "criteria_2022.csv")[1:]]
    header = ["city_id", "round_id", "criterion", "met", "outcome_met", "simulated"]
    rows = [header]
    for city in ("sim-1", "sim-2"):
        for i, code in enumerate(codes):
            rows.append([city, "2024-01", code, "true" if i % 3 else "FALSE", outcome, "true"])
    return rows


@given(edits=_EDITS, how=_HOW, drop=st.integers(0, 200), duplicate=st.booleans())
def test_assessments_fast_path_and_its_checks_agree(tmp_path_factory, edits, how, drop, duplicate):
    rows = _assessment_rows()
    for row, column, value in edits:
        target = rows[1 + row % (len(rows) - 1)]
        target[column % len(target)] = value
    if drop < len(rows) - 1:
        del rows[1 + drop]
    if duplicate:
        rows.append(list(rows[-1]))
    path = tmp_path_factory.mktemp("fast") / "assessments.csv"
    _write(path, rows, how)
    if not _assert_same_or_none(path, "assessments"):
        return
    fast, slow = _both(path, "assessments")
    reader = Reader(TINY_DIR)
    assert check_assessments(reader, fast) == check_assessments(reader, slow)


@pytest.mark.parametrize(
    "body",
    [
        b'"a","b"\n',
        b'"a""b",c\n',
        b'"a""",c\n',
        b'"""a",c\n',
        b'"""",c\n',
        b'"",c\n',
        b'"a"b,c\n',
        b'a"b,c\n',
        b'a"",c\n',
        b'"a,""b",c\n',
        b'"a\nb",c\n',
        b'"a" ,c\n',
        b' "a",c\n',
        b'"a,b\n',
        b'a,"b"\r\n',
        b'a,"b"\rc,d\n',
        b'"a""b"",c\n',
        b'"a"b",c\n',
        b'"a"b"c",d\n',
        b'"a""b"c",d\n',
        b"a,b\nc\n",
        b"a,b\nc,d,e\nf\n",
        b'"a","b","c"\n',
        b"a,b,c\n",
        b"a\n",
        b"a,b\n\n",
        b"a,b\n ,\n",
    ],
)
def test_quoting_corner_cases(tmp_path, body):
    """Each body is one or two rows of two fields (then four empty ones) of unplaced.csv."""
    path = _unplaced(tmp_path, body)
    fast = fast_raw_frame(path, "unplaced", DEFAULT_MAX_ROWS)
    if fast is None:
        return
    records, problems = csv_records(path, "t.csv")
    raw, header_problems = raw_frame(records, "unplaced", "t.csv")
    assert [p for p in problems + header_problems if p.column is None] == []
    pd.testing.assert_frame_equal(fast.astype(object), raw, check_dtype=False)


def _unplaced(tmp_path: Path, body: bytes) -> Path:
    """unplaced.csv whose rows are ``body``'s lines, each followed by four empty fields."""
    path = tmp_path / "t.csv"
    lines = body.split(b"\n")
    widened = b"\n".join(
        line[:-1] + b",,,,\r" if line.endswith(b"\r") else line + b",,,," if line else line
        for line in lines
    )
    path.write_bytes(b"city,region,country,level,notes,sources\n" + widened)
    return path


@pytest.mark.parametrize("body", [b'"a","b"\n', b'"a""b",c\n', b'"""",c\n', b'"",c\n', b"a,b\n"])
def test_well_formed_quoting_takes_the_fast_path(tmp_path, body):
    assert fast_raw_frame(_unplaced(tmp_path, body), "unplaced", DEFAULT_MAX_ROWS) is not None


@pytest.mark.parametrize("case", BAD_CASES, ids=[c.id for c in BAD_CASES])
def test_every_broken_file_of_the_bad_input_suite_goes_the_slow_way(tiny_copy, case):
    """Each file of a broken copy of the tiny record: refused by the slow path, the fast one
    declines; accepted, both give the same frame."""
    case.breaker(tiny_copy)
    for path in sorted(tiny_copy.glob("*.csv")):
        table = "criteria" if path.name.startswith("criteria_") else path.stem
        _assert_same_or_none(path, table)


@pytest.mark.parametrize(
    "case", ASSESSMENT_CASES, ids=[c.id for c in ASSESSMENT_CASES]
)  # fmt: skip
def test_every_broken_assessment_file_goes_the_slow_way(tmp_path, case):
    path = tmp_path / "assessments.csv"
    write_rows(path, [case.header, *case.rows()])
    accepted = _assert_same_or_none(path, "assessments")
    fast, slow = _both(path, "assessments")
    reader = Reader(TINY_DIR)
    assert slow.problems or check_assessments(reader, slow)  # broken alone or against the data
    if accepted:
        assert check_assessments(reader, fast) == check_assessments(reader, slow)


def test_plain_files_take_the_fast_path(tmp_path):
    for file, table in (("certifications.csv", "certifications"), ("unplaced.csv", "unplaced")):
        assert read_fast(table, TINY_DIR / file, file, DEFAULT_MAX_ROWS) is not None
    path = tmp_path / "own.csv"
    path.write_bytes("\n".join(",".join(row) for row in _assessment_rows()).encode("utf-8") + b"\n")
    table = read_fast("assessments", path, "own.csv", DEFAULT_MAX_ROWS)
    assert table is not None and table.complete and table.problems == []
    assert set(table.factors) >= {"city_id", "round_id", "criterion"}
    assert check_assessments(Reader(TINY_DIR), table) == []
    frame = load_assessments(path, TINY_DIR)
    assert len(frame) == 86 and frame.attrs["simulated"]


def test_a_problem_in_a_large_file_keeps_its_line(tmp_path):
    """The fast path declines, the slow one names file, line, column and value."""
    rows = _assessment_rows()
    rows[60][3] = "maybe"
    path = tmp_path / "own.csv"
    path.write_bytes(b"\n".join(",".join(r).encode() for r in rows) + b"\n")
    assert read_fast("assessments", path, "own.csv", DEFAULT_MAX_ROWS) is None
    problems = validate_dir(TINY_DIR, path)
    assert [(p.row, p.column, p.value) for p in problems] == [(61, "met", "maybe")]


def test_a_field_longer_than_the_csv_module_reads_goes_the_slow_way(tmp_path):
    """Python's reader refuses a field over ``csv.field_size_limit()`` characters; pandas would
    read it: the fast path declines, the slow one names the line."""
    path = _unplaced(tmp_path, b"a," + b"x" * (csv.field_size_limit() + 10) + b"\n")
    assert fast_raw_frame(path, "unplaced", DEFAULT_MAX_ROWS) is None
    records, found = csv_records(path, "t.csv")
    assert [p.row for p in found] == [2] and "field larger than field limit" in found[0].expected


@given(st.lists(st.text(alphabet=" ;\tab\x00", max_size=8), max_size=6))
def test_sources_checked_all_at_once_as_one_by_one(values):
    from wwc_analysis.data.schemas import _sources_ok, all_sources_ok

    one_by_one = all(_sources_ok(v) for v in values)
    if any("\x00" in v for v in values):  # not checked at once: the caller tests each
        assert not all_sources_ok(values)
    else:
        assert all_sources_ok(values) == one_by_one


def test_a_quoted_field_over_several_lines_keeps_the_line_its_record_starts_on(tmp_path):
    """Multi-line notes are plain too: the fast path numbers records as the slow path does."""
    path = tmp_path / "t.csv"
    path.write_bytes(
        b"city,region,country,level,notes,sources\n"
        b'"first\nsecond\r\nthird",,x,,,s\nnext,,y,,,s\n"a\nb",,z,,,s\n'
    )
    fast = fast_raw_frame(path, "unplaced", DEFAULT_MAX_ROWS)
    assert fast is not None
    assert list(fast.index) == [2, 5, 6]
    assert fast.loc[2, "city"] == "first\nsecond\r\nthird"
    records, _ = csv_records(path, "t.csv")
    assert [line for line, _ in records[1:]] == [2, 5, 6]
