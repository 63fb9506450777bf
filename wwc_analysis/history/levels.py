"""Levels of certified cities: each city's latest level at a date, levels after every round, moves
between levels, and where the cities are (by country or region), with a place filter.

Unknown stays unknown: every count here keeps an explicit ``Unknown`` bucket (a level the record
does not give) and nothing is guessed. Certification lapses are not modelled: a city counts once
certified.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wwc_analysis.history.cohorts import classify_events, label_cohorts
from wwc_analysis.history.rounds import check_year, cumulative, to_timestamp
from wwc_analysis.rules.standards import TIERS

if TYPE_CHECKING:  # pragma: no cover
    from wwc_analysis.data.dataset import Dataset

UNKNOWN = "Unknown"
#: The level buckets of every count: the tiers and ``Unknown`` (the record does not give the level).
LEVEL_BUCKETS: tuple[str, ...] = (*TIERS, UNKNOWN)


def latest_levels(as_of, data: Dataset) -> pd.DataFrame:
    """Each city's latest certification announced on or before ``as_of`` (``None``: everything on
    record).

    ``level`` is the level of that latest event and stays <NA> when unknown; ``last_known_level`` /
    ``last_known_round`` give the latest event whose level is known, for context only.
    """
    certs, rnds = data.certifications, data.rounds
    ev = certs.merge(rnds[["round_id", "announced"]], on="round_id")
    if as_of is not None:
        ev = ev[ev["announced"] <= to_timestamp(as_of)]
    ev = ev.sort_values(["city_id", "announced"], kind="stable")
    last = ev.groupby("city_id", sort=True).tail(1).set_index("city_id")
    known = ev[ev["level"].notna()].groupby("city_id").tail(1).set_index("city_id")
    out = last[["city", "region", "country", "round_id", "announced", "level"]].copy()
    out["last_known_level"] = known["level"].reindex(out.index).astype(certs["level"].dtype)
    out["last_known_round"] = known["round_id"].reindex(out.index).astype("string")
    out["first_round"] = ev.groupby("city_id")["round_id"].first().reindex(out.index)
    out["events"] = ev.groupby("city_id").size().reindex(out.index).astype("int64")
    return out.reset_index()


def level_counts(levels: pd.Series) -> pd.Series:
    """Counts per tier with an explicit ``Unknown`` bucket (unknown levels are shown, never
    dropped)."""
    counts = levels.value_counts(dropna=False).rename(index=lambda x: UNKNOWN if pd.isna(x) else x)
    return counts.reindex(list(LEVEL_BUCKETS), fill_value=0).astype("int64")


# --- place filter ---------------------------------------------------------------------------------
def _record_places(data: Dataset | None, column: str) -> set[str]:
    """Every ``column`` value (casefolded) of the record's places: certified, unplaced, and the
    reach universe's."""
    if data is None:
        return set()
    frames = [data.certifications, data.unplaced, data.universe]
    found: set[str] = set()
    for f in frames:
        if f is not None and column in f.columns:
            found |= set(f[column].dropna().astype(str).str.casefold())
    return found


def filter_place(frame: pd.DataFrame, country=None, region=None, data=None) -> pd.DataFrame:
    """Rows of ``frame`` in ``country`` and/or ``region`` (exact names, case-insensitive).

    ``None`` means no filter. A value that matches no row raises a ValueError listing the values
    there are, so a typo never silently yields an empty analysis; with the ``Dataset`` ``data``, a
    place of the record (certified at another time, unplaced, or in the reach universe) that
    matches no row gives an empty selection instead, which the texts then describe.
    """
    out = frame
    for column, value in (("country", country), ("region", region)):
        if value in (None, ""):
            continue
        wanted = str(value).strip().casefold()
        values = out[column].astype("string")
        mask = (values.str.casefold() == wanted).fillna(False).astype(bool)
        if not mask.any() and wanted in _record_places(data, column):
            return out.iloc[0:0].reset_index(drop=True)
        if not mask.any():
            known = ", ".join(sorted(values.dropna().unique()))
            where = f" in {country}" if column == "region" and country not in (None, "") else ""
            raise ValueError(f"no {column} {value!r}{where}; {column} values on record: {known}")
        out = out[mask]
    return out.reset_index(drop=True)


