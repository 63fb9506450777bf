"""One table read end to end: read -> convert -> schema check, with every problem, sorted.

A CSV file is first read by the fast path (pandas' C parser and the schema's checks in bulk). A file
that is not plain (a quoted field over several lines, a blank line, a short row...) is read by the
slow path, record by record; a plain file with a problem is read again as text, and checked cell by
cell: either way each problem names its line, column and raw value.

:func:`read_table` reads one file, :func:`read_criteria` every ``criteria_<standard>.csv`` of a
directory, and a :class:`Reader` reads each table of a directory at most once, for the checks across
tables. A :class:`Table` holds a best-effort typed frame (indexed by line number) even when problems
were found, so that the other files can still be checked against it when it is complete.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from wwc_analysis.data.convert import Factors, convert
from wwc_analysis.data.fastread import fast_raw_frame
from wwc_analysis.data.paths import CRITERIA_GLOB, CRITERIA_NAME, FILES
from wwc_analysis.data.read import (
    DEFAULT_MAX_ROWS,
    EXCEL_SUFFIXES,
    csv_records,
    excel_records,
    raw_frame,
)
from wwc_analysis.data.schema_check import schema_passes, schema_problems
from wwc_analysis.data.schemas import COLUMNS
from wwc_analysis.errors import Problem


@dataclass
class Table:
    """One table as read: typed frame indexed by line (``None`` if unreadable) and problems."""

    name: str
    file: str
    frame: pd.DataFrame | None
    problems: list[Problem] = field(default_factory=list)
    #: every data row of the file is in ``frame`` (no unreadable or malformed row)
    complete: bool = False
    #: codes and distinct values of the factorized columns, when read by the fast path
    factors: Factors = field(default_factory=dict)

    def usable(self, *columns: str) -> pd.DataFrame | None:
        """The frame, if complete and holding ``columns``: safe to check other tables against."""
        if self.complete and has_columns(self.frame, *columns):
            return self.frame
        return None

    def clean(self, *columns: str) -> pd.DataFrame | None:
        """The frame, if :meth:`usable` and no problem of the table concerns ``columns`` (a bad
        value, an empty cell, a repeated key): safe for checks that count on them, such as
        "every criterion once"."""
        touched = {
            name for p in self.problems if p.column is not None for name in p.column.split(", ")
        }
        return None if touched & set(columns) else self.usable(*columns)


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


def read_table(table: str, path: Path, file: str, max_rows: int = DEFAULT_MAX_ROWS) -> Table:
    """Read, convert and schema-validate one file (at most ``max_rows`` data rows); a best-effort
    frame despite problems."""
    with _gc_paused():
        return _read_unpaused(table, path, file, max_rows)


def _read_unpaused(table: str, path: Path, file: str, max_rows: int) -> Table:
    """:func:`read_table` without the garbage-collector pause."""
    suffix = path.suffix.lower()
    excel = table == "assessments" and suffix in EXCEL_SUFFIXES
    if table == "assessments" and suffix == ".xls":
        return Table(
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
        return Table(table, file, None, [Problem(file, None, None, None, "a .csv or .xlsx file")])
    if excel:
        return read_slow(table, path, file, max_rows, excel=True)
    raw = fast_raw_frame(path, table, max_rows)
    if raw is None:  # not plain: the slow path reads it record by record
        return read_slow(table, path, file, max_rows)
    fast = _valid_table(raw, table, file)
    if fast is not None:
        return fast
    # plain but with a problem: the cells as text (no categorical), each problem at its line
    exact = fast_raw_frame(path, table, max_rows, categorical=False)
    if exact is None:  # pragma: no cover - the same file was plain a moment ago
        return read_slow(table, path, file, max_rows)
    return _checked(table, file, exact, [], complete=True)


def read_slow(table: str, path: Path, file: str, max_rows: int, excel: bool = False) -> Table:
    """The table of a CSV (or ``excel``) file read record by record, every problem at its line."""
    records, problems = (excel_records if excel else csv_records)(path, file, max_rows)
    if records is None:
        return Table(table, file, None, problems)
    raw, header_problems = raw_frame(records, table, file, excel=excel)
    if raw is None:
        return Table(table, file, None, problems + header_problems)
    complete = len(raw) == len(records) - 1 and not problems and not header_problems
    return _checked(table, file, raw, problems + header_problems, complete)


def _checked(
    table: str, file: str, raw: pd.DataFrame, problems: list[Problem], complete: bool
) -> Table:
    """Convert and schema-check a frame of raw strings; ``problems`` are those of reading it."""
    # formula cells (a field-count problem names a row, no column)
    read_cells = {(p.row, p.column) for p in problems if p.row is not None and p.column is not None}
    typed, conversion, bad, kept_nullable = convert(raw, table, file)
    later = conversion + schema_problems(typed, raw, table, file, bad, kept_nullable)
    # a cell already named when read (a formula) is not named again as empty
    problems = problems + [p for p in later if (p.row, p.column) not in read_cells]
    return Table(table, file, typed, _sorted_by_line(problems, table), complete)


def read_fast(table: str, path: Path, file: str, max_rows: int) -> Table | None:
    """The table of a plain, valid CSV file read in bulk (:mod:`~wwc_analysis.data.fastread`,
    :func:`~wwc_analysis.data.schema_check.schema_passes`); ``None`` at the first doubt, or
    problem."""
    raw = fast_raw_frame(path, table, max_rows)
    return None if raw is None else _valid_table(raw, table, file)


def _valid_table(raw: pd.DataFrame, table: str, file: str) -> Table | None:
    """The table of the fast reader's frame, if it has no problem at all."""
    factors: Factors = {}
    typed, problems, _, kept_nullable = convert(raw, table, file, factors)
    if problems or kept_nullable or not schema_passes(typed, table, factors):
        return None
    return Table(table, file, typed, [], complete=True, factors=factors)


