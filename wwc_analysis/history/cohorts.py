"""Cohorts from the certification history alone: who was new, upgraded or re-certified in each
round.

The program announces each round's counts (``rounds.csv``: ``reported_*``) and the sources describe
each identified event's cohort (``certifications.csv``: ``reported_cohort``). This module *derives*
a cohort for every event from the history on record and lists every place where the two disagree, so
a researcher sees exactly how complete the record is.

Derivation rules (per city, events ordered by announcement date):

- ``new``: no earlier certification of the city is on record;
- ``upgraded``: the level is higher than the level of the city's latest earlier event;
- ``recertified``: the same level;
- ``lower``: a lower level;
- missing (``<NA>``): this event's level or the latest earlier event's level is unknown. Unknown
  stays unknown: a level is never guessed, not even from an earlier known level.

Every function takes the :class:`~wwc_analysis.data.dataset.Dataset` it reads (to derive from other
tables, pass ``dataclasses.replace(data, certifications=...)``). Every public count here traces to
rows of ``rounds.csv`` / ``certifications.csv``, which carry sources.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wwc_analysis.data.schemas import COHORTS
from wwc_analysis.history.memo import derived
from wwc_analysis.history.rounds import (
    check_round,
    cumulative,
    reconstructed_rounds,
    round_info,
)

if TYPE_CHECKING:  # pragma: no cover
    from wwc_analysis.data.dataset import Dataset

REPORTED_COHORTS = COHORTS  # as in certifications.csv (schemas.COHORTS)
DERIVED_COHORTS = (*COHORTS, "lower")
DERIVED_COHORT_DTYPE = pd.CategoricalDtype(list(DERIVED_COHORTS), ordered=False)
STATUS_DTYPE = pd.CategoricalDtype(
    ["agrees", "disagrees", "unverifiable", "derived only", "unknown"]
)
#: The one label map of the cohorts, for everything a reader sees (headers, legends, axes, prose):
#: the data value stays ``recertified``. ``text.cohorts`` re-exports it; it is defined here, beside
#: the derivation, because the labels of ``metrics.json`` (``history.annual``) need it too.
COHORT_LABELS: dict[str, str] = {
    "new": "new",
    "upgraded": "upgraded",
    "recertified": "re-certified",
    "lower": "lower",
    "unknown": "unknown",
    "not certified": "not certified",
}
#: Rows of :func:`cohort_sizes`: the three reported cohorts, ``lower`` (derived only) and
#: ``unknown`` (no cohort stated / none derivable).
COHORT_ROWS: tuple[str, ...] = (*REPORTED_COHORTS, "lower", "unknown")
#: The three bases of a count: stated by the program, identified in the record, derived from
#: history.
BASES: tuple[str, ...] = ("reported", "identified", "derived")


@derived("certifications", "rounds")
def classify_events(data: Dataset) -> pd.DataFrame:
    """Every certification event with its derived cohort and how it compares with the reported one.

    Added columns: ``announced``, ``previous_round``, ``previous_level``, ``derived_cohort``
    (new / upgraded / recertified / lower / <NA>), ``status`` (``agrees``, ``disagrees``,
    ``unverifiable`` = reported but not derivable, ``derived only`` = not reported, ``unknown``) and
    ``reason`` (why it disagrees or cannot be checked; <NA> otherwise).
    """
    certs, rnds = data.certifications, data.rounds
    ev = certs.merge(
        rnds[["round_id", "announced"]], on="round_id", how="left", validate="many_to_one"
    )
    if ev["announced"].isna().any():
        missing = sorted(ev.loc[ev["announced"].isna(), "round_id"].astype(str).unique())
        raise ValueError(
            f"certification events refer to round(s) {missing} that are not in the rounds table"
        )
    ev = ev.sort_values(["city_id", "announced"], kind="stable").reset_index(drop=True)
    grp = ev.groupby("city_id", sort=False)
    ev["previous_round"] = grp["round_id"].shift(1)
    ev["previous_level"] = grp["level"].shift(1).astype(certs["level"].dtype)
    ev["derived_cohort"] = _derive(ev)
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


def _derive(ev: pd.DataFrame) -> pd.Categorical:
    """The derived cohort of each event (``ev`` sorted by city and date, with ``previous_*``)."""
    first = ev["previous_round"].isna().to_numpy()
    lvl = ev["level"].cat.codes.to_numpy()  # -1 = unknown
    prev = ev["previous_level"].cat.codes.to_numpy()
    known = (lvl >= 0) & (prev >= 0)
    derived = np.full(len(ev), None, dtype=object)
    derived[first] = "new"
    later = ~first & known
    derived[later & (lvl > prev)] = "upgraded"
    derived[later & (lvl == prev)] = "recertified"
    derived[later & (lvl < prev)] = "lower"
    return pd.Categorical(derived, dtype=DERIVED_COHORT_DTYPE)


def _compare(rep: str | None, der: str | None, r) -> tuple[str, str | None]:
    prev_level = "level unknown" if pd.isna(r.previous_level) else r.previous_level
    prev_txt = None if pd.isna(r.previous_round) else f"{r.previous_round} ({prev_level})"
    if rep is None and der is None:
        return "unknown", _why_underivable(r, prev_txt)
    if rep is None:
        return "derived only", None
    if der is None:
        return "unverifiable", f"reported as {rep}, but " + _why_underivable(r, prev_txt)
    if rep == der:
        return "agrees", None
    if der == "new":
        return "disagrees", (
            f"reported as {rep}, but no earlier certification of this city is on record"
        )
    if rep == "new":
        return "disagrees", f"reported as new, but the city was already certified in {prev_txt}"
    return "disagrees", (
        f"reported as {rep}, but the level {r.level} compared with {prev_txt} makes it {der}"
    )


def _why_underivable(r, prev_txt: str | None) -> str:
    if pd.isna(r.level) and pd.isna(r.previous_level):
        return f"neither this level nor the earlier one ({prev_txt}) is known"
    if pd.isna(r.level):
        return f"the level of this event is not known (previous certification: {prev_txt})"
    return f"the level of the earlier certification {prev_txt} is not known"


def disagreements(data: Dataset, *, events: pd.DataFrame | None = None) -> pd.DataFrame:
    """Events whose reported cohort disagrees with the history, or cannot be checked, with the
    reason.

    ``events`` is :func:`classify_events` of ``data`` when already computed."""
    ev = classify_events(data) if events is None else events
    out = ev[ev["status"].isin(["disagrees", "unverifiable"])]
    cols = [
        "round_id",
        "city_id",
        "city",
        "level",
        "reported_cohort",
        "derived_cohort",
        "previous_round",
        "previous_level",
        "status",
        "reason",
    ]
    return out[cols].reset_index(drop=True)


@derived("certifications", "rounds")
def round_summary(data: Dataset) -> pd.DataFrame:
    """One row per round: reported counts, identified events by reported cohort, derived cohorts,
    disagreements, cumulative totals (reported vs identified), and ``reconstructed`` (no program
    announcement of the round was found: :func:`~wwc_analysis.history.rounds.reconstructed`)."""
    rnds = data.rounds
    ev = classify_events(data)
    rid = pd.Categorical(ev["round_id"], categories=list(rnds["round_id"]))
    rep = pd.crosstab(rid, ev["reported_cohort"].astype("object").fillna("unstated"), dropna=False)
    der = pd.crosstab(rid, ev["derived_cohort"].astype("object").fillna("unknown"), dropna=False)
    out = rnds[
        [
            "round_id",
            "announced",
            "standard",
            "reported_new",
            "reported_upgraded",
            "reported_recertified",
        ]
    ].copy()
    out = out.set_index("round_id")
    for c in (*REPORTED_COHORTS, "unstated"):
        out[f"identified_{c}"] = rep[c].reindex(out.index, fill_value=0) if c in rep else 0
    out["events"] = pd.Series(rid).value_counts().reindex(out.index, fill_value=0)
    unknown = ev["level"].isna().groupby(rid, observed=False).sum()
    out["level_unknown"] = unknown.reindex(out.index, fill_value=0)
    for c in (*DERIVED_COHORTS, "unknown"):
        out[f"derived_{c}"] = der[c].reindex(out.index, fill_value=0) if c in der else 0
    bad = ev["status"].isin(["disagrees", "unverifiable"])
    out["disagreements"] = bad.groupby(rid, observed=False).sum().reindex(out.index, fill_value=0)
    cum = cumulative(data).set_index("round_id")
    out["reported_total_certified"] = cum["reported_total_certified"]
    out["identified_total_certified"] = cum["identified_total_certified"]
    out["total_gap"] = cum["gap"]
    out["reconstructed"] = cum["reconstructed"].astype(bool)
    int_cols = [
        c
        for c in out.columns
        if c.startswith(("identified_", "derived_"))
        or c in ("events", "level_unknown", "disagreements")
    ]
    out[int_cols] = out[int_cols].astype("int64")
    return out.reset_index()


def round_members(round_id: str, data: Dataset) -> pd.DataFrame:
    """The named cities of a round with their reported and derived cohort and earlier level.

    Each row keeps its ``city_id``, ``notes`` and ``sources`` so a table built from it can cite the
    record."""
    round_id = check_round(round_id, data)
    ev = classify_events(data)
    ev = ev[ev["round_id"] == round_id]
    cols = [
        "city",
        "region",
        "country",
        "level",
        "reported_cohort",
        "derived_cohort",
        "previous_level",
        "previous_round",
        "level_inferred",
        "round_inferred",
        "status",
        "reason",
        "city_id",
        "notes",
        "sources",
    ]
    order = ["reported_cohort", "country", "city"]
    return ev[cols].sort_values(order, na_position="last").reset_index(drop=True)


def label_cohorts(members: pd.DataFrame) -> pd.DataFrame:
    """Add ``cohort`` (the reported cohort when the sources state one, else the derived one, else
    ``unknown``) and ``cohort_basis`` (reported / derived / none) to :func:`round_members`."""
    rep = members["reported_cohort"].astype("object")
    der = members["derived_cohort"].astype("object")
    cohort = rep.where(rep.notna(), der).where(lambda s: s.notna(), "unknown")
    basis = pd.Series("none", index=members.index).where(der.isna() | rep.notna(), "derived")
    basis = basis.where(rep.isna(), "reported")
    order = [*DERIVED_COHORTS, "unknown"]
    return members.assign(cohort=pd.Categorical(cohort, categories=order), cohort_basis=basis)


def round_cities(members: pd.DataFrame) -> pd.DataFrame:
    """The cities of :func:`label_cohorts` by cohort, country and city: cohort and its basis, place,
    level, the previous certification and what was inferred."""
    cols = [
        "cohort",
        "cohort_basis",
        "city",
        "region",
        "country",
        "level",
        "previous_level",
        "previous_round",
        "level_inferred",
        "round_inferred",
    ]
    return members.sort_values(["cohort", "country", "city"])[cols]


def cohort_sizes(summary: pd.DataFrame, round_id: str) -> pd.DataFrame:
    """A round's cohort sizes side by side: rows new / upgraded / recertified / lower / unknown,
    columns ``reported`` (stated by the program; <NA> = not reported), ``identified`` (events on
    record, by the cohort the sources state; ``unknown`` = no cohort stated) and ``derived`` (from
    the history; ``unknown`` = a level needed is not known). ``summary`` is
    :func:`round_summary`."""
    rows = summary[summary["round_id"] == round_id]
    if rows.empty:
        raise ValueError(f"round {round_id!r} is not in the summary")
    r = rows.iloc[0]
    out = pd.DataFrame(index=pd.Index(list(COHORT_ROWS), name="cohort"), columns=list(BASES))
    for c in COHORT_ROWS:
        out.loc[c, "reported"] = r[f"reported_{c}"] if c in REPORTED_COHORTS else pd.NA
        identified = r[f"identified_{'unstated' if c == 'unknown' else c}"] if c != "lower" else 0
        out.loc[c, "identified"] = identified
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
        parts.append(
            pd.DataFrame(
                {
                    "round_id": s["round_id"].to_numpy(),
                    "announced": s["announced"].to_numpy(),
                    "cohort": c,
                    "reported": s[f"reported_{c}"].astype("Int64").to_numpy(),
                    "identified": s[f"identified_{c}"].astype("int64").to_numpy(),
                }
            )
        )
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
        rows[c] = {
            "rounds": len(part),
            "rounds_reported": len(rep),
            "reported": int(rep["reported"].sum()),
            "identified_in_reported": int(rep["identified"].sum()),
            "identified": int(part["identified"].sum()),
        }
    out = pd.DataFrame.from_dict(rows, orient="index").astype("int64")
    out.index.name = "cohort"
    return out


def upgrade_times(data: Dataset) -> pd.DataFrame:
    """For every upgrade (derived from the history, or reported): years since the city's first
    certification on record. Reported upgrades the history cannot confirm (the earlier certification
    is not on record, or a level is unknown) are kept, with ``first_round`` and the time <NA>."""
    ev = classify_events(data)
    firsts = (
        ev.sort_values("announced")
        .groupby("city_id")
        .agg(first_round=("round_id", "first"), first_announced=("announced", "first"))
    )
    ups = ev[(ev["derived_cohort"] == "upgraded") | (ev["reported_cohort"] == "upgraded")]
    ups = ups.join(firsts, on="city_id")
    gap_years = (ups["announced"] - ups["first_announced"]).dt.days / 365.25
    upgraded_without_history = ups["derived_cohort"] != "upgraded"
    cols = ["round_id", "city_id", "city", "country", "previous_level", "level", "first_round"]
    out = ups[cols].copy()
    out["years_since_first"] = gap_years.where(~upgraded_without_history).round(2)
    out.loc[upgraded_without_history, "first_round"] = pd.NA
    return out.reset_index(drop=True)


def upgrades_until(round_id: str, data: Dataset) -> pd.DataFrame:
    """:func:`upgrade_times` for upgrades announced up to and including ``round_id``; ``in_round``
    marks the upgrades of that round. ``years_since_first`` stays <NA> where the history cannot
    confirm the upgrade (earlier certification not on record)."""
    round_id = check_round(round_id, data)
    ann = data.rounds.set_index("round_id")["announced"]
    up = upgrade_times(data)
    up = up[up["round_id"].map(ann) <= ann[round_id]].copy()
    up["in_round"] = up["round_id"] == round_id
    return up.reset_index(drop=True)


def round_metrics(
    round_id: str, data: Dataset, sizes: pd.DataFrame, dis: pd.DataFrame, upgrades: pd.DataFrame
) -> dict:
    """The numbers of a round for ``metrics.json``: its date (``announced``: the record's date of
    the round; ``reconstructed`` when no program announcement of it was found), :func:`cohort_sizes`
    by basis (None = not reported), its events in :func:`disagreements` (``dis``, every round) and
    its upgrades (``upgrades``: :func:`upgrades_until`)."""
    return {
        "round_id": round_id,
        "announced": round_info(round_id, data)["announced"],
        "reconstructed": round_id in reconstructed_rounds(data),
        "cohort_sizes": {
            basis: {c: None if pd.isna(v) else int(v) for c, v in sizes[basis].items()}
            for basis in BASES
        },
        "disagreements": int((dis["round_id"] == round_id).sum()),
        "upgrades_in_round": int(upgrades["in_round"].sum()),
    }


__all__ = [
    "BASES",
    "COHORT_LABELS",
    "COHORT_ROWS",
    "DERIVED_COHORTS",
    "DERIVED_COHORT_DTYPE",
    "REPORTED_COHORTS",
    "STATUS_DTYPE",
    "classify_events",
    "cohort_sizes",
    "cohort_sizes_by_round",
    "cohort_sizes_table",
    "disagreements",
    "label_cohorts",
    "reporting_coverage",
    "round_cities",
    "round_members",
    "round_metrics",
    "round_summary",
    "upgrade_times",
    "upgrades_until",
]
