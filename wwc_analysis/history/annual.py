"""Headline numbers of an announcement year, each marked *reported* (stated by the program),
*sum of reported counts* (several rounds' reported counts added: no source states the sum) or
*identified* (counted from events in the record): the :class:`Metric` list and ``metrics.json``.

A reconstructed round (no program announcement found: :func:`history.rounds.reconstructed`) is
never counted as *announced*: the ``rounds`` metric is then *identified*, its label and note say
which rounds are reconstructed.

The counts at the end of a year are counted at ``as_of`` instead when one is given: a report built
before the year is over says "by 1 December 2026", never "by the end of 2026" (:func:`period_end`).

Years are **announcement calendar years**: the January 2024 round belongs to 2024 even though cities
call it their "2023" certification (they label rounds by assessment year). The prose and display
tables of the annual summary are in :mod:`wwc_analysis.text.annual`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import pandas as pd

from wwc_analysis.history.cohorts import COHORT_LABELS, REPORTED_COHORTS, round_summary
from wwc_analysis.history.levels import latest_levels, level_counts
from wwc_analysis.history.rounds import check_year, cumulative, to_timestamp

#: The basis of a total of several rounds' reported counts.
SUM_OF_REPORTED = "sum of reported counts"

if TYPE_CHECKING:  # pragma: no cover
    from wwc_analysis.data.dataset import Dataset


@dataclass(frozen=True)
class Metric:
    """One headline number. ``basis`` is ``reported`` (stated by the program), ``sum of reported
    counts`` (the counts reported for each round of the year, added: no source states the total)
    or ``identified`` (counted from events in the record); ``value`` is None when it is not
    known."""

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


def period_end(year: int, as_of=None) -> tuple[pd.Timestamp, str]:
    """The date the year's totals are counted at and its words after "by": 31 December and
    ``"end of 2024"``, or ``as_of`` (when before the year's end) and ``"1 December 2026"``."""
    end = pd.Timestamp(int(year), 12, 31)
    when = end if as_of is None else min(end, to_timestamp(as_of))
    if when == end:
        return end, f"end of {int(year)}"
    return when, f"{when.day} {when:%B %Y}"


def rounds_in_year(year, data: Dataset) -> pd.DataFrame:
    """The per-round summary (see :func:`cohorts.round_summary`) of the rounds announced in
    ``year``."""
    y = check_year(year, data)
    s = round_summary(data)
    return s[s["announced"].dt.year == y].reset_index(drop=True)


def annual_metrics(year, data: Dataset, as_of=None) -> list[Metric]:
    """Headline numbers of an announcement year, reported and identified side by side; the latest
    levels and countries at the end of the year, or at ``as_of`` (:func:`period_end`).

    A reported sum over the year's rounds is given only when every round reported its count;
    otherwise ``value`` is None and the note says which rounds did not report and what is known.
    """
    y = check_year(year, data)
    rs = rounds_in_year(y, data)
    ids = tuple(rs["round_id"])
    out = [_rounds_metric(rs)]
    for c in REPORTED_COHORTS:
        out += _cohort_metrics(rs, c)
    unknown = int(rs["level_unknown"].sum())
    out.append(
        Metric(
            "events_identified",
            "Certification events identified",
            int(rs["events"].sum()),
            "identified",
            f"{unknown} of them with the level not known",
            ids,
        )
    )
    out += _total_metrics(y, ids, data, as_of)
    out += _level_metrics(y, data, as_of)
    return out


def _rounds_metric(rs: pd.DataFrame) -> Metric:
    """The rounds of the year: *reported* (announced) when the program announced every one of
    them, else *identified*, the reconstructed rounds named."""
    ids = tuple(rs["round_id"])
    made_up = rs["reconstructed"].to_numpy(dtype=bool)

    def when(r, rebuilt: bool) -> str:
        return f"{r.round_id} ({r.announced:%d %b %Y}" + (
            "; reconstructed: no program announcement found)" if rebuilt else ")"
        )

    note = ", ".join(when(r, m) for r, m in zip(rs.itertuples(), made_up, strict=True))
    if not made_up.any():
        return Metric("rounds", "Rounds announced", len(rs), "reported", note, ids)
    announced = int((~made_up).sum())
    label = f"Rounds on record ({announced} announced, {int(made_up.sum())} reconstructed)"
    return Metric("rounds", label, len(rs), "identified", note, ids)


def _cohort_metrics(rs: pd.DataFrame, c: str) -> list[Metric]:
    """The reported count of cohort ``c`` over the rounds of ``rs`` (a sum of reported counts when
    there are several, given only when every round reported it) and the identified count."""
    ids = tuple(rs["round_id"])
    noun = f"{COHORT_LABELS[c].capitalize()} cities"
    rep = rs[f"reported_{c}"]
    known = rep.dropna()
    basis, label = "reported", f"{noun} (reported)"
    if len(known) == len(rep):
        parts = " + ".join(f"{int(v)}" for v in rep)
        note = f"as stated for {ids[0]}"
        if len(ids) > 1:
            basis, label = SUM_OF_REPORTED, f"{noun} ({SUM_OF_REPORTED})"
            note = f"{parts} by round; no source states the sum"
        value = int(known.sum())
    else:
        missing = [r for r, v in zip(ids, rep) if pd.isna(v)]
        note = f"not reported for {', '.join(missing)}"
        if len(known):
            note += f"; {int(known.sum())} reported for the other round(s)"
        value = None
    ident = rs[f"identified_{c}"]
    ident_note = ", ".join(f"{r}: {int(v)}" for r, v in zip(ids, ident))
    return [
        Metric(f"{c}_reported", label, value, basis, note, ids),
        Metric(
            f"{c}_identified",
            f"{noun} (identified)",
            int(ident.sum()),
            "identified",
            ident_note,
            ids,
        ),
    ]


def _total_metrics(y: int, ids: tuple[str, ...], data: Dataset, as_of=None) -> list[Metric]:
    """Cities ever certified after the year's last round, reported and identified."""
    by = period_end(y, as_of)[1]
    last_id = ids[-1]
    last = cumulative(data).set_index("round_id").loc[last_id]
    rep_total = last["reported_total_certified"]
    known = pd.notna(rep_total)
    note = f"as stated after {last_id}" if known else f"not stated after {last_id}"
    if known and last["reconstructed"]:
        note += " (by a source other than a program announcement: the round is reconstructed)"
    return [
        Metric(
            "total_certified_reported",
            f"Cities ever certified by {by} (reported)",
            int(rep_total) if known else None,
            "reported",
            note,
            (last_id,),
        ),
        Metric(
            "total_certified_identified",
            f"Cities ever certified by {by} (identified)",
            int(last["identified_total_certified"]),
            "identified",
            str(last["status"]),
            (last_id,),
        ),
    ]


def _level_metrics(y: int, data: Dataset, as_of=None) -> list[Metric]:
    """Latest level of each city at the end of the year (or ``as_of``), and the countries
    reached."""
    when, by = period_end(y, as_of)
    at = f"at {by}" if by.startswith("end") else f"on {by}"
    lv = latest_levels(when, data)
    out = []
    unknown_note = "latest event on record per city; unknown levels are not guessed"
    for tier, n in level_counts(lv["level"]).items():
        label = f"Latest level {tier} {at} (identified)"
        out.append(
            Metric(
                f"latest_{tier.lower()}",
                label,
                int(n),
                "identified",
                unknown_note if tier == "Unknown" else "",
            )
        )
    countries = ", ".join(sorted(lv["country"].unique()))
    out.append(
        Metric(
            "countries_identified",
            f"Countries with a certified city by {by} (identified)",
            int(lv["country"].nunique()),
            "identified",
            countries,
        )
    )
    return out


def metrics_json(year, data: Dataset, as_of=None) -> dict:
    """The payload written to the report's ``metrics.json`` (``as_of``: the date the year's totals
    are counted at, 31 December unless the year is not over)."""
    when = period_end(int(year), as_of)[0]
    return {
        "year": int(year),
        "as_of": f"{when:%Y-%m-%d}",
        "year_basis": "announcement calendar year (cities label rounds by assessment year)",
        "metrics": {m.name: m.as_dict() for m in annual_metrics(year, data, as_of)},
    }


__all__ = [
    "SUM_OF_REPORTED",
    "Metric",
    "annual_metrics",
    "metrics_json",
    "period_end",
    "rounds_in_year",
]
