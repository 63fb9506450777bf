"""Prose and reader tables of the what-if notebook (``03-what-if-scoring``): sentences about one
city, its paths to higher tiers, rule scenarios over a simulated population, a threshold sweep and
tier probabilities; captions naming each figure's sources; the small summaries its checked cells
print.

The what-if results explain themselves where the command line and the checklist need the same words
(:meth:`~wwc_analysis.whatif.TierPath.explain`, :meth:`~wwc_analysis.whatif.Comparison.explain`,
:meth:`~wwc_analysis.whatif.Comparison.moves_text`); what only a reader of the notebook sees is
here.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from wwc_analysis.rules.scoring import SCORE_TIERS, CityScore
from wwc_analysis.rules.standards import TIERS, Standard
from wwc_analysis.text.tables import report_table
from wwc_analysis.text.words import DASH
from wwc_analysis.whatif import RuleScenarios, SelfAssessment, TierPath

__all__ = [
    "PATHS_METRICS_NOTE",
    "PATH_TABLE_NOTE",
    "PROBABILITY_TABLE_NOTE",
    "area_caption",
    "city_label",
    "city_sentence",
    "format_probability",
    "gates_note",
    "gold_scenario",
    "gold_transitions",
    "introduction",
    "path_table_view",
    "paths_check",
    "paths_text",
    "probability_caption",
    "probability_sentence",
    "record_source",
    "scenarios_check",
    "simulated_source",
    "standard_scenario",
    "sweep_note",
    "sweep_sentence",
    "sweep_title",
    "threshold_transitions",
]

_NOISE = 1e-12  # floating-point noise of a probability computed as a sum


def format_probability(p: float) -> str:
    """A probability for prose, to one decimal of a percent: ``0.5 -> '50.0%'``.

    A chance that is not zero never reads as "0.0%" (``'less than 0.1%'``) and one that is not
    certain never reads as "100.0%" (``'more than 99.9%'``); 0 and 1 read ``'0.0%'`` and
    ``'100.0%'``. Within 1e-12 of 1 counts as 1, and that far outside [0, 1] as the bound:
    floating-point noise of a sum of probabilities that is exactly 1 (a tiny positive value is a
    real chance, such as 0.5 ** 50, and stays "less than 0.1%"). Anything else outside [0, 1], or
    NaN, is a ValueError.
    """
    v = float(p)
    if math.isnan(v) or not -_NOISE <= v <= 1 + _NOISE:
        raise ValueError(f"a probability must lie in [0, 1], got {p!r}")
    v = 0.0 if v < 0 else 1.0 if v > 1 - _NOISE else v
    if 0 < v < 0.0005:
        return "less than 0.1%"
    if 0.9995 <= v < 1:
        return "more than 99.9%"
    return f"{v:.1%}"


# --- the city -----------------------------------------------------------------------------------


def city_label(own: SelfAssessment | None, path: str | Path | None = None) -> str:
    """Who the city is: the example city of the ``met`` parameter, or the city of the
    self-assessment file at ``path`` (``own``, from :func:`~wwc_analysis.whatif.city_from_file`)."""
    if own is None:
        return "the example city of the `met` parameter"
    return (
        f"city `{own.city_id}`, round {own.round_id}, from the self-assessment file "
        f"`{Path(path).name}`"
    )


def record_source(standard: Standard) -> str:
    """The source of a standard's criteria and thresholds, for a caption."""
    return (
        f"Criteria and thresholds: the {standard.name} standard from the public record "
        f"(data/standards.csv, data/criteria_{standard.name}.csv)."
    )


def simulated_source(population_text: str, standard: Standard) -> str:
    """The source of the simulated population, for a caption."""
    return (
        f"Source: data/simulated/assessments.csv, {population_text}; scored under the "
        f"{standard.name} standard."
    )


def introduction(
    label: str,
    standard: Standard,
    other: Standard,
    year: int,
    population_text: str,
    standards: pd.DataFrame,
) -> str:
    """The notebook's opening: the city, the rules, the simulated population and the sources of the
    two standards used (rows of the ``standards`` table)."""
    used = standards[standards["standard"].isin([standard.name, other.name])]
    sources = "\n".join(
        f"- Standard {r['standard']}: "
        + " ; ".join(f"<{s.strip()}>" for s in r["sources"].split(" ; "))
        for _, r in used.iterrows()
    )
    return (
        f"**City:** {label}.\n\n**Rules:** {standard.describe()}.\n\n"
        f"**Simulated population (year {year}):** {population_text}.\n\n"
        f"**Sources of the standards used here:**\n\n{sources}"
    )


