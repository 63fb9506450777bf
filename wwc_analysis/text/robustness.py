"""Words and reader tables of the robustness analysis (``wwc robustness`` and section 7 of the
what-if notebook): the uncertain inputs, the intervals of the tier counts, the least stable cities,
the sensitivity indices, the criteria that are binding, one city's stability, and the captions of
their charts. Everything built on simulated cities says SIMULATED (tables through
``attrs["simulated"]``, prose in words)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wwc_analysis.rules.scoring import SCORE_TIERS
from wwc_analysis.text.tables import report_text
from wwc_analysis.text.words import DASH, join_and, plural
from wwc_analysis.whatif import (
    CityStability,
    CriterionImpacts,
    RobustnessReport,
    SensitivityResult,
    UncertainInputs,
    UncertaintyResult,
)

__all__ = [
    "SIMULATED_LINE",
    "city_caption",
    "city_sentence",
    "count_view",
    "decisive_view",
    "impact_caption",
    "impact_sentence",
    "impact_view",
    "inputs_text",
    "interval_caption",
    "interval_sentence",
    "least_stable_view",
    "robustness_check",
    "robustness_text",
    "sensitivity_caption",
    "sensitivity_sentence",
    "sensitivity_view",
    "stability_sentence",
]

SIMULATED_LINE = "SIMULATED (fictional cities, not real certification results)"
#: Inputs whose total effect is below this are summed up in one line, not listed.
SMALL_EFFECT = 0.005


def _pct(v: float) -> str:
    return f"{100 * v:.1f}%"


def _level_words(level: float) -> tuple[str, str]:
    low = (1 - level) / 2 * 100
    return f"{low:g}th percentile", f"{100 - low:g}th percentile"


def _kind(simulated: bool) -> str:
    """The word that marks cities as fictional in a sentence about simulated ones ('' for real)."""
    return "fictional " if simulated else ""


def _cities(n: int, simulated: bool) -> str:
    return plural(n, "fictional city", "fictional cities") if simulated else plural(n, "city")


def inputs_text(inputs: UncertainInputs, unc: UncertaintyResult, *, markdown: bool = False) -> str:
    """The declared inputs, one line each, after a line saying how many runs (a Markdown list with
    ``markdown``, indented lines otherwise)."""
    how = "Sobol' points" if unc.method == "sobol" else "pseudo-random points"
    head = f"Uncertain inputs, {unc.runs:,} runs ({how}, seed {unc.seed}):"
    if markdown:
        head = f"**{head}**\n"
    bullet = "- " if markdown else "  - "
    return "\n".join([head, *(bullet + line for line in inputs.describe(unc.standard))])


# --- tables ---------------------------------------------------------------------------------------


def count_view(unc: UncertaintyResult, level: float = 0.9) -> pd.DataFrame:
    """The tier counts over the runs: under the standard as it is, the median, the central
    ``level`` interval, the lowest and highest."""
    c = unc.count_frame(level)
    low, high = _level_words(level)
    frame = pd.DataFrame(
        {
            "Tier": c.index,
            "Standard as it is": c["baseline"].to_numpy(),
            "Median of the runs": c["median"].to_numpy(),
            low: c["low"].to_numpy(),
            high: c["high"].to_numpy(),
            "Lowest": c["min"].to_numpy(),
            "Highest": c["max"].to_numpy(),
        }
    )
    frame.attrs["simulated"] = unc.simulated
    return frame


def least_stable_view(unc: UncertaintyResult, top: int = 10) -> pd.DataFrame:
    """The cities most often away from their tier: the tier now, the share of runs at each tier
    and the flip rate (shares as whole percents)."""
    cities = unc.city_frame()
    cities = cities[cities["flip_rate"] > 0]
    cities = cities.sort_values("flip_rate", ascending=False, kind="stable")
    cities = cities.head(top)
    names = [str(n) for n in cities.index.names if n is not None] or ["City"]
    index = cities.index.to_frame(index=False)
    index.columns = [n.replace("_", " ").capitalize() for n in names]
    shares = {t: [f"{v:.0%}" for v in cities[t]] for t in SCORE_TIERS}
    frame = pd.concat(
        [
            index,
            pd.DataFrame(
                {
                    "Tier now": cities["baseline"].astype(str).to_numpy(),
                    **shares,
                    "Flip rate": [f"{v:.1%}" for v in cities["flip_rate"]],
                }
            ),
        ],
        axis=1,
    )
    frame.attrs["simulated"] = unc.simulated
    return frame


def _interval(low: float, high: float) -> str:
    if np.isnan(low) or np.isnan(high):
        return DASH
    return f"{low:.2f} to {high:.2f}"


def sensitivity_view(sens: SensitivityResult, output: str) -> pd.DataFrame:
    """The inputs of one output ranked by total effect: the first-order and total-effect indices
    with their intervals (two decimals)."""
    part = sens.ranking(output)
    conf = f"{sens.confidence:.0%}"
    frame = pd.DataFrame(
        {
            "Input": part["label"].to_numpy(),
            "First order (S)": [DASH if np.isnan(v) else f"{v:.2f}" for v in part["first_order"]],
            f"S {conf} interval": [
                _interval(a, b) for a, b in zip(part["first_low"], part["first_high"])
            ],
            "Total effect (ST)": [
                DASH if np.isnan(v) else f"{v:.2f}" for v in part["total_effect"]
            ],
            f"ST {conf} interval": [
                _interval(a, b) for a, b in zip(part["total_low"], part["total_high"])
            ],
        }
    )
    frame.attrs["simulated"] = sens.simulated
    return frame


def impact_view(impacts: CriterionImpacts, top: int = 10, names=None) -> pd.DataFrame:
    """The criteria that move most cities when left out (or met by all), ranked."""
    table = impacts.table(names).head(top)
    cols = {
        "Criterion": table.index,
        "Practice area": table["practice_area"].to_numpy(),
        **({"Name": table["name"].to_numpy()} if names is not None else {}),
        "Cities that change tier": table["changed"].to_numpy(),
        "Up": table["up"].to_numpy(),
        "Down": table["down"].to_numpy(),
    }
    frame = pd.DataFrame(cols)
    frame.attrs["simulated"] = impacts.simulated
    return frame


def decisive_view(city: CityStability, top: int = 10) -> pd.DataFrame:
    """The criteria whose status most often decides the city's tier."""
    table = city.decisive_table(top)
    frame = pd.DataFrame(
        {
            "Criterion": table.index,
            "Status": table["status"].to_numpy(),
            "Practice area": table["practice_area"].to_numpy(),
            "Decides the tier in": [f"{v:.1%} of runs" for v in table["decisive_share"]],
            "If flipped": table["effect"].to_numpy(),
            "Decides it now": table["decisive_now"].to_numpy(),
        }
    )
    frame.attrs["simulated"] = city.simulated
    return frame


