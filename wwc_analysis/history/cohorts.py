"""Cohorts from the certification history alone: who was new, upgraded or re-certified in each round.

The program announces each round's counts (``rounds.csv``: ``reported_*``) and the sources describe
each identified event's cohort (``certifications.csv``: ``reported_cohort``). This module *derives* a
cohort for every event from the history on record and lists every place where the two disagree, so a
researcher sees exactly how complete the record is.

Derivation rules (per city, events ordered by announcement date):

- ``new``: no earlier certification of the city is on record;
- ``upgraded``: the level is higher than the level of the city's latest earlier event;
- ``recertified``: the same level;
- ``lower``: a lower level;
- missing (``<NA>``): this event's level or the latest earlier event's level is unknown. Unknown stays
  unknown: a level is never guessed, not even from an earlier known level.

Every public count here traces to rows of ``rounds.csv`` / ``certifications.csv``, which carry sources.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wwc_analysis.data.schemas import COHORTS
from wwc_analysis.rules.standards import TIERS

if TYPE_CHECKING:  # pragma: no cover
    from wwc_analysis.data.dataset import Dataset

DERIVED_COHORTS = (*COHORTS, "lower")
DERIVED_COHORT_DTYPE = pd.CategoricalDtype(list(DERIVED_COHORTS), ordered=False)
REPORTED_COHORTS = COHORTS  # as in certifications.csv (schemas.COHORTS)
STATUS_DTYPE = pd.CategoricalDtype(["agrees", "disagrees", "unverifiable", "derived only", "unknown"])


def _frames(data: Dataset | None, certifications=None, rounds=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    if certifications is not None and rounds is not None:
        return certifications, rounds
    if data is None:
        from wwc_analysis.data.dataset import load

        data = load()
    return (
        data.certifications if certifications is None else certifications,
        data.rounds if rounds is None else rounds,
    )


def to_timestamp(as_of) -> pd.Timestamp:
    """A date from a ``date``/``Timestamp``/ISO string, or the last day of a year given as an int/``"YYYY"``."""
    if isinstance(as_of, (int, np.integer)) or (isinstance(as_of, str) and as_of.strip().isdigit() and len(as_of.strip()) == 4):
        return pd.Timestamp(int(as_of), 12, 31)
    if isinstance(as_of, (_dt.date, pd.Timestamp)):
        return pd.Timestamp(as_of)
    try:
        return pd.Timestamp(str(as_of).strip())
    except ValueError as exc:
        raise ValueError(f"as-of date {as_of!r} is not a date: expected YYYY-MM-DD or a year YYYY") from exc


def classify_events(data: Dataset | None = None, *, certifications=None, rounds=None) -> pd.DataFrame:
    """Every certification event with its derived cohort and how it compares with the reported one.

    Added columns: ``announced``, ``previous_round``, ``previous_level``, ``derived_cohort``
    (new / upgraded / recertified / lower / <NA>), ``status`` (``agrees``, ``disagrees``,
    ``unverifiable`` = reported but not derivable, ``derived only`` = not reported, ``unknown``) and
    ``reason`` (why it disagrees or cannot be checked; <NA> otherwise).
    """
    certs, rnds = _frames(data, certifications, rounds)
    ev = certs.merge(rnds[["round_id", "announced"]], on="round_id", how="left", validate="many_to_one")
    if ev["announced"].isna().any():
        missing = sorted(ev.loc[ev["announced"].isna(), "round_id"].astype(str).unique())
        raise ValueError(f"certification events refer to round(s) {missing} that are not in the rounds table")
    ev = ev.sort_values(["city_id", "announced"], kind="stable").reset_index(drop=True)
    grp = ev.groupby("city_id", sort=False)
    ev["previous_round"] = grp["round_id"].shift(1)
    ev["previous_level"] = grp["level"].shift(1).astype(certs["level"].dtype)
    first = ev["previous_round"].isna()

    lvl = ev["level"].cat.codes.to_numpy()  # -1 = unknown
    prev = ev["previous_level"].cat.codes.to_numpy()
    known = (lvl >= 0) & (prev >= 0)
    derived = np.full(len(ev), None, dtype=object)
    derived[first.to_numpy()] = "new"
    later = ~first.to_numpy() & known
    derived[later & (lvl > prev)] = "upgraded"
    derived[later & (lvl == prev)] = "recertified"
    derived[later & (lvl < prev)] = "lower"
    ev["derived_cohort"] = pd.Categorical(derived, dtype=DERIVED_COHORT_DTYPE)

    status, reason = [], []
    for r in ev.itertuples(index=False):
        rep = None if pd.isna(r.reported_cohort) else str(r.reported_cohort)
        der = None if pd.isna(r.derived_cohort) else str(r.derived_cohort)
        s, why = _compare(rep, der, r)
        status.append(s)
        reason.append(why)
    ev["status"] = pd.Categorical(status, dtype=STATUS_DTYPE)
    ev["reason"] = pd.array(reason, dtype="string")
    return ev.sort_values(["announced", "city_id"], kind="stable").reset_index(drop=True)


def _compare(rep: str | None, der: str | None, r) -> tuple[str, str | None]:
    prev_txt = (
        None
        if pd.isna(r.previous_round)
        else f"{r.previous_round} ({'level unknown' if pd.isna(r.previous_level) else r.previous_level})"
    )
    if rep is None and der is None:
        return "unknown", _why_underivable(r, prev_txt)
    if rep is None:
        return "derived only", None
    if der is None:
        return "unverifiable", f"reported as {rep}, but " + _why_underivable(r, prev_txt)
    if rep == der:
        return "agrees", None
    if der == "new":
        return "disagrees", f"reported as {rep}, but no earlier certification of this city is on record"
    if rep == "new":
        return "disagrees", f"reported as new, but the city was already certified in {prev_txt}"
    return "disagrees", f"reported as {rep}, but the level {r.level} compared with {prev_txt} makes it {der}"


def _why_underivable(r, prev_txt: str | None) -> str:
    if pd.isna(r.level) and pd.isna(r.previous_level):
        return f"neither this level nor the earlier one ({prev_txt}) is known"
    if pd.isna(r.level):
        return f"the level of this event is not known (previous certification: {prev_txt})"
    return f"the level of the earlier certification {prev_txt} is not known"


def disagreements(data: Dataset | None = None, *, certifications=None, rounds=None, events=None) -> pd.DataFrame:
    """Events whose reported cohort disagrees with the history, or cannot be checked, with the reason."""
    ev = classify_events(data, certifications=certifications, rounds=rounds) if events is None else events
    out = ev[ev["status"].isin(["disagrees", "unverifiable"])]
    cols = ["round_id", "city_id", "city", "level", "reported_cohort", "derived_cohort", "previous_round",
            "previous_level", "status", "reason"]
    return out[cols].reset_index(drop=True)


def cumulative(data: Dataset | None = None, *, certifications=None, rounds=None) -> pd.DataFrame:
    """Distinct certified cities after each round: reported and identified side by side.

    ``gap`` = reported - identified (<NA> when the total was not reported); ``status`` says whether
    the reported total is reproduced or how far the record falls short.
    """
    certs, rnds = _frames(data, certifications, rounds)
    first = (
        certs.merge(rnds[["round_id", "announced"]], on="round_id")
        .groupby("city_id")["announced"]
        .min()
    )
    rows = []
    for r in rnds.sort_values("announced").itertuples(index=False):
        ident = int((first <= r.announced).sum())
        rep = r.reported_total_certified
        if pd.isna(rep):
            gap, status = pd.NA, f"not reported; {ident} identified"
        else:
            gap = int(rep) - ident
            status = "reproduced" if gap == 0 else f"identified {ident} of {int(rep)} (gap {gap})" if gap > 0 else f"{-gap} more identified than reported ({ident} vs {int(rep)})"
        rows.append(
            {"round_id": r.round_id, "announced": r.announced, "reported_total_certified": rep,
             "identified_total_certified": ident, "gap": gap, "status": status}
        )
    out = pd.DataFrame(rows)
    out["reported_total_certified"] = out["reported_total_certified"].astype("Int64")
    out["gap"] = out["gap"].astype("Int64")
    out["status"] = out["status"].astype("string")
    return out


def round_summary(data: Dataset | None = None, *, certifications=None, rounds=None) -> pd.DataFrame:
    """One row per round: reported counts, identified events by reported cohort, derived cohorts,
    disagreements and cumulative totals (reported vs identified)."""
    certs, rnds = _frames(data, certifications, rounds)
    ev = classify_events(certifications=certs, rounds=rnds)
    rid = pd.Categorical(ev["round_id"], categories=list(rnds["round_id"]))
    rep = pd.crosstab(rid, ev["reported_cohort"].astype("object").fillna("unstated"), dropna=False)
    der = pd.crosstab(rid, ev["derived_cohort"].astype("object").fillna("unknown"), dropna=False)
    out = rnds[["round_id", "announced", "standard", "reported_new", "reported_upgraded", "reported_recertified"]].copy()
    out = out.set_index("round_id")
    for c in (*REPORTED_COHORTS, "unstated"):
        out[f"identified_{c}"] = rep[c].reindex(out.index, fill_value=0) if c in rep else 0
    out["events"] = pd.Series(rid).value_counts().reindex(out.index, fill_value=0)
    out["level_unknown"] = ev["level"].isna().groupby(rid, observed=False).sum().reindex(out.index, fill_value=0)
    for c in (*DERIVED_COHORTS, "unknown"):
        out[f"derived_{c}"] = der[c].reindex(out.index, fill_value=0) if c in der else 0
    bad = ev["status"].isin(["disagrees", "unverifiable"])
    out["disagreements"] = bad.groupby(rid, observed=False).sum().reindex(out.index, fill_value=0)
    cum = cumulative(certifications=certs, rounds=rnds).set_index("round_id")
    out["reported_total_certified"] = cum["reported_total_certified"]
    out["identified_total_certified"] = cum["identified_total_certified"]
    out["total_gap"] = cum["gap"]
    int_cols = [c for c in out.columns if c.startswith(("identified_", "derived_")) or c in ("events", "level_unknown", "disagreements")]
    out[int_cols] = out[int_cols].astype("int64")
    return out.reset_index()


def coverage(summary_row: pd.Series, cohort: str) -> str:
    """In words, how much of a reported cohort the record identifies: 'identified 7 of 9 new cities'."""
    rep = summary_row.get(f"reported_{cohort}")
    ident = int(summary_row[f"identified_{cohort}"])
    noun = {"new": "new cities", "upgraded": "upgraded cities", "recertified": "re-certified cities"}[cohort]
    if pd.isna(rep):
        return f"{ident} {noun} identified; the count was not reported"
    return f"identified {ident} of {int(rep)} {noun}"


def latest_levels(as_of=None, data: Dataset | None = None, *, certifications=None, rounds=None) -> pd.DataFrame:
    """Each city's latest certification announced on or before ``as_of`` (default: everything on record).

    ``level`` is the level of that latest event and stays <NA> when unknown; ``last_known_level`` /
    ``last_known_round`` give the latest event whose level is known, for context only.
    """
    certs, rnds = _frames(data, certifications, rounds)
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


def level_transitions(data: Dataset | None = None, *, certifications=None, rounds=None) -> pd.DataFrame:
    """Consecutive pairs of a city's events: from round/level to round/level (levels may be <NA>)."""
    ev = classify_events(data, certifications=certifications, rounds=rounds)
    later = ev[ev["previous_round"].notna()]
    return later.rename(columns={"round_id": "to_round", "level": "to_level",
                                 "previous_round": "from_round", "previous_level": "from_level"})[
        ["city_id", "city", "country", "from_round", "from_level", "to_round", "to_level", "derived_cohort", "reported_cohort"]
    ].reset_index(drop=True)


