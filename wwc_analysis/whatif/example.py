"""Which city the what-if notebook scores: a researcher's own (a list of criterion codes, or a
self-assessment file), or, by default, a named and documented example: the **median simulated
applicant** of the year.

The median simulated applicant is a fictional city (SIMULATED: ``wwc_analysis.simulate``), chosen
so that the annual report's what-if page works on a typical applicant rather than on an arbitrary
list: among the simulated assessments of the rounds announced in the year (up to the as-of date),
the one whose number of criteria met is the median, the lower one of an even count, ties broken by
city id then round. A year without simulated assessments (before the simulation's first round)
takes the latest assessment of every simulated city up to the date instead, and says so.

A list parameter reaches a notebook in two forms: a list (the default, or papermill's YAML ``-y
'met: [DM1, LC1]'``) or one string (papermill's ``-p met "DM1,LC1"``); :func:`criteria_codes`
reads both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

import pandas as pd

from wwc_analysis.whatif.scenario_file import city_from_file

if TYPE_CHECKING:
    from wwc_analysis.data.dataset import Dataset

_SEPARATORS = re.compile(r"[\s,;]+")
MEDIAN_APPLICANT = "median simulated applicant"
MET_PARAMETER = "met parameter"
SELF_ASSESSMENT = "self_assessment"


class ExampleCity(NamedTuple):
    """The city the what-if notebook scores: its criteria met and outcome flag, where it comes
    from (``source``: :data:`MEDIAN_APPLICANT`, :data:`MET_PARAMETER` or
    :data:`SELF_ASSESSMENT`), its ids when it has some, whether it is simulated, and for the median
    applicant how many applicants it was chosen among and which (``scope``, in words)."""

    met: tuple[str, ...]
    outcome_met: bool
    source: str
    city_id: str | None = None
    round_id: str | None = None
    simulated: bool = False
    applicants: int = 0
    scope: str = ""


def criteria_codes(value) -> tuple[str, ...]:
    """Criterion codes from a list parameter: a list or tuple of codes, or one string of codes
    separated by commas, semicolons or spaces (``"DM1,LC1"``, ``"DM1, LC1"``, ``"DM1 LC1"``);
    each stripped and upper-cased, empty entries dropped. ``None`` gives no codes; anything else
    is a TypeError naming what was given."""
    if value is None:
        return ()
    if isinstance(value, str):
        parts: Iterable = _SEPARATORS.split(value)
    elif isinstance(value, Iterable) and not isinstance(value, bytes | dict):
        parts = value
    else:
        raise TypeError(
            f"criterion codes must be a list such as ['DM1', 'LC1'] or a string such as "
            f"'DM1,LC1', got {type(value).__name__} {value!r}"
        )
    return tuple(str(p).strip().upper() for p in parts if str(p).strip())


def _per_assessment(assessments: pd.DataFrame, data: Dataset) -> pd.DataFrame:
    """One row per (city, round): criteria met, outcome flag, simulated flag, announcement."""
    a = assessments
    simulated = a["simulated"] if "simulated" in a.columns else pd.Series(False, index=a.index)
    per = (
        a.assign(simulated=simulated.astype(bool))
        .groupby(["city_id", "round_id"], observed=True, sort=True)
        .agg(
            met=("met", "sum"),
            outcome_met=("outcome_met", "first"),
            simulated=("simulated", "all"),
        )
        .reset_index()
    )
    announced = data.rounds.set_index("round_id")["announced"]
    per["announced"] = per["round_id"].astype(str).map(announced)
    return per


def median_applicant(
    assessments: pd.DataFrame, data: Dataset, year: int, as_of=None
) -> ExampleCity:
    """The median simulated applicant of ``year`` (see the module docstring) among
    ``assessments`` (the long frame of ``Dataset.assessments``), up to ``as_of`` (default: 31
    December of the year)."""
    per = _per_assessment(assessments, data)
    if per.empty:
        raise ValueError("there are no assessments to choose a median applicant from")
    end = pd.Timestamp(int(year), 12, 31)
    end = end if as_of is None else min(end, pd.Timestamp(as_of))
    known = per[per["announced"] <= end]
    scope = f"the rounds of {int(year)}"
    pool = known[known["announced"].dt.year == int(year)]
    if pool.empty:
        pool = known.sort_values("announced").groupby("city_id").tail(1)
        scope = f"each simulated city's latest assessment up to {end.day} {end:%B %Y}"
        if pool.empty:
            pool = per.sort_values("announced").groupby("city_id").tail(1)
            scope = "each simulated city's latest assessment"
    ranked = pool.sort_values(["met", "city_id", "round_id"], kind="stable")
    row = ranked.iloc[(len(ranked) - 1) // 2]
    mine = assessments[
        (assessments["city_id"] == row["city_id"]) & (assessments["round_id"] == row["round_id"])
    ]
    return ExampleCity(
        met=tuple(str(c) for c in mine.loc[mine["met"].astype(bool), "criterion"]),
        outcome_met=bool(row["outcome_met"]),
        source=MEDIAN_APPLICANT,
        city_id=str(row["city_id"]),
        round_id=str(row["round_id"]),
        simulated=bool(row["simulated"]),
        applicants=len(pool),
        scope=scope,
    )


def choose_city(
    met,
    outcome_met,
    self_assessment,
    data: Dataset,
    year: int,
    as_of=None,
    assessments: pd.DataFrame | None = None,
) -> ExampleCity:
    """The what-if notebook's city: the self-assessment file when one is named, else the codes of
    ``met`` (with ``outcome_met``) when given, else the median simulated applicant of ``year``
    (its own outcome flag) among ``assessments``: the simulated assessments the notebook uses
    (``history.simulated_assessments``, which falls back on the shipped file), by default
    ``data.assessments``."""
    if self_assessment:
        own = city_from_file(self_assessment, data)
        return ExampleCity(own.met, own.outcome_met, SELF_ASSESSMENT, own.city_id, own.round_id)
    if met is not None:
        return ExampleCity(criteria_codes(met), bool(outcome_met), MET_PARAMETER)
    pool = assessments if assessments is not None else data.assessments
    if pool is None:
        raise ValueError(
            "met is None, which means the median simulated applicant, but the data folder has no "
            "simulated assessments: give met (criterion codes) or self_assessment (a file)"
        )
    return median_applicant(pool, data, year, as_of)


__all__ = [
    "MEDIAN_APPLICANT",
    "MET_PARAMETER",
    "SELF_ASSESSMENT",
    "ExampleCity",
    "choose_city",
    "criteria_codes",
    "median_applicant",
]
