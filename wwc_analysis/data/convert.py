"""Raw strings -> typed columns, each of the dtype in :data:`~wwc_analysis.data.schemas.COLUMNS`.

Surrounding blanks are ignored in number, boolean, date and level cells; text cells are kept
verbatim; an empty cell is missing (``<NA>``), never zero. Booleans are ``true``/``false`` in any
case (``1``/``0``, ``yes``/``no`` are refused, never coerced), integers are digits only, dates ISO
``YYYY-MM-DD`` that exist, levels and cohorts one of their categories (case-sensitive). A cell that
does not convert is a :class:`~wwc_analysis.errors.Problem` and becomes missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

import numpy as np
import pandas as pd

from wwc_analysis.data.schemas import COLUMNS, DATETIME, OPTIONAL_COLUMNS, STRING
from wwc_analysis.errors import Problem

_INT_RE = re.compile(r"^[+-]?\d+$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BOOLS = {"true": True, "false": False}
_BAD = object()  # a value that does not convert
_INT_LIMIT = 2**63
_FLOAT_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _parse_int(text: str) -> object:
    if not _INT_RE.match(text):
        return _BAD
    value = int(text)
    return value if -_INT_LIMIT < value < _INT_LIMIT else _BAD


def _parse_float(text: str) -> object:
    """A decimal number written with digits (``-34.61315``, ``1e3``); not ``nan`` or ``inf``."""
    return float(text) if _FLOAT_RE.match(text) else _BAD


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
    if dtype == "float64":
        return _parse_float, "a decimal number written with digits (e.g. -34.61315)"
    if dtype == "bool":
        return (
            lambda t: _BOOLS.get(t.lower(), _BAD),
            "true or false (case-insensitive); 1/0, yes/no and other values are not accepted",
        )
    if dtype == DATETIME:
        return _parse_date, "an ISO date YYYY-MM-DD that exists in the calendar (e.g. 2024-01-23)"
    raise TypeError(f"no conversion for dtype {dtype!r}")  # pragma: no cover


def _typed_array(dtype: object, values: list[object]) -> object:
    """A pandas array of ``dtype`` (nullable form for int64/bool) from converted values or None."""
    if dtype is STRING:
        return pd.array(values, dtype=STRING)
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Categorical(values, dtype=dtype)
    if dtype in ("int64", "Int64"):
        return pd.array(values, dtype="Int64")
    if dtype == "bool":
        return pd.array(values, dtype="boolean")
    if dtype == "float64":
        return pd.array([np.nan if v is None else v for v in values], dtype="float64")
    return pd.to_datetime(pd.Series(values, dtype=object)).astype(DATETIME).array


#: Codes and distinct typed values of a converted column: ``typed = uniques.take(codes)``.
Factors = dict[str, tuple[np.ndarray, object]]


def convert(
    raw: pd.DataFrame, table: str, file: str, factors: Factors | None = None
) -> tuple[pd.DataFrame, list[Problem], set[tuple[int, str]], set[str]]:
    """Typed frame (index = line), conversion problems, the cells they concern, nullable fallbacks.

    Each distinct raw value is converted once (a categorical raw column brings its distinct values
    with it, from the fast reader). A cell that cannot be converted becomes missing and is
    reported; a non-nullable column that ends up with missing values keeps its nullable
    counterpart (``Int64``, ``boolean``) so that the schema reports its empty cells as such. When
    ``factors`` is given, it receives the codes and distinct typed values of each factorized
    column, for checks that work on codes.
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
        raw_column = raw[column]
        categorical = isinstance(raw_column.dtype, pd.CategoricalDtype)
        if dtype is STRING and not categorical:
            values = raw_column.astype(object)
            typed[column] = values.where(values != "", None).astype(STRING)
            continue
        codes, uniques = _factorize(raw_column)
        converted, refused, expected = _convert_uniques(dtype, uniques)
        if refused.any():
            for line, value in raw.loc[refused[codes], column].items():
                problems.append(Problem(file, int(line), column, value, expected))
                bad.add((int(line), column))
        distinct = _typed_array(dtype, converted)
        if factors is not None:
            factors[column] = (codes, distinct)
        # every distinct value occurs in the column: a missing one means an empty cell
        if dtype in ("int64", "bool") and not pd.isna(distinct).any():
            values = np.asarray(distinct, dtype=dtype)[codes]
            typed[column] = pd.Series(values, index=raw.index, copy=False)
            continue
        if dtype in ("int64", "bool"):
            kept_nullable.add(column)
        typed[column] = pd.Series(distinct.take(codes), index=raw.index, copy=False)
    frame = pd.DataFrame(typed, index=raw.index)
    return frame, problems, bad, kept_nullable


def _factorize(raw_column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct raw values of a column (a categorical one has them already)."""
    if isinstance(raw_column.dtype, pd.CategoricalDtype):
        codes = raw_column.cat.codes.to_numpy().astype(np.intp)
        return codes, raw_column.cat.categories.to_numpy(dtype=object)
    codes, uniques = pd.factorize(raw_column.astype(object))
    return codes, np.asarray(uniques, dtype=object)


def _convert_uniques(
    dtype: object, uniques: np.ndarray
) -> tuple[list[object], np.ndarray, str | None]:
    """The converted distinct values (``None`` when missing or refused), which were refused, and
    what a refusal says. Text is kept verbatim (empty is missing)."""
    refused = np.zeros(len(uniques), dtype=bool)
    if dtype is STRING:
        return [None if value == "" else value for value in uniques], refused, None
    parse, expected = _converter(dtype)
    converted: list[object] = []
    for i, value in enumerate(uniques):
        text = str(value).strip()
        result = None if text == "" else parse(text)
        if result is _BAD:
            refused[i], result = True, None
        converted.append(result)
    return converted, refused, expected