# --- sentences ------------------------------------------------------------------------------------


def interval_sentence(unc: UncertaintyResult, level: float = 0.9) -> str:
    """How far each tier count moves over the runs (Markdown)."""
    c = unc.count_frame(level)
    parts = [
        f"**{c.at[t, 'baseline']}** {t} ({c.at[t, 'low']} to {c.at[t, 'high']})"
        for t in SCORE_TIERS
    ]
    who = _cities(unc.n_cities, unc.simulated)
    return (
        f"Under the standard as it is, the {who} are {join_and(parts)}; in brackets, the "
        f"central {level:.0%} of the {unc.runs:,} runs of the uncertain rules."
    )


def stability_sentence(unc: UncertaintyResult) -> str:
    """How many cities can change tier, and how often on average."""
    s = unc.summary()
    who = _cities(s["cities"], unc.simulated)
    always = s["cities"] - s["cities_that_can_change"]
    return (
        f"**{s['cities_that_can_change']}** of the {who} change tier in at least one run; "
        f"{always} keep their tier in every run. On average a {_kind(unc.simulated)}city is away "
        "from its tier in "
        f"{_pct(s['mean_flip_rate'])} of the runs (its flip rate)."
    )


def sensitivity_sentence(sens: SensitivityResult) -> str:
    """Which input drives each tier count most (the largest total effect)."""
    kind = "simulated " if sens.simulated else ""
    parts = []
    for output in sens.outputs:
        top = sens.ranking(output).iloc[0]
        if np.isnan(top["total_effect"]):
            parts.append(f"the number of {kind}{output} cities does not vary")
            continue
        parts.append(
            f"the number of {kind}{output} cities depends most on the **{top['label']}** "
            f"(total effect {top['total_effect']:.2f}, {sens.confidence:.0%} interval "
            f"{_interval(top['total_low'], top['total_high'])})"
        )
    return f"Over {sens.runs:,} runs ({sens.base_samples:,} base samples), " + join_and(parts) + "."


