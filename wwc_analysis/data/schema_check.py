"""The pandera schema of a table, run in lazy mode, and its failure cases translated into Problems.

Every failure case becomes a :class:`~wwc_analysis.errors.Problem` at one cell (file, line, column,
the raw value as the file holds it), except those another step already reported in clearer words:
missing columns (the header check) and cells that did not convert (the conversion). A row check
(:data:`~wwc_analysis.data.schemas.ROW_CHECK_COLUMN`) is reported once per row, naming the row it
disagrees with; a repeated key once per repeated row, naming the first row with the same key.
"""

from __future__ import annotations

import copy

import pandas as pd
import pandera.pandas as pa

from wwc_analysis.data.schemas import (
    ROW_CHECK_COLUMN,
    SAME_CITY_EXPECTED,
    SAME_OUTCOME_EXPECTED,
    SCHEMAS,
)
from wwc_analysis.errors import Problem


def schema_problems(
    typed: pd.DataFrame,
    raw: pd.DataFrame,
    table: str,
    file: str,
    bad: set[tuple[int, str]],
    kept_nullable: set[str],
) -> list[Problem]:
    """Validate ``typed`` with the table's schema and translate every failure case into a Problem.

    ``raw`` is the frame of strings (for the values quoted), ``bad`` the (line, column) cells whose
    conversion was already reported and ``kept_nullable`` the columns left nullable by it.
    """
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
    cache: dict = {}  # first line of each key group, for the messages
    problems, duplicated = _case_problems(cases, typed, raw, file, bad, kept_nullable, cache)
    if duplicated:
        problems += _duplicate_problems(typed, sorted(duplicated), key, file, cache)
    return problems


def _case_problems(
    cases: pd.DataFrame,
    typed: pd.DataFrame,
    raw: pd.DataFrame,
    file: str,
    bad: set[tuple[int, str]],
    kept_nullable: set[str],
    cache: dict,
) -> tuple[list[Problem], set[int]]:
    """Problems of the failure cases, in their order, and the lines whose key is repeated."""
    problems: list[Problem] = []
    seen: set[tuple[str, object]] = set()
    duplicated: set[int] = set()
    for case in cases.itertuples(index=False):
        check = str(case.check)
        column = None if case.column is None or pd.isna(case.column) else str(case.column)
        index = case.index
        line = (
            None if index is None or (not isinstance(index, str) and pd.isna(index)) else int(index)
        )
        if check == "multiple_fields_uniqueness":
            if line is not None:
                duplicated.add(line)
            continue
        if check in ROW_CHECK_COLUMN:
            if (check, line) in seen:
                continue
            seen.add((check, line))
            problem = _row_check_problem(check, line, typed, raw, file, bad, cache)
        else:
            failure = case.failure_case
            problem = _cell_problem(check, column, line, failure, raw, file, bad, kept_nullable)
        if problem is not None:
            problems.append(problem)
    return problems, duplicated


def _row_check_problem(
    check: str,
    line: int | None,
    typed: pd.DataFrame,
    raw: pd.DataFrame,
    file: str,
    bad: set[tuple[int, str]],
    cache: dict,
) -> Problem | None:
    """A failed row check, at the cell of the column it is reported against (unless already bad)."""
    target = ROW_CHECK_COLUMN[check]
    if line is not None and (line, target) in bad:
        return None
    detail = _ROW_CHECK_DETAIL.get(check)
    expected = check + (detail(typed, line, cache) if detail and line is not None else "")
    return Problem(file, line, target, _raw_value(raw, line, target, None), expected)


def _cell_problem(
    check: str,
    column: str | None,
    line: int | None,
    failure: object,
    raw: pd.DataFrame,
    file: str,
    bad: set[tuple[int, str]],
    kept_nullable: set[str],
) -> Problem | None:
    """A failed column check, or ``None`` when another step reports it in clearer words."""
    if check in ("column_in_dataframe", "column_in_schema"):
        return None  # reported with clearer words by the header check
    if check.startswith("dtype(") and column in kept_nullable:
        return None  # the empty or refused cells are reported one by one
    if check == "not_nullable":
        if line is not None and (line, column) in bad:
            return None
        return Problem(file, line, column, None, f"a value: {column} may not be empty")
    if line is None:
        return Problem(file, None, column, _raw_value(raw, None, None, failure), check)
    if (line, column) in bad:
        return None
    return Problem(file, line, column, _raw_value(raw, line, column, failure), check)


def _duplicate_problems(
    typed: pd.DataFrame, lines: list[int], key: list[str], file: str, cache: dict
) -> list[Problem]:
    """One problem per repeated key, translated in bulk (there may be thousands)."""
    problems: list[Problem] = []
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


def _raw_value(raw: pd.DataFrame, line: object, column: str | None, fallback: object) -> object:
    if column is not None and column in raw.columns and line in raw.index:
        value = raw.at[line, column]
        return None if value == "" else value
    if fallback is None or (not isinstance(fallback, str) and pd.isna(fallback)):
        return None
    return str(fallback)


def _first_lines(typed: pd.DataFrame, key: tuple[str, ...], cache: dict) -> pd.Series:
    """For each line, the first line with the same ``key`` values (once per key, in ``cache``)."""
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
