"""Charts of SIMULATED assessments (the simulated sections of notebooks 01, 02 and 04): criteria met
with the tier thresholds, practice-area profiles of cohorts, criteria that separate cohorts, and
tiers reached per round. Every caption starts with the SIMULATED label.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from wwc_analysis.figures.shared import shared
from wwc_analysis.figures.style import BASIS_PALETTE, NEGATIVE, TIER_ORDER, TIER_PALETTE, caption
from wwc_analysis.rules.standards import TIERS
from wwc_analysis.text.cohorts import with_counts

if TYPE_CHECKING:  # pragma: no cover
    from wwc_analysis.rules.standards import Standard

SOURCE = "data/simulated/assessments.csv"


@shared
def criteria_met(population: pd.DataFrame, std: Standard) -> Figure:
    """Criteria met at each fictional city's assessment, stacked by the tier reached after the
    gates, with the lowest count reaching each tier by share alone (dashed lines). ``population``
    is :func:`history.simulated_population`."""
    fig, ax = plt.subplots(figsize=(9, 4.8))
    sns.histplot(
        data=population,
        x="met",
        hue="tier",
        hue_order=list(TIER_ORDER),
        palette=TIER_PALETTE,
        multiple="stack",
        discrete=True,
        edgecolor="white",
        ax=ax,
    )
    top = ax.get_ylim()[1]
    for tier in TIERS:
        n = std.required_met(tier)
        ax.axvline(n - 0.5, color="#333333", ls="--", lw=1.5)
        ax.text(
            n - 0.4,
            top * 0.98,
            f"{tier} \u2265 {n}",
            va="top",
            ha="left",
            fontsize=10,
            color="#333333",
        )
    ax.set(
        title="SIMULATED: criteria met at the latest assessment",
        xlabel=f"Criteria met (of {std.criteria_count})",
        ylabel="Fictional cities",
    )
    ax.get_legend().set_title("Tier (after gates)")
    fig.tight_layout()
    caption(
        fig,
        f"Tiers from the {std.name} standard's scoring rules (wwc_analysis.rules.scoring) "
        f"applied to {SOURCE}. Dashed lines: lowest count reaching each tier by share alone.",
        simulated=True,
    )
    return fig


@shared
def practice_areas(
    profile: pd.DataFrame, scope: pd.DataFrame, described: str, std: Standard
) -> Figure:
    """Share of criteria met by practice area (columns) and cohort (rows, with their number of
    assessments). ``profile`` is :func:`history.practice_area_profile` of the assessments
    ``scope``; ``described`` says which they are (:func:`text.assessed.scope_text`)."""
    fig, ax = plt.subplots(figsize=(10, 4.8))
    sns.heatmap(
        with_counts(profile, scope),
        annot=True,
        fmt=".0%",
        cmap="Blues",
        vmin=0,
        vmax=1,
        linewidths=0.5,
        linecolor="white",
        cbar_kws={"label": "Share of criteria met"},
        ax=ax,
    )
    ax.set(
        title="SIMULATED: share of criteria met by practice area and cohort",
        xlabel="Practice area",
        ylabel="Cohort (n = assessments)",
    )
    ax.tick_params(axis="x", rotation=30)
    plt.setp(ax.get_xticklabels(), ha="right", rotation_mode="anchor")
    fig.tight_layout()
    caption(
        fig,
        f"Scored with the {std.name} standard's rules (wwc_analysis.rules.scoring) from "
        f"{SOURCE}; cohorts derived as for the public record. Uses {described}.",
        simulated=True,
    )
    return fig


@shared
def separating_criteria(separating: pd.DataFrame, described: str, std: Standard) -> Figure:
    """The criteria whose share differs most between upgraded and re-certified assessments, in
    percentage points (``separating``: :func:`history.separating_criteria` with a ``name``
    column)."""
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.45 * len(separating)))
    ordered = separating.iloc[::-1]
    points = ordered["difference"] * 100
    ax.barh(
        [f"{code} {name}" for code, name in zip(ordered.index, ordered["name"])],
        points,
        color=np.where(points >= 0, BASIS_PALETTE["identified"], NEGATIVE),
    )
    ax.axvline(0, color="#333333", lw=1)
    ax.set(
        title="SIMULATED: criteria that most separate\nupgraded from re-certified cities",
        xlabel="Share of upgraded minus share of re-certified (percentage points)",
        ylabel="Criterion",
    )
    fig.tight_layout()
    n_up, n_re = int(separating["n_upgraded"].iloc[0]), int(separating["n_recertified"].iloc[0])
    caption(
        fig,
        f"Scored with the {std.name} standard's rules from {SOURCE}. Uses {described}. "
        f"n = {n_up} upgraded and {n_re} re-certified assessments.",
        simulated=True,
    )
    return fig


@shared
def simulated_tiers(tiers: pd.DataFrame, year, std: Standard) -> Figure:
    """Fictional applicants of the year's rounds by tier reached, one group of bars per round
    (``tiers``: :func:`history.simulated_tiers`)."""
    fig, ax = plt.subplots(figsize=(8, 4.2))
    tiers[list(TIER_ORDER)].plot.bar(
        ax=ax, color=[TIER_PALETTE[t] for t in TIER_ORDER], edgecolor="#555555", rot=0
    )
    for bars in ax.containers:
        ax.bar_label(bars, padding=2, fontsize=9)
    ax.set(
        title=f"SIMULATED: tier reached by fictional applicants, rounds of {year}",
        xlabel="Round",
        ylabel="Simulated assessments",
    )
    ax.legend(title="Tier reached", loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.margins(y=0.12)
    caption(fig, f"Source: {SOURCE}, scored under the {std.name} standard.", simulated=True)
    return fig


__all__ = ["criteria_met", "practice_areas", "separating_criteria", "simulated_tiers"]