def upgrade_times(data: Dataset | None = None, *, certifications=None, rounds=None) -> pd.DataFrame:
    """For every upgrade (derived from the history, or reported): years since the city's first
    certification on record. Reported upgrades the history cannot confirm (the earlier certification is
    not on record, or a level is unknown) are kept, with ``first_round`` and the time <NA>."""
    ev = classify_events(data, certifications=certifications, rounds=rounds)
    firsts = ev.sort_values("announced").groupby("city_id").agg(first_round=("round_id", "first"), first_announced=("announced", "first"))
    ups = ev[(ev["derived_cohort"] == "upgraded") | (ev["reported_cohort"] == "upgraded")]
    ups = ups.join(firsts, on="city_id")
    gap_years = (ups["announced"] - ups["first_announced"]).dt.days / 365.25
    upgraded_without_history = ups["derived_cohort"] != "upgraded"
    out = ups[["round_id", "city_id", "city", "country", "previous_level", "level", "first_round"]].copy()
    out["years_since_first"] = gap_years.where(~upgraded_without_history).round(2)
    out.loc[upgraded_without_history, "first_round"] = pd.NA
    return out.reset_index(drop=True)


def level_counts(levels: pd.Series) -> pd.Series:
    """Counts per tier with an explicit ``Unknown`` bucket (unknown levels are shown, never dropped)."""
    counts = levels.value_counts(dropna=False).rename(index=lambda x: "Unknown" if pd.isna(x) else x)
    return counts.reindex([*TIERS, "Unknown"], fill_value=0).astype("int64")
