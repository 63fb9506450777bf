"""The cohort vocabulary and the prose and reader tables about a round's cohorts (notebook 02).

One vocabulary: the cohort names are ``data.schemas.COHORTS`` (the data value stays ``recertified``)
and :data:`COHORT_LABELS` is the one label map for everything a reader sees: headers, legends, axis
labels, cells of display tables and prose say "re-certified".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from wwc_analysis.history.cohorts import COHORT_LABELS, REPORTED_COHORTS
from wwc_analysis.history.rounds import reconstructed_rounds, round_info
from wwc_analysis.text.tables import report_table, report_text
from wwc_analysis.text.words import day, plural

if TYPE_CHECKING:  # pragma: no cover
    from pandas.io.formats.style import Styler

    from wwc_analysis.data.dataset import Dataset

#: "new cities", "upgraded cities", "re-certified cities": a reported cohort as a plural noun.
COHORT_NOUNS: dict[str, str] = {c: f"{COHORT_LABELS[c]} cities" for c in REPORTED_COHORTS}


def cohort_label(cohort) -> str:
    """How a reader sees a cohort: ``'recertified'`` -> ``'re-certified'``; other values
    unchanged."""
    return COHORT_LABELS.get(str(cohort), str(cohort))


def relabel(text: str) -> str:
    """``text`` (a column name such as ``'recertified reported'``) with every cohort labelled."""
    return str(text).replace("recertified", COHORT_LABELS["recertified"])


def cities(n: int, cohort: str) -> str:
    """'1 new city', '21 new cities', '2 re-certified cities'."""
    return plural(n, f"{cohort_label(cohort)} city", COHORT_NOUNS[cohort])


def coverage(summary_row: pd.Series, cohort: str) -> str:
    """In words, how much of a reported cohort the record identifies: 'identified 7 of 9 new
    cities'.

    ``summary_row`` is a row of :func:`history.cohorts.round_summary`."""
    rep = summary_row.get(f"reported_{cohort}")
    ident = int(summary_row[f"identified_{cohort}"])
    if pd.isna(rep):
        return f"{cities(ident, cohort)} identified; the count was not reported"
    return f"identified {ident} of {cities(int(rep), cohort)}"


def with_counts(profile: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """``profile`` (rows = cohorts) with each row label followed by its number of assessments."""
    n = history["cohort"].value_counts()
    out = profile.rename(index=lambda c: f"{cohort_label(c)} (n={int(n.get(c, 0))})")
    out.attrs = dict(profile.attrs)
    return out


_COHORT_FORMATS = dict.fromkeys(("cohort", "reported_cohort", "derived_cohort"), cohort_label)


def cohort_formats(frame: pd.DataFrame, **more) -> dict:
    """``formats`` for :func:`text.tables.report_table`: the cohort columns of ``frame`` (or of its
    index) shown with :func:`cohort_label`, plus ``more``."""
    names = {*frame.columns, *(n for n in frame.index.names if n)}
    return {**{c: f for c, f in _COHORT_FORMATS.items() if c in names}, **more}


# --- the round ----------------------------------------------------------------------------------
def round_intro(round_id: str, year, data: Dataset) -> str:
    """The round, its date and standard, whether ``year`` was overridden, and the compilers'
    note."""
    rnd = round_info(round_id, data)
    rebuilt = round_id in reconstructed_rounds(data)
    when = (
        "reconstructed (no program announcement of it was found), dated" if rebuilt else "announced"
    )
    text = (
        f"**Round {round_id}**, {when} {day(rnd['announced'])} (date precision: "
        f"{rnd['date_precision']}), under the {rnd['standard']} standard."
    )
    if rnd["announced"].year != int(year):
        text += f" It was chosen by `round_id`; the `year` parameter ({year}) is not used."
    return text + f"\n\n> Compilers' note on this round: {rnd['notes']}"


def sizes_text(summary: pd.DataFrame, round_id: str) -> str:
    """The round's events, its cumulative totals and how much of each reported cohort is
    identified."""
    row = summary.set_index("round_id").loc[round_id]
    total = row["reported_total_certified"]
    rebuilt = bool(row.get("reconstructed", False))  # no program announcement of the round
    if pd.isna(total):
        total_text = (
            "no source stated a cumulative total"
            if rebuilt
            else "the program did not state a cumulative total"
        )
    else:
        who = "a source other than the program" if rebuilt else "the program"
        total_text = f"{who} reported {int(total)} cities ever certified"
    lines = "\n".join(f"- {coverage(row, c)}" for c in REPORTED_COHORTS)
    return (
        f"The record identifies **{plural(row['events'], 'certification event')}** in round "
        f"{round_id} ({row['level_unknown']} of them without a level). After the round "
        f"{total_text}; the record identifies {row['identified_total_certified']} cities ever "
        f"certified. How much of each reported cohort the record identifies:\n\n{lines}"
    )


def sizes_report(sizes: pd.DataFrame) -> str:
    """:func:`history.cohorts.cohort_sizes` as plain text, cohorts labelled for a reader."""
    return report_text(sizes, formats=cohort_formats(sizes))


def sizes_table(sizes: pd.DataFrame, round_id: str) -> Styler:
    """:func:`history.cohorts.cohort_sizes` as a reader table (the page's rendering of
    :func:`sizes_report`)."""
    return report_table(
        sizes,
        formats=cohort_formats(sizes),
        caption=f"Cohort sizes of round {round_id}: reported, identified and derived",
    )


# --- the named cities ---------------------------------------------------------------------------
def members_text(members: pd.DataFrame, round_id: str) -> str:
    """Who the record names in the round, where each cohort comes from, and what was inferred."""
    if members.empty:
        return f"The record names no city of round {round_id}: there is no city to list."
    basis = members["cohort_basis"].value_counts()
    kinds = (
        ("level_inferred", "level", "levels"),
        ("round_inferred", "placement in the round", "placements in the round"),
    )
    inferred = [
        plural(int(members[col].sum()), one, many) for col, one, many in kinds if members[col].any()
    ]
    named = members["cohort"].value_counts(sort=False)
    return (
        f"The record names {plural(len(members), 'city', 'cities')} for round {round_id}: "
        + ", ".join(f"{n} {cohort_label(c)}" for c, n in named.items() if n)
        + f". The cohort comes from the sources for {basis.get('reported', 0)} of them, from the "
        f"history alone for {basis.get('derived', 0)}, and is unknown for {basis.get('none', 0)}. "
        + (
            f"Inferred rather than stated by a source: {' and '.join(inferred)}."
            if inferred
            else "Every level and placement in this round is stated by a source."
        )
    )


def members_table(named: pd.DataFrame, round_id: str) -> Styler | None:
    """The round's cities (:func:`history.cohorts.round_cities`), without an inferred-flag column
    that is blank on every row (None when the record names none: the text says so)."""
    if named.empty:
        return None
    blank = [col for col in ("level_inferred", "round_inferred") if not named[col].any()]
    shown = named.drop(columns=blank)
    return report_table(shown, formats=cohort_formats(shown), caption=f"Cities of round {round_id}")


# --- disagreements ------------------------------------------------------------------------------
def disagreements_text(dis: pd.DataFrame, summary: pd.DataFrame, round_id: str) -> str:
    """How many of the round's events the history contradicts or cannot check (``dis`` is
    :func:`history.cohorts.disagreements` of every round)."""
    events = summary.set_index("round_id").loc[round_id, "events"]
    in_round = dis[dis["round_id"] == round_id]
    status = in_round["status"].value_counts()
    return (
        f"In round {round_id}, **{len(in_round)}** of the {events} events cannot be reconciled "
        f"with the history ({status.get('disagrees', 0)} contradicted by it, "
        f"{status.get('unverifiable', 0)} unverifiable). Across all rounds the record lists "
        f"{len(dis)} such events." + ("" if len(in_round) else " Nothing to list for this round.")
    )


def disagreements_table(dis: pd.DataFrame, round_id: str) -> Styler | None:
    """The round's disagreements with their reasons (None when there are none)."""
    in_round = dis[dis["round_id"] == round_id]
    if in_round.empty:
        return None
    return report_table(
        in_round,
        ["city", "level", "reported_cohort", "derived_cohort", "status", "reason"],
        formats=cohort_formats(in_round),
        wrap=["reason"],
        caption=f"Events of round {round_id} that the history contradicts or cannot check",
    )


