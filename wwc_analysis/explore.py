"""Small building blocks for the exploration notebooks (01 tier distribution, 02 cohort comparison).

Everything here composes the public functions of :mod:`cohorts`, :mod:`summary` and :mod:`profiles`
so the notebooks stay thin: resolving the ``year`` / ``as_of`` / ``round_id`` parameters, filtering by
place, the level counts after every round, the from -> to transition table, cohort sizes side by side
(reported / identified / derived), the choice of simulated assessments to profile, and the tables the
notebooks show (:func:`report_table`, :func:`report_text`: readable headers, no meaningless index,
booleans as "yes", missing values as "–").

Unknown stays unknown: every count here keeps an explicit ``Unknown`` bucket (a level or cohort that
the record does not give) and nothing is guessed. Years are announcement calendar years.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype, is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from . import paths
from .cohorts import (
    DERIVED_COHORTS,
    REPORTED_COHORTS,
    cumulative,
    latest_levels,
    level_counts,
    level_transitions,
    to_timestamp,
    upgrade_times,
)
from .standards import TIERS
from .summary import check_year

if TYPE_CHECKING:  # pragma: no cover
    from pandas.io.formats.style import Styler

    from .loaders import Dataset

UNKNOWN = "Unknown"
LEVEL_BUCKETS: tuple[str, ...] = (*TIERS, UNKNOWN)
#: Cohort rows of :func:`cohort_sizes`: the three reported cohorts, ``lower`` (derived only) and
#: ``unknown`` (no cohort stated / none derivable).
COHORT_ROWS: tuple[str, ...] = (*REPORTED_COHORTS, "lower", "unknown")
BASES: tuple[str, ...] = ("reported", "identified", "derived")
#: One colour per basis of a count, used by both notebooks (Okabe-Ito: black, blue, sky blue).
BASIS_PALETTE: dict[str, str] = {"reported": "#222222", "identified": "#0072B2", "derived": "#56B4E9"}


# --- parameters ----------------------------------------------------------------------------------
def resolve_as_of(year, as_of=None, data: Dataset | None = None) -> pd.Timestamp:
    """The date a notebook measures at: ``as_of`` if given, else 31 December of ``year``.

    ``year`` must be an announcement year with a round (a ValueError lists the years that have one).
    """
    y = check_year(year, data)
    return to_timestamp(y if as_of in (None, "") else as_of)


def resolve_round(year, round_id=None, data: Dataset | None = None) -> str:
    """The round a notebook looks at: ``round_id`` if given, else the last round announced in ``year``.

    An explicit ``round_id`` must exist (a ValueError lists the rounds); it wins over ``year``.
    """
    data = _data(data)
    rounds = data.rounds
    if round_id not in (None, ""):
        rid = str(round_id).strip()
        if rid not in set(rounds["round_id"]):
            raise ValueError(f"unknown round {rid!r}; rounds: {', '.join(rounds['round_id'])}")
        return rid
    y = check_year(year, data)
    in_year = rounds[rounds["announced"].dt.year == y].sort_values("announced")
    return str(in_year["round_id"].iloc[-1])


def round_info(round_id: str, data: Dataset | None = None) -> pd.Series:
    """The ``rounds`` row of ``round_id`` (announced, standard, reported counts, notes, sources)."""
    data = _data(data)
    rows = data.rounds[data.rounds["round_id"] == round_id]
    if rows.empty:
        raise ValueError(f"unknown round {round_id!r}; rounds: {', '.join(data.rounds['round_id'])}")
    return rows.iloc[0]


# --- place filter ---------------------------------------------------------------------------------
def filter_place(frame: pd.DataFrame, country=None, region=None) -> pd.DataFrame:
    """Rows of ``frame`` in ``country`` and/or ``region`` (exact names, case-insensitive).

    ``None`` means no filter. A value that matches no row raises a ValueError listing the values
    there are, so a typo never silently yields an empty analysis.
    """
    out = frame
    for column, value in (("country", country), ("region", region)):
        if value in (None, ""):
            continue
        wanted = str(value).strip().casefold()
        values = out[column].astype("string")
        mask = (values.str.casefold() == wanted).fillna(False).astype(bool)
        if not mask.any():
            known = sorted(values.dropna().unique())
            where = f" in {country}" if column == "region" and country not in (None, "") else ""
            raise ValueError(f"no {column} {value!r}{where}; {column} values on record: {', '.join(known)}")
        out = out[mask]
    return out.reset_index(drop=True)


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """'1 country', '3 countries', '0 rounds': a count with its noun for computed prose."""
    if int(n) == 1:
        return f"{int(n)} {singular}"
    if plural_form is None:
        plural_form = singular[:-1] + "ies" if singular.endswith("y") and singular[-2:-1] not in "aeiou" else singular + "s"
    return f"{int(n)} {plural_form}"


def place_label(country=None, region=None) -> str:
    """'all countries', 'United States', 'CA, United States', ... for titles and prose."""
    parts = [str(p) for p in (region, country) if p not in (None, "")]
    return ", ".join(parts) if parts else "all countries"


# --- levels over time -----------------------------------------------------------------------------
def growth(data: Dataset | None = None, as_of=None) -> pd.DataFrame:
    """:func:`cohorts.cumulative` (reported vs identified cities ever certified) for rounds up to ``as_of``."""
    cum = cumulative(_data(data))
    if as_of is not None:
        cum = cum[cum["announced"] <= to_timestamp(as_of)]
    return cum.reset_index(drop=True)


def levels_over_time(data: Dataset | None = None, as_of=None, country=None, region=None) -> pd.DataFrame:
    """After each round (up to ``as_of``): how many identified cities hold each latest level.

    One row per round: ``round_id``, ``announced``, ``Silver``, ``Gold``, ``Platinum``, ``Unknown``
    (latest event's level not known) and ``identified_total``. Counts of cities ever certified
    (certification lapses are not modelled), optionally in one country/region.
    """
    data = _data(data)
    rounds = data.rounds.sort_values("announced")
    if as_of is not None:
        rounds = rounds[rounds["announced"] <= to_timestamp(as_of)]
    rows = []
    for r in rounds.itertuples(index=False):
        lv = latest_levels(r.announced, data)
        if country not in (None, "") or region not in (None, ""):
            lv = lv[_place_mask(lv, country, region)]
        counts = level_counts(lv["level"])
        rows.append({"round_id": r.round_id, "announced": r.announced, **counts.to_dict(),
                     "identified_total": int(counts.sum())})
    out = pd.DataFrame(rows, columns=["round_id", "announced", *LEVEL_BUCKETS, "identified_total"])
    out[[*LEVEL_BUCKETS, "identified_total"]] = out[[*LEVEL_BUCKETS, "identified_total"]].astype("int64")
    return out


def _place_mask(frame: pd.DataFrame, country, region) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in (("country", country), ("region", region)):
        if value not in (None, ""):
            mask &= (frame[column].astype("string").str.casefold() == str(value).strip().casefold()).fillna(False)
    return mask.astype(bool)


# --- transitions ----------------------------------------------------------------------------------
def transitions(data: Dataset | None = None, as_of=None, country=None, region=None) -> pd.DataFrame:
    """:func:`cohorts.level_transitions` (consecutive events of a city) whose later event was
    announced on or before ``as_of``, optionally in one country/region; adds ``to_announced``."""
    data = _data(data)
    tr = level_transitions(data).merge(
        data.rounds[["round_id", "announced"]].rename(columns={"round_id": "to_round", "announced": "to_announced"}),
        on="to_round", how="left")
    if as_of is not None:
        tr = tr[tr["to_announced"] <= to_timestamp(as_of)]
    if country not in (None, "") or region not in (None, ""):
        regions = data.certifications.drop_duplicates("city_id").set_index("city_id")["region"]
        tr = tr.assign(region=tr["city_id"].map(regions))
        tr = tr[_place_mask(tr, country, region)].drop(columns="region")
    return tr.reset_index(drop=True)


def transition_matrix(trans: pd.DataFrame) -> pd.DataFrame:
    """From-level (rows) x to-level (columns) counts, with ``Unknown`` rows/columns always present."""
    def bucket(s: pd.Series) -> pd.Categorical:
        return pd.Categorical(s.astype("object").where(s.notna(), UNKNOWN), categories=list(LEVEL_BUCKETS))

    table = pd.crosstab(bucket(trans["from_level"]), bucket(trans["to_level"]), dropna=False)
    table = table.reindex(index=list(LEVEL_BUCKETS), columns=list(LEVEL_BUCKETS), fill_value=0).astype("int64")
    table.index.name, table.columns.name = "from level", "to level"
    return table


def transition_summary(matrix: pd.DataFrame) -> dict[str, int]:
    """Totals of a :func:`transition_matrix`: ``up``, ``same``, ``down`` (both levels known) and
    ``unknown`` (either level not known), plus ``total``."""
    known = [t for t in TIERS if t in matrix.index and t in matrix.columns]
    k = matrix.loc[known, known].to_numpy()
    total = int(matrix.to_numpy().sum())
    up = int(np.triu(k, 1).sum())
    same = int(np.trace(k))
    down = int(np.tril(k, -1).sum())
    return {"up": up, "same": same, "down": down, "unknown": total - up - same - down, "total": total}


# --- cohorts --------------------------------------------------------------------------------------
def cohort_sizes(summary: pd.DataFrame, round_id: str) -> pd.DataFrame:
    """A round's cohort sizes side by side: rows new / upgraded / recertified / lower / unknown,
    columns ``reported`` (stated by the program; <NA> = not reported), ``identified`` (events on
    record, by the cohort the sources state; ``unknown`` = no cohort stated) and ``derived`` (from the
    history; ``unknown`` = a level needed is not known). ``summary`` is :func:`cohorts.round_summary`."""
    rows = summary[summary["round_id"] == round_id]
    if rows.empty:
        raise ValueError(f"round {round_id!r} is not in the summary")
    r = rows.iloc[0]
    out = pd.DataFrame(index=pd.Index(list(COHORT_ROWS), name="cohort"), columns=list(BASES))
    for c in COHORT_ROWS:
        out.loc[c, "reported"] = r[f"reported_{c}"] if c in REPORTED_COHORTS else pd.NA
        out.loc[c, "identified"] = r[f"identified_{'unstated' if c == 'unknown' else c}"] if c != "lower" else 0
        out.loc[c, "derived"] = r[f"derived_{c}"]
    return out.astype("Int64")


def cohort_sizes_by_round(summary: pd.DataFrame, until: str | None = None) -> pd.DataFrame:
    """Reported vs identified size of the three reported cohorts in every round (up to ``until``).

    Long format: ``round_id``, ``announced``, ``cohort``, ``reported`` (<NA> = not reported),
    ``identified``, ``missing`` (reported - identified, <NA> when not reported).
    """
    s = summary.sort_values("announced")
    if until is not None:
        cut = s.loc[s["round_id"] == until, "announced"]
        if cut.empty:
            raise ValueError(f"round {until!r} is not in the summary")
        s = s[s["announced"] <= cut.iloc[0]]
    parts = []
    for c in REPORTED_COHORTS:
        parts.append(pd.DataFrame({
            "round_id": s["round_id"].to_numpy(), "announced": s["announced"].to_numpy(), "cohort": c,
            "reported": s[f"reported_{c}"].astype("Int64").to_numpy(),
            "identified": s[f"identified_{c}"].astype("int64").to_numpy(),
        }))
    out = pd.concat(parts, ignore_index=True)
    out["reported"] = out["reported"].astype("Int64")
    out["missing"] = (out["reported"] - out["identified"]).astype("Int64")
    return out


def cohort_sizes_table(long: pd.DataFrame) -> pd.DataFrame:
    """:func:`cohort_sizes_by_round` as one row per round, columns ``<cohort> reported`` /
    ``<cohort> identified`` for new, upgraded, recertified (<NA> = not reported)."""
    cols = {}
    for c in REPORTED_COHORTS:
        part = long[long["cohort"] == c].set_index("round_id")
        cols[f"{c} reported"] = part["reported"]
        cols[f"{c} identified"] = part["identified"]
    out = pd.DataFrame(cols)
    out.index.name = "round"
    return out.astype("Int64")


def reporting_coverage(long: pd.DataFrame) -> pd.DataFrame:
    """Per cohort over the rounds of :func:`cohort_sizes_by_round`: ``rounds``, ``rounds_reported``
    (rounds that stated the count), ``reported`` (their sum), ``identified_in_reported`` (events
    identified in those rounds) and ``identified`` (events identified in all rounds)."""
    rows = {}
    for c in REPORTED_COHORTS:
        part = long[long["cohort"] == c]
        rep = part[part["reported"].notna()]
        rows[c] = {"rounds": len(part), "rounds_reported": len(rep), "reported": int(rep["reported"].sum()),
                   "identified_in_reported": int(rep["identified"].sum()), "identified": int(part["identified"].sum())}
    out = pd.DataFrame.from_dict(rows, orient="index").astype("int64")
    out.index.name = "cohort"
    return out


def label_cohorts(members: pd.DataFrame) -> pd.DataFrame:
    """Add ``cohort`` (the reported cohort when the sources state one, else the derived one, else
    ``unknown``) and ``cohort_basis`` (reported / derived / none) to :func:`summary.round_members`."""
    rep = members["reported_cohort"].astype("object")
    der = members["derived_cohort"].astype("object")
    cohort = rep.where(rep.notna(), der).where(lambda s: s.notna(), "unknown")
    basis = pd.Series("none", index=members.index).where(der.isna() | rep.notna(), "derived")
    basis = basis.where(rep.isna(), "reported")
    order = [c for c in (*DERIVED_COHORTS, "unknown")]
    return members.assign(cohort=pd.Categorical(cohort, categories=order), cohort_basis=basis)


def cohort_geography(members: pd.DataFrame, by: str = "country") -> pd.DataFrame:
    """Cities of each cohort (``label_cohorts``) by country or region, split by level, Unknown kept.

    Rows: (cohort, country[, region]); columns Silver / Gold / Platinum / Unknown / total.
    """
    from .summary import geography

    labelled = members if "cohort" in members.columns else label_cohorts(members)
    parts = {str(c): geography(g, by=by) for c, g in labelled.groupby("cohort", observed=True) if len(g)}
    if not parts:
        cols = [*LEVEL_BUCKETS, "total"]
        return pd.DataFrame(columns=cols)
    out = pd.concat(parts, names=["cohort"])
    return out


def upgrades_until(round_id: str, data: Dataset | None = None) -> pd.DataFrame:
    """:func:`cohorts.upgrade_times` for upgrades announced up to and including ``round_id``;
    ``in_round`` marks the upgrades of that round. ``years_since_first`` stays <NA> where the history
    cannot confirm the upgrade (earlier certification not on record)."""
    data = _data(data)
    ann = data.rounds.set_index("round_id")["announced"]
    cut = round_info(round_id, data)["announced"]
    up = upgrade_times(data)
    up = up[up["round_id"].map(ann) <= cut].copy()
    up["in_round"] = up["round_id"] == round_id
    return up.reset_index(drop=True)


# --- simulated assessments ------------------------------------------------------------------------
def simulated_assessments(data: Dataset | None = None) -> pd.DataFrame:
    """``data.assessments``; when the data folder has none, the project's shipped simulated file,
    validated against the folder's rounds and criteria. ``attrs["source"]`` names the file used."""
    data = _data(data)
    if data.assessments is not None:
        out = data.assessments
        out.attrs.setdefault("source", str(data.data_dir / "simulated" / "assessments.csv"))
        return out
    from .loaders import load_assessments

    path = paths.SIMULATED_DIR / "assessments.csv"
    out = load_assessments(path, data.data_dir)
    out.attrs["source"] = str(path)
    return out


def latest_assessments(history: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """Each assessed city's most recent assessment announced on or before ``as_of`` (one row per city).

    ``history`` is :func:`profiles.assessment_history`; adds ``assessments`` (how many the city had
    up to the date). The ``simulated`` flag in ``attrs`` is kept."""
    h = history
    if as_of is not None:
        h = h[h["announced"] <= to_timestamp(as_of)]
    h = h.sort_values(["city_id", "announced"], kind="stable")
    n = h.groupby("city_id").size()
    out = h.groupby("city_id").tail(1).reset_index(drop=True)
    out["assessments"] = out["city_id"].map(n).astype("int64")
    out.attrs = dict(history.attrs)
    return out


def simulated_population(history: pd.DataFrame, as_of=None) -> tuple[pd.DataFrame, str]:
    """:func:`latest_assessments` as of ``as_of``, with a sentence saying what it holds.

    When no simulated assessment was announced by ``as_of`` (the simulation starts with the first
    round of the 2022 standard), every city's latest assessment on record is used and the sentence
    says so, rather than showing an empty population.
    """
    pop = latest_assessments(history, as_of)
    n_ass = int(pop["assessments"].sum()) if len(pop) else 0
    if len(pop):
        when = "" if as_of is None else f" announced on or before {to_timestamp(as_of):%d %B %Y}"
        return pop, (f"the latest assessment{when} of each of {len(pop)} fictional cities "
                     f"({n_ass} assessments in all up to then)")
    pop = latest_assessments(history)
    first = history["announced"].min()
    return pop, (f"the latest assessment on record of each of {len(pop)} fictional cities, because no simulated "
                 f"assessment is dated on or before {to_timestamp(as_of):%d %B %Y} (the simulation starts "
                 f"{first:%B %Y})")


def simulated_scope(history: pd.DataFrame, round_id: str, cohorts=("upgraded", "recertified"),
                    min_size: int = 10) -> tuple[pd.DataFrame, str]:
    """The simulated assessments to profile for ``round_id``: that round's when each of ``cohorts`` has
    at least ``min_size`` assessments there; otherwise every simulated round, pooled.

    Returns the chosen rows of ``history`` and a sentence saying which was used and why.
    """
    in_round = history[history["round_id"] == round_id]
    sizes = in_round["cohort"].value_counts()
    small = {c: int(sizes.get(c, 0)) for c in cohorts if int(sizes.get(c, 0)) < min_size}
    if not small:
        out = in_round.copy()
        text = f"the {len(in_round)} simulated assessments of round {round_id}"
    else:
        out = history.copy()
        rounds = sorted(history["round_id"].unique())
        have = ", ".join(f"{n} {c}" for c, n in small.items())
        text = (f"all {len(history)} simulated assessments of rounds {rounds[0]} to {rounds[-1]}, pooled, "
                f"because round {round_id} has only {have} (fewer than {min_size})")
    out.attrs = dict(history.attrs)
    return out.reset_index(drop=True), text


def with_counts(profile: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """``profile`` (rows = cohorts) with each row label followed by its number of assessments."""
    n = history["cohort"].value_counts()
    out = profile.rename(index=lambda c: f"{c} (n={int(n.get(c, 0))})")
    out.attrs = dict(profile.attrs)
    return out


# --- tables for the report -------------------------------------------------------------------------
#: How a missing value (not reported, not known, not applicable) is shown in a table for people.
MISSING = "\u2013"
_TABLE_CSS = [
    {"selector": "", "props": "border-collapse: collapse; font-size: 0.9em; margin: 0.4em 0 1.2em 0;"},
    {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: bold; padding: 0 0 6px 0; "
                                     "white-space: nowrap;"},  # a caption wider than a narrow table stays one line
    {"selector": "th", "props": "text-align: left; vertical-align: bottom; padding: 3px 10px; "
                                "border-bottom: 1px solid #999; white-space: nowrap;"},
    {"selector": "td", "props": "text-align: left; vertical-align: top; padding: 3px 10px; "
                                "border-bottom: 1px solid #eee; white-space: nowrap;"},
]


def readable(name) -> str:
    """A column name as a header: ``'last_known_level'`` -> ``'Last known level'``, ``'total'`` -> ``'Total'``."""
    text = " ".join(str(name).replace("_", " ").split())
    return text[:1].upper() + text[1:]


def _cell_formatter(series: pd.Series, fmt) -> Callable[[object], str]:
    if fmt is not None:
        return fmt.format if isinstance(fmt, str) else fmt
    if is_bool_dtype(series.dtype) or infer_dtype(series, skipna=True) == "boolean":
        return lambda v: "yes" if bool(v) else ""
    if is_datetime64_any_dtype(series.dtype):
        return lambda v: f"{v:%d %b %Y}"
    if is_numeric_dtype(series.dtype) and not pd.api.types.is_integer_dtype(series.dtype):
        return lambda v: f"{v:.2f}"
    return str


def _report_frame(df: pd.DataFrame, columns, index, formats) -> tuple[pd.DataFrame, list[str], dict]:
    """The display frame (all text), the headers of its numeric columns (aligned right) and the header
    of each column name."""
    names = list(df.index.names)
    named = any(n is not None for n in names)
    blank = {}  # the header of a lone unnamed index level shown: empty, as a row-label column
    if named if index is None else index:
        out = df.reset_index()
        if names.count(None) == 1:
            blank[out.columns[names.index(None)]] = ""
    else:
        out = df.reset_index(drop=True)
    if columns is None:
        columns = {c: None for c in out.columns}
    elif not isinstance(columns, Mapping):
        columns = {c: None for c in columns}
    unknown = [c for c in columns if c not in out.columns]
    if unknown:
        raise KeyError(f"no column {unknown[0]!r}; columns: {', '.join(map(str, out.columns))}")
    formats = dict(formats or {})
    text, numeric, labels = {}, [], {}
    for col, label in columns.items():
        label = labels[col] = blank.get(col, readable(col)) if label is None else str(label)
        if label in text:
            raise ValueError(f"two columns would have the header {label!r}: give them distinct headers")
        series = out[col]
        fmt = formats.get(col, formats.get(label))
        show = _cell_formatter(series, fmt)
        text[label] = [MISSING if _missing(v) else show(v) for v in series.astype(object)]
        if is_numeric_dtype(series.dtype) and not is_bool_dtype(series.dtype):
            numeric.append(label)
    return pd.DataFrame(text, columns=list(text), dtype=object), numeric, labels


def _missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # list-like cells are never "missing"
        return False


def report_frame(df: pd.DataFrame, columns: Mapping[str, str | None] | Iterable[str] | None = None, *,
                 index: bool | None = None, formats: Mapping[str, str | Callable] | None = None) -> pd.DataFrame:
    """``df`` as a table for people, every cell text, with a plain 0..n-1 index.

    * ``columns``: which columns to show, in order; a mapping gives each its header (``None`` = the
      name made readable by :func:`readable`, as for every column when ``columns`` is not given);
    * ``index``: the index levels become leading columns when they are named (``None``, the default),
      always (``True``) or never (``False``): a row number or filtered ``RangeIndex`` is never shown;
      a single unnamed index level shown with ``index=True`` (row labels) gets an empty header;
    * booleans show as ``yes`` / blank, missing values (``NaN``, ``None``, ``<NA>``) as ``–``;
      floats with 2 decimals, dates as ``17 Jun 2024``; ``formats`` overrides per column (by name or
      header), with a format string (``"{:.0%}"``) or a function.
    """
    return _report_frame(df, columns, index, formats)[0]


def report_text(df: pd.DataFrame, columns: Mapping[str, str | None] | Iterable[str] | None = None, *,
                index: bool | None = None, formats: Mapping[str, str | Callable] | None = None) -> str:
    """:func:`report_frame` as plain text for ``print``: no row numbers, ``–`` for missing values, text
    aligned left and numbers right, columns two spaces apart, no trailing spaces."""
    frame, numeric, _ = _report_frame(df, columns, index, formats)
    widths = {c: max([len(c), *(len(v) for v in frame[c])]) for c in frame.columns}

    def line(values) -> str:
        cells = [v.rjust(widths[c]) if c in numeric else v.ljust(widths[c]) for c, v in zip(frame.columns, values)]
        return "  ".join(cells).rstrip()

    return "\n".join([line(frame.columns), *(line(row) for row in frame.itertuples(index=False))])


def report_table(df: pd.DataFrame, columns: Mapping[str, str | None] | Iterable[str] | None = None, *,
                 index: bool | None = None, formats: Mapping[str, str | Callable] | None = None,
                 wrap: Iterable[str] = (), caption: str | None = None, raw_html: Iterable[str] = ()) -> Styler:
    """:func:`report_frame` as a styled table to ``display`` in a notebook (and so in the HTML report).

    No row index; text aligned left and numbers right; cells do not break lines except in the ``wrap``
    columns (by name or header), which wrap long text such as a reason. ``caption`` is shown above
    the table; a frame whose ``attrs["simulated"]`` is true gets a caption saying SIMULATED whatever
    ``caption`` says. Cells, headers and caption are HTML-escaped, except the cells of the ``raw_html``
    columns (by name or header), which already hold HTML made by the package (such as the numbered
    source links of :func:`summary.sources_html`) and are shown as is. The table's HTML id is derived
    from its content, so a report renders the same bytes on every run.
    """
    frame, numeric, labels = _report_frame(df, columns, index, formats)
    wrapped = _headers(wrap, labels, frame, "to wrap")
    trusted = _headers(raw_html, labels, frame, "to show as HTML")
    if df.attrs.get("simulated") and "SIMULATED" not in (caption or ""):
        caption = "SIMULATED DATA: fictional cities." + (f" {caption}" if caption else "")
    key = "\x1f".join([frame.to_csv(index=False), caption or "", *wrapped, *(["\x1e", *trusted] if trusted else [])])
    uuid = hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
    from pandas.io.formats.style import Styler

    styler = (Styler(frame, uuid=uuid, cell_ids=False).hide(axis="index").set_table_styles(_TABLE_CSS)
              .format(escape="html").format_index(escape="html", axis="columns"))
    if trusted:
        styler = styler.format(escape=None, subset=trusted)
    per_column = {c: [{"selector": "", "props": "text-align: right;"}] for c in numeric}
    for c in wrapped:
        per_column.setdefault(c, []).append(
            {"selector": "td", "props": "white-space: normal; min-width: 14em; max-width: 36em;"})
    if per_column:
        styler = styler.set_table_styles(per_column, overwrite=False)
    if caption:
        styler = styler.set_caption(html.escape(caption, quote=False))
    return styler


def _headers(names: Iterable[str], labels: Mapping, frame: pd.DataFrame, what: str) -> list[str]:
    """The headers of ``names`` (column names or headers) in a :func:`_report_frame`; a KeyError names
    the first that is not shown."""
    out = [labels.get(c, c) for c in ([names] if isinstance(names, str) else names)]
    missing = [c for c in out if c not in frame.columns]
    if missing:
        raise KeyError(f"no column {missing[0]!r} {what}; columns: {', '.join(frame.columns)}")
    return out


def _data(data: Dataset | None) -> Dataset:
    if data is None:
        from .loaders import load

        return load()
    return data


__all__ = [
    "BASES",
    "BASIS_PALETTE",
    "COHORT_ROWS",
    "LEVEL_BUCKETS",
    "MISSING",
    "UNKNOWN",
    "cohort_geography",
    "cohort_sizes",
    "cohort_sizes_by_round",
    "cohort_sizes_table",
    "filter_place",
    "growth",
    "label_cohorts",
    "latest_assessments",
    "levels_over_time",
    "place_label",
    "plural",
    "readable",
    "report_frame",
    "report_table",
    "report_text",
    "reporting_coverage",
    "resolve_as_of",
    "resolve_round",
    "round_info",
    "simulated_assessments",
    "simulated_population",
    "simulated_scope",
    "transition_matrix",
    "transition_summary",
    "transitions",
    "upgrades_until",
    "with_counts",
]
