"""Charts of a round's cohorts (notebook 02): cohort sizes three ways, time to upgrade, cohorts by
country, and cohort sizes in every round. Cohorts are labelled for readers ("re-certified").

One function per chart; each returns the Figure with its source caption (the notebook saves and
shows it).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from wwc_analysis.figures.shared import shared
from wwc_analysis.figures.style import (
    BASIS_PALETTE,
    HIGHLIGHT,
    RECORD_SOURCE,
    caption,
    nothing_to_draw,
    tier_colors,
)
from wwc_analysis.history.cohorts import BASES, REPORTED_COHORTS
from wwc_analysis.history.levels import LEVEL_BUCKETS
from wwc_analysis.text.cohorts import COHORT_NOUNS, cohort_label
from wwc_analysis.text.words import plural

BUCKETS = list(LEVEL_BUCKETS)


@shared
def cohort_sizes(sizes: pd.DataFrame, round_id: str) -> Figure:
    """A round's cohorts, reported / identified / derived side by side (``sizes``:
    :func:`history.cohort_sizes`); "n/r" marks a count the program did not report."""
    fig, ax = plt.subplots(figsize=(9, 4.8))
    x = np.arange(len(sizes))
    width = 0.27
    for i, basis in enumerate(BASES):
        values = sizes[basis]
        bars = ax.bar(
            x + (i - 1) * width,
            values.fillna(0).astype(int),
            width,
            label=basis,
            color=BASIS_PALETTE[basis],
        )
        labels = ["n/r" if pd.isna(v) else str(int(v)) for v in values]
        ax.bar_label(bars, labels=labels, padding=2, fontsize=9)
    ax.set_xticks(x, [cohort_label(c) for c in sizes.index])
    ax.set(
        title=f"Cohort sizes in round {round_id}: reported, identified, derived",
        xlabel="Cohort",
        ylabel="Cities",
    )
    ax.legend(title="Count")
    fig.tight_layout()
    caption(
        fig,
        f"{RECORD_SOURCE} n/r = not reported by the program. Identified: by the cohort "
        "the sources state (unknown = not stated). Derived: from each city's history in the "
        "record (unknown = a level is not known).",
    )
    return fig


@shared
def upgrade_times(upgrades: pd.DataFrame, round_id: str) -> Figure:
    """Years from a city's first certification on record to its upgrade, for upgrades up to the
    round, the round's own stacked on top (``upgrades``: :func:`history.upgrades_until`)."""
    timed = upgrades.dropna(subset=["years_since_first"])
    untimed = len(upgrades) - len(timed)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    if len(timed):
        hue, this = "Upgrade in", f"round {round_id}"
        plotted = timed.assign(**{hue: np.where(timed["in_round"], this, "earlier rounds")})
        top = np.ceil(timed["years_since_first"].max()) + 0.5
        sns.histplot(
            data=plotted,
            x="years_since_first",
            hue=hue,
            hue_order=["earlier rounds", this],
            palette=[BASIS_PALETTE["derived"], BASIS_PALETTE["identified"]],
            multiple="stack",
            binwidth=0.5,
            binrange=(0, top),
            edgecolor="white",
            ax=ax,
        )
    else:
        ax.text(
            0.5,
            0.5,
            "no timed upgrade on record up to this round",
            transform=ax.transAxes,
            ha="center",
        )
    ax.set(
        title=f"Years from first certification to upgrade (upgrades up to {round_id})",
        xlabel="Years since the city's first certification on record",
        ylabel="Upgrades",
    )
    fig.tight_layout()
    caption(
        fig,
        f"{RECORD_SOURCE} Upgrades derived from the history or reported; "
        f"{plural(untimed, 'upgrade')} without an earlier certification on record not "
        "plotted. Bins of half a year.",
    )
    return fig


@shared
def cohort_geography(geo: pd.DataFrame, round_id: str) -> Figure:
    """The round's cities by cohort and country, stacked by the level reached in the round
    (``geo``: :func:`history.cohort_geography` by country)."""
    if geo.empty:
        return nothing_to_draw(
            f"Cities of round {round_id} by cohort and country",
            f"No city of round {round_id} is on record.",
            RECORD_SOURCE,
        )
    fig, ax = plt.subplots(figsize=(8.5, 1.2 + 0.4 * len(geo)))
    plot = geo[BUCKETS].iloc[::-1]
    plot.index = [f"{cohort_label(cohort)}: {country}" for cohort, country in plot.index]
    plot.plot.barh(stacked=True, ax=ax, color=tier_colors(BUCKETS), edgecolor="white", width=0.75)
    ax.set(
        title=f"Cities of round {round_id} by cohort and country",
        xlabel="Cities",
        ylabel="Cohort: country",
    )
    ax.legend(title="Level in the round", bbox_to_anchor=(1.01, 1), loc="upper left")
    fig.tight_layout()
    caption(
        fig,
        f"{RECORD_SOURCE} Cohort as stated by the sources, else derived from the "
        "history, else unknown.",
    )
    return fig


@shared
def cohort_sizes_by_round(table: pd.DataFrame, round_id: str) -> Figure:
    """Per reported cohort, one panel: events identified in each round (bars) and the count the
    program reported (dashes; "n/r" when it did not), the round ``round_id`` highlighted
    (``table``: :func:`history.cohort_sizes_table`)."""
    fig, axes = plt.subplots(3, 1, figsize=(9, 8), sharex=True)
    rounds = list(table.index)
    x = np.arange(len(rounds))
    at = rounds.index(round_id)
    for ax, cohort in zip(axes, REPORTED_COHORTS):
        _sizes_panel(ax, x, table[f"{cohort} reported"], table[f"{cohort} identified"])
        ax.axvspan(at - 0.45, at + 0.45, color=HIGHLIGHT, zorder=0)
        ax.set(title=COHORT_NOUNS[cohort].capitalize(), ylabel="Cities")
    axes[0].legend(loc="upper left")
    axes[-1].set_xticks(x, rounds, rotation=45)
    axes[-1].set_xlabel("Round (announcement month)")
    fig.suptitle(
        f"Cohort sizes by round up to {round_id}: reported vs identified",
        fontsize=14,
        fontweight="bold",
    )
    fig.tight_layout()
    caption(
        fig,
        f"{RECORD_SOURCE} Bars: events identified, by the cohort the sources state. "
        "Dashes: counts reported by the program. n/r = not reported. Shaded: round "
        f"{round_id}.",
    )
    return fig


def _sizes_panel(ax, x: np.ndarray, reported: pd.Series, identified: pd.Series) -> None:
    ax.bar(
        x, identified.astype(int), color=BASIS_PALETTE["identified"], width=0.7, label="identified"
    )
    known = reported.notna().to_numpy()
    ax.scatter(
        x[known],
        reported[known].astype(int),
        marker="_",
        s=500,
        linewidths=2.5,
        color=BASIS_PALETTE["reported"],
        zorder=3,
        label="reported",
    )
    for xi in x[~known]:
        ax.annotate(
            "n/r",
            (xi, int(identified.iloc[xi])),
            textcoords="offset points",
            xytext=(0, 2),
            ha="center",
            va="bottom",
            fontsize=8,
            color="#555555",
        )


__all__ = ["cohort_geography", "cohort_sizes", "cohort_sizes_by_round", "upgrade_times"]
