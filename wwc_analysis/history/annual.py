"""Headline numbers of an announcement year, each marked *reported* (stated by the program) or
*identified* (counted from events in the record): the :class:`Metric` list and ``metrics.json``.

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
from wwc_analysis.history.rounds import check_year, cumulative

if TYPE_CHECKING:  # pragma: no cover
    from wwc_analysis.data.dataset import Dataset


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


def rounds_in_year(year, data: Dataset) -> pd.DataFrame:
    """The per-round summary (see :func:`cohorts.round_summary`) of the rounds announced in
    ``year``."""
    y = check_year(year, data)
    s = round_summary(data)
    return s[s["announced"].dt.year == y].reset_index(drop=True)


def annual_metrics(year, data: Dataset) -> list[Metric]:
    """Headline numbers of an announcement year, reported and identified side by side.

    A reported sum over the year's rounds is given only when every round reported its count;
    otherwise ``value`` is None and the note says which rounds did not report and what is known.
    """
    y = check_year(year, data)
    rs = rounds_in_year(y, data)
    ids = tuple(rs["round_id"])
    dates = ", ".join(f"{r.round_id} ({r.announced:%d %b %Y})" for r in rs.itertuples())
    out = [Metric("rounds", "Rounds announced", len(rs), "reported", dates, ids)]
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
    out += _total_metrics(y, ids, data)
    out += _level_metrics(y, data)
    return out


def _cohort_metrics(rs: pd.DataFrame, c: str) -> list[Metric]:
    """The reported and the identified count of cohort ``c`` over the rounds of ``rs``."""
    ids = tuple(rs["round_id"])
    noun = f"{COHORT_LABELS[c].capitalize()} cities"
    rep = rs[f"reported_{c}"]
    known = rep.dropna()
    if len(known) == len(rep):
        parts = " + ".join(f"{int(v)}" for v in rep)
        note = f"{parts} by round" if len(ids) > 1 else f"as stated for {ids[0]}"
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
        Metric(f"{c}_reported", f"{noun} (reported)", value, "reported", note, ids),
        Metric(
            f"{c}_identified",
            f"{noun} (identified)",
            int(ident.sum()),
            "identified",
            ident_note,
            ids,
        ),
    ]


def _total_metrics(y: int, ids: tuple[str, ...], data: Dataset) -> list[Metric]:
    """Cities ever certified after the year's last round, reported and identified."""
    last_id = ids[-1]
    last = cumulative(data).set_index("round_id").loc[last_id]
    rep_total = last["reported_total_certified"]
    known = pd.notna(rep_total)
    note = f"as stated after {last_id}" if known else f"not stated after {last_id}"
    return [
        Metric(
            "total_certified_reported",
            f"Cities ever certified by end of {y} (reported)",
            int(rep_total) if known else None,
            "reported",
            note,
            (last_id,),
        ),
        Metric(
            "total_certified_identified",
            f"Cities ever certified by end of {y} (identified)",
            int(last["identified_total_certified"]),
            "identified",
            str(last["status"]),
            (last_id,),
        ),
    ]


def _level_metrics(y: int, data: Dataset) -> list[Metric]:
    """Latest level of each city at the end of the year, and the countries reached."""
    lv = latest_levels(pd.Timestamp(y, 12, 31), data)
    out = []
    unknown_note = "latest event on record per city; unknown levels are not guessed"
    for tier, n in level_counts(lv["level"]).items():
        label = f"Latest level {tier} at end of {y} (identified)"
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
            f"Countries with a certified city by end of {y} (identified)",
            int(lv["country"].nunique()),
            "identified",
            countries,
        )
    )
    return out


def metrics_json(year, data: Dataset) -> dict:
    """The payload written to the report's ``metrics.json``."""
    return {
        "year": int(year),
        "year_basis": "announcement calendar year (cities label rounds by assessment year)",
        "metrics": {m.name: m.as_dict() for m in annual_metrics(year, data)},
    }


__all__ = ["Metric", "annual_metrics", "metrics_json", "rounds_in_year"]
