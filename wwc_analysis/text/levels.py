"""Prose and reader tables about the levels of certified cities (notebook 01): growth of the group,
latest levels at a date, where the cities are, and moves between levels.

Every function takes frames computed by :mod:`wwc_analysis.history` and returns Markdown, plain text
(for the outputs nbval compares) or a styled table; none computes a number the history does not
give.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from wwc_analysis.history.cohorts import REPORTED_COHORTS
from wwc_analysis.history.levels import LEVEL_BUCKETS, level_counts
from wwc_analysis.history.rounds import to_timestamp
from wwc_analysis.text.cohorts import cohort_formats, coverage
from wwc_analysis.text.tables import report_table
from wwc_analysis.text.words import day, plural, short_day

if TYPE_CHECKING:  # pragma: no cover
    from pandas.io.formats.style import Styler


def place_label(country=None, region=None) -> str:
    """'all countries', 'United States', 'CA, United States', ... for titles and prose."""
    parts = [str(p) for p in (region, country) if p not in (None, "")]
    return ", ".join(parts) if parts else "all countries"


def parameters_text(year, as_of, place: str) -> str:
    """The year, date and place an analysis looks at, in one line."""
    as_of = to_timestamp(as_of)
    return (
        f"**Year:** {year} (announcement calendar year). **As of:** {day(as_of)}. "
        f"**Place:** {place}."
    )


# --- growth ---------------------------------------------------------------------------------------
def growth_text(grow: pd.DataFrame, by_round: pd.DataFrame, as_of) -> str:
    """Cities ever certified after the latest round up to ``as_of``, reported vs identified, the
    widest gap, and from when cities of unknown level appear (``grow``: :func:`history.growth`,
    ``by_round``: :func:`history.levels_by_round`)."""
    as_of = to_timestamp(as_of)
    last = grow.iloc[-1]
    reported, gap = last["reported_total_certified"], last["gap"]
    rebuilt = grow["reconstructed"].astype(bool)  # rounds with no program announcement
    last_rebuilt = bool(rebuilt.iloc[-1])
    who = "a source other than the program" if last_rebuilt else "the program"
    if pd.isna(reported):
        no_total = "no source stated" if last_rebuilt else "the program did not state"
        reported_last = f"{no_total} a total after that round"
    elif int(gap) == 0:
        reported_last = f"{who} reported {int(reported)}, all of them identified"
    else:
        reported_last = (
            f"{who} reported {int(reported)}, so {int(gap)} certified cities are not identified"
        )
    gaps = grow.dropna(subset=["gap"])
    widest = gaps.loc[gaps["gap"].astype(int).idxmax()] if len(gaps) else None
    widest_text = (
        f"The widest gap is {int(widest['gap'])} cities, after {widest['round_id']}."
        if widest is not None and int(widest["gap"]) > 0
        else "Every reported total is reproduced by the record."
    )
    first_unknown = by_round.loc[by_round["Unknown"] > 0, "round_id"]
    unknown_text = (
        f" Cities whose latest level is unknown appear from {first_unknown.iloc[0]} on."
        if len(first_unknown)
        else ""
    )
    return (
        f"{_rounds_so_far(grow, rebuilt, as_of)} After the "
        f"latest, **{last['round_id']}** ({day(last['announced'])}), the record identifies "
        f"**{last['identified_total_certified']}** distinct cities ever certified; "
        f"{reported_last}. {widest_text}{unknown_text}"
    )


def _rounds_so_far(grow: pd.DataFrame, rebuilt: pd.Series, as_of: pd.Timestamp) -> str:
    """'By 30 June 2024, 9 rounds had been announced.', or, with reconstructed rounds (no program
    announcement found), how many were announced and which are reconstructed."""
    if not rebuilt.any():
        return f"By {day(as_of)}, {plural(len(grow), 'round')} had been announced."
    ids = list(grow.loc[rebuilt.to_numpy(), "round_id"])
    announced = int((~rebuilt).sum())
    return (
        f"By {day(as_of)} the record has {plural(len(grow), 'round')}: "
        f"{announced} announced by the program and {plural(len(ids), 'reconstructed round')} "
        f"({', '.join(ids)}), of which no program announcement was found."
    )


def year_rounds_text(summary: pd.DataFrame, year, as_of) -> str:
    """How complete the record is for the rounds of ``year`` up to ``as_of``, cohort by cohort
    (``summary``: :func:`history.round_summary`)."""
    as_of = to_timestamp(as_of)
    rows = summary[(summary["announced"].dt.year == int(year)) & (summary["announced"] <= as_of)]
    lines = (
        "\n".join(
            f"- **{r['round_id']}** ({short_day(r['announced'])}"
            + ("; reconstructed: no program announcement found" if r.get("reconstructed") else "")
            + f"), {plural(r['events'], 'event')} "
            f"identified, {r['level_unknown']} of them without a level:\n"
            + "".join(f"    - {coverage(r, c)}\n" for c in REPORTED_COHORTS)
            for _, r in rows.iterrows()
        )
        or f"- no round announced in {year} up to {day(as_of)}."
    )
    return f"How complete the record is for the rounds of {year}:\n\n{lines}"


def unplaced_text(unplaced: pd.DataFrame) -> str:
    """The cities shown as certified that no source places in a round (``data.unplaced``)."""
    if unplaced.empty:
        return "Every city shown as certified is placed in a round."
    return (
        f"A further {plural(len(unplaced), 'city', 'cities')} are shown as certified somewhere "
        f"but cannot be placed in any round ({', '.join(unplaced['city'])}); they are not "
        "counted here."
    )


# --- latest levels --------------------------------------------------------------------------------
def latest_text(latest: pd.DataFrame, place: str, as_of) -> str:
    """How many cities hold each latest level at ``as_of`` and what is known of the unknown ones
    (``latest``: :func:`history.latest_levels`, place filter applied)."""
    as_of = to_timestamp(as_of)
    if latest.empty:
        return f"On {day(as_of)} the record identifies no certified city in {place}."
    counts = level_counts(latest["level"])
    unknown = latest[latest["level"].isna()]
    earlier = int(unknown["last_known_level"].notna().sum())
    text = (
        f"On {day(as_of)} the record identifies **{len(latest)}** certified cities in "
        f"{place}: " + ", ".join(f"{n} {lvl}" for lvl, n in counts.items())
    )
    if not len(unknown):
        return text + ". Every one of them has a known latest level."
    text += f". For {len(unknown)} of them the latest level is unknown; "
    if earlier:
        verb = "has" if earlier == 1 else "have"
        return text + (
            f"{earlier} of those {verb} an earlier known level, shown below for context "
            "only (it is not used in the counts)."
        )
    return text + "none of them has an earlier level on record. They are listed below."


def latest_report(latest: pd.DataFrame, place: str, as_of) -> str:
    """The count of cities and of each latest level, as plain text."""
    as_of = to_timestamp(as_of)
    counts = level_counts(latest["level"])
    return f"as of {as_of:%Y-%m-%d}, {place}: {len(latest)} cities\n{counts.to_string()}"


def unknown_table(latest: pd.DataFrame, place: str, as_of) -> Styler | str | None:
    """The cities whose latest level is unknown, with their last known level when any has one
    (None when there is no city at all: the text before says so)."""
    as_of = to_timestamp(as_of)
    if latest.empty:
        return None
    unknown = latest[latest["level"].isna()]
    if unknown.empty:
        return f"Every city in {place} has a known latest level on {day(as_of)}."
    shown = {"city": "City", "region": "Region", "country": "Country", "round_id": "Latest round"}
    if unknown["last_known_level"].notna().any():
        shown |= {"last_known_level": "Last known level", "last_known_round": "Last known round"}
    return report_table(unknown, shown, caption=f"Cities whose latest level is unknown, {place}")


# --- geography ------------------------------------------------------------------------------------
def geography_text(
    latest: pd.DataFrame, by_country: pd.DataFrame, by_region: pd.DataFrame, place: str
) -> str:
    """The countries and the regions with most cities (``by_*``: :func:`history.geography`)."""
    if latest.empty:
        return f"No certified city in {place} is on record: no country or region to show."
    countries = ", ".join(f"{c}: {n}" for c, n in by_country["total"].items())
    regions = ", ".join(f"{r} ({c}) {n}" for (c, r), n in by_region["total"].head(5).items())
    return (
        f"The {len(latest)} cities in {place} are in {plural(len(by_country), 'country')} and "
        f"{plural(len(by_region), 'region')}. {countries}. The regions with most cities: "
        f"{regions}."
    )


def country_table(by_country: pd.DataFrame, place: str) -> Styler | None:
    """Certified cities by country and latest level (None when there is none)."""
    if by_country.empty:
        return None
    caption = f"Certified cities by country and latest level, {place}"
    return report_table(by_country, caption=caption)


def region_table(by_region: pd.DataFrame, place: str, top: int = 15) -> Styler | None:
    """The ``top`` regions with most certified cities, by latest level (None when there is
    none)."""
    if by_region.empty:
        return None
    shown = {
        "region": "Region",
        "country": "Country",
        **dict.fromkeys(LEVEL_BUCKETS),
        "total": "Total",
    }
    shown_n = min(top, len(by_region))
    caption = f"Regions with most certified cities (top {shown_n} of {len(by_region)}), {place}"
    return report_table(by_region.head(top), shown, caption=caption)


# --- moves between levels -------------------------------------------------------------------------
def moves_text(moves: dict[str, int], place: str, as_of) -> str:
    """The moves between consecutive certifications (``moves``:
    :func:`history.transition_summary`)."""
    as_of = to_timestamp(as_of)
    return (
        f"The record holds **{moves['total']}** consecutive pairs of certifications in {place} "
        f"up to {day(as_of)}: {moves['up']} moved up a level, {moves['same']} kept their "
        f"level, {moves['down']} moved down, and in {moves['unknown']} one of the two levels "
        "is unknown."
    )


def moves_report(matrix: pd.DataFrame, moves: dict[str, int]) -> str:
    """The transition matrix and its totals, as plain text."""
    return (
        f"{matrix.to_string()}\nmoves: {moves['up']} up, {moves['same']} same level, "
        f"{moves['down']} down, {moves['unknown']} with an unknown level; {moves['total']} in "
        "all"
    )


def unknown_moves(trans: pd.DataFrame) -> list:
    """The moves with an unknown level: a sentence and a table, or a sentence saying there are none
    (``trans``: :func:`history.transitions`)."""
    moves = trans[trans["from_level"].isna() | trans["to_level"].isna()]
    if moves.empty:
        return ["No move in this selection involves an unknown level."]
    columns = [
        "city",
        "country",
        "from_round",
        "from_level",
        "to_round",
        "to_level",
        "reported_cohort",
    ]
    return [
        f"The {len(moves)} moves with an unknown level:",
        report_table(moves, columns, formats=cohort_formats(moves[columns])),
    ]


__all__ = [
    "country_table",
    "geography_text",
    "growth_text",
    "latest_report",
    "latest_text",
    "moves_report",
    "moves_text",
    "parameters_text",
    "place_label",
    "region_table",
    "unknown_moves",
    "unknown_table",
    "unplaced_text",
    "year_rounds_text",
]
