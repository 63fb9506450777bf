"""Headline numbers of a year, each marked *reported* (stated by the program) or *identified* (counted
from events in the record), and the geography of certified cities.

Years are **announcement calendar years**: the January 2024 round belongs to 2024 even though cities
call it their "2023" certification (they label rounds by assessment year).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import pandas as pd

from .cohorts import REPORTED_COHORTS, classify_events, cumulative, latest_levels, level_counts, round_summary

if TYPE_CHECKING:  # pragma: no cover
    from .loaders import Dataset

COHORT_NOUNS = {"new": "new cities", "upgraded": "upgraded cities", "recertified": "re-certified cities"}


def _data(data: "Dataset | None") -> "Dataset":
    if data is None:
        from .loaders import load

        return load()
    return data


def years_with_rounds(data: "Dataset | None" = None) -> list[int]:
    """Announcement years that have at least one round, ascending."""
    return sorted({int(y) for y in _data(data).rounds["announced"].dt.year})


def latest_year(data: "Dataset | None" = None) -> int:
    """The latest announcement year with a round (the report's default year)."""
    return years_with_rounds(data)[-1]


def check_year(year: int, data: "Dataset | None" = None) -> int:
    """``year`` as an int if it has a round; otherwise a ValueError listing the years that have one."""
    years = years_with_rounds(data)
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise ValueError(f"year {year!r} is not a year: expected YYYY, one of {', '.join(map(str, years))}") from None
    if y not in years:
        raise ValueError(
            f"no certification round was announced in {y}; years with a round: {', '.join(map(str, years))}"
        )
    return y


def rounds_in_year(year: int, data: "Dataset | None" = None) -> pd.DataFrame:
    """The per-round summary (see :func:`cohorts.round_summary`) of the rounds announced in ``year``."""
    data = _data(data)
    y = check_year(year, data)
    s = round_summary(data)
    return s[s["announced"].dt.year == y].reset_index(drop=True)


@dataclass(frozen=True)
class Metric:
    """One headline number. ``basis`` is ``reported`` (stated by the program) or ``identified``
    (counted from events in the record); ``value`` is None when it is not known."""

    name: str
    label: str
    value: int | float | str | None
    basis: str
    note: str = ""
    rounds: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        d = asdict(self)
        d["rounds"] = list(self.rounds)
        return d


def annual_metrics(year: int, data: "Dataset | None" = None) -> list[Metric]:
    """Headline numbers of an announcement year, reported and identified side by side.

    A reported sum over the year's rounds is given only when every round reported its count;
    otherwise ``value`` is None and the note says which rounds did not report and what is known.
    """
    data = _data(data)
    y = check_year(year, data)
    rs = rounds_in_year(y, data)
    ids = tuple(rs["round_id"])
    out: list[Metric] = [
        Metric("rounds", "Rounds announced", len(rs), "reported", ", ".join(
            f"{r.round_id} ({r.announced:%d %b %Y})" for r in rs.itertuples()), ids),
    ]
    for c in REPORTED_COHORTS:
        rep = rs[f"reported_{c}"]
        known = rep.dropna()
        parts = " + ".join(f"{int(v)}" if pd.notna(v) else "not reported" for v in rep)
        if len(known) == len(rep):
            out.append(Metric(f"{c}_reported", f"{COHORT_NOUNS[c].capitalize()} (reported)", int(known.sum()),
                              "reported", f"{parts} by round", ids))
        else:
            missing = [r for r, v in zip(ids, rep) if pd.isna(v)]
            note = f"not reported for {', '.join(missing)}"
            if len(known):
                note += f"; {int(known.sum())} reported for the other round(s)"
            out.append(Metric(f"{c}_reported", f"{COHORT_NOUNS[c].capitalize()} (reported)", None, "reported", note, ids))
        ident = int(rs[f"identified_{c}"].sum())
        note = ", ".join(f"{r}: {int(v)}" for r, v in zip(ids, rs[f"identified_{c}"]))
        out.append(Metric(f"{c}_identified", f"{COHORT_NOUNS[c].capitalize()} (identified)", ident, "identified", note, ids))
    out.append(Metric("events_identified", "Certification events identified", int(rs["events"].sum()), "identified",
                      f"{int(rs['level_unknown'].sum())} of them with the level not known", ids))
    cum = cumulative(data).set_index("round_id").loc[list(ids)]
    last = cum.iloc[-1]
    rep_total = last["reported_total_certified"]
    out.append(Metric(
        "total_certified_reported", f"Cities ever certified by end of {y} (reported)",
        None if pd.isna(rep_total) else int(rep_total), "reported",
        f"as stated after {ids[-1]}" if pd.notna(rep_total) else f"not stated after {ids[-1]}", (ids[-1],)))
    out.append(Metric(
        "total_certified_identified", f"Cities ever certified by end of {y} (identified)",
        int(last["identified_total_certified"]), "identified", str(last["status"]), (ids[-1],)))
    lv = latest_levels(pd.Timestamp(y, 12, 31), data)
    counts = level_counts(lv["level"])
    for tier, n in counts.items():
        out.append(Metric(f"latest_{tier.lower()}", f"Latest level {tier} at end of {y} (identified)", int(n), "identified",
                          "latest event on record per city; unknown levels are not guessed" if tier == "Unknown" else ""))
    out.append(Metric("countries_identified", f"Countries with a certified city by end of {y} (identified)",
                      int(lv["country"].nunique()), "identified", ", ".join(sorted(lv["country"].unique()))))
    return out


def metrics_frame(metrics: list[Metric]) -> pd.DataFrame:
    """The metrics as a table (value shown as '–' where not known)."""
    df = pd.DataFrame([m.as_dict() for m in metrics])
    df["rounds"] = df["rounds"].map(", ".join)
    return df


def metrics_json(year: int, data: "Dataset | None" = None) -> dict:
    """The payload written to the report's ``metrics.json``."""
    data = _data(data)
    return {
        "year": int(year),
        "year_basis": "announcement calendar year (cities label rounds by assessment year)",
        "metrics": {m.name: m.as_dict() for m in annual_metrics(year, data)},
    }


def round_members(round_id: str, data: "Dataset | None" = None) -> pd.DataFrame:
    """The named cities of a round with their reported and derived cohort and earlier level."""
    data = _data(data)
    if round_id not in set(data.rounds["round_id"]):
        raise ValueError(f"unknown round {round_id!r}; rounds: {', '.join(data.rounds['round_id'])}")
    ev = classify_events(data)
    ev = ev[ev["round_id"] == round_id]
    cols = ["city", "region", "country", "level", "reported_cohort", "derived_cohort", "previous_level",
            "previous_round", "level_inferred", "round_inferred", "status"]
    return ev[cols].sort_values(["reported_cohort", "country", "city"], na_position="last").reset_index(drop=True)


def geography(frame: pd.DataFrame, by: str = "country") -> pd.DataFrame:
    """Counts of cities by ``country`` or ``region`` (US states etc.), split by level, unknown kept."""
    if by not in ("country", "region"):
        raise ValueError("by must be 'country' or 'region'")
    keys = ["country", "region"] if by == "region" else ["country"]
    lv = frame.assign(level=frame["level"].astype("object").fillna("Unknown"))
    table = pd.crosstab([lv[k] for k in keys], lv["level"])
    table = table.reindex(columns=["Silver", "Gold", "Platinum", "Unknown"], fill_value=0)
    table["total"] = table.sum(axis=1)
    return table.sort_values("total", ascending=False)
