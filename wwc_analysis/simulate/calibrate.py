"""Calibration of the simulation against the public record: targets, pass bands, comparison.

:func:`public_targets` computes each target from the record where it has a figure;
:func:`calibration` scores a simulation and compares each metric with its target's band;
:func:`format_calibration` prints the table (``wwc simulate --calibration``).
"""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wwc_analysis.data.dataset import Dataset, require_dataset
from wwc_analysis.rules.scoring import SCORE_TIERS, score
from wwc_analysis.rules.standards import get_standard
from wwc_analysis.simulate.model import STANDARD
from wwc_analysis.simulate.panel import reapplication_outcomes


def _score_frame(df_or_scores: pd.DataFrame, data: Dataset) -> pd.DataFrame:
    """Scores with ``city_id`` and ``round_id`` as columns (scoring a long assessment frame)."""
    df = df_or_scores
    if "criterion" in df.columns:
        df = score(df, get_standard(STANDARD, data))
    needed = {"tier", "threshold_tier", "core_ok", "outcome_ok"}
    if not needed <= set(df.columns):
        raise ValueError(
            f"expected an assessment frame (with 'criterion') or a score frame "
            f"(with {sorted(needed)}), "
            f"got columns {list(df.columns)}"
        )
    if "city_id" not in df.columns:
        df = df.reset_index()
    if not {"city_id", "round_id"} <= set(df.columns):
        raise ValueError("the score frame needs city_id and round_id (as columns or index levels)")
    return df


#: The pass band around each target the record gives a figure for: ``(below, above)`` the computed
#: target, clipped to [0, 1] and rounded to 3 decimals. So a new edition of the record that moves a
#: target moves its band, and a simulation that no longer matches the record fails its calibration.
#: The public figures are few, partial and rounded, so the bands are wide (docs/simulation.md).
TOLERANCES: dict[str, tuple[float, float]] = {
    # cities certified / applicants (cumulative since 2017); per assessment, failed attempts count
    # too, so the share may lie further below the figure than above it
    "certified_share_assessments": (0.10, 0.06),
    # "over 170" applicants makes 83/170 an upper estimate, and the source says "a bit under half"
    "certified_share_cities": (0.09, 0.01),
    # "at most 5/90": not every round states its counts; Platinum is a handful of events
    "platinum_share_of_certified": (0.04, 0.04),
    # 29 of 37 new cities with a known level (edition 2; 18 of 24 in edition 1): binomial sd 0.07
    "silver_share_of_first_certifications": (0.15, 0.15),
    # 13 of 24 re-certifications in two rounds: binomial sd 0.10, two sd either way
    "upgraded_share_of_recertifying": (0.20, 0.20),
}

#: Pass bands that are stated assumptions: the band of each metric the record has no figure for
#: (gate failures, failed re-applications, the level mix, whose known levels are biased), and of a
#: metric of :data:`TOLERANCES` if the record lacks its figure.
ASSUMED_BANDS: dict[str, tuple[float, float]] = {
    "certified_share_assessments": (0.38, 0.55),
    "certified_share_cities": (0.40, 0.50),
    "silver_share_of_certified": (0.46, 0.75),
    "gold_share_of_certified": (0.20, 0.45),
    "platinum_share_of_certified": (0.02, 0.10),
    "silver_share_of_first_certifications": (0.60, 0.90),
    "core_failed_share": (0.05, 0.20),
    "outcome_failed_share": (0.05, 0.25),
    "gate_blocked_share": (0.03, 0.20),
    "upgraded_share_of_recertifying": (0.35, 0.75),
    "reapplicant_upgraded_share": (0.20, 0.60),
    "reapplicant_recertified_share": (0.20, 0.60),
    "reapplicant_failed_share": (0.02, 0.25),
    "reapplicant_lower_share": (0.0, 0.10),
    "reapplicant_new_share": (0.20, 0.70),
}


