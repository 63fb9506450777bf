"""Charts of the certified cities and their levels (notebooks 01 and 04): growth of the group,
levels after each round, latest levels, cities by country and region, moves between levels.

One function per chart; each draws from frames of :mod:`wwc_analysis.history`, puts the caption
naming its source under the figure and returns the Figure (the notebook saves and shows it).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
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
from wwc_analysis.history.levels import LEVEL_BUCKETS
from wwc_analysis.history.rounds import to_timestamp
from wwc_analysis.text.words import day, short_day

BUCKETS = list(LEVEL_BUCKETS)
_LEGEND_RIGHT = {"bbox_to_anchor": (1.01, 1), "loc": "upper left"}


@shared
def growth(grow: pd.DataFrame, year=None) -> Figure:
    """Cities ever certified after each round: the total the program reported (dashed), the cities
    the record identifies (solid) and the gap between them (shaded); the rounds announced in
    ``year`` on a highlighted band. ``grow`` is :func:`history.growth` (all countries)."""
    fig, ax = plt.subplots(figsize=(9, 4.8))
    reported = grow.dropna(subset=["reported_total_certified"])
    rep_total = reported["reported_total_certified"]
    color = BASIS_PALETTE
    ax.fill_between(
        reported["announced"],
        reported["identified_total_certified"],
        rep_total.astype(float),
        step="post",
        color=color["reported"],
        alpha=0.12,
        label="gap: certified, not identified",
    )
    ax.step(
        reported["announced"],
        rep_total.astype(int),
        where="post",
        ls="--",
        lw=2,
        marker="o",
        color=color["reported"],
        label="reported total",
    )
    ax.step(
        grow["announced"],
        grow["identified_total_certified"],
        where="post",
        lw=2,
        marker="o",
        color=color["identified"],
        label="identified in the record",
    )
    _growth_notes(ax, grow, reported)
    if year is not None and grow["announced"].dt.year.eq(int(year)).any():
        ax.axvspan(
            pd.Timestamp(int(year), 1, 1),
            pd.Timestamp(int(year), 12, 31),
            color=HIGHLIGHT,
            zorder=0,
            label=f"rounds of {year}",
        )
    ax.set(
        title="Cities ever certified, reported vs identified",
        xlabel="Round date",
        ylabel="Cities ever certified",
    )
    ax.legend(loc="upper left")
    fig.tight_layout()
    caption(fig, _growth_caption(grow))
    return fig


def _growth_caption(grow: pd.DataFrame) -> str:
    """The growth chart's source caption; it names the reconstructed rounds, whose total (if
    any) was not stated by the program."""
    rebuilt = list(grow.loc[grow["reconstructed"].astype(bool), "round_id"])
    also = (
        f" Reconstructed round{'s' if len(rebuilt) > 1 else ''} {', '.join(rebuilt)}: no program "
        "announcement found; a total stated after it comes from other sources."
        if rebuilt
        else ""
    )
    return (
        f"{RECORD_SOURCE} Reported: rounds.csv reported_total_certified (stated by the program "
        "after the round; not stated for some rounds). Identified: distinct cities with a "
        f"certification event in certifications.csv by that round. All countries.{also}"
    )


def _growth_notes(ax, grow: pd.DataFrame, reported: pd.DataFrame) -> None:
    """Write each gap above its reported total, and 'total not reported' where none was stated."""
    note = {"textcoords": "offset points", "ha": "center", "fontsize": 9}
    for r in reported[reported["gap"] > 0].itertuples():
        ax.annotate(
            f"gap {r.gap}", (r.announced, r.reported_total_certified), xytext=(0, 8), **note
        )
    for r in grow[grow["reported_total_certified"].isna()].itertuples():
        ax.annotate(
            "total not\nreported",
            (r.announced, r.identified_total_certified),
            xytext=(0, 10),
            **note,
        )


@shared
def levels_by_round(by_round: pd.DataFrame) -> Figure:
    """After each round, the latest level of each identified city (stacked bars) and the total the
    program reported (a dash). ``by_round`` is :func:`history.levels_by_round`."""
    fig, ax = plt.subplots(figsize=(9, 4.8))
    by_round.set_index("round_id")[BUCKETS].plot.bar(
        stacked=True, ax=ax, color=tier_colors(BUCKETS), edgecolor="white", width=0.75
    )
    shown = by_round["reported_total_certified"].notna().to_numpy()
    ax.scatter(
        by_round.index[shown],
        by_round.loc[shown, "reported_total_certified"].astype(int),
        marker="_",
        s=500,
        linewidths=2.5,
        color=BASIS_PALETTE["reported"],
        zorder=3,
        label="reported total",
    )
    ax.set(
        title="Latest level of each identified city after each round",
        xlabel="Round (month)",
        ylabel="Cities ever certified",
    )
    ax.tick_params(axis="x", rotation=45)
    ax.legend(title="Latest level", **_LEGEND_RIGHT)
    fig.tight_layout()
    caption(
        fig,
        f"{RECORD_SOURCE} Each identified city counted once at the level of its latest "
        "event up to the round; Unknown = that event's level is not in the record. Dash = "
        "total reported after the round (by the program, or by other sources for a "
        "reconstructed round); the space between bar and dash is cities not identified. "
        "All countries.",
    )
    return fig


@shared
def latest_levels(counts: pd.Series, as_of, place: str = "all countries") -> Figure:
    """Cities by the level of their latest certification on or before ``as_of`` (``counts``:
    :func:`history.level_counts`, Unknown kept)."""
    as_of = to_timestamp(as_of)
    fig, ax = plt.subplots(figsize=(7, 4.2))
    bars = ax.bar(
        counts.index, counts.to_numpy(), color=tier_colors(counts.index), edgecolor="#555555"
    )
    ax.bar_label(bars, padding=2)
    ax.margins(y=0.1)  # room for the tallest bar's label below the title
    ax.set(
        title=f"Latest level of certified cities, {place}, {short_day(as_of)}",
        xlabel="Latest level",
        ylabel="Cities",
    )
    fig.tight_layout()
    caption(
        fig,
        f"{RECORD_SOURCE} Each identified city counted once, at its latest certification "
        f"on or before {short_day(as_of)}; Unknown = that certification's level is not in the "
        "record (never guessed).",
    )
    return fig


@shared
def by_country(
    table: pd.DataFrame, as_of, place: str = "all countries", new_in: int | None = None
) -> Figure:
    """Certified cities by country, stacked by latest level, with each country's total. ``table``
    is :func:`history.geography` (or :func:`history.countries_reached`: with ``new_in``, countries
    reached for the first time that year are marked)."""
    as_of = to_timestamp(as_of)
    title = f"Certified cities by country and latest level, {short_day(as_of)}"
    if table.empty:
        why = f"No certified city on record by {day(as_of)} (place filter: {place})."
        return nothing_to_draw(title, why, RECORD_SOURCE)
    plot = table[BUCKETS]
    if new_in is not None and "new_country" in table.columns:
        new = table["new_country"]
        plot = plot.rename(index=lambda c: f"{c} (new in {new_in})" if new[c] else c)
    fig, ax = plt.subplots(figsize=(8, 1.6 + 0.42 * len(plot)))
    plot.iloc[::-1].plot.barh(
        stacked=True, ax=ax, color=tier_colors(BUCKETS), edgecolor="white", width=0.75
    )
    totals = [str(n) for n in table["total"].iloc[::-1]]
    ax.bar_label(ax.containers[-1], labels=totals, padding=3)
    ax.set(title=title, xlabel="Cities", ylabel="Country")
    ax.legend(title="Latest level", **_LEGEND_RIGHT)
    fig.tight_layout()
    caption(
        fig,
        f"{RECORD_SOURCE} Each city counted once, at the level of its latest "
        f"certification on or before {short_day(as_of)}. Place filter: {place}.",
    )
    return fig


@shared
def by_region(table: pd.DataFrame, place: str = "all countries", top: int = 15) -> Figure:
    """The ``top`` regions with most certified cities, stacked by latest level (``table``:
    :func:`history.geography` by region)."""
    if table.empty:
        why = f"No certified city on record (place filter: {place})."
        return nothing_to_draw("Regions with most certified cities", why, RECORD_SOURCE)
    shown = table.head(top)
    plot = shown[BUCKETS].iloc[::-1]
    plot.index = [f"{r} ({c})" for c, r in plot.index]
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.35 * len(plot)))
    plot.plot.barh(stacked=True, ax=ax, color=tier_colors(BUCKETS), edgecolor="white", width=0.75)
    ax.set(
        title=f"Regions with most certified cities (top {len(shown)} of {len(table)})",
        xlabel="Cities",
        ylabel="Region (country)",
    )
    ax.legend(title="Latest level", **_LEGEND_RIGHT)
    fig.tight_layout()
    caption(
        fig,
        f"{RECORD_SOURCE} Region = US state, Canadian province or first-level "
        f"subdivision. Place filter: {place}.",
    )
    return fig


@shared
def transitions(matrix: pd.DataFrame, as_of, place: str = "all countries") -> Figure:
    """Level at consecutive certifications of a city, from (rows) and to (columns), Unknown kept
    (``matrix``: :func:`history.transition_matrix`)."""
    as_of = to_timestamp(as_of)
    fig, ax = plt.subplots(figsize=(6.5, 5))
    sns.heatmap(
        matrix,
        annot=True,
        fmt="d",
        cmap="Blues",
        cbar=False,
        linewidths=0.5,
        linecolor="white",
        ax=ax,
    )
    ax.set(
        title="Level at consecutive certifications",
        xlabel="Level at the later certification",
        ylabel="Level at the earlier certification",
    )
    ax.tick_params(axis="y", rotation=0)
    fig.tight_layout()
    caption(
        fig,
        f"{RECORD_SOURCE} Consecutive events of the same city up to {short_day(as_of)}; "
        f"Unknown = level not in the record. Place filter: {place}.",
    )
    return fig


__all__ = ["by_country", "by_region", "growth", "latest_levels", "levels_by_round", "transitions"]
