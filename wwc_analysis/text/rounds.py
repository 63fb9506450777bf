"""The per-round table for a terminal (``wwc rounds``): the counts of
:func:`~wwc_analysis.history.cohorts.round_summary` under grouped headers in under 100 columns, with
a legend below saying what each column counts. Every column with its full name is in the command's
``wide``, ``csv`` and ``json`` formats."""

from __future__ import annotations

import textwrap

import pandas as pd

from wwc_analysis.text.tables import grouped_text
from wwc_analysis.text.words import DASH

#: The three ways a cohort is counted, as the columns of each cohort group say them.
_SOURCES = {"reported": "rep", "identified": "id", "derived": "der"}

#: The groups of the table: a label over the columns, and each column's own header.
ROUND_GROUPS = (
    ("", {"round_id": "Round"}),
    ("", {"standard": "Std"}),
    ("New cities", {f"{s}_new": h for s, h in _SOURCES.items()}),
    ("Upgraded", {f"{s}_upgraded": h for s, h in _SOURCES.items()}),
    ("Recertified", {f"{s}_recertified": h for s, h in _SOURCES.items()}),
    ("Cohort", {"identified_unstated": "unstated", "disagreements": "disputed"}),
    ("", {"events": "Events"}),
    ("Level", {"level_unknown": "unknown"}),
    ("Certified", {"reported_total_certified": "rep", "identified_total_certified": "id"}),
)

LEGEND = (
    "rep = reported by the program; id = identified in the record (events by the cohort the "
    "program reported for them); der = derived from each city's certification history. "
    "Cohort unstated: events whose cohort the program did not state; cohort disputed: reported "
    "cohorts that the history contradicts or cannot check (--disagreements lists them). "
    "Events: certification events on record in the round. Level unknown: events whose level is "
    f"not known. Certified: cities certified so far, cumulative. {DASH} = not reported. "
    "Announcement dates and every column by its full name: --format wide, csv or json."
)


def rounds_text(summary: pd.DataFrame, width: int = 100) -> str:
    """The rounds of ``summary`` (:func:`~wwc_analysis.history.cohorts.round_summary`) as a table
    with grouped headers, then the legend wrapped to ``width`` columns."""
    table = grouped_text(summary, ROUND_GROUPS)
    return table + "\n\n" + textwrap.fill(LEGEND, width)


__all__ = ["LEGEND", "ROUND_GROUPS", "rounds_text"]
