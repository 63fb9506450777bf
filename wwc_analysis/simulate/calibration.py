"""Calibration of the simulation against the public record: targets, pass bands, the comparison table.

:func:`public_targets` computes each target from the record where it has a figure;
:func:`calibration` scores a simulation and compares each metric with its target's band;
:func:`format_calibration` prints the table (``wwc simulate --calibration``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wwc_analysis.data.load import Dataset
from wwc_analysis.rules.scoring import SCORE_TIERS, score
from wwc_analysis.rules.standards import get_standard
from wwc_analysis.simulate.model import STANDARD
from wwc_analysis.simulate.panel import reapplication_outcomes, require_dataset


def _score_frame(df_or_scores: pd.DataFrame, data: Dataset) -> pd.DataFrame:
    """Scores with ``city_id`` and ``round_id`` as columns (scoring a long assessment frame if given)."""
    df = df_or_scores
    if "criterion" in df.columns:
        df = score(df, get_standard(STANDARD, data))
    needed = {"tier", "threshold_tier", "core_ok", "outcome_ok"}
    if not needed <= set(df.columns):
        raise ValueError(
            f"expected an assessment frame (with 'criterion') or a score frame (with {sorted(needed)}), "
            f"got columns {list(df.columns)}"
        )
    if "city_id" not in df.columns:
        df = df.reset_index()
    if not {"city_id", "round_id"} <= set(df.columns):
        raise ValueError("the score frame needs city_id and round_id (as columns or index levels)")
    return df


@dataclass(frozen=True)
class Target:
    """A public fact (or a stated assumption) the simulation should reproduce, with its tolerance."""

    metric: str
    description: str
    target: float  # the public figure (NaN when there is none)
    low: float
    high: float
    source: str


def _applicant_target(rounds: pd.DataFrame) -> tuple[float, str]:
    """Certified share from the latest 2022-standard round reporting both applicants and total."""
    import re

    r = rounds[rounds["standard"].astype(str) == STANDARD].sort_values("announced")
    for _, row in r.iloc[::-1].iterrows():
        text = row["reported_applicants"]
        total = row["reported_total_certified"]
        if pd.isna(text) or pd.isna(total):
            continue
        match = re.search(r"(\d+)\s+applicant", str(text))
        if match:
            applicants = int(match.group(1))
            return int(total) / applicants, (
                f"rounds.csv {row['round_id']}: reported_total_certified {int(total)}, reported_applicants "
                f"'{text}' -> {int(total)}/{applicants} = {int(total) / applicants:.3f} (cumulative since 2017)"
            )
    return float("nan"), "rounds.csv: no 2022-standard round reports applicants and a total"


def public_targets(data: Dataset) -> list[Target]:
    """The calibration targets, computed from the public record where it has a figure.

    Where it has none (gate failures, failed re-applications) the range is an assumption and ``source``
    says so. Tolerances are deliberately wide: the public figures are few, partial and rounded.
    """
    data = require_dataset(data, "public_targets")
    rounds, cert = data.rounds, data.certifications
    in_2022 = set(rounds.loc[rounds["standard"].astype(str) == STANDARD, "round_id"].astype(str))
    ev = cert[cert["round_id"].astype(str).isin(in_2022)]
    known = ev[ev["level"].notna()]
    lv = known["level"].astype(str).value_counts()
    new = known[known["reported_cohort"].astype(str) == "new"]["level"].astype(str).value_counts()
    n_new = int(new.sum())
    silver_new = new.get("Silver", 0) / n_new if n_new else float("nan")
    r22 = rounds[rounds["round_id"].astype(str).isin(in_2022)]
    reported_events = int(
        pd.concat([r22["reported_new"], r22["reported_upgraded"], r22["reported_recertified"]]).fillna(0).sum()
    )
    platinum = int(lv.get("Platinum", 0))
    both = r22[r22["reported_upgraded"].notna() & r22["reported_recertified"].notna()]
    up, rec = int(both["reported_upgraded"].sum()), int(both["reported_recertified"].sum())
    share, share_src = _applicant_target(rounds)
    mix_src = (
        f"certifications.csv, 2022-standard rounds, level known: all events Silver {lv.get('Silver', 0)} / "
        f"Gold {lv.get('Gold', 0)} / Platinum {platinum} (levels are published mostly for upgrades, so Gold "
        f"is over-represented); new cities Silver {new.get('Silver', 0)} / Gold {new.get('Gold', 0)} / "
        f"Platinum {new.get('Platinum', 0)}. Program descriptions: Silver most common, then Gold, few Platinum"
    )
    both_ids = ", ".join(both["round_id"].astype(str))
    none = "no public figure: assumption"
    return [
        Target("certified_share_assessments", "share of applicant assessments reaching a tier", share,
               0.38, 0.55, share_src + "; 'a bit under half' certified (about half per assessment)"),
        Target("certified_share_cities", "share of applicant cities certified at least once", share,
               0.40, 0.50, share_src + "; 'a bit under half of them certified'"),
        Target("silver_share_of_certified", "Silver among certified assessments", float("nan"),
               0.46, 0.75, mix_src),
        Target("gold_share_of_certified", "Gold among certified assessments", float("nan"),
               0.20, 0.45, mix_src),
        Target("platinum_share_of_certified", "Platinum among certified assessments",
               platinum / reported_events if reported_events else float("nan"), 0.02, 0.10,
               f"certifications.csv: {platinum} Platinum events in 2022-standard rounds (Platinum is always "
               f"announced) of >= {reported_events} certifications reported in rounds.csv "
               f"(new + upgraded + recertified where stated) -> at most {platinum}/{reported_events}"),
        Target("silver_share_of_first_certifications", "Silver among first certifications of a city",
               silver_new, max(0.0, silver_new - 0.15), min(1.0, silver_new + 0.15),
               f"certifications.csv, 2022-standard rounds, reported_cohort new, level known: "
               f"{new.get('Silver', 0)} of {n_new} Silver"),
        Target("core_failed_share", "share of assessments missing a core criterion (DM1, LC1, PA1)",
               float("nan"), 0.05, 0.20, none + " (some applicants miss a core criterion; a minority)"),
        Target("outcome_failed_share", "share of assessments failing the outcome requirement",
               float("nan"), 0.05, 0.25, none + " (some applicants fail the outcome gate; a minority)"),
        Target("gate_blocked_share", "share of assessments at Silver or better by share but blocked by a gate",
               float("nan"), 0.03, 0.20, none + " (the gates bind for some cities)"),
        Target("upgraded_share_of_recertifying", "upgraded / (upgraded + recertified) among re-applicants "
               "certified again", up / (up + rec) if up + rec else float("nan"), 0.35, 0.75,
               f"rounds.csv rounds reporting both ({both_ids}): {up} upgraded, {rec} recertified"),
        Target("reapplicant_upgraded_share", "upgraded, among re-applicants certified before",
               float("nan"), 0.20, 0.60, "follows the ratio above given the failure share (assumption)"),
        Target("reapplicant_recertified_share", "recertified (same tier), among re-applicants certified before",
               float("nan"), 0.20, 0.60, "follows the ratio above given the failure share (assumption)"),
        Target("reapplicant_failed_share", "not certified, among re-applicants certified before",
               float("nan"), 0.02, 0.25, none + " (lapses are not announced; some must occur)"),
        Target("reapplicant_lower_share", "certified at a lower tier, among re-applicants certified before",
               float("nan"), 0.0, 0.10, "rounds.csv / certifications.csv report no downgrade: rare"),
        Target("reapplicant_new_share", "certified, among re-applicants never certified before",
               float("nan"), 0.20, 0.70, none + " (cities that improve after feedback get certified)"),
    ]


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
    up, rec = int((reap == "upgraded").sum()), int((reap == "recertified").sum())
    ever = pd.Series(cert).groupby(scores["city_id"].astype(str).to_numpy()).any()
    return {
        "certified_share_assessments": cert.mean(),
        "certified_share_cities": float(ever.mean()),
        "silver_share_of_certified": (codes == 1).sum() / n_cert,
        "gold_share_of_certified": (codes == 2).sum() / n_cert,
        "platinum_share_of_certified": (codes == 3).sum() / n_cert,
        "silver_share_of_first_certifications": (first_cert & (codes == 1)).sum() / max(int(first_cert.sum()), 1),
        "core_failed_share": float((~scores["core_ok"].to_numpy(dtype=bool)).mean()),
        "outcome_failed_share": float((~scores["outcome_ok"].to_numpy(dtype=bool)).mean()),
        "gate_blocked_share": float(((thr > 0) & (codes == 0)).mean()),
        "upgraded_share_of_recertifying": up / max(up + rec, 1),
        "reapplicant_upgraded_share": up / n_before,
        "reapplicant_recertified_share": rec / n_before,
        "reapplicant_failed_share": (reap == "failed").sum() / n_before,
        "reapplicant_lower_share": (reap == "lower").sum() / n_before,
        "reapplicant_new_share": (reap == "new after earlier attempt").sum() / max(int(never.sum()), 1),
    }


def calibration(df_or_scores: pd.DataFrame, data: Dataset) -> pd.DataFrame:
    """Compare simulated results with the public record: one row per :func:`public_targets` metric.

    ``df_or_scores`` is a long assessment frame (scored here under the 2022 standard) or the output of
    :func:`wwc_analysis.scoring.score`. Columns: ``metric, description, simulated, target, low, high,
    within, source``; ``within`` is ``low <= simulated <= high``. ``attrs`` records the numbers of
    assessments, cities and re-applications behind the figures.
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
            }
        )
    out = pd.DataFrame(rows)
    reap = reapplication_outcomes(scores)
    out.attrs.update(
        simulated=bool(np.asarray(scores["simulated"], dtype=bool).all()) if "simulated" in scores else False,
        assessments=len(scores),
        cities=int(scores["city_id"].nunique()),
        reapplications=int((reap != "first assessment").sum()),
    )
    return out