@dataclass(frozen=True)
class Target:
    """A public fact (or a stated assumption) the simulation should reproduce, with its pass band.

    ``band`` says how ``low`` and ``high`` were set: ``"public -0.10/+0.06"`` (derived from the
    computed ``target`` with the tolerance of :data:`TOLERANCES`) or ``"assumption"`` (the stated
    band of :data:`ASSUMED_BANDS`, where the record has no figure).
    """

    metric: str
    description: str
    target: float  # the public figure (NaN when there is none)
    low: float
    high: float
    source: str
    band: str = "assumption"


def _band(metric: str, target: float) -> tuple[float, float, str]:
    """``(low, high, how)`` for ``metric``: around ``target`` if the metric has a tolerance and the
    record a figure, the stated assumption otherwise."""
    if metric in TOLERANCES and not math.isnan(target):
        below, above = TOLERANCES[metric]
        low, high = round(max(0.0, target - below), 3), round(min(1.0, target + above), 3)
        return low, high, f"public -{below:.2f}/+{above:.2f}"
    low, high = ASSUMED_BANDS[metric]
    how = "assumption (the record has no figure)" if metric in TOLERANCES else "assumption"
    return low, high, how


def _applicant_target(rounds: pd.DataFrame) -> tuple[float, str]:
    """Certified share from the latest 2022-standard round reporting both applicants and total."""
    r = rounds[rounds["standard"].astype(str) == STANDARD].sort_values("announced")
    for _, row in r.iloc[::-1].iterrows():
        text = row["reported_applicants"]
        total = row["reported_total_certified"]
        if pd.isna(text) or pd.isna(total):
            continue
        match = re.search(r"(\d+)\s+applicant", str(text))
        if match:
            applicants, total = int(match.group(1)), int(total)
            return total / applicants, (
                f"rounds.csv {row['round_id']}: reported_total_certified {total}, "
                f"reported_applicants '{text}' -> {total}/{applicants} = "
                f"{total / applicants:.3f} (cumulative since 2017)"
            )
    return float("nan"), "rounds.csv: no 2022-standard round reports applicants and a total"


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def _record_figures(data: Dataset) -> dict:
    """The figures of the record behind the targets: counts of the 2022-standard rounds."""
    rounds, cert = data.rounds, data.certifications
    in_2022 = set(rounds.loc[rounds["standard"].astype(str) == STANDARD, "round_id"].astype(str))
    known = cert[cert["round_id"].astype(str).isin(in_2022) & cert["level"].notna()]
    new = known[known["reported_cohort"].astype(str) == "new"]
    r22 = rounds[rounds["round_id"].astype(str).isin(in_2022)]
    counts = ("reported_new", "reported_upgraded", "reported_recertified")
    reported = pd.concat([r22[c] for c in counts])
    both = r22[r22["reported_upgraded"].notna() & r22["reported_recertified"].notna()]
    share, share_src = _applicant_target(rounds)
    return {
        "levels": known["level"].astype(str).value_counts(),
        "new": new["level"].astype(str).value_counts(),
        "reported_events": int(reported.fillna(0).sum()),
        "up": int(both["reported_upgraded"].sum()),
        "rec": int(both["reported_recertified"].sum()),
        "both_ids": ", ".join(both["round_id"].astype(str)),
        "share": share,
        "share_src": share_src,
    }


#: The calibration table's rows, in order.
METRICS = (
    "certified_share_assessments",
    "certified_share_cities",
    "silver_share_of_certified",
    "gold_share_of_certified",
    "platinum_share_of_certified",
    "silver_share_of_first_certifications",
    "core_failed_share",
    "outcome_failed_share",
    "gate_blocked_share",
    "upgraded_share_of_recertifying",
    "reapplicant_upgraded_share",
    "reapplicant_recertified_share",
    "reapplicant_failed_share",
    "reapplicant_lower_share",
    "reapplicant_new_share",
)


def _facts(f: dict) -> list[tuple[str, str, float, str]]:
    """``(metric, description, target, source)`` of each metric, in the order of :data:`METRICS`."""
    facts = {**_record_facts(f), **_assumed_facts()}
    return [(m, *facts[m]) for m in METRICS]