def impact_sentence(loo: CriterionImpacts, add: CriterionImpacts | None = None) -> str:
    """The most binding criterion left out, and the one that moves most cities when met by all."""
    who = _cities(loo.cities, loo.simulated)
    t = loo.table()
    first = t.index[0]
    text = (
        f"Leaving **{first}** out of the standard moves the most cities: "
        f"{t.at[first, 'changed']} of the {who} change tier ({t.at[first, 'up']} up, "
        f"{t.at[first, 'down']} down; the cut-offs then apply to the other "
        f"{loo.standard.criteria_count - 1} criteria)."
    )
    never = int((t["changed"] == 0).sum())
    if never:
        text += f" Leaving out any of {never} criteria moves no {_kind(loo.simulated)}city."
    if add is not None:
        a = add.table()
        text += (
            f" If every {_kind(add.simulated)}city met **{a.index[0]}**, "
            f"{a.at[a.index[0], 'up']} would move up, "
            "the most of any criterion."
        )
    return text


def city_sentence(city: CityStability) -> str:
    """One city's tier distribution over the runs."""
    parts = [f"{t} in {_pct(s)}" for t, s in zip(SCORE_TIERS, city.shares) if s > 0]
    if len(parts) == 1:
        parts = [f"{SCORE_TIERS[int(np.argmax(city.shares))]} in every one"]
    top = city.decisive_table(1)
    decisive = ""
    if len(top):
        code = top.index[0]
        row = top.iloc[0]
        effect = row["effect"].replace("it ", code + " ")
        decisive = (
            f" Its status on **{code}** ({row['status']}) decides its tier most often: in "
            f"{_pct(row['decisive_share'])} of the runs, {effect}."
        )
    return (
        f"{city.label[:1].upper() + city.label[1:]} meets {len(city.met)} of "
        f"{city.standard.criteria_count} criteria and is **{city.tier}** under the standard as it "
        f"is; over the {city.runs:,} runs it is {join_and(parts)} (flip rate "
        f"{_pct(city.flip_rate)}).{decisive}"
    )


# --- captions ------------------------------------------------------------------------------------


def _runs_note(unc: UncertaintyResult) -> str:
    return f"{unc.runs:,} runs of the uncertain rules (seeded Sobol' points)"


def interval_caption(unc: UncertaintyResult, source: str) -> str:
    return (
        f"{source} Bars: central 90 % of the tier counts over {_runs_note(unc)}; tick: median; "
        "diamond: the standard as it is."
    )


def sensitivity_caption(sens: SensitivityResult, source: str) -> str:
    return (
        f"{source} First-order (S) and total-effect (ST) Sobol' indices, Saltelli/Jansen "
        f"estimators over {sens.runs:,} runs; whiskers: {sens.confidence:.0%} bootstrap "
        f"intervals ({sens.bootstrap} resamples)."
    )


def impact_caption(impacts: CriterionImpacts, source: str) -> str:
    n = impacts.standard.criteria_count
    what = (
        f"each criterion left out in turn, cut-offs as percentages of the other {n - 1}"
        if impacts.kind == "leave_one_out"
        else "each criterion met by every city in turn"
    )
    return f"{source} Cities that change tier with {what}; exact scoring."


def city_caption(city: CityStability, source: str) -> str:
    return (
        f"{source} The city: {city.label.replace('`', '')}. Left: share of {city.runs:,} runs at "
        "each tier. Right: share of runs in which the criterion's status decides the tier."
    )


# --- the command line and the notebook's checked summary -----------------------------------------


def _sensitivity_block(sens: SensitivityResult, output: str) -> list[str]:
    view = sensitivity_view(sens, output)
    part = sens.ranking(output)
    small = part["total_effect"].isna() | (part["total_effect"] < SMALL_EFFECT)
    shown = view[~small.to_numpy()]
    head = (
        f"Number of {output} cities:"
        if output in SCORE_TIERS
        else "Its tier (0 Not certified to 3 Platinum), by input:"
    )
    if shown.empty:
        return [head, "  does not vary"]
    lines = [head, *("  " + line for line in report_text(shown).splitlines())]
    if small.any():
        lines.append(f"  total effect below {SMALL_EFFECT}: " + ", ".join(part["label"][small]))
    return lines


