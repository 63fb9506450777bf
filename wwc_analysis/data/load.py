"""Load and validate the data files: one loader per table, ``load()`` for all of them.

Every loader reads its file as text first, so that a problem can quote the exact raw value and the line
it is on, then converts each column to the dtype of :data:`wwc_analysis.schemas.COLUMNS`, validates the
typed frame with the pandera schema (``lazy=True``) and runs the checks that span tables (foreign keys,
criteria counts, assessment completeness). Every failure becomes a :class:`~wwc_analysis.errors.Problem`;
all of them are raised together in one :class:`~wwc_analysis.errors.DataValidationError`. Nothing is
dropped silently: each data row of a file is either in the returned frame or named in a problem.

Conventions of the files (see ``data/README.md``):

- UTF-8 (a leading byte-order mark is accepted), comma-separated, one header row, standard ``"``
  quoting. Columns may come in any order; the returned frame has the order of ``COLUMNS``. Blank lines
  are skipped.
- ``row`` in a problem is the line number in the file as an editor shows it (header = line 1, first
  data row = line 2; a quoted field spanning several lines counts all its lines, and the row is the
  line on which the record starts). For Excel files it is the worksheet row number.
- An empty cell means *missing* (``<NA>``), never zero. Surrounding blanks are ignored in number,
  boolean, date and level cells; text cells are kept verbatim.
- Booleans are ``true``/``false`` in any case (and real booleans in Excel); ``1``/``0``, ``yes``/``no``
  and anything else are refused, never coerced. Integers are digits only (``12``, not ``12.0``). Dates
  are ISO ``YYYY-MM-DD``. Levels are ``Silver``, ``Gold``, ``Platinum`` (case-sensitive) or empty.

The criteria are read from every ``criteria_<standard>.csv`` of the directory (``criteria_2022.csv``
in the shipped data); each file holds the criteria of the standard named in its file name.

Nothing here writes to the data directory.
"""

from __future__ import annotations

import codecs
import copy
import csv
import gc
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from wwc_analysis.data import paths
from wwc_analysis.data.schemas import (
    COLUMNS,
    DATETIME,
    OPTIONAL_COLUMNS,
    ROW_CHECK_COLUMN,
    SAME_CITY_EXPECTED,
    SAME_OUTCOME_EXPECTED,
    SCHEMAS,
    STRING,
)
from wwc_analysis.errors import DataValidationError, Problem

#: File name of each single-file table, relative to the data directory.
FILES: dict[str, str] = {
    "standards": "standards.csv",
    "rounds": "rounds.csv",
    "certifications": "certifications.csv",
    "unplaced": "unplaced.csv",
}
#: Criteria files: one per standard, ``criteria_<standard>.csv``.
CRITERIA_GLOB = "criteria_*.csv"
CRITERIA_NAME = re.compile(r"^criteria_(?P<standard>.+)\.csv$")
#: The simulated assessments that ``load()`` picks up when present.
ASSESSMENTS_FILE = "simulated/assessments.csv"
#: Order in which tables (and their problems) are reported.
TABLE_ORDER = ("standards", "criteria", "rounds", "certifications", "unplaced", "assessments")

