"""The pandera schema of a table, run in lazy mode, and its failure cases translated into Problems.

Every failure case becomes a :class:`~wwc_analysis.errors.Problem` at one cell (file, line, column,
the raw value as the file holds it), except those another step already reported in clearer words:
missing columns (the header check) and cells that did not convert (the conversion). A row check
(:data:`~wwc_analysis.data.schemas.ROW_CHECK_COLUMN`) is reported once per row, naming the row it
disagrees with; a repeated key once per repeated row, naming the first row with the same key.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pandera.pandas as pa

from wwc_analysis.data.convert import Factors
from wwc_analysis.data.schemas import (
    COLUMNS,
    PER_VALUE,
    ROW_CHECK_COLUMN,
    SAME_CITY_EXPECTED,
    SAME_OUTCOME_EXPECTED,
    SCHEMAS,
    STRING,
)
from wwc_analysis.errors import Problem


def schema_problems(
    typed: pd.DataFrame,
    raw: pd.DataFrame,
    table: str,
    file: str,
    bad: set[tuple[int, str]],
    kept_nullable: set[str],
    reduce: bool = True,
) -> list[Problem]:
    """Validate ``typed`` with the table's schema and translate every failure case into a Problem.

    ``raw`` is the frame of strings (for the values quoted), ``bad`` the (line, column) cells whose
    conversion was already reported and ``kept_nullable`` the columns left nullable by it. With
    ``reduce`` pandera runs only the checks found failing in bulk (the same problems, sooner: a
    check that passes on every distinct value has no failure case).
    """
    schema = _failing_part(typed, table, kept_nullable) if reduce else SCHEMAS[table]
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


def schema_passes(typed: pd.DataFrame, table: str, factors: Factors | None = None) -> bool:
    """True when ``typed`` certainly passes the table's schema: the fast path of validation.

    The same checks as the schema, run in bulk: each column's dtype and emptiness on the whole
    column; its checks (element by element, all of them) once per distinct value; the key's
    uniqueness and the row checks that group rows (same city, same outcome) on integer codes; the
    other row checks on the frame. ``factors`` (from :func:`~wwc_analysis.data.convert.convert`)
    saves factorizing again. ``False`` means only that something fails: :func:`schema_problems`
    then says what, where.
    """
    schema = SCHEMAS[table]
    for name in schema.columns:
        if name not in typed.columns:
            return False
        if typed[name].dtype != pd.api.types.pandas_dtype(COLUMNS[table][name]):
            return False  # a column left nullable by its conversion holds empty cells
    failing = _failing_checks(typed, table, factors)
    return not any(failing.values())


def _failing_checks(
    typed: pd.DataFrame, table: str, factors: Factors | None = None
) -> dict[str, list]:
    """The checks of the schema that fail on ``typed``, found in bulk: per column (its emptiness
    as ``"nullable"``, then its checks), ``"unique"`` and ``"rows"`` (the frame's checks)."""
    schema = SCHEMAS[table]
    # codes of text columns only: a text value is kept verbatim, so distinct codes are distinct
    # values (two spellings of one boolean are not)
    codes = {k: v for k, v in (factors or {}).items() if COLUMNS[table].get(k) is STRING}
    failing: dict[str, list] = {}
    for name, column in schema.columns.items():
        if name not in typed.columns:
            continue
        series = typed[name]
        if name not in codes and (
            column.checks or name in (schema.unique or []) or name in GROUPING_COLUMNS
        ):
            codes[name] = pd.factorize(series, use_na_sentinel=True)
        # every distinct value occurs: an empty one (or the code -1) means an empty cell
        distinct = pd.Series(codes[name][1], dtype=series.dtype) if name in codes else series
        empty = distinct.isna().any() or (name in codes and (codes[name][0] < 0).any())
        values = distinct.dropna()
        failing[name] = (["nullable"] if empty and not column.nullable else []) + [
            check for check in column.checks if not _passes_on(check, values)
        ]
    key = list(schema.unique or [])
    if key and all(c in codes for c in key):
        failing["unique"] = ["unique"] if _repeats([codes[c][0] for c in key]) else []
    failing["rows"] = [
        check for check in schema.checks if not _row_check_passes(check, typed, codes)
    ]
    return failing


def _passes_on(check: pa.Check, values: pd.Series) -> bool:
    """Whether ``check`` passes on every one of the distinct ``values``."""
    if check.error not in PER_VALUE:
        return bool(check(values).check_passed)
    test, all_pass = PER_VALUE[check.error]
    texts = [str(v) for v in values.to_numpy(dtype=object)]
    return bool((all_pass is not None and all_pass(texts)) or all(map(test, texts)))


def _row_check_passes(check: pa.Check, typed: pd.DataFrame, codes: dict) -> bool:
    grouped = FAST_ROW_CHECKS.get(check.error)
    if grouped is not None and all(c in codes for c in GROUPING_COLUMNS if c in typed.columns):
        try:
            return grouped(typed, codes)
        except (KeyError, ValueError, TypeError):  # a column missing or empty: pandera decides
            return False
    return bool(check(typed).check_passed)


def _failing_part(typed: pd.DataFrame, table: str, kept_nullable: set[str]) -> pa.DataFrameSchema:
    """The table's schema cut down to what fails on ``typed``: checks that pass on every distinct
    value are dropped (pandera would find no failure case), and so are the key when no key repeats
    and the row checks that pass. A column left nullable by its conversion is checked as such:
    its empty cells are still reported, without pandera computing failure cases of its dtype,
    which are not reported (the conversion named each cell)."""
    schema = SCHEMAS[table]
    failing = _failing_checks(typed, table)
    updates = {}
    for name, column in schema.columns.items():
        keep = [c for c in failing.get(name, column.checks) if c != "nullable"]
        update: dict = {"checks": keep}
        if name in kept_nullable:
            update["dtype"] = {"int64": "Int64", "bool": "boolean"}[str(column.dtype)]
        updates[name] = update
    reduced = schema.update_columns(updates)
    reduced = copy.copy(reduced)
    reduced.checks = failing["rows"]
    if failing.get("unique") == []:
        reduced.unique = None
    return reduced


def _group(codes: list[np.ndarray]) -> np.ndarray:
    """One code per distinct combination of the given codes (missing, -1, is one more code)."""
    combined = np.zeros(len(codes[0]), dtype=np.int64)
    for column in codes:
        shifted = column.astype(np.int64) + 1
        size = int(shifted.max(initial=0)) + 1
        if int(combined.max(initial=0)) + 1 > (1 << 62) // size:  # keep clear of overflow
            combined = pd.factorize(combined)[0].astype(np.int64)
        combined = combined * size + shifted
    return combined


def _repeats(codes: list[np.ndarray]) -> bool:
    """Whether a combination of the columns' codes repeats."""
    group = _group(codes)
    if len(group) and int(group.max()) < 8 * len(group):  # few combinations: count them
        return bool(np.bincount(group).max() > 1)
    return bool(pd.Series(group).duplicated().any())


def _same_within(group: np.ndarray, value: np.ndarray) -> bool:
    """Whether ``value`` (codes, >= 0) is the same on every row of each ``group``: its least and
    greatest value in each group are equal."""
    group = pd.factorize(group)[0] if int(group.max(initial=0)) >= 8 * len(group) else group
    size = int(group.max(initial=-1)) + 1
    lowest = np.full(size, np.iinfo(np.int64).max)
    highest = np.full(size, -1)
    np.minimum.at(lowest, group, value)
    np.maximum.at(highest, group, value)
    return bool((lowest[highest >= 0] == highest[highest >= 0]).all())


def _same_city_fast(typed: pd.DataFrame, codes: dict) -> bool:
    names = _group(
        [
            codes[c][0] if c in codes else pd.factorize(typed[c])[0]
            for c in ("city", "region", "country")
        ]
    )
    return _same_within(_group([codes["city_id"][0]]), names)


def _same_outcome_fast(typed: pd.DataFrame, codes: dict) -> bool:
    group = _group([codes["city_id"][0], codes["round_id"][0]])
    return _same_within(group, typed["outcome_met"].to_numpy(dtype=np.int64))


#: Row checks that compare the rows of a group, done on codes (the pandera checks group strings).
FAST_ROW_CHECKS = {
    SAME_CITY_EXPECTED: _same_city_fast,
    SAME_OUTCOME_EXPECTED: _same_outcome_fast,
}
#: Columns whose codes the fast row checks use.
GROUPING_COLUMNS = ("city_id", "round_id")


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