def _place_mask(frame: pd.DataFrame, country, region) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in (("country", country), ("region", region)):
        if value not in (None, ""):
            same = frame[column].astype("string").str.casefold() == str(value).strip().casefold()
            mask &= same.fillna(False)
    return mask.astype(bool)


def _filtered(country, region) -> bool:
    return country not in (None, "") or region not in (None, "")


# --- levels over time -----------------------------------------------------------------------------
def levels_over_time(data: Dataset, as_of=None, country=None, region=None) -> pd.DataFrame:
    """After each round (up to ``as_of``): how many identified cities hold each latest level.

    One row per round: ``round_id``, ``announced``, ``Silver``, ``Gold``, ``Platinum``, ``Unknown``
    (latest event's level not known) and ``identified_total``. Counts of cities ever certified
    (certification lapses are not modelled), optionally in one country/region.
    """
    rounds = data.rounds.sort_values("announced")
    if as_of is not None:
        rounds = rounds[rounds["announced"] <= to_timestamp(as_of)]
    rows = []
    for r in rounds.itertuples(index=False):
        lv = latest_levels(r.announced, data)
        if _filtered(country, region):
            lv = lv[_place_mask(lv, country, region)]
        counts = level_counts(lv["level"])
        rows.append(
            {
                "round_id": r.round_id,
                "announced": r.announced,
                **counts.to_dict(),
                "identified_total": int(counts.sum()),
            }
        )
    counted = [*LEVEL_BUCKETS, "identified_total"]
    out = pd.DataFrame(rows, columns=["round_id", "announced", *counted])
    out[counted] = out[counted].astype("int64")
    return out


def levels_by_round(data: Dataset, as_of=None) -> pd.DataFrame:
    """:func:`levels_over_time` of all countries beside the reported and identified totals of
    :func:`rounds.cumulative` (``reported_total_certified``, ``identified_total_certified``,
    ``gap``, ``status``): one row per round up to ``as_of``."""
    by_level = levels_over_time(data, as_of)
    totals = cumulative(data).drop(columns="announced")
    return by_level.merge(totals, on="round_id")


# --- transitions ----------------------------------------------------------------------------------
def level_transitions(data: Dataset) -> pd.DataFrame:
    """Consecutive pairs of a city's events: from round/level to round/level (levels may be
    <NA>)."""
    ev = classify_events(data)
    later = ev[ev["previous_round"].notna()]
    names = {
        "round_id": "to_round",
        "level": "to_level",
        "previous_round": "from_round",
        "previous_level": "from_level",
    }
    cols = [
        "city_id",
        "city",
        "country",
        "from_round",
        "from_level",
        "to_round",
        "to_level",
        "derived_cohort",
        "reported_cohort",
    ]
    return later.rename(columns=names)[cols].reset_index(drop=True)


def transitions(data: Dataset, as_of=None, country=None, region=None) -> pd.DataFrame:
    """:func:`level_transitions` (consecutive events of a city) whose later event was announced on
    or before ``as_of``, optionally in one country/region; adds ``to_announced``."""
    announced = data.rounds[["round_id", "announced"]]
    tr = level_transitions(data).merge(
        announced.rename(columns={"round_id": "to_round", "announced": "to_announced"}),
        on="to_round",
        how="left",
    )
    if as_of is not None:
        tr = tr[tr["to_announced"] <= to_timestamp(as_of)]
    if _filtered(country, region):
        regions = data.certifications.drop_duplicates("city_id").set_index("city_id")["region"]
        tr = tr.assign(region=tr["city_id"].map(regions))
        tr = tr[_place_mask(tr, country, region)].drop(columns="region")
    return tr.reset_index(drop=True)


def transition_matrix(trans: pd.DataFrame) -> pd.DataFrame:
    """From-level (rows) x to-level (columns) counts, with ``Unknown`` rows/columns always
    present."""
    buckets = list(LEVEL_BUCKETS)

    def bucket(s: pd.Series) -> pd.Categorical:
        return pd.Categorical(s.astype("object").where(s.notna(), UNKNOWN), categories=buckets)

    table = pd.crosstab(bucket(trans["from_level"]), bucket(trans["to_level"]), dropna=False)
    table = table.reindex(index=buckets, columns=buckets, fill_value=0).astype("int64")
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
    unknown = total - up - same - down
    return {"up": up, "same": same, "down": down, "unknown": unknown, "total": total}