_MAX_ENCODING_PROBLEMS = 10
_INT_RE = re.compile(r"^[+-]?\d+$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BOOLS = {"true": True, "false": False}
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class Dataset:
    """All tables of a data directory, validated and typed (see ``docs/architecture.md``).

    ``assessments`` is ``None`` when the directory has no ``simulated/assessments.csv``.
    """

    criteria: pd.DataFrame
    standards: pd.DataFrame
    rounds: pd.DataFrame
    certifications: pd.DataFrame
    unplaced: pd.DataFrame
    assessments: pd.DataFrame | None
    data_dir: Path


# --------------------------------------------------------------------------------------------------
# Reading a file into raw records
# --------------------------------------------------------------------------------------------------


@dataclass
class _Table:
    """One table as read: typed frame indexed by line number (``None`` if unreadable) and problems."""

    name: str
    file: str
    frame: pd.DataFrame | None
    problems: list[Problem] = field(default_factory=list)
    #: every data row of the file is in ``frame`` (no unreadable or malformed row)
    complete: bool = False

    def usable(self, *columns: str) -> pd.DataFrame | None:
        """The frame, if complete and holding ``columns``: safe to check other tables against."""
        if self.complete and _has(self.frame, *columns):
            return self.frame
        return None


def _decode(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """Decode UTF-8 (BOM allowed); on failure, one problem per invalid byte sequence (line, offset)."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    problems: list[Problem] = []
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    count = 0
    while start < len(data):
        try:
            data[start:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            offset = start + exc.start
            bad = data[offset : start + exc.end]
            count += 1
            if count <= _MAX_ENCODING_PROBLEMS:
                line = data.count(b"\n", 0, offset) + 1
                in_line = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
                problems.append(
                    Problem(
                        file,
                        line,
                        None,
                        "0x" + bad.hex(),
                        f"UTF-8 text: byte {'0x' + bad[:1].hex()} at byte offset {offset} of the file "
                        f"(byte {in_line} of line {line}) is not valid UTF-8; save the file as UTF-8",
                    )
                )
            start = start + exc.end
    if count > _MAX_ENCODING_PROBLEMS:
        problems.append(
            Problem(
                file,
                None,
                None,
                None,
                f"UTF-8 text: {count - _MAX_ENCODING_PROBLEMS} more invalid byte sequences not listed",
            )
        )
    return None, problems


def _csv_records(path: Path, file: str) -> tuple[list[tuple[int, list[str]]] | None, list[Problem]]:
    """Records of a CSV file as ``(line, fields)``; ``None`` when the file cannot be read at all."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(file, None, None, None, f"the file to exist (not found: {path})")]
    except IsADirectoryError:
        return None, [Problem(file, None, None, None, f"a file, but {path} is a directory")]
    except OSError as exc:
        return None, [Problem(file, None, None, None, f"a readable file ({exc.strerror or exc})")]
    if not data:
        return None, [
            Problem(
                file,
                None,
                None,
                None,
                "a header row and data rows, but the file is empty (0 bytes)",
            )
        ]
    text, problems = _decode(data, file)
    if text is None:
        return None, problems
    records: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous = 0
    try:
        for fields in reader:
            start, previous = previous + 1, reader.line_num
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # blank line: no data
            records.append((start, fields))
    except csv.Error as exc:
        problems.append(
            Problem(
                file,
                previous + 1,
                None,
                None,
                f"well-formed CSV with standard double-quote quoting ({exc}); "
                "this record and everything after it could not be read",
            )
        )
    return records, problems


def _cell_text(value: object) -> str:
    """An Excel cell as the text a CSV file would hold (real booleans become true/false)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value)


def _excel_records(
    path: Path, file: str
) -> tuple[list[tuple[int, list[str]]] | None, list[Problem]]:
    """Records of the ``assessments`` sheet (or the first sheet) as ``(excel row, fields)``."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not path.exists():
        return None, [Problem(file, None, None, None, f"the file to exist (not found: {path})")]
    try:
        workbook = load_workbook(path, read_only=False, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        return None, [Problem(file, None, None, None, f"a readable .xlsx workbook ({exc})")]
    try:
        names = workbook.sheetnames
        sheet = workbook["assessments"] if "assessments" in names else workbook.worksheets[0]
        records = []
        for number, row in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            fields = [_cell_text(v) for v in row]
            while fields and not fields[-1].strip():
                fields.pop()
            if fields:
                records.append((number, fields))
    finally:
        workbook.close()
    if not records:
        return None, [
            Problem(file, None, None, None, "a header row and data rows, but the sheet is empty")
        ]
    return records, []


def _raw_frame(
    records: list[tuple[int, list[str]]], table: str, file: str, excel: bool = False
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Check the header and field counts; return the raw strings of the known columns, index = line."""
    columns = COLUMNS[table]
    optional = OPTIONAL_COLUMNS.get(table, {})
    problems: list[Problem] = []
    if not records:
        return None, [Problem(file, None, None, None, "a header row, but the file has no content")]
    header_line, header = records[0]
    if len(header) == 1:
        for sep, label in ((";", "';'"), ("\t", "tabs")):
            if sep in header[0]:
                return None, [
                    Problem(
                        file,
                        header_line,
                        None,
                        header[0][:60],
                        f"comma-separated values, but the header is one field split by {label}; "
                        "save the file with ',' as the delimiter",
                    )
                ]
    expected_list = ", ".join(columns)
    position: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in position:
            continue
        position[name] = i
        if header.count(name) > 1:
            problems.append(
                Problem(
                    file,
                    None,
                    name,
                    name,
                    f"each column once, but {name!r} appears {header.count(name)} times in the header",
                )
            )
        if name not in columns:
            hint = ""
            if name.strip() in columns:
                hint = " (it has blanks around the name)"
            elif name.lower() in columns:
                hint = " (column names are lowercase)"
            problems.append(
                Problem(
                    file,
                    None,
                    name,
                    name,
                    f"only the columns {expected_list}; {name!r} is not one of them{hint}",
                )
            )
    for name in columns:
        if name not in position and name not in optional:
            problems.append(
                Problem(
                    file,
                    None,
                    name,
                    None,
                    f"a column {name!r} in the header (required columns: "
                    f"{', '.join(c for c in columns if c not in optional)})",
                )
            )
    if len(records) == 1:
        problems.append(
            Problem(
                file, None, None, None, "at least one data row, but the file has only a header row"
            )
        )
    width = len(header)
    data = records[1:]
    if excel:
        data = [(line, fields + [""] * (width - len(fields))) for line, fields in data]
    counts = {len(fields) for _, fields in data}
    if len(data) > 1 and len(counts) == 1 and width not in counts:
        (count,) = counts
        first, last = data[0][0], data[-1][0]
        problems.append(
            Problem(
                file,
                header_line,
                None,
                f"{width} header fields",
                f"a header with as many fields as the data rows: every data row (lines {first}-{last}, "
                f"{len(data)} rows) has {count} fields; none was read",
            )
        )
        data = []
    if counts - {width}:
        for line, fields in data:
            if len(fields) != width:
                what = "too many" if len(fields) > width else "too few"
                problems.append(
                    Problem(
                        file,
                        line,
                        None,
                        f"{len(fields)} fields",
                        f"{width} fields as in the header ({what} fields: a comma or quote is "
                        "probably missing or extra); the row was not read",
                    )
                )
        data = [(line, fields) for line, fields in data if len(fields) == width]
    lines = [line for line, _ in data]
    rows = [fields for _, fields in data]
    by_position = list(zip(*rows)) if rows else [()] * width
    known = {name: by_position[i] for name, i in position.items() if name in columns}
    raw = pd.DataFrame(known, index=pd.Index(lines, name="line"), dtype=object)
    return raw, problems


# --------------------------------------------------------------------------------------------------
# Converting raw strings to typed columns
# --------------------------------------------------------------------------------------------------


_BAD = object()  # a value that does not convert
_INT_LIMIT = 2**63


def _parse_int(text: str) -> object:
    if not _INT_RE.match(text):
        return _BAD
    value = int(text)
    return value if -_INT_LIMIT < value < _INT_LIMIT else _BAD


def _parse_date(text: str) -> object:
    if not _DATE_RE.match(text):
        return _BAD
    try:
        return datetime.strptime(text, "%Y-%m-%d")
    except ValueError:  # e.g. 2019-02-30
        return _BAD


def _converter(dtype: object) -> tuple[Callable[[str], object], str]:
    """How to convert one stripped, non-empty cell of ``dtype``, and what a refusal says."""
    if isinstance(dtype, pd.CategoricalDtype):
        categories = [str(c) for c in dtype.categories]
        allowed = frozenset(categories)
        return (
            lambda t: t if t in allowed else _BAD,
            f"one of {', '.join(categories)} (case-sensitive), or empty if not known",
        )
    if dtype in ("int64", "Int64"):
        return _parse_int, "a whole number written with digits only (e.g. 12)"
    if dtype == "bool":
        return (
            lambda t: _BOOLS.get(t.lower(), _BAD),
            "true or false (case-insensitive); 1/0, yes/no and other values are not accepted",
        )
    if dtype == DATETIME:
        return _parse_date, "an ISO date YYYY-MM-DD that exists in the calendar (e.g. 2024-01-23)"
    raise TypeError(f"no conversion for dtype {dtype!r}")  # pragma: no cover


def _typed_array(dtype: object, values: list[object]) -> object:
    """A pandas array of ``dtype`` (its nullable form for int64/bool) from converted values or None."""
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Categorical(values, dtype=dtype)
    if dtype in ("int64", "Int64"):
        return pd.array(values, dtype="Int64")
    if dtype == "bool":
        return pd.array(values, dtype="boolean")
    return pd.to_datetime(pd.Series(values, dtype=object)).astype(DATETIME).array


def _convert(
    raw: pd.DataFrame, table: str, file: str
) -> tuple[pd.DataFrame, list[Problem], set[tuple[int, str]], set[str]]:
    """Typed frame (index = line), conversion problems, the cells they concern, nullable fallbacks.

    Each distinct raw value is converted once. A cell that cannot be converted becomes missing and is
    reported; a non-nullable column that ends up with missing values keeps its nullable counterpart
    (``Int64``, ``boolean``) so that the schema reports its empty cells as such.
    """
    problems: list[Problem] = []
    bad: set[tuple[int, str]] = set()
    kept_nullable: set[str] = set()
    typed: dict[str, object] = {}
    optional = OPTIONAL_COLUMNS.get(table, {})
    for column, dtype in COLUMNS[table].items():
        if column not in raw.columns:
            if column in optional:
                typed[column] = pd.Series(optional[column], index=raw.index, dtype=dtype)
            continue
        values = raw[column].astype(object)
        if dtype is STRING:
            typed[column] = values.where(values != "", None).astype(STRING)
            continue
        convert, expected = _converter(dtype)
        codes, uniques = pd.factorize(values)
        converted: list[object] = []
        refused = np.zeros(len(uniques), dtype=bool)
        for i, value in enumerate(uniques):
            text = str(value).strip()
            result = None if text == "" else convert(text)
            if result is _BAD:
                refused[i], result = True, None
            converted.append(result)
        for line, value in raw.loc[refused[codes], column].items():
            problems.append(Problem(file, int(line), column, value, expected))
            bad.add((int(line), column))
        series = pd.Series(_typed_array(dtype, converted).take(codes), index=raw.index)
        if dtype in ("int64", "bool"):
            if series.isna().any():
                kept_nullable.add(column)
            else:
                series = series.astype(dtype)
        typed[column] = series
    frame = pd.DataFrame(typed, index=raw.index)
    return frame, problems, bad, kept_nullable


# --------------------------------------------------------------------------------------------------
# Schema validation and translation of pandera failures
# --------------------------------------------------------------------------------------------------


def _raw_value(raw: pd.DataFrame, line: object, column: str | None, fallback: object) -> object:
    if column is not None and column in raw.columns and line in raw.index:
        value = raw.at[line, column]
        return None if value == "" else value
    if fallback is None or (not isinstance(fallback, str) and pd.isna(fallback)):
        return None
    return str(fallback)


def _schema_problems(
    typed: pd.DataFrame,
    raw: pd.DataFrame,
    table: str,
    file: str,
    bad: set[tuple[int, str]],
    kept_nullable: set[str],
) -> list[Problem]:
    """Validate ``typed`` with the table's schema and translate every failure case into a Problem."""
    schema = SCHEMAS[table]
    key = list(schema.unique or [])
    if key and not all(c in typed.columns for c in key):
        schema = _without_unique(schema)
        key = []
    try:
        schema.validate(typed, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    problems: list[Problem] = []
    seen: set[tuple[str, object]] = set()
    cache: dict = {}  # first line of each key group, for the messages
    duplicated: set[int] = set()
    for case in cases.itertuples(index=False):
        check = str(case.check)
        column = None if case.column is None or pd.isna(case.column) else str(case.column)
        index = case.index
        line = (
            None if index is None or (not isinstance(index, str) and pd.isna(index)) else int(index)
        )
        if check in ("column_in_dataframe", "column_in_schema"):
            continue  # reported with clearer words by the header check
        if check.startswith("dtype(") and column in kept_nullable:
            continue  # the empty or refused cells are reported one by one
        if check == "not_nullable":
            if line is not None and (line, column) in bad:
                continue
            problems.append(
                Problem(file, line, column, None, f"a value: {column} may not be empty")
            )
            continue
        if check == "multiple_fields_uniqueness":
            if line is not None:
                duplicated.add(line)
            continue
        if check in ROW_CHECK_COLUMN:
            if (check, line) in seen:
                continue
            seen.add((check, line))
            target = ROW_CHECK_COLUMN[check]
            if line is not None and (line, target) in bad:
                continue
            detail = _ROW_CHECK_DETAIL.get(check)
            expected = check + (detail(typed, line, cache) if detail and line is not None else "")
            problems.append(
                Problem(file, line, target, _raw_value(raw, line, target, None), expected)
            )
            continue
        if line is None:
            problems.append(
                Problem(file, None, column, _raw_value(raw, None, None, case.failure_case), check)
            )
            continue
        if (line, column) in bad:
            continue
        problems.append(
            Problem(file, line, column, _raw_value(raw, line, column, case.failure_case), check)
        )
    if duplicated:  # one problem per repeated key, translated in bulk (there may be thousands)
        lines = sorted(duplicated)
        keys = typed.loc[lines, key].astype(object)
        firsts = _first_lines(typed, tuple(key), cache).loc[lines]
        for line, values, first in zip(lines, keys.itertuples(index=False), firsts):
            if any(pd.isna(v) for v in values):
                continue  # an empty key cell is reported as such
            shown = ", ".join(f"{c}={v}" for c, v in zip(key, values))
            problems.append(
                Problem(
                    file,
                    line,
                    ", ".join(key),
                    shown,
                    f"a unique ({', '.join(key)}), but line {int(first)} has the same values",
                )
            )
    return problems


def _first_lines(typed: pd.DataFrame, key: tuple[str, ...], cache: dict) -> pd.Series:
    """For each line, the first line with the same ``key`` values (computed once per key in ``cache``)."""
    if key not in cache:
        lines = pd.Series(typed.index, index=typed.index)
        groups = [typed[c].astype(object).fillna("\x00") for c in key]
        cache[key] = lines.groupby(groups, sort=False).transform("first")
    return cache[key]


def _first_of_group(typed: pd.DataFrame, line: int, key: list[str], cache: dict) -> int:
    """Line of the first row sharing ``key`` with the row on ``line``."""
    return int(_first_lines(typed, tuple(key), cache)[line])


def _same_city_detail(typed: pd.DataFrame, line: int, cache: dict) -> str:
    first = _first_of_group(typed, line, ["city_id"], cache)
    names = ", ".join(
        "" if pd.isna(v) else str(v) for v in typed.loc[first, ["city", "region", "country"]]
    )
    return f"; line {first} has {names}"


def _same_outcome_detail(typed: pd.DataFrame, line: int, cache: dict) -> str:
    first = _first_of_group(typed, line, ["city_id", "round_id"], cache)
    value = typed.at[first, "outcome_met"]
    return f"; line {first} has {str(value).lower()}"


#: Extra words for a row-check failure, naming the row it disagrees with.
_ROW_CHECK_DETAIL = {
    SAME_CITY_EXPECTED: _same_city_detail,
    SAME_OUTCOME_EXPECTED: _same_outcome_detail,
}


def _without_unique(schema: pa.DataFrameSchema) -> pa.DataFrameSchema:
    """A copy of ``schema`` without its uniqueness rule (used when a key column is missing)."""
    clone = copy.copy(schema)
    clone.unique = None
    return clone


def _sorted(problems: list[Problem], table: str) -> list[Problem]:
    """Problems of one file, file-level first, then by line and column order; duplicates removed."""
    order = {c: i for i, c in enumerate(COLUMNS.get(table, {}))}
    unique = list(dict.fromkeys(problems))
    return sorted(
        unique,
        key=lambda p: (p.row is not None, p.row or 0, order.get(p.column or "", len(order))),
    )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while reading: the many small row lists hold no cycles,
    and collections triggered by their allocation would double the reading time of a large file."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_table(table: str, path: Path, file: str) -> _Table:
    """Read, convert and schema-validate one file; best-effort frame even when problems are found."""
    with _gc_paused():
        return _read_table_unpaused(table, path, file)


def _read_table_unpaused(table: str, path: Path, file: str) -> _Table:
    suffix = path.suffix.lower()
    excel = table == "assessments" and suffix in _EXCEL_SUFFIXES
    if table == "assessments" and suffix == ".xls":
        return _Table(
            table,
            file,
            None,
            [
                Problem(
                    file,
                    None,
                    None,
                    None,
                    "a .csv or .xlsx file; the old Excel .xls format cannot be read (openpyxl): "
                    "save it as .xlsx or .csv",
                )
            ],
        )
    if table == "assessments" and not excel and suffix != ".csv":
        return _Table(table, file, None, [Problem(file, None, None, None, "a .csv or .xlsx file")])
    records, problems = (_excel_records if excel else _csv_records)(path, file)
    if records is None:
        return _Table(table, file, None, problems)
    raw, header_problems = _raw_frame(records, table, file, excel=excel)
    problems += header_problems
    if raw is None:
        return _Table(table, file, None, problems)
    complete = len(raw) == len(records) - 1 and not problems
    typed, conversion, bad, kept_nullable = _convert(raw, table, file)
    problems += conversion
    problems += _schema_problems(typed, raw, table, file, bad, kept_nullable)
    return _Table(table, file, typed, _sorted(problems, table), complete)


def _read_criteria(data_dir: Path) -> _Table:
    """All ``criteria_<standard>.csv`` files, concatenated; a ``_file`` column says where each row is."""
    files = sorted(p for p in data_dir.glob(CRITERIA_GLOB) if p.is_file())
    if not files:
        return _Table(
            "criteria",
            "criteria_<standard>.csv",
            None,
            [
                Problem(
                    "criteria_<standard>.csv",
                    None,
                    None,
                    None,
                    f"at least one criteria file named criteria_<standard>.csv in {data_dir}",
                )
            ],
        )
    frames: list[pd.DataFrame] = []
    problems: list[Problem] = []
    complete = True
    for path in files:
        part = _read_table("criteria", path, path.name)
        problems += part.problems
        complete = complete and part.complete
        if part.frame is None:
            continue
        frame = part.frame.copy()
        frame["_file"] = path.name
        suffix = CRITERIA_NAME.match(path.name).group("standard")  # type: ignore[union-attr]
        if "standard" in frame.columns:
            wrong = frame["standard"].notna() & (frame["standard"] != suffix)
            for line, value in frame.loc[wrong, "standard"].items():
                problems.append(
                    Problem(
                        path.name,
                        int(line),
                        "standard",
                        value,
                        f"{suffix!r}, the standard named in the file name {path.name}",
                    )
                )
        frames.append(frame)
    frame = pd.concat(frames) if frames else None
    return _Table("criteria", ", ".join(p.name for p in files), frame, problems, complete)


# --------------------------------------------------------------------------------------------------
# Checks across tables
# --------------------------------------------------------------------------------------------------


class _Reader:
    """Reads each table of a directory at most once."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.tables: dict[str, _Table] = {}

    def get(self, name: str) -> _Table:
        if name not in self.tables:
            if name == "criteria":
                self.tables[name] = _read_criteria(self.data_dir)
            else:
                path = self.data_dir / FILES[name]
                self.tables[name] = _read_table(name, path, FILES[name])
        return self.tables[name]


def _has(frame: pd.DataFrame | None, *columns: str) -> bool:
    return frame is not None and all(c in frame.columns for c in columns)


def _check_standard_exists(reader: _Reader, table: str) -> list[Problem]:
    """Every row's ``standard`` in ``table`` (criteria or rounds) is a standard of standards.csv."""
    frame = reader.get(table).frame
    standards = reader.get("standards").usable("standard")
    if not _has(frame, "standard") or standards is None:
        return []
    known = set(standards["standard"].dropna())
    wrong = frame["standard"].notna() & ~frame["standard"].isin(known)
    expected = f"a standard listed in standards.csv ({', '.join(sorted(known))})"
    # criteria come from several criteria_<standard>.csv files, each row remembers its own
    files = frame["_file"] if "_file" in frame.columns else pd.Series(FILES[table], index=frame.index)
    return [
        Problem(files[line], int(line), "standard", frame.at[line, "standard"], expected)
        for line in frame.index[wrong]
    ]


def _check_criteria_standard(reader: _Reader) -> list[Problem]:
    return _check_standard_exists(reader, "criteria")


def _check_criteria_counts(reader: _Reader) -> list[Problem]:
    """Each standard with listed criteria: criteria_count, practice_area_count and core agree with them."""
    criteria = reader.get("criteria").usable("standard")
    standards = reader.get("standards").frame
    if criteria is None or not _has(standards, "standard"):
        return []
    problems = []
    for line, row in standards.iterrows():
        name = row["standard"]
        if pd.isna(name):
            continue
        listed = criteria[criteria["standard"] == name]
        if listed.empty:
            continue  # criteria of this standard are not listed (2017, 2018)
        where = ", ".join(sorted(set(listed["_file"])))
        count = row.get("criteria_count")
        if count is not None and not pd.isna(count) and int(count) != len(listed):
            problems.append(
                Problem(
                    FILES["standards"],
                    int(line),
                    "criteria_count",
                    str(int(count)),
                    f"{len(listed)}, the number of criteria of standard {name} listed in {where}",
                )
            )
        areas = row.get("practice_area_count")
        if (
            "practice_area" in listed.columns
            and areas is not None
            and not pd.isna(areas)
            and int(areas) != listed["practice_area"].nunique()
        ):
            problems.append(
                Problem(
                    FILES["standards"],
                    int(line),
                    "practice_area_count",
                    str(int(areas)),
                    f"{listed['practice_area'].nunique()}, the number of practice areas of standard "
                    f"{name} in {where}",
                )
            )
        required = row.get("core_criteria_required")
        if (
            "core" in listed.columns
            and required is not None
            and not pd.isna(required)
            and bool(required)
            and not listed["core"].fillna(False).astype(bool).any()
        ):
            problems.append(
                Problem(
                    FILES["standards"],
                    int(line),
                    "core_criteria_required",
                    "true",
                    f"false, or at least one criterion with core=true in {where}",
                )
            )
    return problems


def _check_rounds_standard(reader: _Reader) -> list[Problem]:
    return _check_standard_exists(reader, "rounds")


def _round_ids(rounds: pd.DataFrame) -> set[str]:
    return set(rounds["round_id"].dropna())


def _check_certifications_round(reader: _Reader) -> list[Problem]:
    """Every certification's ``round_id`` is a round of rounds.csv."""
    certs = reader.get("certifications").frame
    rounds = reader.get("rounds").usable("round_id")
    if not _has(certs, "round_id") or rounds is None:
        return []
    known = _round_ids(rounds)
    wrong = certs["round_id"].notna() & ~certs["round_id"].isin(known)
    return [
        Problem(
            FILES["certifications"], int(line), "round_id", value, "a round_id listed in rounds.csv"
        )
        for line, value in certs.loc[wrong, "round_id"].items()
    ]


def _check_assessments(reader: _Reader, table: _Table) -> list[Problem]:
    """Rounds exist; criteria belong to the round's standard; each city and round covers all of them."""
    frame = table.frame
    rounds = reader.get("rounds").usable("round_id", "standard")
    criteria = reader.get("criteria").usable("standard", "code")
    if not _has(frame, "city_id", "round_id", "criterion") or rounds is None or criteria is None:
        return []
    file = table.file
    problems: list[Problem] = []
    standard_of = dict(zip(rounds["round_id"], rounds["standard"]))
    codes_of: dict[str, list[str]] = {}
    files_of: dict[str, str] = {}
    for name, group in criteria.groupby("standard", sort=False):
        codes_of[str(name)] = list(group["code"].dropna())
        files_of[str(name)] = ", ".join(sorted(set(group["_file"])))
    known = frame["round_id"].notna() & frame["round_id"].isin(standard_of.keys())
    unknown = frame.loc[frame["round_id"].notna() & ~known]
    keys = [unknown["city_id"].astype(object).fillna(""), unknown["round_id"]]
    for (city, round_id), group in unknown.groupby(keys, sort=False):
        lines = [int(x) for x in group.index]
        span = f"line {lines[0]}" if len(lines) == 1 else f"{len(lines)} rows from line {lines[0]}"
        problems.append(
            Problem(
                file,
                lines[0],
                "round_id",
                round_id,
                f"a round_id listed in rounds.csv (city {city or '?'}: {span})",
            )
        )
    # From here on, vectorised: a simulated file holds tens of thousands of rows.
    rows = pd.DataFrame(
        {
            "line": frame.index.astype(int),
            "city_id": frame["city_id"].astype(object),
            "round_id": frame["round_id"].astype(object),
            "criterion": frame["criterion"].astype(object),
        }
    ).loc[(known & frame["city_id"].notna()).to_numpy()]
    rows["standard"] = rows["round_id"].map(standard_of).astype(object)
    groups = rows.groupby(["city_id", "round_id"], sort=False).agg(
        first=("line", "min"), standard=("standard", "first")
    )

    unlisted = groups[~groups["standard"].isin(codes_of.keys())]
    for (city, round_id), group in unlisted.iterrows():
        standard, first = group["standard"], int(group["first"])
        problems.append(
            Problem(
                file,
                first,
                "round_id",
                round_id,
                f"a round whose standard's criteria are listed: round {round_id} uses standard "
                f"{standard}, which has no criteria_{standard}.csv (rows of {city} from line {first})",
            )
        )

    valid = pd.Series(False, index=rows.index)
    for standard, codes in codes_of.items():
        of_standard = (rows["standard"] == standard).to_numpy()
        valid |= of_standard & rows["criterion"].isin(codes).to_numpy()
        strangers = rows[of_standard & rows["criterion"].notna().to_numpy() & ~valid.to_numpy()]
        for row in strangers.itertuples(index=False):
            problems.append(
                Problem(
                    file,
                    int(row.line),
                    "criterion",
                    row.criterion,
                    f"a criterion code of standard {standard} (the standard of round {row.round_id}), "
                    f"one of the {len(codes)} codes in {files_of[standard]}",
                )
            )

    if table.complete:  # a row that could not be read may hold a "missing" code
        # Count the distinct valid codes of each city and round; only short groups are examined.
        known_codes = rows[valid.to_numpy()]
        known_codes = known_codes[~known_codes.duplicated(["city_id", "round_id", "criterion"])]
        found = known_codes.groupby(["city_id", "round_id"], sort=False).size()
        listed = groups[groups["standard"].isin(codes_of.keys())]
        needed = listed["standard"].map(lambda std: len(codes_of[std]))
        short = listed[found.reindex(listed.index, fill_value=0) < needed]
        for (city, round_id), group in short.iterrows():
            standard, first = group["standard"], int(group["first"])
            have = set(
                known_codes.loc[
                    (known_codes["city_id"] == city) & (known_codes["round_id"] == round_id),
                    "criterion",
                ]
            )
            missing = [code for code in codes_of[standard] if code not in have]
            problems.append(
                Problem(
                    file,
                    first,
                    "criterion",
                    ", ".join(missing),
                    f"every criterion of standard {standard} once for city {city} in round {round_id} "
                    f"(rows from line {first}); missing: {', '.join(missing)}",
                )
            )
    return problems


# (check, tables it reads)
_CROSS_CHECKS = (
    (_check_criteria_standard, ("criteria", "standards")),
    (_check_criteria_counts, ("criteria", "standards")),
    (_check_rounds_standard, ("rounds", "standards")),
    (_check_certifications_round, ("certifications", "rounds")),
)


def _collect(
    data_dir: Path, wanted: tuple[str, ...], assessments: Path | None = None
) -> tuple[dict[str, _Table], list[Problem]]:
    """Read the ``wanted`` tables (and those their checks need); return them and every problem.

    Problems are those of the wanted tables, of the checks that involve them, and, when a table that a
    check needs could not be read at all, that table's own problems (they say why the check was not run).
    """
    if not data_dir.is_dir():
        return {}, [Problem(str(data_dir), None, None, None, "an existing data directory")]
    reader = _Reader(data_dir)
    tables: dict[str, _Table] = {name: reader.get(name) for name in wanted if name != "assessments"}
    problems: list[Problem] = []
    needed: set[str] = set()
    cross: list[Problem] = []
    for check, involved in _CROSS_CHECKS:
        if set(involved) & set(wanted):
            needed.update(involved)
            cross += check(reader)
    if "assessments" in wanted:
        path = assessments if assessments is not None else data_dir / ASSESSMENTS_FILE
        tables["assessments"] = _read_table("assessments", path, _display_name(path, data_dir))
        needed.update(("rounds", "criteria"))
        cross += _check_assessments(reader, tables["assessments"])
    files: list[str] = []
    for name in TABLE_ORDER:
        if name in tables:
            problems += tables[name].problems
        elif name in needed and not reader.get(name).complete:
            problems += reader.get(name).problems  # they say why a check against it was not run
        if name in tables or name in reader.tables:
            files += (tables.get(name) or reader.get(name)).file.split(", ")
    problems += cross
    return tables, _order(problems, files)


def _order(problems: list[Problem], files: list[str]) -> list[Problem]:
    """Group problems by file (in table order), file-level first, then by line; drop duplicates."""
    unique = list(dict.fromkeys(problems))
    rank = {f: i for i, f in enumerate(files)}
    return sorted(
        unique, key=lambda p: (rank.get(p.file, len(rank)), p.file, p.row is not None, p.row or 0)
    )


def _display_name(path: Path, data_dir: Path) -> str:
    """The name problems use for ``path``: relative to the data directory when inside it."""
    try:
        return path.resolve().relative_to(data_dir.resolve()).as_posix()
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------


def _dir(data_dir: str | Path | None) -> Path:
    return paths.DATA_DIR if data_dir is None else Path(data_dir)


def _finish(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as returned: contract columns in order, a fresh RangeIndex, rounds by date."""
    frame = frame[list(COLUMNS[name])]
    if name == "rounds":
        frame = frame.sort_values("announced", kind="stable")
    frame = frame.reset_index(drop=True)
    if name == "assessments":
        frame.attrs["simulated"] = bool(frame["simulated"].all())
    return frame


def _load_one(name: str, data_dir: str | Path | None) -> pd.DataFrame:
    tables, problems = _collect(_dir(data_dir), (name,))
    if problems:
        raise DataValidationError(problems)
    return _finish(name, tables[name].frame)  # type: ignore[arg-type]


def load_criteria(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Criteria of every ``criteria_<standard>.csv``: ``standard, code, practice_area, name, core``.

    Checks each ``standard`` exists in standards.csv and that standards.csv's ``criteria_count`` (and
    ``practice_area_count``) match the criteria listed. Raises :class:`DataValidationError`.
    """
    return _load_one("criteria", data_dir)


def load_standards(data_dir: str | Path | None = None) -> pd.DataFrame:
    """standards.csv, typed; thresholds strictly increasing; counts checked against listed criteria."""
    return _load_one("standards", data_dir)


def load_rounds(data_dir: str | Path | None = None) -> pd.DataFrame:
    """rounds.csv, typed and sorted by ``announced``; ``standard`` must exist in standards.csv."""
    return _load_one("rounds", data_dir)


def load_certifications(data_dir: str | Path | None = None) -> pd.DataFrame:
    """certifications.csv, typed (``level`` is ``LEVEL_DTYPE``); every ``round_id`` must be in rounds.csv."""
    return _load_one("certifications", data_dir)


def load_unplaced(data_dir: str | Path | None = None) -> pd.DataFrame:
    """unplaced.csv, typed (``level`` is ``LEVEL_DTYPE``, empty = not known)."""
    return _load_one("unplaced", data_dir)


def load_assessments(path: str | Path, data_dir: str | Path | None = None) -> pd.DataFrame:
    """A criteria-level assessment file (long format) from ``.csv`` or ``.xlsx``.

    Columns ``city_id, round_id, criterion, met, outcome_met`` and optionally ``simulated`` (``False``
    for every row when the column is absent: a researcher's own file holds real assessments). For an
    Excel workbook the sheet named ``assessments`` is read, else the first sheet; ``row`` in problems is
    the worksheet row. The rounds and criteria are those of ``data_dir`` (default: the project data).

    Checks: each round exists; each criterion is a code of the round's standard; no duplicate
    (city_id, round_id, criterion); ``met``/``outcome_met`` are booleans; ``outcome_met`` is constant
    within a city and round; each city and round lists every criterion of the standard. Returns the frame
    with ``df.attrs["simulated"]`` = whether every row is simulated.
    """
    tables, problems = _collect(_dir(data_dir), ("assessments",), assessments=Path(path))
    if problems:
        raise DataValidationError(problems)
    return _finish("assessments", tables["assessments"].frame)  # type: ignore[arg-type]


def _load_all(
    data_dir: str | Path | None = None, assessments: str | Path | None = None
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Every table of ``data_dir`` (plus an assessment file if given or shipped) and all problems."""
    directory = _dir(data_dir)
    wanted: tuple[str, ...] = ("standards", "criteria", "rounds", "certifications", "unplaced")
    path = Path(assessments) if assessments is not None else directory / ASSESSMENTS_FILE
    if assessments is not None or path.exists():
        wanted += ("assessments",)
    tables, problems = _collect(directory, wanted, assessments=path)
    frames = {
        name: _finish(name, table.frame)
        for name, table in tables.items()
        if table.frame is not None and not problems
    }
    return frames, problems


def load(data_dir: str | Path | None = None) -> Dataset:
    """Every table of ``data_dir`` (default ``paths.DATA_DIR``), validated together.

    A researcher's own directory with the same file names loads the same way. ``assessments`` is read
    from ``simulated/assessments.csv`` when that file exists, else it is ``None``. All problems of all
    files are raised at once in one :class:`DataValidationError`.
    """
    directory = _dir(data_dir)
    frames, problems = _load_all(directory)
    if problems:
        raise DataValidationError(problems)
    return Dataset(
        criteria=frames["criteria"],
        standards=frames["standards"],
        rounds=frames["rounds"],
        certifications=frames["certifications"],
        unplaced=frames["unplaced"],
        assessments=frames.get("assessments"),
        data_dir=directory,
    )


def validate_dir(
    data_dir: str | Path | None = None, assessments: str | Path | None = None
) -> list[Problem]:
    """All problems of ``data_dir`` (and of an assessment file, if given), as a list; ``[]`` when valid."""
    return _load_all(data_dir, assessments)[1]


__all__ = [
    "ASSESSMENTS_FILE",
    "FILES",
    "Dataset",
    "load",
    "load_assessments",
    "load_certifications",
    "load_criteria",
    "load_rounds",
    "load_standards",
    "load_unplaced",
    "validate_dir",
]
