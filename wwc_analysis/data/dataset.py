"""Load and validate the data files: one loader per table, ``load()`` for all of them.

Every loader reads its file as text first, so that a problem can quote the exact raw value and the
line it is on (:mod:`~wwc_analysis.data.read`; a plain CSV file is read in bulk by
:mod:`~wwc_analysis.data.fastread` and checked in bulk, and read again cell by cell only when it
has a problem, so the messages are the same), then converts each column to the dtype of
:data:`wwc_analysis.data.schemas.COLUMNS` (:mod:`~wwc_analysis.data.convert`), validates the typed
frame with the pandera schema, ``lazy=True`` (:mod:`~wwc_analysis.data.schema_check`), and runs the
checks that span tables: foreign keys, criteria counts, assessment completeness
(:mod:`~wwc_analysis.data.cross`, gathered by :mod:`~wwc_analysis.data.validate`). Every failure
becomes a :class:`~wwc_analysis.errors.Problem`; all of them are raised together in one
:class:`~wwc_analysis.errors.DataValidationError`. Nothing is dropped silently: each data row of a
file is either in the returned frame or named in a problem.

Conventions of the files (see ``data/README.md``):

- UTF-8 (a leading byte-order mark is accepted), comma-separated, one header row, standard ``"``
  quoting. Columns may come in any order; the returned frame has the order of ``COLUMNS``. Blank
  lines are skipped.
- ``row`` in a problem is the line number in the file as an editor shows it (header = line 1, first
  data row = line 2; a quoted field spanning several lines counts all its lines, and the row is the
  line on which the record starts). For Excel files it is the worksheet row number.
- An empty cell means *missing* (``<NA>``), never zero. Surrounding blanks are ignored in number,
  boolean, date and level cells; text cells are kept verbatim.
- Booleans are ``true``/``false`` in any case (and real booleans in Excel); ``1``/``0``,
  ``yes``/``no`` and anything else are refused, never coerced. Integers are digits only (``12``, not
  ``12.0``). Dates are ISO ``YYYY-MM-DD``. Levels are ``Silver``, ``Gold``, ``Platinum``
  (case-sensitive) or empty.

The criteria are read from every ``criteria_<standard>.csv`` of the directory (``criteria_2022.csv``
in the shipped data); each file holds the criteria of the standard named in its file name.

Nothing here writes to the data directory.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from wwc_analysis.data import snapshot
from wwc_analysis.data.package import checksums
from wwc_analysis.data.paths import ASSESSMENTS_FILE, FILES, resolve_data_dir
from wwc_analysis.data.read import DEFAULT_MAX_ROWS
from wwc_analysis.data.table import finished
from wwc_analysis.data.validate import collect, read_all, validate_dir
from wwc_analysis.errors import DataValidationError


@dataclass
class Dataset:
    """All tables of a data directory, validated and typed (see ``docs/architecture.md``).

    ``assessments`` is ``None`` when the directory has no ``simulated/assessments.csv``;
    ``universe`` and ``crosswalk`` (the approximate eligible universe and the record's links to it,
    :mod:`~wwc_analysis.data.reach_tables`) are ``None`` when it has no ``universe.csv`` and
    ``crosswalk.csv``.
    """

    criteria: pd.DataFrame
    standards: pd.DataFrame
    rounds: pd.DataFrame
    certifications: pd.DataFrame
    unplaced: pd.DataFrame
    assessments: pd.DataFrame | None
    data_dir: Path
    universe: pd.DataFrame | None = None
    crosswalk: pd.DataFrame | None = None


def _load_one(name: str, data_dir: str | Path | None) -> pd.DataFrame:
    tables, problems = collect(resolve_data_dir(data_dir), (name,))
    if problems:
        raise DataValidationError(problems)
    return finished(name, tables[name].frame)  # type: ignore[arg-type]


def load_criteria(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Criteria of every ``criteria_<standard>.csv``: ``standard, code, practice_area, name, core``.

    Checks each ``standard`` exists in standards.csv and that standards.csv's ``criteria_count``
    (and ``practice_area_count``) match the criteria listed. Raises :class:`DataValidationError`.
    """
    return _load_one("criteria", data_dir)


def load_standards(data_dir: str | Path | None = None) -> pd.DataFrame:
    """standards.csv, typed; thresholds strictly increasing; counts checked against the criteria."""
    return _load_one("standards", data_dir)


def load_rounds(data_dir: str | Path | None = None) -> pd.DataFrame:
    """rounds.csv, typed and sorted by ``announced``; ``standard`` must exist in standards.csv."""
    return _load_one("rounds", data_dir)


def load_certifications(data_dir: str | Path | None = None) -> pd.DataFrame:
    """certifications.csv, typed (``level``: ``LEVEL_DTYPE``); every ``round_id`` in rounds.csv."""
    return _load_one("certifications", data_dir)


def load_unplaced(data_dir: str | Path | None = None) -> pd.DataFrame:
    """unplaced.csv, typed (``level`` is ``LEVEL_DTYPE``, empty = not known)."""
    return _load_one("unplaced", data_dir)


