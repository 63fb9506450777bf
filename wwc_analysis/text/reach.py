"""Prose and reader tables of the reach (notebook 05, the annual summary's headline, ``wwc reach``).

Every figure is marked as the history marks it (:data:`wwc_analysis.history.reach.BASIS`):
*identified* (counted from the record) or *approximate* (it rests on the eligible universe, GeoNames
places of 30,000+ people, which is never the program's own list). Nothing here computes a number
that :mod:`wwc_analysis.history.reach` does not give.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from wwc_analysis.data.reach_tables import UNIVERSE_CREDIT
from wwc_analysis.history.reach import APPROXIMATE, IDENTIFIED
from wwc_analysis.text.tables import report_table
from wwc_analysis.text.words import DASH, join_and, plural

if TYPE_CHECKING:  # pragma: no cover
    from pandas.io.formats.style import Styler

#: The universe in one phrase, for every place a reader meets it.
UNIVERSE_PHRASE = (
    "the eligible universe is APPROXIMATE: GeoNames populated places of the Americas with 30,000 "
    "people or more (data/universe.csv), not the program's own list of eligible cities"
)
#: Reader headers of the reach table columns, each with its basis.
HEADERS: dict[str, str] = {
    "country": "Country",
    "region_name": "Region",
    "band": "Population band",
    "eligible": "Eligible places (approximate)",
    "certified": "Certified cities (identified)",
    "rate": "Certified share of places, % (approximate)",
    "residents": "Residents of certified cities, millions (approximate)",
    "eligible_population": "Residents of eligible places, millions (approximate)",
    "residents_share": "Residents covered, % (approximate)",
    "not_in_universe": "Certified, not a GeoNames place (identified)",
}
#: Short headers for a terminal, explained by :data:`SHORT_KEY`.
SHORT_HEADERS: dict[str, str] = {
    "country": "country",
    "region_name": "region",
    "band": "band",
    "certified": "certified",
    "eligible": "eligible*",
    "rate": "share %*",
    "residents": "residents M*",
    "eligible_population": "eligible pop M*",
    "residents_share": "covered %*",
    "not_in_universe": "not places",
}
SHORT_KEY = (
    "certified = identified certified cities at a GeoNames place; eligible = places of the "
    "universe; share = certified / eligible; residents = residents of the certified cities, "
    "millions; covered = their share of the eligible places' residents; not places = identified "
    "certified cities that are not GeoNames places (in no other column). * approximate."
)


def millions(n: int | float) -> str:
    """'83.5 million', '0.3 million': residents for prose."""
    return f"{n / 1e6:.1f} million"


def percent(share: float | None) -> str:
    """'13.8 %' (one decimal; the dash when unknown)."""
    return DASH if share is None or pd.isna(share) else f"{100 * share:.1f} %"


def reach_headline(summary: dict) -> str:
    """'97 certified cities identified, home to 83.5 million residents (13.8 % of the residents
    of eligible cities, approximate).' (``summary``: :func:`history.reach.reach_summary`)."""
    return (
        f"{plural(summary['certified_identified'], 'certified city', 'certified cities')} "
        f"identified, home to {millions(summary['residents'])} residents "
        f"({percent(summary['residents_share'])} of the residents of eligible cities, "
        f"{APPROXIMATE})."
    )


def reach_caveats(summary: dict) -> str:
    """What the headline leaves out, in plain words: cities that are not GeoNames places (no
    population), and the certified cities the record has not identified."""
    outside = summary["not_in_universe"]
    parts = [
        f"The residents are those of the {summary['linked']} identified cities that are places of "
        f"the universe"
    ]
    if outside:
        parts[0] += (
            f"; {join_and(outside)} {'is' if len(outside) == 1 else 'are'} not GeoNames "
            "places, so no residents are counted for "
            f"{'it' if len(outside) == 1 else 'them'}"
        )
    reported, gap = summary["reported_total_certified"], summary["unidentified"]
    if reported is None:
        parts.append(
            f"the program stated no total after {summary['round_id']}, so how many certified "
            "cities the record misses is not known"
        )
    elif gap:
        parts.append(
            f"the program reported {reported} certified cities after {summary['round_id']}: "
            f"{plural(gap, 'city is', 'cities are')} not identified, and "
            f"{'its' if gap == 1 else 'their'} residents are not in these figures (never "
            "estimated)"
        )
    else:
        parts.append(f"all {reported} certified cities the program reported are identified")
    return ". ".join(p[:1].upper() + p[1:] for p in parts) + f". Note: {UNIVERSE_PHRASE}."