def _sensitivity_lines(sens: SensitivityResult) -> list[str]:
    lines = [
        "",
        f"Sensitivity: first-order and total-effect indices, {sens.confidence:.0%} bootstrap "
        f"intervals; {sens.base_samples:,} base samples, {sens.runs:,} runs.",
    ]
    for output in sens.outputs:
        lines += _sensitivity_block(sens, output)
    return lines


def _impact_lines(impacts: CriterionImpacts, top: int) -> list[str]:
    n = impacts.standard.criteria_count
    if impacts.kind == "leave_one_out":
        head = f"Leave one criterion out (cut-offs as percentages of the other {n - 1})"
    else:
        head = "Add one criterion (met by every city)"
    return ["", f"{head}, first {min(top, n)} of {n}:", report_text(impact_view(impacts, top))]


def _city_lines(city: CityStability, top: int) -> list[str]:
    lines = ["", city_sentence(city).replace("**", "")]
    if len(city.decisive_table()):
        lines += ["Criteria whose status decides its tier:", report_text(decisive_view(city, top))]
    if city.sensitivity is not None:
        lines += _sensitivity_block(city.sensitivity, "tier")
    return lines


def robustness_text(report: RobustnessReport, source: str) -> str:
    """The whole report as plain text for the command line; ``source`` names the assessments."""
    unc, spec = report.uncertainty, report.spec
    scope = {
        "latest": "each at its latest assessment",
        "all": f"{report.assessments} assessments",
    }.get(spec.round, f"assessed in round {spec.round}")
    lines = [
        f"Assessments: {source}" + (f" - {SIMULATED_LINE}." if report.simulated else ""),
        f"Robustness of the {spec.standard.name} standard"
        + (f": {spec.name}" if spec.name else ""),
        f"Population: {_cities(report.cities, report.simulated)}, {scope}.",
        inputs_text(spec.inputs, unc),
        "",
        "Tier counts over the runs:",
        report_text(count_view(unc)),
        stability_sentence(unc).replace("**", ""),
    ]
    least = least_stable_view(unc, spec.top)
    if len(least):
        lines += [f"Least stable cities (first {len(least)}):", report_text(least)]
    if report.sensitivity is not None:
        lines += _sensitivity_lines(report.sensitivity)
    for impacts in (report.leave_one_out, report.add_one):
        if impacts is not None:
            lines += _impact_lines(impacts, spec.top)
    if report.city is not None:
        lines += _city_lines(report.city, spec.top)
    return "\n".join(lines)


def robustness_check(
    unc: UncertaintyResult,
    sens: SensitivityResult,
    loo: CriterionImpacts,
    add: CriterionImpacts,
    city: CityStability,
) -> str:
    """Small rounded lines for the notebook's checked cell."""
    c = unc.count_frame(0.9)
    counts = "; ".join(
        f"{t} {c.at[t, 'baseline']} ({c.at[t, 'low']}-{c.at[t, 'high']})" for t in SCORE_TIERS
    )
    top = {o: sens.ranking(o).iloc[0] for o in sens.outputs}
    drivers = "; ".join(
        f"{o}: {r['label']} {r['total_effect']:.2f}"
        for o, r in top.items()
        if not np.isnan(r["total_effect"])
    )
    loo_t, add_t = loo.table(), add.table()
    return "\n".join(
        [
            f"SIMULATED runs {unc.runs}: {counts}",
            f"can change tier: {unc.summary()['cities_that_can_change']} of {unc.n_cities}",
            f"largest total effect: {drivers}",
            f"leave out: {', '.join(f'{k} {v}' for k, v in loo_t['changed'].head(3).items())}",
            f"add: {', '.join(f'{k} {v}' for k, v in add_t['changed'].head(3).items())}",
            f"city: {city.tier}, "
            + ", ".join(f"{t} {s:.3f}" for t, s in zip(SCORE_TIERS, city.shares)),
        ]
    )