def load_universe(data_dir: str | Path | None = None) -> pd.DataFrame:
    """universe.csv: the APPROXIMATE eligible universe (GeoNames places of the Americas, 30,000+).

    One row per place: ``geonameid, name, country_code, country, admin1_code, region, latitude,
    longitude, population``. Checked with the crosswalk (both files come together).
    """
    return _load_one("universe", data_dir)


def load_crosswalk(data_dir: str | Path | None = None) -> pd.DataFrame:
    """crosswalk.csv: each city of the record linked to a place of the universe, or explained.

    Checks: every city of certifications.csv and unplaced.csv has a row with its names; no place is
    linked twice; a linked place is in universe.csv and in the city's country.
    """
    return _load_one("crosswalk", data_dir)


def load_assessments(
    path: str | Path, data_dir: str | Path | None = None, *, max_rows: int = DEFAULT_MAX_ROWS
) -> pd.DataFrame:
    """A criteria-level assessment file (long format) from ``.csv`` or ``.xlsx``.

    Columns ``city_id, round_id, criterion, met, outcome_met`` and optionally ``simulated``
    (``False`` for every row when the column is absent: a researcher's own file holds real
    assessments). For an Excel workbook the sheet named ``assessments`` is read, else the first
    sheet; ``row`` in problems is the worksheet row. The rounds and criteria are those of
    ``data_dir`` (default: the project data).

    Checks: each round exists; each criterion is a code of the round's standard; no duplicate
    (city_id, round_id, criterion); ``met``/``outcome_met`` are booleans; ``outcome_met`` is
    constant within a city and round; each city and round lists every criterion of the standard.
    Returns the frame with ``df.attrs["simulated"]`` = whether every row is simulated.

    A file of more than ``max_rows`` data rows (default ``DEFAULT_MAX_ROWS``, 2,000,000; an Excel
    sheet never more than 1,048,576) is refused before it is read in full; raise the limit for a
    genuine larger file. An Excel formula is never evaluated: a formula cell is a problem.
    """
    tables, problems = collect(
        resolve_data_dir(data_dir), ("assessments",), assessments=Path(path), max_rows=max_rows
    )
    if problems:
        raise DataValidationError(problems)
    return finished("assessments", tables["assessments"].frame)  # type: ignore[arg-type]


def load(data_dir: str | Path | None = None, *, max_rows: int = DEFAULT_MAX_ROWS) -> Dataset:
    """Every table of ``data_dir`` (default ``paths.DATA_DIR``), validated together.

    A researcher's own directory with the same file names loads the same way. ``assessments`` is
    read from ``simulated/assessments.csv`` when that file exists, else it is ``None``. All problems
    of all files are raised at once in one :class:`DataValidationError`; a file of more than
    ``max_rows`` data rows is one of them (``--max-rows`` of the commands).

    In the kernels of ``wwc report``, the Dataset the report validated from the same folder is
    taken instead of reading the files again, when no file has changed since
    (:mod:`~wwc_analysis.data.snapshot`).
    """
    directory = resolve_data_dir(data_dir)
    taken = snapshot.matching(directory, max_rows)
    if isinstance(taken, Dataset):
        return replace(taken, data_dir=directory)  # the folder as this caller named it
    frames, problems = read_all(directory, max_rows=max_rows)
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
        universe=frames.get("universe"),
        crosswalk=frames.get("crosswalk"),
    )


def write_snapshot(path: Path, data_dir: Path, files: list[dict], max_rows: int) -> bool:
    """Load and validate ``data_dir`` and write it to ``path`` as the snapshot ``wwc report``
    hands its kernels (:mod:`~wwc_analysis.data.snapshot`), when no data file differs from
    ``files`` (their checksums when the report started) once the load is over; returns whether it
    did. A folder that does not load gets no snapshot (each kernel's own load then says what is
    wrong), and neither does a folder that changed meanwhile."""
    try:
        dataset = load(data_dir, max_rows=max_rows)
    except DataValidationError:
        return False
    if checksums(data_dir) != list(files):
        return False
    snapshot.write(path, dataset, data_dir, list(files), max_rows)
    return True


def require_dataset(data: object, who: str) -> Dataset:
    """``data`` if it is a :class:`Dataset`; a ``TypeError`` naming ``who`` otherwise (an old call
    such as ``simulate(500, 2022)`` would otherwise fail somewhere less clear)."""
    if not isinstance(data, Dataset):
        raise TypeError(
            f"{who} takes the Dataset (wwc_analysis.load()), got {type(data).__name__} {data!r}"
        )
    return data


__all__ = [
    "ASSESSMENTS_FILE",
    "FILES",
    "Dataset",
    "load",
    "load_assessments",
    "load_certifications",
    "load_criteria",
    "load_crosswalk",
    "load_rounds",
    "load_standards",
    "load_universe",
    "load_unplaced",
    "require_dataset",
    "write_snapshot",
    "validate_dir",
]
