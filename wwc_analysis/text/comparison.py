"""A what-if comparison (:class:`~wwc_analysis.whatif.Comparison`) as tables for a terminal
(``wwc whatif``): the tiers before and after with headers in words, and the cities that change
tier, aligned, no pandas axis names, the dash where no reason applies."""

from __future__ import annotations

from wwc_analysis.rules.scoring import SCORE_TIERS
from wwc_analysis.text.tables import grouped_text
from wwc_analysis.whatif import Comparison

#: The headers of the keys that identify a row of the cities compared.
KEY_HEADERS = {"city_id": "City", "round_id": "Round", "row": "Row"}


def transitions_text(cmp_: Comparison) -> str:
    """The transition matrix as a table: one row per tier before, one column per tier after, under
    the label "After"."""
    frame = cmp_.transitions.rename_axis(index="before", columns=None).reset_index()
    frame["before"] = frame["before"].astype(str)
    groups = [("", {"before": "Before"}), ("After", {t: t for t in SCORE_TIERS})]
    return grouped_text(frame, groups, gap=2, group_gap=2)


def changed_text(cmp_: Comparison, max_cities: int | None = None) -> str:
    """The cities that change tier (the first ``max_cities``) as a table: the city (and round),
    its tier and criteria met before and after, and why a city is not certified after the scenario
    (the dash for a certified city; the column is left out when every city is certified after)."""
    changed = cmp_.changed()
    if max_cities is not None:
        changed = changed.head(max_cities)
    frame = changed.reset_index()
    keys = {k: KEY_HEADERS.get(str(k), str(k)) for k in changed.index.names if k is not None}
    frame = frame.rename(columns={None: "row", "index": "row"}) if not keys else frame
    keys = keys or {"row": "Row"}
    for col in ("tier_before", "tier_after"):
        frame[col] = frame[col].astype(str)
    reasons = frame["reason_after"].astype(str)
    frame["reason_after"] = reasons.where(reasons != "", None)
    groups = [
        ("", keys),
        ("Tier", {"tier_before": "before", "tier_after": "after"}),
        ("Criteria met", {"met_before": "before", "met_after": "after"}),
    ]
    if frame["reason_after"].notna().any():
        groups.append(("Not certified", {"reason_after": "because"}))
    return grouped_text(frame, groups, gap=2, group_gap=3)


__all__ = ["KEY_HEADERS", "changed_text", "transitions_text"]
