"""Prose and reader tables about SIMULATED assessments (the simulated sections of notebooks 01, 02
and 04): which assessments are used, the tiers they reach, the gates that block them, and the
criteria that separate cohorts. Every table here is captioned SIMULATED (``attrs["simulated"]``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from wwc_analysis.history.assessed import (
    HISTORY_COHORTS,
    either_gate_failed,
    gate_failures,
    tier_counts,
)
from wwc_analysis.history.rounds import to_timestamp
from wwc_analysis.rules.standards import TIERS
from wwc_analysis.text.cohorts import cohort_label
from wwc_analysis.text.tables import report_table
from wwc_analysis.text.words import day, join_and

if TYPE_CHECKING:  # pragma: no cover
    from pandas.io.formats.style import Styler

    from wwc_analysis.rules.standards import Standard


# --- which assessments ----------------------------------------------------------------------------
def population_text(pop: pd.DataFrame, dated: bool, history: pd.DataFrame, as_of=None) -> str:
    """What :func:`history.simulated_population` holds (``dated`` is its second value): the latest
    assessment up to ``as_of`` of each fictional city, or every city's latest on record because none
    is dated by then."""
    if dated:
        n_ass = int(pop["assessments"].sum()) if len(pop) else 0
        when = "" if as_of is None else f" announced on or before {day(to_timestamp(as_of))}"
        return (
            f"the latest assessment{when} of each of {len(pop)} fictional cities "
            f"({n_ass} assessments in all up to then)"
        )
    first = history["announced"].min()
    return (
        f"the latest assessment on record of each of {len(pop)} fictional cities, because no "
        f"simulated assessment is dated on or before {day(to_timestamp(as_of))} (the "
        f"simulation starts {first:%B %Y})"
    )


def scope_text(
    scope: pd.DataFrame, round_id: str, small: dict[str, int], min_size: int = 10
) -> str:
    """Which simulated assessments :func:`history.simulated_scope` chose and why (``small``: its
    second value, the cohorts too small in the round)."""
    if not small:
        return f"the {len(scope)} simulated assessments of round {round_id}"
    rounds = sorted(scope["round_id"].unique())
    pooled = f"all {len(scope)} simulated assessments of rounds {rounds[0]} to {rounds[-1]}, pooled"
    if round_id not in set(scope["round_id"]):
        return (
            f"{pooled}, because the simulation has no assessment of a fictional city in round "
            f"{round_id} (it covers the rounds of the 2022 standard)"
        )
    have = join_and(f"{n} {cohort_label(c)}" for c, n in small.items())
    return (
        f"{pooled}, because round {round_id} has only {have} simulated assessments of fictional "
        f"cities (fewer than {min_size})"
    )


# --- tiers and gates ------------------------------------------------------------------------------
def criteria_met_text(population: pd.DataFrame, described: str, std: Standard) -> str:
    """The rule, the counts that reach each tier by share alone, the tiers reached and how often the
    gates block (``described``: :func:`population_text`)."""
    cuts = ", ".join(
        f"{std.required_met(t)} of {std.criteria_count} criteria for {t}" for t in TIERS
    )
    tiers = tier_counts(population)["fictional cities"]
    gates = gate_failures(population)
    return (
        f"This section uses {described}. Rule: {std.describe()}; by share alone a city needs at "
        f"least {cuts}. Tiers the fictional cities reach: "
        + ", ".join(f"{n} {t}" for t, n in tiers.items())
        + ". "
        f"{either_gate_failed(population):.0%} of these fictional cities fail a core criterion or "
        f"the outcome requirement ({gates['missing a core criterion']:.0%} miss a core criterion, "
        f"{gates['outcome requirement unmet']:.0%} do not meet the outcome requirement); "
        f"{gates['blocked by a gate despite the threshold']:.0%} reach the Silver share but are "
        "blocked by a gate."
    )


def tiers_report(counts: pd.DataFrame, gates: pd.Series) -> str:
    """Tiers reached (``counts``: :func:`history.tier_counts`) and gate shares, as plain text."""
    n = gates.attrs["assessments"]
    return (
        f"SIMULATED tiers at the latest assessment of {n} fictional cities:\n"
        f"{counts['fictional cities'].to_string()}\n"
        f"shares of the {n} assessments:\n{gates.round(3).to_string()}"
    )


def tiers_table(counts: pd.DataFrame) -> Styler:
    """SIMULATED: assessments by tier reached, with shares."""
    n = int(counts["fictional cities"].sum())
    columns = {"tier": "Tier", "fictional cities": "Fictional cities", "share": "Share"}
    return report_table(
        counts,
        columns,
        formats={"share": "{:.1%}"},
        caption=f"SIMULATED: tier at the latest assessment of {n} fictional cities",
    )


def gates_table(table: pd.DataFrame) -> Styler:
    """SIMULATED: shares certified, below the threshold and blocked by each gate
    (``table``: :func:`history.gate_table`)."""
    n = int(table["assessments"].iloc[0])
    return report_table(
        table,
        {"outcome": "Outcome", "share": f"Share of the {n} assessments"},
        formats={"share": "{:.1%}"},
        caption="SIMULATED: certification, threshold and gates",
    )


# --- per round of a year (notebook 04) ------------------------------------------------------------
def no_simulated_text(year) -> str:
    """The sentence shown when no simulated assessment falls in the year's rounds."""
    return (
        f"*No simulated assessments fall in the rounds of {year}; the simulation covers the "
        "rounds under the 2022 standard.*"
    )