# --- geography ------------------------------------------------------------------------------------
def geography(frame: pd.DataFrame, by: str = "country") -> pd.DataFrame:
    """Counts of cities by ``country`` or ``region`` (US states etc.), split by level, unknown
    kept."""
    if by not in ("country", "region"):
        raise ValueError("by must be 'country' or 'region'")
    keys = ["country", "region"] if by == "region" else ["country"]
    lv = frame.assign(level=frame["level"].astype("object").fillna(UNKNOWN))
    table = pd.crosstab([lv[k] for k in keys], lv["level"])
    table = table.reindex(columns=list(LEVEL_BUCKETS), fill_value=0)
    table["total"] = table.sum(axis=1)
    return table.sort_values("total", ascending=False)


def cohort_geography(members: pd.DataFrame, by: str = "country") -> pd.DataFrame:
    """Cities of each cohort (:func:`cohorts.label_cohorts`) by country or region, split by level,
    Unknown kept. Rows: (cohort, country[, region]); columns Silver / Gold / Platinum / Unknown /
    total."""
    labelled = members if "cohort" in members.columns else label_cohorts(members)
    groups = labelled.groupby("cohort", observed=True)
    parts = {str(c): geography(g, by=by) for c, g in groups if len(g)}
    if not parts:  # a round without a city on record: the same shape, no row
        names = ["cohort", "country", *(["region"] if by == "region" else [])]
        empty = pd.MultiIndex.from_arrays([[] for _ in names], names=names)
        return pd.DataFrame(0, index=empty, columns=[*LEVEL_BUCKETS, "total"], dtype="int64")
    return pd.concat(parts, names=["cohort"])


def countries_reached(year, data: Dataset, as_of=None) -> pd.DataFrame:
    """Countries with a certified city by the end of ``year``, or by ``as_of`` when given (a year
    not over yet) (index ``country``, most cities first).

    Columns: cities by latest level (``Silver``, ``Gold``, ``Platinum``, ``Unknown``), ``total``,
    ``new_cities`` (cities whose first certification *on record* is in one of the year's rounds:
    this includes cities reported as upgraded whose earlier certification was not found),
    ``first_round`` (the country's first certified city) and ``new_country`` (that first round is in
    ``year``).
    """
    y = check_year(year, data)
    lv = latest_levels(pd.Timestamp(y, 12, 31) if as_of is None else to_timestamp(as_of), data)
    table = geography(lv)
    announced = data.rounds.set_index("round_id")["announced"]
    first = lv.assign(first_announced=lv["first_round"].map(announced))
    new = (first["first_announced"].dt.year == y).groupby(first["country"]).sum()
    table["new_cities"] = new.reindex(table.index).astype("int64")
    firsts = first.sort_values("first_announced").groupby("country")["first_round"].first()
    table["first_round"] = firsts.reindex(table.index).astype(str)
    table["new_country"] = table["first_round"].map(announced).dt.year.eq(y).to_numpy()
    table.columns.name = None
    return table.sort_values(["total", "new_cities"], ascending=False, kind="stable")


def levels_metrics(grow: pd.DataFrame, counts: pd.Series, moves: dict[str, int]) -> dict:
    """The numbers of the levels analysis for ``metrics.json``: cities ever certified after the last
    round of ``grow`` (:func:`rounds.growth`), identified and reported (None = not stated), the
    latest levels (``counts``: :func:`level_counts`) and the moves (:func:`transition_summary`)."""
    last = grow.iloc[-1]
    reported = last["reported_total_certified"]
    return {
        "identified_total_certified": int(last["identified_total_certified"]),
        "reported_total_certified": None if pd.isna(reported) else int(reported),
        "latest_levels": {k: int(v) for k, v in counts.items()},
        "transitions": moves,
    }


__all__ = [
    "LEVEL_BUCKETS",
    "UNKNOWN",
    "cohort_geography",
    "countries_reached",
    "filter_place",
    "geography",
    "latest_levels",
    "level_counts",
    "level_transitions",
    "levels_by_round",
    "levels_metrics",
    "levels_over_time",
    "transition_matrix",
    "transition_summary",
    "transitions",
]