# --- upgrades -----------------------------------------------------------------------------------
def upgrades_text(upgrades: pd.DataFrame, round_id: str) -> str:
    """How many upgrades up to the round can be timed, the median time, and the round's own."""
    timed = upgrades.dropna(subset=["years_since_first"])
    untimed = upgrades[upgrades["years_since_first"].isna()]
    this_round = upgrades[upgrades["in_round"]]
    this_timed = this_round.dropna(subset=["years_since_first"])
    years = timed["years_since_first"]
    text = (
        f"Up to round {round_id} the record holds **{plural(len(upgrades), 'upgrade')}**; "
        f"{len(timed)} can be timed"
    )
    if len(timed):
        text += (
            f", a median of {years.median():.1f} years after the first certification "
            f"(range {years.min():.1f} to {years.max():.1f})"
        )
    text += f". {len(untimed)} cannot be timed because the earlier certification is not on record"
    if len(untimed):
        text += f" ({', '.join(untimed['city'] + ' ' + untimed['round_id'])})"
    text += f". Round {round_id} has {plural(len(this_round), 'upgrade')}"
    if len(this_timed):
        median = this_timed["years_since_first"].median()
        return text + f", a median of {median:.1f} years after the first certification."
    return text + "."


def upgrades_table(upgrades: pd.DataFrame, round_id: str) -> Styler | None:
    """The upgrades of the round (None when it has none)."""
    this_round = upgrades[upgrades["in_round"]]
    if this_round.empty:
        return None
    columns = {
        "city": "City",
        "country": "Country",
        "previous_level": "Previous level",
        "level": "Level",
        "first_round": "First round on record",
        "years_since_first": "Years since first",
    }
    return report_table(
        this_round,
        columns,
        formats={"years_since_first": "{:.1f}"},
        caption=f"Upgrades in round {round_id}",
    )