def _record_facts(f: dict) -> dict[str, tuple[str, float, str]]:
    """The metrics the record speaks to: ``metric -> (description, target, source)``."""
    lv, new, nan = f["levels"], f["new"], float("nan")
    n_new, platinum, events = int(new.sum()), int(lv.get("Platinum", 0)), f["reported_events"]
    up, rec = f["up"], f["rec"]
    mix = (
        f"certifications.csv, 2022-standard rounds, level known: all events Silver "
        f"{lv.get('Silver', 0)} / Gold {lv.get('Gold', 0)} / Platinum {platinum} (levels are "
        f"published mostly for upgrades, so Gold is over-represented); new cities Silver "
        f"{new.get('Silver', 0)} / Gold {new.get('Gold', 0)} / Platinum {new.get('Platinum', 0)}. "
        f"Program descriptions: Silver most common, then Gold, few Platinum"
    )
    return {
        "certified_share_assessments": (
            "share of applicant assessments reaching a tier",
            f["share"],
            f["share_src"] + "; 'a bit under half' certified (about half per assessment)",
        ),
        "certified_share_cities": (
            "share of applicant cities certified at least once",
            f["share"],
            f["share_src"] + "; 'a bit under half of them certified'",
        ),
        "silver_share_of_certified": ("Silver among certified assessments", nan, mix),
        "gold_share_of_certified": ("Gold among certified assessments", nan, mix),
        "platinum_share_of_certified": (
            "Platinum among certified assessments",
            _ratio(platinum, events),
            f"certifications.csv: {platinum} Platinum events in 2022-standard rounds (Platinum is "
            f"always announced) of >= {events} certifications reported in rounds.csv (new + "
            f"upgraded + recertified where stated) -> at most {platinum}/{events}",
        ),
        "silver_share_of_first_certifications": (
            "Silver among first certifications of a city",
            _ratio(int(new.get("Silver", 0)), n_new),
            f"certifications.csv, 2022-standard rounds, reported_cohort new, level known: "
            f"{new.get('Silver', 0)} of {n_new} Silver",
        ),
        "upgraded_share_of_recertifying": (
            "upgraded / (upgraded + recertified) among re-applicants certified again",
            _ratio(up, up + rec),
            f"rounds.csv rounds reporting both ({f['both_ids']}): {up} upgraded, {rec} recertified",
        ),
    }


def _assumed_facts() -> dict[str, tuple[str, float, str]]:
    """The metrics the record has no figure for: ``metric -> (description, NaN, why assumed)``."""
    nan, none = float("nan"), "no public figure: assumption"
    again = "follows the ratio above given the failure share (assumption)"
    before = "among re-applicants certified before"
    return {
        "core_failed_share": (
            "share of assessments missing a core criterion (DM1, LC1, PA1)",
            nan,
            none + " (some applicants miss a core criterion; a minority)",
        ),
        "outcome_failed_share": (
            "share of assessments failing the outcome requirement",
            nan,
            none + " (some applicants fail the outcome gate; a minority)",
        ),
        "gate_blocked_share": (
            "share of assessments at Silver or better by share but blocked by a gate",
            nan,
            none + " (the gates bind for some cities)",
        ),
        "reapplicant_upgraded_share": (f"upgraded, {before}", nan, again),
        "reapplicant_recertified_share": (f"recertified (same tier), {before}", nan, again),
        "reapplicant_failed_share": (
            f"not certified, {before}",
            nan,
            none + " (lapses are not announced; some must occur)",
        ),
        "reapplicant_lower_share": (
            f"certified at a lower tier, {before}",
            nan,
            "rounds.csv / certifications.csv report no downgrade: rare",
        ),
        "reapplicant_new_share": (
            "certified, among re-applicants never certified before",
            nan,
            none + " (cities that improve after feedback get certified)",
        ),
    }


