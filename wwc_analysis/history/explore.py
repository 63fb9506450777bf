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

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wwc_analysis.data import paths
from wwc_analysis.history.annual import check_year
from wwc_analysis.history.cohorts import (
    DERIVED_COHORTS,
    REPORTED_COHORTS,
    cumulative,
    latest_levels,
    level_counts,
    level_transitions,
    to_timestamp,
    upgrade_times,
)
from wwc_analysis.rules.standards import TIERS

if TYPE_CHECKING:  # pragma: no cover

    from wwc_analysis.data.dataset import Dataset

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
    from wwc_analysis.history.annual import geography

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
    from wwc_analysis.data.dataset import load_assessments

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


def _data(data: Dataset | None) -> Dataset:
    if data is None:
        from wwc_analysis.data.dataset import load

        return load()
    return data


__all__ = [
    "BASES",
    "BASIS_PALETTE",
    "COHORT_ROWS",
    "LEVEL_BUCKETS",
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