def format_calibration(table: pd.DataFrame, fmt: str = "table") -> str:
    """The calibration as plain text (``table``), ``markdown`` (for docs/simulation.md) or ``csv``."""
    if fmt == "csv":
        return table.to_csv(index=False, lineterminator="\n")

    def num(x):
        return "" if pd.isna(x) else f"{x:.3f}"

    shown = pd.DataFrame(
        {
            "metric": table["metric"],
            "simulated": table["simulated"].map(num),
            "public": table["target"].map(num),
            "tolerance": [f"{lo:.2f}-{hi:.2f}" for lo, hi in zip(table["low"], table["high"])],
            "within": table["within"].map({True: "yes", False: "NO"}),
        }
    )
    head = (
        f"SIMULATED: {table.attrs.get('cities', '?')} fictional cities, {table.attrs.get('assessments', '?')} "
        f"assessments ({table.attrs.get('reapplications', '?')} re-applications)"
    )
    if fmt == "markdown":
        lines = [head, "", "| metric | simulated | public | tolerance | within | source |", "| --- | ---: | ---: | --- | --- | --- |"]
        for (_, s), src in zip(shown.iterrows(), table["source"]):
            lines.append(f"| `{s.metric}` | {s.simulated} | {s.public} | {s.tolerance} | {s.within} | {src} |")
        return "\n".join(lines) + "\n"
    return head + "\n" + shown.to_string(index=False) + "\n"