def city_sentence(city: CityScore) -> str:
    """The city's count, share and tier in one sentence (with the tier its share alone would give
    when a gate holds it back)."""
    held = city.threshold_tier != city.tier
    return (
        f"The city meets **{city.met} of {city.total}** criteria (**{city.share:.1%}**) and "
        f"reaches **{city.tier}**"
        + (f" (its share alone would give {city.threshold_tier})." if held else ".")
        + ("" if city.outcome_met else " It does not meet the outcome requirement.")
    )


def area_caption(city: CityScore, label: str) -> str:
    """Caption of the chart of the criteria the city meets by practice area."""
    return (
        f"{record_source(city.standard)} The city: {label.replace('`', '')}; "
        f"{city.met} of {city.total} criteria met."
    )


# --- paths to higher tiers ----------------------------------------------------------------------

#: What the paths written to metrics.json rest on (their criteria are ranked by simulated peers).
PATHS_METRICS_NOTE = (
    "SIMULATED DATA: the criteria of each path are chosen by their share among the fictional "
    "cities of wwc_analysis.simulate already at the target tier; not real cities' results"
)
#: What the tier probabilities rest on: the path to the next tier, ranked by simulated peers.
PROBABILITY_TABLE_NOTE = (
    "The uncertain criteria are the city's path to the next tier, chosen by their share among "
    "SIMULATED fictional cities at that tier; the probabilities are exact given them"
)

PATH_TABLE_NOTE = (
    "**Criteria to reach each higher tier.** Peer share: the share of the **SIMULATED** cities at "
    f"the target tier that meet the criterion ({DASH} where no simulated city is at that tier)."
)


def _peer_note(p: TierPath, few_peers: int) -> str:
    if p.ranking != "prevalence":
        return (
            f" *(No simulated city is at {p.target}, so the free choices follow the standard's "
            "order.)*"
        )
    if p.others and p.peer_cities < few_peers:
        who = "city is" if p.peer_cities == 1 else "cities are"
        return (
            f" *(Only {p.peer_cities} simulated {who} at {p.target}, so these peer shares are "
            "rough.)*"
        )
    return ""


def _long_path(p: TierPath) -> str:
    """A path too long for one sentence of codes: its size, and where the table lists it."""
    core = ""
    if p.missing_core:
        word = "criterion" if len(p.missing_core) == 1 else "criteria"
        core = f", including the missing core {word} {', '.join(p.missing_core)}"
    ranked = (
        f", most common among the simulated {p.target} cities first"
        if p.ranking == "prevalence"
        else ""
    )
    outcome = (
        " You must also meet the outcome requirement, which you do not yet."
        if p.outcome_needed
        else ""
    )
    return (
        f"To reach {p.target} you need {p.count} more criteria{core}; the table below lists "
        f"them{ranked}. You would then meet {p.met_after} of {p.total} criteria "
        f"({p.share_after:.1%}, {p.target} needs {p.required}).{outcome}"
    )


def paths_text(
    paths: Sequence[TierPath],
    city: CityScore,
    population_text: str,
    *,
    long_path: int = 10,
    few_peers: int = 10,
) -> str:
    """One paragraph per path (its explanation, or a summary when it has more than ``long_path``
    criteria), flagging rough peer shares (fewer than ``few_peers`` simulated cities at the tier),
    then where the peer shares come from."""
    out = []
    if not paths:
        out.append(
            f"The city is already at **{city.tier}**, the highest tier: there is no higher "
            "tier to reach."
        )
    for p in paths:
        text = _simulated_peers(p.explain(), p.target) if p.count <= long_path else _long_path(p)
        out.append(f"**{p.target}.** {text}{_peer_note(p, few_peers)}")
    out.append(f"*Peer shares come from the **SIMULATED** population: {population_text}.*")
    return "\n\n".join(out)


def _simulated_peers(text: str, target: str) -> str:
    """A path's explanation with its peers named as what they are: "the 18 Gold cities" of the
    simulated population become "the 18 simulated Gold cities", "met by 89% of Gold cities"
    "met by 89% of simulated Gold cities" (a reader must not take them for real cities)."""
    return re.sub(
        rf"\b(?<!simulated ){re.escape(target)} (cit(?:y|ies))\b", rf"simulated {target} \1", text
    )


