"""A score from a count in words (``wwc score --count N``): the tier reached, what holds it back and
what the next tier needs, named. (A score from criterion codes explains itself:
:meth:`~wwc_analysis.rules.scoring.CityScore.explain`.)"""

from __future__ import annotations

import textwrap

from wwc_analysis.rules.scoring import SCORE_TIERS, score_counts
from wwc_analysis.rules.standards import Standard
from wwc_analysis.text.words import join_and, plural


def _unit(std: Standard) -> tuple[str, str]:
    """The thing counted, singular and plural: criteria, or the components of the 2017 standard."""
    if std.tier_rule == "components":
        return "Standard component", "Standard components"
    return "criterion", "criteria"


def _needs(std: Standard, code: int) -> str:
    """What tier ``code`` needs, e.g. '37 of 43, 85%' or '3 of 4 components'."""
    need, total = std.required_met(code), std.criteria_count
    if std.tier_rule == "components":
        return f"{need} of {total}"
    return f"{need} of {total}, {std.thresholds[code - 1]}%"


def count_text(
    met: int, std: Standard, *, core_met: bool = True, outcome_met: bool = True, width: int = 100
) -> str:
    """A city meeting ``met`` criteria of ``std`` (and, by flag, every core criterion and the
    outcome requirement) in sentences: the tier reached; the gates that hold it back and the tier
    it would reach without them; the criteria still needed for the next tier, named ("7 more
    criteria for Platinum (37 of 43, 85%)"). Each reason a line starting "- ", wrapped to ``width``
    columns."""
    arr = score_counts([met], std, core_ok=core_met, outcome_ok=outcome_met)
    thr, tier = int(arr.threshold_tier[0]), int(arr.tier[0])
    one, many = _unit(std)
    total = std.criteria_count
    if std.tier_rule == "components":
        head = f"{met} of the {plural(total, one, many)} under standard {std.name}"
    else:
        head = f"{met} of {total} {many} met ({met / total:.1%}) under standard {std.name}"
    lines = [f"{head}: {SCORE_TIERS[tier]}."]
    held = []  # the gates that hold the city back
    if std.core_required and not core_met:
        held.append("every core criterion")
        lines.append(
            f"- core criteria not all met (a city missing any of {join_and(std.core)} is not "
            "certified)"
        )
    if std.outcome_required and not outcome_met:
        held.append("the outcome requirement")
        lines.append(
            "- outcome requirement unmet (an internationally recognised standard on at least one "
            "outcome)"
        )
    if tier < thr:
        lines.append(f"- with {join_and(held)} met it would be {SCORE_TIERS[thr]}")
    if thr < len(SCORE_TIERS) - 1:
        more = plural(std.required_met(thr + 1) - met, one, many).replace(" ", " more ", 1)
        gates = f", with {join_and(held)} met" if held and tier == thr else ""
        lines.append(f"- {more} for {SCORE_TIERS[thr + 1]} ({_needs(std, thr + 1)}){gates}")
    else:
        lines.append(f"- {SCORE_TIERS[thr]} is the highest tier")
    return "\n".join(
        textwrap.fill(line, width, subsequent_indent="  ") if line.startswith("- ") else line
        for line in lines
    )


__all__ = ["count_text"]
