"""The calendar of rounds: announcement years, the round or date an analysis looks at, and how many
distinct cities were ever certified after each round (reported vs identified).

Years are **announcement calendar years**: the January 2024 round belongs to 2024 even though cities
call it their "2023" certification (they label rounds by assessment year).
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wwc_analysis.history.memo import derived

if TYPE_CHECKING:  # pragma: no cover
    from wwc_analysis.data.dataset import Dataset


def to_timestamp(as_of) -> pd.Timestamp:
    """A date from a ``date``/``Timestamp``/ISO string, or the last day of a year given as an
    int/``"YYYY"``."""
    text = as_of.strip() if isinstance(as_of, str) else None
    year_text = text is not None and text.isdigit() and len(text) == 4
    if isinstance(as_of, (int, np.integer)) or year_text:
        return pd.Timestamp(int(as_of), 12, 31)
    if isinstance(as_of, (_dt.date, pd.Timestamp)):
        return pd.Timestamp(as_of)
    try:
        return pd.Timestamp(str(as_of).strip())
    except ValueError as exc:
        raise ValueError(
            f"as-of date {as_of!r} is not a date: expected YYYY-MM-DD or a year YYYY"
        ) from exc


def years_with_rounds(data: Dataset) -> list[int]:
    """Announcement years that have at least one round, ascending."""
    return sorted({int(y) for y in data.rounds["announced"].dt.year})


def latest_year(data: Dataset) -> int:
    """The latest announcement year with a round (the report's default year)."""
    return years_with_rounds(data)[-1]


def check_year(year, data: Dataset) -> int:
    """``year`` as an int if it has a round; otherwise a ValueError listing the years that have
    one."""
    years = years_with_rounds(data)
    listed = ", ".join(map(str, years))
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise ValueError(f"year {year!r} is not a year: expected YYYY, one of {listed}") from None
    if y not in years:
        raise ValueError(
            f"no certification round was announced in {y}; years with a round: {listed}"
        )
    return y


def check_round(round_id, data: Dataset) -> str:
    """``round_id`` (stripped) if it is a round on record; otherwise a ValueError listing the
    rounds."""
    rid = str(round_id).strip()
    if rid not in set(data.rounds["round_id"]):
        raise ValueError(f"unknown round {rid!r}; rounds: {', '.join(data.rounds['round_id'])}")
    return rid


def round_info(round_id: str, data: Dataset) -> pd.Series:
    """The ``rounds`` row of ``round_id`` (announced, standard, reported counts, notes, sources)."""
    rid = check_round(round_id, data)
    return data.rounds[data.rounds["round_id"] == rid].iloc[0]


def resolve_as_of(year, as_of, data: Dataset) -> pd.Timestamp:
    """The date an analysis measures at: ``as_of`` if given, else 31 December of ``year``.

    ``year`` must be an announcement year with a round (a ValueError lists the years that have one).
    """
    y = check_year(year, data)
    return to_timestamp(y if as_of in (None, "") else as_of)


def resolve_round(year, round_id, data: Dataset) -> str:
    """The round an analysis looks at: ``round_id`` if given, else the last round announced in
    ``year``. An explicit ``round_id`` must exist (a ValueError lists the rounds); it wins over
    ``year``."""
    if round_id not in (None, ""):
        return check_round(round_id, data)
    y = check_year(year, data)
    rounds = data.rounds
    in_year = rounds[rounds["announced"].dt.year == y].sort_values("announced")
    return str(in_year["round_id"].iloc[-1])


#: What the notes of a round say when no program announcement of it was found (lower case): the
#: round is *reconstructed* from city releases and stated totals (data/README.md, "Known gaps").
RECONSTRUCTED_NOTES = ("no program-wide announcement", "no program announcement", "inferred round")


def reconstructed(rounds: pd.DataFrame) -> pd.Series:
    """For each row of a rounds table: True when the round is reconstructed, i.e. its notes say
    that no program announcement of it was found (:data:`RECONSTRUCTED_NOTES`). Such a round was
    never *announced* by the program, and what it counts is not the program's word."""
    notes = rounds["notes"].astype(object).fillna("").astype(str).str.lower()
    found = [any(phrase in n for phrase in RECONSTRUCTED_NOTES) for n in notes]
    return pd.Series(found, index=rounds.index, dtype=bool, name="reconstructed")


def reconstructed_rounds(data: Dataset) -> list[str]:
    """The ids of the reconstructed rounds (:func:`reconstructed`), in date order."""
    rounds = data.rounds.sort_values("announced")
    return list(rounds.loc[reconstructed(rounds), "round_id"])


@derived("certifications", "rounds")
def cumulative(data: Dataset) -> pd.DataFrame:
    """Distinct certified cities after each round: reported and identified side by side.

    ``gap`` = reported - identified (<NA> when the total was not reported); ``status`` says whether
    the reported total is reproduced or how far the record falls short; ``reconstructed`` marks a
    round with no program announcement (its total, if any, was stated by other sources).
    """
    certs, rnds = data.certifications, data.rounds
    first = (
        certs.merge(rnds[["round_id", "announced"]], on="round_id")
        .groupby("city_id")["announced"]
        .min()
    )
    rows = []
    ordered = rnds.sort_values("announced")
    rebuilt = reconstructed(ordered)
    for r, made_up in zip(ordered.itertuples(index=False), rebuilt, strict=True):
        ident = int((first <= r.announced).sum())
        rep = r.reported_total_certified
        gap, status = _gap(rep, ident)
        rows.append(
            {
                "round_id": r.round_id,
                "announced": r.announced,
                "reported_total_certified": rep,
                "identified_total_certified": ident,
                "gap": gap,
                "status": status,
                "reconstructed": bool(made_up),
            }
        )
    out = pd.DataFrame(rows)
    out["reported_total_certified"] = out["reported_total_certified"].astype("Int64")
    out["gap"] = out["gap"].astype("Int64")
    out["status"] = out["status"].astype("string")
    return out


def _gap(reported, identified: int) -> tuple:
    """(reported - identified or <NA>, the status of the comparison)."""
    if pd.isna(reported):
        return pd.NA, f"not reported; {identified} identified"
    gap = int(reported) - identified
    if gap == 0:
        return gap, "reproduced"
    if gap > 0:
        return gap, f"identified {identified} of {int(reported)} (gap {gap})"
    return gap, f"{-gap} more identified than reported ({identified} vs {int(reported)})"


def growth(data: Dataset, year, as_of=None) -> pd.DataFrame:
    """:func:`cumulative` for the rounds announced up to ``as_of`` (default: 31 December of
    ``year``), with ``in_year`` marking the rounds announced in ``year``."""
    y = check_year(year, data)
    cut = to_timestamp(y if as_of in (None, "") else as_of)
    cum = cumulative(data)
    cum = cum[cum["announced"] <= cut].reset_index(drop=True)
    cum["in_year"] = cum["announced"].dt.year == y
    return cum


__all__ = [
    "RECONSTRUCTED_NOTES",
    "check_round",
    "check_year",
    "cumulative",
    "growth",
    "latest_year",
    "reconstructed",
    "reconstructed_rounds",
    "resolve_as_of",
    "resolve_round",
    "round_info",
    "to_timestamp",
    "years_with_rounds",
]
