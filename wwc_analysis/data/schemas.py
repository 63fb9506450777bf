"""Pandera schemas of every table, as loaded (see ``docs/architecture.md``).

The schemas describe the *typed* frames that :mod:`wwc_analysis.data.dataset` returns: exact dtypes,
allowed values, key uniqueness, patterns and cross-column rules. They are ``strict`` (an unknown
column is refused) and meant to be run with ``lazy=True`` so that every failure is reported at once.

``COLUMNS`` is the single source of truth for column names, order and dtypes; the loaders use it to
convert the raw strings of a file before validating (:mod:`wwc_analysis.data.convert`). A check that
involves several columns of a row is a dataframe-level check whose ``error`` text is registered in
``ROW_CHECK_COLUMN`` with the column it is reported against, so that a failure can be located at one
cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pandera.pandas as pa

LEVELS: tuple[str, ...] = ("Silver", "Gold", "Platinum")
LEVEL_DTYPE = pd.CategoricalDtype(list(LEVELS), ordered=True)
COHORTS: tuple[str, ...] = ("new", "upgraded", "recertified")
COHORT_DTYPE = pd.CategoricalDtype(list(COHORTS), ordered=False)
TIER_RULES: tuple[str, ...] = ("components", "percent_of_criteria")
DATE_PRECISIONS: tuple[str, ...] = ("day", "month", "approximate")

#: Pandas string dtype with ``pd.NA`` as the missing value (``<NA>``), used for every text column.
STRING = pd.StringDtype()
#: Resolution of the ``announced`` dates.
DATETIME = "datetime64[ns]"

ROUND_ID_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
CITY_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
CODE_PATTERN = r"^[^\s,]+$"  # criterion codes: no blanks, no commas (codes are joined with commas)
ISO_COUNTRY_PATTERN = r"^[A-Z]{2}$"
NON_BLANK_PATTERN = r"\S"

SOURCES_SEPARATOR = " ; "
#: Characters refused in every text cell: C0 controls but tab, line feed and carriage return (a
#: quoted cell may span lines), DEL, C1 controls and the bidirectional overrides. A NUL byte or an
#: ANSI escape sequence in a data file could drive the terminal that prints it, or hide text.
CONTROL_IN_TEXT = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
CONTROL_EXPECTED = (
    "text without control characters (NUL, escape sequences, bidirectional overrides and other "
    "invisible codes are refused; the value is shown with them escaped)"
)

# table -> {column: dtype}, in file order.
COLUMNS: dict[str, dict[str, object]] = {
    "criteria": {
        "standard": STRING,
        "code": STRING,
        "practice_area": STRING,
        "name": STRING,
        "core": "bool",
    },
    "standards": {
        "standard": STRING,
        "criteria_count": "int64",
        "practice_area_count": "int64",
        "tier_rule": STRING,
        "silver_min": "int64",
        "gold_min": "int64",
        "platinum_min": "int64",
        "core_criteria_required": "bool",
        "outcome_requirement": "bool",
        "notes": STRING,
        "sources": STRING,
    },
    "rounds": {
        "round_id": STRING,
        "announced": DATETIME,
        "date_precision": STRING,
        "standard": STRING,
        "reported_new": "Int64",
        "reported_upgraded": "Int64",
        "reported_recertified": "Int64",
        "reported_total_certified": "Int64",
        "reported_applicants": STRING,
        "notes": STRING,
        "sources": STRING,
    },
    "certifications": {
        "city_id": STRING,
        "city": STRING,
        "region": STRING,
        "country": STRING,
        "round_id": STRING,
        "level": LEVEL_DTYPE,
        "reported_cohort": COHORT_DTYPE,
        "level_inferred": "bool",
        "round_inferred": "bool",
        "notes": STRING,
        "sources": STRING,
    },
    "unplaced": {
        "city": STRING,
        "region": STRING,
        "country": STRING,
        "level": LEVEL_DTYPE,
        "notes": STRING,
        "sources": STRING,
    },
    "assessments": {
        "city_id": STRING,
        "round_id": STRING,
        "criterion": STRING,
        "met": "bool",
        "outcome_met": "bool",
        "simulated": "bool",
    },
}

# --- reach (issue 9): the approximate eligible universe and the record's crosswalk to it ----------
COLUMNS["universe"] = {
    "geonameid": "int64",
    "name": STRING,
    "country_code": STRING,
    "country": STRING,
    "admin1_code": STRING,
    "region": STRING,
    "latitude": "float64",
    "longitude": "float64",
    "population": "int64",
}
COLUMNS["crosswalk"] = {
    "city_id": STRING,
    "city": STRING,
    "region": STRING,
    "country": STRING,
    "geonameid": "Int64",
    "match": STRING,
    "note": STRING,
    "population": "Int64",
    "population_source": STRING,
}
#: How a city of the record was matched to a GeoNames place (``none``: it is not one; the note
#: says why).
MATCH_METHODS: tuple[str, ...] = ("exact_name", "alternate_name", "manual", "none")

#: The foreign keys between tables, as ``data/cross.py`` and ``data/reach_tables.py`` check them
#: (and ``data/datapackage.json`` declares them): table -> [(column, referenced table, referenced
#: column)]. (A crosswalk row's city is a city of certifications.csv by ``city_id`` or of
#: unplaced.csv by its names: ``reach_tables`` checks it, but it is no single key.)
FOREIGN_KEYS: dict[str, list[tuple[str, str, str]]] = {
    "criteria": [("standard", "standards", "standard")],
    "rounds": [("standard", "standards", "standard")],
    "certifications": [("round_id", "rounds", "round_id")],
    "assessments": [("round_id", "rounds", "round_id")],
    "crosswalk": [("geonameid", "universe", "geonameid")],
}

#: Columns a file may leave out, with the value they take when absent.
OPTIONAL_COLUMNS: dict[str, dict[str, object]] = {"assessments": {"simulated": False}}

#: ``error`` text of each dataframe-level (row) check -> the column a failure is reported against.
ROW_CHECK_COLUMN: dict[str, str] = {}


def _row_check(column: str, expected: str, fn: Callable[[pd.DataFrame], pd.Series]) -> pa.Check:
    """A dataframe-level check reported against ``column``; NA results and absent columns pass."""
    ROW_CHECK_COLUMN[expected] = column

    def check(df: pd.DataFrame) -> pd.Series:
        try:
            result = fn(df)
        except KeyError:  # a column is missing: reported separately by the header check
            return pd.Series(True, index=df.index)
        return pd.Series(result, index=df.index).fillna(True).astype(bool)

    return pa.Check(check, error=expected)


def _per_value(
    test: Callable[[str], bool],
    expected: str,
    all_pass: Callable[[list[str]], bool] | None = None,
) -> pa.Check:
    """A check of each text value, evaluated once per distinct value (key columns repeat a lot);
    ``all_pass``, when given, answers for all distinct values at once whether every one passes
    (then no value is tested alone)."""

    def check(series: pd.Series) -> pd.Series:
        codes, uniques = pd.factorize(series)
        values = [str(v) for v in np.asarray(uniques, dtype=object)]
        if all_pass is not None and all_pass(values):
            return pd.Series(True, index=series.index)
        verdicts = np.array([bool(test(v)) for v in values] + [True], dtype=bool)
        return pd.Series(verdicts[codes], index=series.index)  # code -1 (missing) -> True

    PER_VALUE[expected] = (test, all_pass)
    return pa.Check(check, error=expected)


#: The test of each per-value check, by its ``error`` text, with its all-at-once form (or
#: ``None``): the fast path of validation calls them on distinct values directly.
PER_VALUE: dict[str, tuple[Callable[[str], bool], Callable[[list[str]], bool] | None]] = {}


def _matches(pattern: str, expected: str) -> pa.Check:
    """Each value matches ``pattern`` (``re.search``; anchor it to match the whole value)."""
    compiled = re.compile(pattern)
    return _per_value(lambda v: compiled.search(v) is not None, expected)


_CONTROL_RE = re.compile(CONTROL_IN_TEXT)
_no_control = _per_value(
    lambda v: _CONTROL_RE.search(v) is None,
    CONTROL_EXPECTED,
    all_pass=lambda values: _CONTROL_RE.search("\n".join(values)) is None,  # one scan for all
)


#: Not empty nor only blanks (``\S`` and ``str.isspace`` agree on every character).
_non_blank = _per_value(
    lambda v: re.search(NON_BLANK_PATTERN, v) is not None,
    "a non-empty text",
    all_pass=lambda values: all(map(str.strip, values)),
)


def _one_of(values: tuple[str, ...]) -> pa.Check:
    allowed = frozenset(values)
    return _per_value(lambda v: v in allowed, f"one of {', '.join(values)}")


def _text(required: bool = True, *checks: pa.Check) -> pa.Column:
    """A text column; ``required`` means not empty (nor only blanks). No text cell may hold a
    control character (tabs and line breaks aside): see :data:`CONTROL_IN_TEXT`."""
    checks = (_no_control, *checks)
    if required:
        checks = (_non_blank, *checks)
    return pa.Column(STRING, list(checks), nullable=not required)


def _pattern(pattern: str, expected: str) -> pa.Check:
    return _matches(pattern, expected)


def _count(nullable: bool) -> pa.Column:
    dtype = "Int64" if nullable else "int64"
    return pa.Column(dtype, pa.Check.ge(0, error="a whole number >= 0"), nullable=nullable)


def _bool() -> pa.Column:
    return pa.Column("bool", nullable=False)


def _sources_ok(value: str) -> bool:
    """True when every ``' ; '``-separated entry of a sources cell has text."""
    text = str(value).strip()
    if text.startswith(";") or text.endswith(";"):
        return False
    return all(part.strip() for part in text.split(SOURCES_SEPARATOR))


def all_sources_ok(values: list[str]) -> bool:
    """:func:`_sources_ok` of every value at once: stripped values joined by NUL (which no value
    holds, else each is tested alone); a value starting or ending with ';' shows next to a NUL or
    at an end, and an empty entry as a blank part of the joined text split on ' ; ' (a part that
    spans two values holds their NUL, so it is never blank)."""
    if not values:
        return True
    stripped = [value.strip() for value in values]
    joined = "\x00".join(stripped)
    if not all(stripped) or joined.count("\x00") != len(stripped) - 1:
        return False
    if joined.startswith(";") or joined.endswith(";") or "\x00;" in joined or ";\x00" in joined:
        return False
    return all(part.strip() for part in joined.split(SOURCES_SEPARATOR))


def _sources() -> pa.Column:
    return _text(
        True,
        _per_value(
            _sources_ok,
            "one or more sources separated by ' ; ', none of them empty",
            all_pass=all_sources_ok,
        ),
    )


ROUND_ID_EXPECTED = "a round id YYYY-MM (e.g. 2024-01)"
SAME_CITY_EXPECTED = "the same city, region and country on every row of a city_id"
SAME_OUTCOME_EXPECTED = "outcome_met the same on every row of a (city_id, round_id)"
CITY_ID_EXPECTED = "a city id slug: lowercase ASCII letters and digits in runs joined by '-'"


def _threshold_range(col: str) -> pa.Check:
    def fn(df: pd.DataFrame) -> pd.Series:
        upper = df["tier_rule"].map({"percent_of_criteria": 100, "components": 4})
        return ~upper.notna() | ((df[col] >= 0) & (df[col] <= upper))

    return _row_check(
        col,
        f"{col} between 0 and 100 when tier_rule is percent_of_criteria, 0 and 4 when components",
        fn,
    )


CRITERIA_SCHEMA = pa.DataFrameSchema(
    {
        "standard": _text(True),
        "code": _text(True, _pattern(CODE_PATTERN, "a criterion code without blanks or commas")),
        "practice_area": _text(True),
        "name": _text(True),
        "core": _bool(),
    },
    unique=["standard", "code"],
    report_duplicates="exclude_first",
    strict=True,
    ordered=False,
    name="criteria",
)

STANDARDS_SCHEMA = pa.DataFrameSchema(
    {
        "standard": _text(True),
        "criteria_count": pa.Column("int64", pa.Check.gt(0, error="a whole number > 0")),
        "practice_area_count": pa.Column("int64", pa.Check.gt(0, error="a whole number > 0")),
        "tier_rule": _text(True, _one_of(TIER_RULES)),
        "silver_min": _count(False),
        "gold_min": _count(False),
        "platinum_min": _count(False),
        "core_criteria_required": _bool(),
        "outcome_requirement": _bool(),
        "notes": _text(False),
        "sources": _sources(),
    },
    checks=[
        _row_check(
            "gold_min",
            "gold_min greater than silver_min "
            "(thresholds strictly increase: silver < gold < platinum)",
            lambda df: df["gold_min"] > df["silver_min"],
        ),
        _row_check(
            "platinum_min",
            "platinum_min greater than gold_min "
            "(thresholds strictly increase: silver < gold < platinum)",
            lambda df: df["platinum_min"] > df["gold_min"],
        ),
        _threshold_range("silver_min"),
        _threshold_range("gold_min"),
        _threshold_range("platinum_min"),
    ],
    unique=["standard"],
    report_duplicates="exclude_first",
    strict=True,
    ordered=False,
    name="standards",
)

ROUNDS_SCHEMA = pa.DataFrameSchema(
    {
        "round_id": _text(True, _pattern(ROUND_ID_PATTERN, ROUND_ID_EXPECTED)),
        "announced": pa.Column(DATETIME, nullable=False),
        "date_precision": _text(True, _one_of(DATE_PRECISIONS)),
        "standard": _text(True),
        "reported_new": _count(True),
        "reported_upgraded": _count(True),
        "reported_recertified": _count(True),
        "reported_total_certified": _count(True),
        "reported_applicants": _text(False),
        "notes": _text(False),
        "sources": _sources(),
    },
    checks=[
        _row_check(
            "round_id",
            "round_id equal to the year and month of announced (YYYY-MM)",
            lambda df: df["round_id"] == df["announced"].dt.strftime("%Y-%m").astype(STRING),
        ),
    ],
    unique=["round_id"],
    report_duplicates="exclude_first",
    strict=True,
    ordered=False,
    name="rounds",
)


def _same_city(df: pd.DataFrame) -> pd.Series:
    """Rows whose city, region and country match the first row with the same city_id."""
    names = df[["city", "region", "country"]].astype(object).fillna("")
    first = names.groupby(df["city_id"].astype(object).fillna(""), sort=False).transform("first")
    return (names == first).all(axis=1)


CERTIFICATIONS_SCHEMA = pa.DataFrameSchema(
    {
        "city_id": _text(True, _pattern(CITY_ID_PATTERN, CITY_ID_EXPECTED)),
        "city": _text(True),
        "region": _text(True),
        "country": _text(True),
        "round_id": _text(True, _pattern(ROUND_ID_PATTERN, ROUND_ID_EXPECTED)),
        "level": pa.Column(LEVEL_DTYPE, nullable=True),
        "reported_cohort": pa.Column(COHORT_DTYPE, nullable=True),
        "level_inferred": _bool(),
        "round_inferred": _bool(),
        "notes": _text(False),
        "sources": _sources(),
    },
    checks=[
        _row_check("city_id", SAME_CITY_EXPECTED, _same_city),
    ],
    unique=["city_id", "round_id"],
    report_duplicates="exclude_first",
    strict=True,
    ordered=False,
    name="certifications",
)

UNPLACED_SCHEMA = pa.DataFrameSchema(
    {
        "city": _text(True),
        "region": _text(False),
        "country": _text(True),
        "level": pa.Column(LEVEL_DTYPE, nullable=True),
        "notes": _text(False),
        "sources": _sources(),
    },
    strict=True,
    ordered=False,
    name="unplaced",
)


def _outcome_constant(df: pd.DataFrame) -> pd.Series:
    """Rows whose outcome_met equals the first row of the same (city_id, round_id)."""
    keys = [df["city_id"].astype(object).fillna(""), df["round_id"].astype(object).fillna("")]
    first = df["outcome_met"].groupby(keys, sort=False).transform("first")
    return df["outcome_met"] == first


ASSESSMENTS_SCHEMA = pa.DataFrameSchema(
    {
        "city_id": _text(True, _pattern(CITY_ID_PATTERN, CITY_ID_EXPECTED)),
        "round_id": _text(True, _pattern(ROUND_ID_PATTERN, ROUND_ID_EXPECTED)),
        "criterion": _text(
            True, _pattern(CODE_PATTERN, "a criterion code without blanks or commas")
        ),
        "met": _bool(),
        "outcome_met": _bool(),
        "simulated": _bool(),
    },
    checks=[
        _row_check("outcome_met", SAME_OUTCOME_EXPECTED, _outcome_constant),
    ],
    unique=["city_id", "round_id", "criterion"],
    report_duplicates="exclude_first",
    strict=True,
    ordered=False,
    name="assessments",
)

ISO_COUNTRY_EXPECTED = "an ISO 3166-1 alpha-2 code (e.g. US)"

UNIVERSE_SCHEMA = pa.DataFrameSchema(
    {
        "geonameid": pa.Column("int64", pa.Check.gt(0, error="a GeoNames id (a whole number > 0)")),
        "name": _text(True),
        "country_code": _text(True, _pattern(ISO_COUNTRY_PATTERN, ISO_COUNTRY_EXPECTED)),
        "country": _text(True),
        "admin1_code": _text(False),
        "region": _text(False),
        "latitude": pa.Column(
            "float64", pa.Check.in_range(-90, 90, error="a latitude between -90 and 90")
        ),
        "longitude": pa.Column(
            "float64", pa.Check.in_range(-180, 180, error="a longitude between -180 and 180")
        ),
        "population": _count(False),
    },
    unique=["geonameid"],
    report_duplicates="exclude_first",
    strict=True,
    ordered=False,
    name="universe",
)

LINKED_EXPECTED = "a geonameid when match is not 'none', and none when it is"
SOURCED_EXPECTED = "a population_source for the population (and no source without a population)"

CROSSWALK_SCHEMA = pa.DataFrameSchema(
    {
        "city_id": _text(True, _pattern(CITY_ID_PATTERN, CITY_ID_EXPECTED)),
        "city": _text(True),
        "region": _text(False),
        "country": _text(True),
        "geonameid": pa.Column(
            "Int64", pa.Check.gt(0, error="a GeoNames id (a whole number > 0)"), nullable=True
        ),
        "match": _text(True, _one_of(MATCH_METHODS)),
        "note": _text(True),
        "population": pa.Column("Int64", pa.Check.gt(0, error="a whole number > 0"), nullable=True),
        "population_source": _text(False),
    },
    checks=[
        _row_check(
            "geonameid",
            LINKED_EXPECTED,
            lambda df: df["geonameid"].notna() == (df["match"] != "none"),
        ),
        _row_check(
            "population_source",
            SOURCED_EXPECTED,
            lambda df: df["population"].notna() == df["population_source"].notna(),
        ),
    ],
    unique=["city_id"],
    report_duplicates="exclude_first",
    strict=True,
    ordered=False,
    name="crosswalk",
)

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "criteria": CRITERIA_SCHEMA,
    "standards": STANDARDS_SCHEMA,
    "rounds": ROUNDS_SCHEMA,
    "certifications": CERTIFICATIONS_SCHEMA,
    "unplaced": UNPLACED_SCHEMA,
    "assessments": ASSESSMENTS_SCHEMA,
    "universe": UNIVERSE_SCHEMA,
    "crosswalk": CROSSWALK_SCHEMA,
}

__all__ = [
    "ASSESSMENTS_SCHEMA",
    "CERTIFICATIONS_SCHEMA",
    "CITY_ID_PATTERN",
    "CONTROL_EXPECTED",
    "CONTROL_IN_TEXT",
    "CROSSWALK_SCHEMA",
    "COHORTS",
    "COHORT_DTYPE",
    "COLUMNS",
    "CRITERIA_SCHEMA",
    "DATETIME",
    "DATE_PRECISIONS",
    "FOREIGN_KEYS",
    "ISO_COUNTRY_EXPECTED",
    "ISO_COUNTRY_PATTERN",
    "LEVELS",
    "LEVEL_DTYPE",
    "LINKED_EXPECTED",
    "MATCH_METHODS",
    "OPTIONAL_COLUMNS",
    "PER_VALUE",
    "ROUNDS_SCHEMA",
    "ROUND_ID_PATTERN",
    "ROW_CHECK_COLUMN",
    "SAME_CITY_EXPECTED",
    "SAME_OUTCOME_EXPECTED",
    "SCHEMAS",
    "STANDARDS_SCHEMA",
    "STRING",
    "TIER_RULES",
    "UNIVERSE_SCHEMA",
    "UNPLACED_SCHEMA",
]
