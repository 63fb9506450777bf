"""The report's front page in words: the year's headline numbers as cards, each figure marked with
its basis (reported, sum of reported counts, identified, approximate) and the gap between what was
reported and what the record identifies.

The cards are built from what the notebooks wrote to ``metrics.json`` (the annual summary's
``metrics``, :func:`wwc_analysis.history.annual.metrics_json`, and the reach's ``reach``,
:func:`wwc_analysis.history.reach.reach_summary`), so the front page states exactly the numbers of
the pages it links to. A missing value is the dash, never zero.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from wwc_analysis.text.words import DASH

#: The basis of each figure in words, and its short class name on the page.
BASIS_CLASS = {
    "reported": "reported",
    "sum of reported counts": "sum",
    "identified": "identified",
    "approximate": "approximate",
}
_COHORTS = (("new", "New cities"), ("upgraded", "Upgraded cities"), ("recertified", "Re-certified"))
_PAREN = re.compile(r"\s*\([^()]*\)\s*$")


def _shown(value: Any) -> str:
    if value is None:
        return DASH
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _figure(metric: Mapping[str, Any], label: str | None = None) -> dict[str, str]:
    basis = str(metric.get("basis", ""))
    return {
        "value": _shown(metric.get("value")),
        "basis": basis,
        "basis_class": BASIS_CLASS.get(basis, "identified"),
        "label": label or basis,
    }


def heading(label: str) -> str:
    """A metric's label without its trailing basis: ``'Cities ever certified by end of 2024
    (reported)'`` -> ``'Cities ever certified by end of 2024'``."""
    return _PAREN.sub("", str(label)).strip()


def _gap(reported: Any, identified: Any, what: str) -> str:
    """'identified 77 of 83: 6 not in the record' and the like."""
    if reported is None:
        return f"{_shown(identified)} identified; no count reported to compare"
    if identified == reported:
        return f"all {reported:,} identified in the record"
    if identified < reported:
        missing = reported - identified
        return f"identified {identified:,} of {reported:,}: {missing:,} {what} not in the record"
    return f"identified {identified:,}, {identified - reported:,} more than reported"


def _cohort_card(m: Mapping[str, Mapping], cohort: str, title: str) -> dict[str, Any]:
    rep, ident = m[f"{cohort}_reported"], m[f"{cohort}_identified"]
    note = str(rep.get("note") or "")
    return {
        "title": title,
        "figures": [_figure(rep), _figure(ident)],
        "gap": _gap(rep.get("value"), ident.get("value"), "cities"),
        "note": note if rep.get("value") is None or "sum" in str(rep.get("basis")) else "",
    }


def annual_cards(metrics: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The cards of the annual summary's metrics (``metrics_json(...)["metrics"]``): rounds, each
    cohort, cities ever certified, latest levels and countries. Each card: ``title``, ``figures``
    (``value``, ``basis``, ``basis_class``, ``label``), ``gap`` and ``note`` (both may be
    empty)."""
    m = metrics
    cards = [
        {
            "title": heading(m["rounds"]["label"]),
            "figures": [_figure(m["rounds"])],
            "gap": "",
            "note": str(m["rounds"].get("note") or ""),
        }
    ]
    cards += [_cohort_card(m, c, t) for c, t in _COHORTS if f"{c}_reported" in m]
    rep, ident = m["total_certified_reported"], m["total_certified_identified"]
    cards.append(
        {
            "title": heading(ident["label"]),
            "figures": [_figure(rep), _figure(ident)],
            "gap": _gap(rep.get("value"), ident.get("value"), "certified cities"),
            "note": "",
        }
    )
    levels = [k for k in ("silver", "gold", "platinum", "unknown") if f"latest_{k}" in m]
    if levels:
        first = m[f"latest_{levels[0]}"]
        title = heading(first["label"]).replace(f"Latest level {levels[0].capitalize()}", "")
        cards.append(
            {
                "title": "Latest level of each city" + (f" {title.strip()}" if title else ""),
                "figures": [_figure(m[f"latest_{k}"], k.capitalize()) for k in levels],
                "gap": "identified; a level the record does not give stays unknown",
                "note": "",
            }
        )
    if "countries_identified" in m:
        c = m["countries_identified"]
        cards.append(
            {
                "title": heading(c["label"]),
                "figures": [_figure(c)],
                "gap": "",
                "note": str(c.get("note") or ""),
            }
        )
    return cards


def reach_card(reach: Mapping[str, Any]) -> dict[str, Any]:
    """The card of the residents of the certified cities (``reach_summary``): APPROXIMATE, the
    eligible universe being GeoNames places, not the program's list."""
    share = reach.get("residents_share")
    residents = reach.get("residents")
    value = DASH if residents is None else f"{residents / 1e6:,.1f} M"
    shown = DASH if share is None else f"{share:.1%}"
    linked, certified = reach.get("linked"), reach.get("certified_identified")
    return {
        "title": "Residents of the identified certified cities",
        "figures": [
            {
                "value": value,
                "basis": "approximate",
                "basis_class": "approximate",
                "label": "approximate",
            },
            {
                "value": shown,
                "basis": "approximate",
                "basis_class": "approximate",
                "label": "of the residents of the eligible places",
                "chip": False,
            },
        ],
        "gap": (
            f"{linked} of {certified} identified cities placed in GeoNames"
            if linked is not None and certified is not None
            else ""
        ),
        "note": "Eligible places: GeoNames places of the Americas with 30,000+ people "
        "(approximate, not the program's list; GeoNames, CC BY 4.0).",
    }


__all__ = ["BASIS_CLASS", "annual_cards", "heading", "reach_card"]