def public_targets(data: Dataset) -> list[Target]:
    """The calibration targets of ``data``'s record, each with its pass band.

    A target is computed from the record where it has a figure, and its band is derived from it
    (:data:`TOLERANCES`): when a new edition moves the figure, the band moves with it. Where the
    record has none (gate failures, failed re-applications, the biased level mix) the band is a
    stated assumption (:data:`ASSUMED_BANDS`) and ``band`` says so.
    """
    figures = _record_figures(require_dataset(data, "public_targets"))
    targets = []
    for metric, description, target, source in _facts(figures):
        low, high, how = _band(metric, target)
        targets.append(Target(metric, description, target, low, high, source, how))
    return targets


def _metrics(scores: pd.DataFrame) -> dict[str, float]:
    tier = pd.Categorical(scores["tier"], categories=SCORE_TIERS)
    codes = np.asarray(tier.codes)
    thr = np.asarray(pd.Categorical(scores["threshold_tier"], categories=SCORE_TIERS).codes)
    cert = codes > 0
    n_cert = max(int(cert.sum()), 1)
    reap = reapplication_outcomes(scores).astype(str).to_numpy()
    first_cert = cert & np.isin(reap, ["first assessment", "new after earlier attempt"])
    before = np.isin(reap, ["upgraded", "recertified", "lower", "failed"])
    n_before = max(int(before.sum()), 1)
    never = np.isin(reap, ["new after earlier attempt", "not certified again"])
    n_first, n_never = max(int(first_cert.sum()), 1), max(int(never.sum()), 1)
    up, rec = int((reap == "upgraded").sum()), int((reap == "recertified").sum())
    ever = pd.Series(cert).groupby(scores["city_id"].astype(str).to_numpy()).any()
    return {
        "certified_share_assessments": cert.mean(),
        "certified_share_cities": float(ever.mean()),
        "silver_share_of_certified": (codes == 1).sum() / n_cert,
        "gold_share_of_certified": (codes == 2).sum() / n_cert,
        "platinum_share_of_certified": (codes == 3).sum() / n_cert,
        "silver_share_of_first_certifications": (first_cert & (codes == 1)).sum() / n_first,
        "core_failed_share": float((~scores["core_ok"].to_numpy(dtype=bool)).mean()),
        "outcome_failed_share": float((~scores["outcome_ok"].to_numpy(dtype=bool)).mean()),
        "gate_blocked_share": float(((thr > 0) & (codes == 0)).mean()),
        "upgraded_share_of_recertifying": up / max(up + rec, 1),
        "reapplicant_upgraded_share": up / n_before,
        "reapplicant_recertified_share": rec / n_before,
        "reapplicant_failed_share": (reap == "failed").sum() / n_before,
        "reapplicant_lower_share": (reap == "lower").sum() / n_before,
        "reapplicant_new_share": (reap == "new after earlier attempt").sum() / n_never,
    }


def calibration(df_or_scores: pd.DataFrame, data: Dataset) -> pd.DataFrame:
    """Compare simulated results with the public record of ``data``: one row per target.

    ``df_or_scores`` is a long assessment frame (scored here under the 2022 standard) or the output
    of :func:`wwc_analysis.rules.scoring.score`. Columns: ``metric, description, simulated, target,
    low, high, within, source, band``; ``within`` is ``low <= simulated <= high`` and ``band`` says
    how the band was set (:func:`public_targets`). ``attrs`` records the numbers of assessments,
    cities and re-applications behind the figures.
    """
    data = require_dataset(data, "calibration")
    scores = _score_frame(df_or_scores, data)
    values = _metrics(scores)
    rows = []
    for t in public_targets(data):
        v = float(values[t.metric])
        rows.append(
            {
                "metric": t.metric,
                "description": t.description,
                "simulated": round(v, 3),
                "target": round(t.target, 3) if not math.isnan(t.target) else float("nan"),
                "low": t.low,
                "high": t.high,
                "within": bool(t.low <= v <= t.high),
                "source": t.source,
                "band": t.band,
            }
        )
    out = pd.DataFrame(rows)
    reap = reapplication_outcomes(scores)
    simulated = "simulated" in scores and bool(np.asarray(scores["simulated"], dtype=bool).all())
    out.attrs.update(
        simulated=simulated,
        assessments=len(scores),
        cities=int(scores["city_id"].nunique()),
        reapplications=int((reap != "first assessment").sum()),
    )
    return out