def path_table_view(table: pd.DataFrame):
    """:func:`~wwc_analysis.whatif.path_table` as a table to display (peer shares in whole percent,
    the dash where there is none)."""
    return report_table(table, formats={"peer share": "{:.0%}"})


def paths_check(paths: Sequence[TierPath]) -> str:
    """Each path's size, result and outcome need, then its criteria with their peer shares."""
    lines = []
    for p in paths:
        lines.append(
            f"{p.target}: {p.count} more -> {p.met_after}/{p.total} ({p.tier_after}); "
            f"outcome also needed: {'yes' if p.outcome_needed else 'no'}"
        )
        codes = ", ".join(f"{c} {s:.0%}" if s == s else c for c, s in zip(p.criteria, p.peer_share))
        lines.append(textwrap.fill(codes, width=100, initial_indent="  ", subsequent_indent="  "))
    return "\n".join(lines)


# --- rule scenarios over the simulated population -----------------------------------------------


def _table_title(scen: RuleScenarios, columns: str) -> str:
    return (
        f"**SIMULATED: tiers of the {scen.gold.n_cities} fictional cities, "
        f"{scen.standard.name} rules (rows) vs {columns} (columns)**"
    )


def gold_scenario(scen: RuleScenarios, city: CityScore) -> str:
    """The Gold cut-off moved: what it needs, how many cities move, the city's tier; then the title
    of the transition table."""
    std, g, after = scen.standard, scen.gold_threshold, scen.city_gold
    old, new = std.required_met("Gold"), scen.gold_standard.required_met("Gold")
    text = (
        f"**Gold at {g} % instead of {std.threshold_map['Gold']} %** (Gold then needs {new} of "
        f"{std.criteria_count} criteria instead of {old}): {scen.gold.moves_text()}. The city "
        f"would be **{after.tier}** ({after.met} of {after.total}; it is {city.tier} under the "
        f"{std.name} rules)."
    )
    return text + "\n\n" + _table_title(scen, f"Gold at {g} %")


def gold_transitions(scen: RuleScenarios) -> pd.DataFrame:
    """The transition table of the Gold scenario, its axes named for reading."""
    return scen.gold.labelled_transitions(
        f"{scen.standard.name} rules ↓", f"Gold at {scen.gold_threshold} % →"
    )


def standard_scenario(scen: RuleScenarios) -> str:
    """The other standard's thresholds with the current gates: the counts each tier needs, how many
    cities move, the city's tier; then the title of the transition table."""
    std, other, after = scen.standard, scen.other, scen.city_thresholds
    counts = {t: (std.required_met(t), other.required_met(t, std.criteria_count)) for t in TIERS}
    changed = [
        f"{t} needs {new} instead of {old}" for t, (old, new) in counts.items() if new != old
    ]
    same = (
        "; ".join(changed) + ", the other tiers the same count"
        if changed
        else "every tier needs the same count"
    )
    text = (
        f"**The {other.name} thresholds** "
        f"({', '.join(f'{t} {v} %' for t, v in other.threshold_map.items())} instead of "
        f"{', '.join(f'{v} %' for v in std.thresholds)}; of {std.criteria_count} criteria, "
        f"{same}), keeping the {std.name} gates: {scen.thresholds.moves_text()}. The city "
        f"would be **{after.tier}** ({after.met} of {after.total})."
    )
    title = _table_title(scen, f"the {other.name} thresholds with the {std.name} gates")
    return text + "\n\n" + title


def threshold_transitions(scen: RuleScenarios) -> pd.DataFrame:
    """The transition table of the other standard's thresholds, its axes named for reading."""
    return scen.thresholds.labelled_transitions(
        f"{scen.standard.name} rules ↓", f"{scen.other.name} thresholds →"
    )


def gates_note(scen: RuleScenarios) -> str:
    """How many of the moves under the other standard's full rules come from its missing gates
    (empty when it drops no gate)."""
    std, other = scen.standard, scen.other
    dropped = (
        ("core", std.core_required and not other.core_required),
        ("outcome", std.outcome_required and not other.outcome_required),
    )
    gates = [g for g, on in dropped if on]
    if not gates:
        return ""
    extra = scen.rules.summary["up"] - scen.thresholds.summary["up"]
    return (
        f"Under the full {other.name} rules, which had no {' or '.join(gates)} gate, "
        f"{scen.rules.moves_text()}: {extra} of those moves up come from dropping the "
        f"{' and '.join(gates)} {'gate' if len(gates) == 1 else 'gates'}, not from the "
        "thresholds."
    )