def reach_frame(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """The reach table (:func:`history.reach.reach_table`) for readers and files: the group as
    columns, residents in millions, shares in percent, headers naming each figure's basis."""
    frame = table.reset_index()
    for column in ("residents", "eligible_population"):
        frame[column] = (frame[column] / 1e6).round(2)
    for column in ("rate", "residents_share"):
        frame[column] = (100 * frame[column]).round(1)
    keys = {"country": ["country"], "region": ["country", "region_name"], "band": ["band"]}[by]
    order = [
        *keys,
        "certified",
        "eligible",
        "rate",
        "residents",
        "eligible_population",
        "residents_share",
    ]
    if "not_in_universe" in frame.columns:
        order.append("not_in_universe")
    frame = frame[order]
    if by == "band":
        frame["band"] = frame["band"].astype(str)
    return frame


#: Headers of the HTML reader table: short enough for a page (the basis note above the table says
#: what *identified* and *approximate* mean; the CSV files keep :data:`HEADERS`).
PAGE_HEADERS: dict[str, str] = {
    "country": "Country",
    "region_name": "Region",
    "band": "Population band",
    "certified": "Certified (identified)",
    "eligible": "Eligible (approx.)",
    "rate": "Share, % (approx.)",
    "residents": "Residents, M (approx.)",
    "residents_share": "Covered, % (approx.)",
    "not_in_universe": "Not places (identified)",
}


#: Column names of the other reach frames with their basis, for files a reader opens.
FILE_COLUMNS: dict[str, str] = {
    "certified": "certified (identified)",
    "linked": "linked to a GeoNames place (identified)",
    "reported_total_certified": "reported_total_certified (reported)",
    "unidentified": "not identified (reported minus identified)",
    "residents": "residents (GeoNames, approximate)",
    "residents_share": "residents_share of eligible places (approximate)",
    "eligible": "eligible places (approximate)",
    "rate": "rate (approximate)",
    "population": "population (GeoNames, approximate)",
    "region_name": "region",
}


def reach_file(table: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """A reach frame for a CSV file: a reach table (``by`` given) as :func:`reach_frame` with the
    reader headers of :data:`HEADERS`; any other reach frame (``by=None``: over time, largest not
    certified) with its columns marked by :data:`FILE_COLUMNS`. ``attrs["note"]`` carries the
    universe's credit, which :func:`~wwc_analysis.report.outputs.save_table` writes first."""
    out = (
        reach_frame(table, by).rename(columns=HEADERS)
        if by is not None
        else table.rename(columns=FILE_COLUMNS)
    )
    out.attrs["note"] = UNIVERSE_CREDIT  # the file's first line: approximate, GeoNames, CC BY 4.0
    return out


def reach_report_table(table: pd.DataFrame, by: str, caption: str) -> Styler:
    """The reach table as a styled reader table (percent and millions formatted; the eligible
    population, in the CSV file, is left out for width)."""
    frame = reach_frame(table, by).drop(columns="eligible_population")
    labels = {c: PAGE_HEADERS[c] for c in frame}
    formats = {
        "rate": "{:.1f}",
        "residents_share": "{:.1f}",
        "residents": "{:.2f}",
        "eligible_population": "{:.2f}",
    }
    return report_table(frame, labels, formats=formats, caption=caption)


def basis_note() -> str:
    """Which columns are identified and which approximate, and what the short headers mean."""
    return (
        "*Identified* (counted from the record): the certified cities, and those that are not "
        "GeoNames places (*not places*: in no other column). *Approximate*: everything that rests "
        "on the eligible universe: *eligible* places, *share* = certified / eligible, *residents* "
        "of the certified cities in millions, *covered* = their share of the residents of the "
        f"eligible places. Note: {UNIVERSE_PHRASE}."
    )


def largest_not_certified_table(frame: pd.DataFrame, caption: str) -> Styler:
    """Largest places no identified certified city is linked to (``history.reach``)."""
    shown = frame.assign(band=frame["band"].astype(str))[
        ["country", "name", "region_name", "population", "band"]
    ]
    labels = {
        "country": "Country",
        "name": "Place (GeoNames)",
        "region_name": "Region",
        "population": "Population (GeoNames, approximate)",
        "band": "Band",
    }
    return report_table(shown, labels, formats={"population": "{:,}"}, caption=caption)


def milestones_table(frame: pd.DataFrame, caption: str) -> Styler:
    """The first certified city of each country or region (``history.reach.milestones``)."""
    columns = [c for c in ("country", "region") if c in frame.columns]
    labels = {c: c.capitalize() for c in columns}
    labels.update({"round_id": "Round", "announced": "Announced", "cities": "First certified"})
    return report_table(frame, labels, wrap=["cities"], caption=caption)


def reach_text(table: pd.DataFrame, by: str) -> str:
    """The reach table as plain text with short headers (``*`` = approximate, see
    :data:`SHORT_KEY`): for a terminal and the outputs nbval compares."""
    frame = reach_frame(table, by).rename(columns=SHORT_HEADERS)
    return frame.astype(object).where(frame.notna(), DASH).to_string(index=False)


def summary_text(summary: dict) -> str:
    """The nbval-checked summary: a few rounded lines that change only with the data."""
    reported = summary["reported_total_certified"]
    return "\n".join(
        [
            f"after round {summary['round_id']}: {summary['certified_identified']} certified "
            f"cities {IDENTIFIED}, {summary['linked']} of them GeoNames places",
            f"reported total: {DASH if reported is None else reported}; not identified: "
            f"{DASH if summary['unidentified'] is None else summary['unidentified']}",
            f"residents: {millions(summary['residents'])} of "
            f"{millions(summary['eligible_population'])} in {summary['eligible']:,} eligible "
            f"places = {percent(summary['residents_share'])} ({APPROXIMATE})",
        ]
    )


__all__ = [
    "FILE_COLUMNS",
    "HEADERS",
    "PAGE_HEADERS",
    "SHORT_HEADERS",
    "SHORT_KEY",
    "UNIVERSE_PHRASE",
    "basis_note",
    "largest_not_certified_table",
    "millions",
    "milestones_table",
    "percent",
    "reach_caveats",
    "reach_frame",
    "reach_headline",
    "reach_file",
    "reach_report_table",
    "reach_text",
    "summary_text",
]