def _bound(x: float) -> str:
    """A band's bound: 2 decimals when that is exact (the assumed bands), else 3 (derived ones)."""
    return f"{x:.2f}" if abs(x * 100 - round(x * 100)) < 1e-9 else f"{x:.3f}"


def format_calibration(table: pd.DataFrame, fmt: str = "table") -> str:
    """The calibration as plain text (``table``), ``markdown`` (docs/simulation.md) or ``csv``."""
    if fmt == "csv":
        return table.to_csv(index=False, lineterminator="\n")

    def num(x):
        return "" if pd.isna(x) else f"{x:.3f}"

    bands = zip(table["low"], table["high"])
    shown = pd.DataFrame(
        {
            "metric": table["metric"],
            "simulated": table["simulated"].map(num),
            "public": table["target"].map(num),
            "tolerance": [f"{_bound(lo)}-{_bound(hi)}" for lo, hi in bands],
            "within": table["within"].map({True: "yes", False: "NO"}),
        }
    )
    a = table.attrs
    head = (
        f"SIMULATED: {a.get('cities', '?')} fictional cities, {a.get('assessments', '?')} "
        f"assessments ({a.get('reapplications', '?')} re-applications)"
    )
    if fmt == "markdown":
        lines = [
            head,
            "",
            "| metric | simulated | public | tolerance | band | within | source |",
            "| --- | ---: | ---: | --- | --- | --- | --- |",
        ]
        for (_, s), how, src in zip(shown.iterrows(), table["band"], table["source"]):
            lines.append(
                f"| `{s.metric}` | {s.simulated} | {s.public} | {s.tolerance} | {how} | {s.within} "
                f"| {src} |"
            )
        return "\n".join(lines) + "\n"
    return head + "\n\n" + _people_table(table["description"], shown) + "\n"


#: The plain table's column widths: what is measured (wrapped), then the figures.
_WIDTHS = (58, 9, 7, 12, 6)
_LEGEND = (
    "simulated: the share in the simulated assessments. public: the figure the public record "
    "gives (– where it gives none: the tolerance is then an assumption, docs/simulation.md). "
    "tolerance: the band the simulation is calibrated to. within: yes when the simulated share "
    "lies in the band. --format markdown adds each band's basis and source."
)


def _people_table(descriptions: pd.Series, shown: pd.DataFrame) -> str:
    """The calibration in 100 columns: each row's description in words (wrapped, never cut), the
    figures right-aligned, "–" for no public figure, then a legend."""
    w = _WIDTHS
    head = ["what is measured", "simulated", "public", "tolerance", "within"]
    lines = ["  ".join([head[0].ljust(w[0]), *(h.rjust(n) for h, n in zip(head[1:3], w[1:3])),
                        head[3].ljust(w[3]), head[4]])]  # fmt: skip
    for description, row in zip(descriptions, shown.itertuples(index=False), strict=True):
        wrapped = textwrap.wrap(str(description), w[0], subsequent_indent="  ")
        figures = [
            row.simulated.rjust(w[1]),
            (row.public or "–").rjust(w[2]),
            row.tolerance.ljust(w[3]),
            row.within,
        ]
        lines.append("  ".join([wrapped[0].ljust(w[0]), *figures]).rstrip())
        lines += wrapped[1:]
    return "\n".join(lines) + "\n\n" + textwrap.fill(_LEGEND, 100)


__all__ = [
    "ASSUMED_BANDS",
    "TOLERANCES",
    "Target",
    "calibration",
    "format_calibration",
    "public_targets",
]