def read_criteria(data_dir: Path, max_rows: int = DEFAULT_MAX_ROWS) -> Table:
    """All ``criteria_<standard>.csv`` files, concatenated; ``_file`` names each row's file."""
    files = sorted(p for p in data_dir.glob(CRITERIA_GLOB) if p.is_file())
    if not files:
        return Table(
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
        part = read_table("criteria", path, path.name, max_rows)
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
    return Table("criteria", ", ".join(p.name for p in files), frame, problems, complete)


class Reader:
    """Reads each table of a directory at most once (at most ``max_rows`` data rows a file)."""

    def __init__(self, data_dir: Path, max_rows: int = DEFAULT_MAX_ROWS):
        self.data_dir = data_dir
        self.max_rows = max_rows
        self.tables: dict[str, Table] = {}

    def get(self, name: str) -> Table:
        """The table ``name`` of the directory, read on first use."""
        if name not in self.tables:
            if name == "criteria":
                self.tables[name] = read_criteria(self.data_dir, self.max_rows)
            else:
                path = self.data_dir / FILES[name]
                self.tables[name] = read_table(name, path, FILES[name], self.max_rows)
        return self.tables[name]


def has_columns(frame: pd.DataFrame | None, *columns: str) -> bool:
    """``frame`` was read and holds every one of ``columns``."""
    return frame is not None and all(c in frame.columns for c in columns)


def finished(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as returned: contract columns in order, a fresh RangeIndex, rounds by date."""
    frame = frame[list(COLUMNS[name])]
    if name == "rounds":
        frame = frame.sort_values("announced", kind="stable")
    frame = frame.reset_index(drop=True)
    if name == "assessments":
        frame.attrs["simulated"] = bool(frame["simulated"].all())
    return frame


def _sorted_by_line(problems: list[Problem], table: str) -> list[Problem]:
    """Problems of one file, file-level first (in the order found), then by line, column order and
    what was expected (the order in which pandera lists two failures of one cell varies);
    duplicates removed."""
    order = {c: i for i, c in enumerate(COLUMNS.get(table, {}))}
    unique = list(dict.fromkeys(problems))
    return sorted(
        unique,
        key=lambda p: (
            p.row is not None,
            p.row or 0,
            order.get(p.column or "", len(order)),
            p.expected if p.row is not None else "",
        ),
    )
