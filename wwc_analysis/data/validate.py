"""Validation of a data directory: every table read, checked alone and against the others.

:func:`validate_dir` lists every problem of a directory (and of an assessment file);
:func:`read_all` returns the frames too, as the loaders return them, for callers that report on
both;
:func:`check_dir` adds the warnings (likely duplicate cities, :mod:`~wwc_analysis.data.identity`)
for ``wwc validate`` and ``wwc report``. :func:`collect` reads the tables asked for and those their
checks need, and orders the problems: by file in table order, whole-file problems first, then by
line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wwc_analysis.data.cross import CROSS_CHECKS, check_assessments
from wwc_analysis.data.identity import likely_duplicates, simulated_id_problems
from wwc_analysis.data.paths import ASSESSMENTS_FILE, TABLE_ORDER, resolve_data_dir
from wwc_analysis.data.reach_tables import REACH_CHECKS, reach_wanted
from wwc_analysis.data.read import DEFAULT_MAX_ROWS
from wwc_analysis.data.table import Reader, Table, finished, read_table
from wwc_analysis.errors import DataWarning, Problem


def collect(
    data_dir: Path,
    wanted: tuple[str, ...],
    assessments: Path | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> tuple[dict[str, Table], list[Problem]]:
    """Read the ``wanted`` tables (and those their checks need); return them and every problem.

    Problems are those of the wanted tables, of the checks that involve them, and, when a table that
    a check needs could not be read at all, that table's own problems (they say why the check was
    not run). Each file may hold at most ``max_rows`` data rows.
    """
    if not data_dir.is_dir():
        return {}, [Problem(str(data_dir), None, None, None, "an existing data directory")]
    reader = Reader(data_dir, max_rows)
    tables: dict[str, Table] = {name: reader.get(name) for name in wanted if name != "assessments"}
    problems: list[Problem] = []
    needed: set[str] = set()
    cross: list[Problem] = []
    for check, involved in CROSS_CHECKS + REACH_CHECKS:
        if set(involved) & set(wanted):
            needed.update(involved)
            cross += check(reader)
    if "assessments" in wanted:
        path = assessments if assessments is not None else data_dir / ASSESSMENTS_FILE
        name = _display_name(path, data_dir)
        tables["assessments"] = read_table("assessments", path, name, max_rows)
        needed.update(("rounds", "criteria"))
        cross += check_assessments(reader, tables["assessments"])
        table = tables["assessments"]
        cross += simulated_id_problems(table.frame, table.file)
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


@dataclass(frozen=True)
class DirCheck:
    """What :func:`check_dir` found: the frames (as the loaders return them; none unless every
    table is valid), every problem, and the warnings (allowed, but probably wrong)."""

    frames: dict[str, pd.DataFrame]
    problems: list[Problem]
    warnings: list[DataWarning]


def check_dir(
    data_dir: str | Path | None = None,
    assessments: str | Path | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> DirCheck:
    """Every table of ``data_dir`` (plus an assessment file if given or shipped), all problems and
    all warnings; each file of at most ``max_rows`` data rows. ``data_dir`` ``None`` is the
    project's data. The reach tables (``universe``, ``crosswalk``) are read when the directory holds
    either file."""
    directory = resolve_data_dir(data_dir)
    wanted: tuple[str, ...] = ("standards", "criteria", "rounds", "certifications", "unplaced")
    wanted += reach_wanted(directory)  # universe.csv and crosswalk.csv, when the directory has them
    path = Path(assessments) if assessments is not None else directory / ASSESSMENTS_FILE
    if assessments is not None or path.exists():
        wanted += ("assessments",)
    tables, problems = collect(directory, wanted, assessments=path, max_rows=max_rows)
    frames = {
        name: finished(name, table.frame)
        for name, table in tables.items()
        if table.frame is not None and not problems
    }
    certifications = tables.get("certifications")
    warnings = (
        likely_duplicates(certifications.frame, certifications.file) if certifications else []
    )
    return DirCheck(frames, problems, warnings)


def read_all(
    data_dir: str | Path | None = None,
    assessments: str | Path | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Every table of ``data_dir`` (plus an assessment file if given or shipped, of at most
    ``max_rows`` data rows) and all problems.

    ``data_dir`` ``None`` is the project's data. The frames, by table name, are those the loaders
    return; there are none unless every table is valid (``problems`` is empty).
    """
    found = check_dir(data_dir, assessments, max_rows)
    return found.frames, found.problems


def validate_dir(
    data_dir: str | Path | None = None,
    assessments: str | Path | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> list[Problem]:
    """All problems of ``data_dir`` (and of an assessment file, if given); ``[]`` when valid."""
    return read_all(data_dir, assessments, max_rows)[1]