def rounds_without_simulated_text(missing: list[str], year) -> str | None:
    """The sentence naming the rounds of ``year`` that the SIMULATED tables leave out because no
    simulated assessment falls in them (``missing``: :func:`history.rounds_without_simulated`);
    None when there are none (:func:`report.outputs.show` skips it)."""
    if not missing:
        return None
    which = f"round {missing[0]}" if len(missing) == 1 else f"rounds {join_and(missing)}"
    return (
        f"*SIMULATED data: no simulated assessment falls in {which} of {year}, so the simulated "
        f"table and figure above have no {'row' if len(missing) == 1 else 'rows'} for "
        f"{'it' if len(missing) == 1 else 'them'}.*"
    )


def round_gates_table(gates: pd.DataFrame, year) -> Styler:
    """SIMULATED: per round, assessments and gate shares (``gates``:
    :func:`history.simulated_gates`)."""
    table = gates.rename_axis("round").rename(columns={"assessments": "simulated assessments"})
    return report_table(
        table,
        formats=dict.fromkeys(gates.columns[1:], "{:.0%}"),
        caption=f"SIMULATED: gate failures of the fictional applicants, rounds of "
        f"{year} (shares of each round's assessments)",
    )


def round_tiers_report(tiers: pd.DataFrame, gates: pd.DataFrame) -> str:
    """Per round: assessments, tiers reached and the share blocked by a gate, as plain text."""
    lines = []
    for round_id, row in tiers.iterrows():
        blocked = gates.loc[round_id, "blocked by a gate despite the threshold"]
        lines.append(
            f"SIMULATED {round_id}: {row.sum()} fictional assessments; "
            + ", ".join(f"{t} {row[t]}" for t in tiers.columns)
            + f"; blocked by a gate despite the threshold: {blocked:.1%}"
        )
    return "\n".join(lines)


# --- cohorts (notebook 02) ------------------------------------------------------------------------
def separating_text(separating: pd.DataFrame, scope: pd.DataFrame, described: str) -> str:
    """The cohorts of the chosen assessments and the criterion that most separates upgraded from
    re-certified cities (``separating``: :func:`history.separating_criteria` with criterion
    names)."""
    n = scope["cohort"].value_counts()
    code, top = separating.index[0], separating.iloc[0]
    same_area = int((separating["practice_area"] == top["practice_area"]).sum())
    return (
        f"This section uses {described}: "
        + ", ".join(f"{int(n.get(c, 0))} {cohort_label(c)}" for c in HISTORY_COHORTS)
        + ". "
        f"The criterion that most separates upgraded from re-certified fictional cities is "
        f"**{code}** ({top['name']}, {top['practice_area']}): met by "
        f"{top['share_upgraded']:.0%} of upgraded and {top['share_recertified']:.0%} of "
        f"re-certified assessments. In this simulation, {same_area} of the top "
        f"{len(separating)} criteria are in {top['practice_area']}."
    )


def separating_report(separating: pd.DataFrame, top: int = 5) -> str:
    """The ``top`` separating criteria with both shares and the difference, as plain text."""
    shares = separating[["share_upgraded", "share_recertified", "difference"]].head(top).round(2)
    shares = shares.rename(
        columns={"share_upgraded": "upgraded", "share_recertified": "re-certified"}
    )
    return (
        f"SIMULATED: criteria separating upgraded from re-certified (top {top}), share of "
        f"assessments meeting each\n{shares.to_string()}"
    )


def separating_table(separating: pd.DataFrame) -> Styler:
    """SIMULATED: the separating criteria with names, practice areas, shares and differences."""
    n_up, n_re = int(separating["n_upgraded"].iloc[0]), int(separating["n_recertified"].iloc[0])
    return report_table(
        separating,
        {
            "criterion": "Criterion",
            "name": "Name",
            "practice_area": "Practice area",
            "share_upgraded": "Upgraded",
            "share_recertified": "Re-certified",
            "difference": "Difference",
        },
        formats={
            "share_upgraded": "{:.0%}",
            "share_recertified": "{:.0%}",
            "difference": lambda d: f"{d * 100:+.0f} points",
        },
        caption=f"SIMULATED: share of assessments meeting each criterion, upgraded (n = {n_up}) vs "
        f"re-certified (n = {n_re})",
    )


__all__ = [
    "criteria_met_text",
    "gates_table",
    "no_simulated_text",
    "population_text",
    "round_gates_table",
    "round_tiers_report",
    "scope_text",
    "separating_report",
    "separating_table",
    "separating_text",
    "tiers_report",
    "tiers_table",
]