# --- geography ----------------------------------------------------------------------------------
def geography_text(members: pd.DataFrame, geo: pd.DataFrame, round_id: str) -> str:
    """The countries of the round's cities, per cohort (``geo``:
    :func:`history.cohort_geography`)."""
    if members.empty:
        return f"No city of round {round_id} is on record, so there are no countries to show."
    per_cohort = " ".join(
        f"{cohort_label(c).capitalize()}: "
        + ", ".join(f"{country} {n}" for country, n in geo.loc[c, "total"].items())
        + "."
        for c in geo.index.get_level_values("cohort").unique()
    )
    return (
        f"The {plural(len(members), 'city', 'cities')} of round {round_id} are in "
        f"{plural(members['country'].nunique(), 'country')}. {per_cohort}"
    )


def geography_table(geo: pd.DataFrame, round_id: str) -> Styler | None:
    """The round's cities by cohort, country and level (None when there is none: the text says
    so)."""
    if geo.empty:
        return None
    return report_table(
        geo,
        formats=cohort_formats(geo),
        caption=f"Cities of round {round_id} by cohort, country and level",
    )


def region_table(geo_region: pd.DataFrame, round_id: str, top: int = 15) -> Styler | None:
    """The ``top`` largest (cohort, region) groups of the round's cities, by level (None when
    there is none)."""
    if geo_region.empty:
        return None
    groups = geo_region.sort_values("total", ascending=False, kind="stable").head(top)
    levels = [c for c in groups.columns if c != "total"]
    more = f" (the {top} largest of {len(geo_region)} groups)" if len(geo_region) > top else ""
    return report_table(
        groups,
        {
            "cohort": "Cohort",
            "region": "Region",
            "country": "Country",
            **dict.fromkeys(levels),
            "total": "Total",
        },
        formats=cohort_formats(groups),
        caption=f"Cities of round {round_id} by cohort, region and level{more}",
    )


# --- earlier rounds -----------------------------------------------------------------------------
def comparison_text(reporting: pd.DataFrame, round_id: str) -> str:
    """Per cohort, how often the program stated a count up to the round and how much of it is
    identified (``reporting``: :func:`history.cohorts.reporting_coverage`)."""
    lines = "\n".join(
        f"- **{COHORT_NOUNS[c].capitalize()}**: the program stated a count in {r.rounds_reported} "
        f"of the rounds, {r.reported} cities in all"
        + (" (a sum of reported counts)" if r.rounds_reported > 1 else "")
        + f", of which the record identifies {r.identified_in_reported}; counting every round, "
        f"the record identifies {r.identified}."
        for c, r in reporting.iterrows()
    )
    return f"Over the {plural(reporting['rounds'].iloc[0], 'round')} up to {round_id}:\n\n{lines}"


def by_round_report(table: pd.DataFrame) -> str:
    """:func:`history.cohorts.cohort_sizes_table` as plain text, headers labelled for a reader."""
    return report_text(table.rename(columns=relabel))


def by_round_table(table: pd.DataFrame, round_id: str) -> Styler:
    """:func:`history.cohorts.cohort_sizes_table` as a reader table (the page's rendering of
    :func:`by_round_report`)."""
    return report_table(
        table.rename(columns=relabel),
        caption=f"Cohort sizes of every round up to {round_id}, reported and identified",
    )


__all__ = [
    "COHORT_LABELS",
    "COHORT_NOUNS",
    "by_round_report",
    "by_round_table",
    "cities",
    "cohort_formats",
    "cohort_label",
    "comparison_text",
    "coverage",
    "disagreements_table",
    "disagreements_text",
    "geography_table",
    "geography_text",
    "members_table",
    "members_text",
    "region_table",
    "relabel",
    "round_intro",
    "sizes_report",
    "sizes_table",
    "sizes_text",
    "upgrades_table",
    "upgrades_text",
    "with_counts",
]