def scenarios_check(scen: RuleScenarios, city: CityScore) -> str:
    """The moves of each scenario and the city's tier under each, one line each."""
    other, std = scen.other.name, scen.standard.name
    lines = []
    for label, c in (
        (f"Gold at {scen.gold_threshold} %", scen.gold),
        (f"{other} thresholds, {std} gates", scen.thresholds),
        (f"{other} rules (its gates)", scen.rules),
    ):
        s = c.summary
        lines.append(
            f"SIMULATED {label}: {s['up']} up, {s['down']} down, {s['unchanged']} "
            f"unchanged of {s['total']}"
        )
    lines.append(
        f"city: {city.tier} -> {scen.city_gold.tier} (Gold at {scen.gold_threshold} %), "
        f"{scen.city_thresholds.tier} ({other} thresholds)"
    )
    return "\n".join(lines)


# --- threshold sweep ----------------------------------------------------------------------------


def sweep_title(sweep: pd.DataFrame) -> str:
    """Title of the chart of a sweep of simulated cities."""
    return (
        f"SIMULATED: cities at or above each tier as one cut-off moves "
        f"({sweep.attrs['cities']} fictional cities)"
    )


def sweep_note(population_text: str, standard: Standard) -> str:
    """Caption of the sweep chart (after the SIMULATED label the chart adds)."""
    return (
        f"{simulated_source(population_text, standard)} Each panel moves one cut-off, the "
        f"others kept in order; dotted line: the {standard.name} cut-off, dashed: the Gold "
        "scenario of section 3."
    )


def sweep_sentence(sweep: pd.DataFrame, standard: Standard, gold: int) -> str:
    """Gold or above at the current and the scenario's cut-off, and how many cities no cut-off
    certifies (they miss a gate)."""
    at_gold = sweep[(sweep["swept"] == "Gold") & (sweep["tier"] == "Gold")].set_index("threshold")
    at_gold = at_gold["at_least"]
    current = standard.threshold_map["Gold"]
    never = int(sweep.loc[sweep["tier"] == "Not certified", "cities"].min())
    return (
        f"At the {standard.name} Gold cut-off ({current} %), {at_gold[current]} of the "
        f"{sweep.attrs['cities']} fictional cities are Gold or above; at the scenario's "
        f"{gold} %, {at_gold[gold]} are. {never} of these fictional cities are not certified at "
        "every cut-off because they miss a core criterion or the outcome requirement."
    )


# --- tier probabilities -------------------------------------------------------------------------


def probability_sentence(
    probs: pd.Series,
    next_path: TierPath | None,
    city: CityScore,
    uncertain: Mapping[str, float],
    p: float,
) -> str:
    """The chance of reaching the next tier or above when the criteria of its path (and the outcome
    requirement, if unmet) are each met with probability ``p``."""
    if next_path is None:
        return f"The city is at **{city.tier}**, the highest tier: nothing is uncertain here."
    target = next_path.target
    reach = probs[list(SCORE_TIERS[SCORE_TIERS.index(target) :])].sum()
    codes = ", ".join(uncertain)
    what = (
        f"the {len(uncertain)} criteria of the path to {target} ({codes}) each met"
        if len(uncertain) > 1
        else f"the one criterion of the path to {target} ({codes}) met"
    )
    items = len(uncertain) + (0 if city.outcome_met else 1)
    together = {1: "it has to come through", 2: "both have to come through"}.get(
        items, "all of them have to come through"
    )
    return (
        f"With {what} with probability {p:.0%}"
        + ("" if city.outcome_met else ", and the outcome requirement too")
        + f", the chance of reaching **{target} or above is {format_probability(reach)}**: "
        + together
        + f". The chance of staying {city.tier} is {format_probability(probs[city.tier])}."
    )


def probability_caption(
    city: CityScore, label: str, uncertain: Mapping[str, float], p: float
) -> str:
    """Caption of the tier-probability chart."""
    return (
        f"{record_source(city.standard)} The city: {label.replace('`', '')}. Uncertain, each "
        f"met independently with probability {p:.0%}: {', '.join(uncertain) or 'none'}"
        + ("" if city.outcome_met else "; the outcome requirement too")
        + ". Exact (Poisson-binomial). The criteria were picked by peer share in SIMULATED "
        "data; the probabilities depend only on how many there are."
    )
