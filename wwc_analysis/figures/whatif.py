"""Charts of the what-if notebook, one function per chart, each returning its Figure (the caller
saves it with :func:`~wwc_analysis.report.outputs.save_figure` and shows it with ``plt.show()``):
the criteria a city meets by practice area, a threshold sweep and the chance of each tier."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from wwc_analysis.figures.style import TIER_ORDER, TIER_PALETTE, caption
from wwc_analysis.rules.standards import TIERS

__all__ = ["plot_criteria_by_area", "plot_threshold_sweep", "plot_tier_probabilities"]


def plot_criteria_by_area(
    areas: pd.DataFrame, tier: str, note: str, simulated: bool = False
) -> Figure:
    """Bars of the criteria a city meets in each practice area over the area's size
    (``areas`` from :func:`wwc_analysis.whatif.criteria_met_by_area`), in the colour of the city's
    ``tier``; ``note`` is the caption naming the source; a ``simulated`` city (a fictional example)
    gets the SIMULATED caption and title."""
    fig, ax = plt.subplots(figsize=(8, 4.2))
    names, met, size = areas.index[::-1], areas["met"][::-1], areas["criteria"][::-1]
    ax.barh(names, size, color="#E8E8E8", edgecolor="#999999", label="criteria in the area")
    bars = ax.barh(
        names, met, color=TIER_PALETTE[tier], edgecolor="#555555", label=f"met by the city ({tier})"
    )
    ax.bar_label(bars, labels=[f"{m} of {n}" for m, n in zip(met, size)], padding=3)
    title = "Criteria the city meets, by practice area"
    ax.set(
        title=f"SIMULATED: {title[0].lower()}{title[1:]}" if simulated else title,
        xlabel="Criteria",
        ylabel="Practice area",
    )
    ax.legend(loc="lower right")
    caption(fig, note, simulated=simulated)
    return fig


def _sweep_axes(swept: list[str], ax, figsize) -> tuple[Figure, list]:
    if ax is None:
        size = figsize or (4.2 * len(swept), 3.4)
        fig, axes = plt.subplots(1, len(swept), figsize=size, sharey=True, squeeze=False)
        return fig, list(axes[0])
    axes = list(np.atleast_1d(ax))
    if len(axes) != len(swept):
        raise ValueError(f"{len(swept)} swept tier(s) but {len(axes)} Axes given")
    return axes[0].figure, axes


def _mark(
    axis,
    value: int,
    text: str,
    y: float,
    color: str,
    ls: str,
    lw: float,
    fontsize: str,
    offset: tuple[int, int],
) -> None:
    """A vertical line at ``value``, labelled ``text`` at height ``y`` (an axes fraction)."""
    axis.axvline(value, color=color, lw=lw, ls=ls)
    axis.annotate(
        text,
        (value, y),
        xytext=offset,
        textcoords="offset points",
        fontsize=fontsize,
        xycoords=("data", "axes fraction"),
        color=color,
    )


def _sweep_panel(axis, part: pd.DataFrame, name: str, per: int, current: dict) -> None:
    """One panel of the sweep: cities (or shares, when ``per`` > 0) at or above each tier as the
    ``name`` cut-off moves; a dotted line at the standard's own cut-off when ``current`` has it."""
    for t in TIERS:
        rows = part[part["tier"] == t]
        y = rows["at_least"] / per if per else rows["at_least"]
        axis.plot(rows["threshold"], y, label=f"{t} or above", color=TIER_PALETTE[t], lw=1.8)
    if name in current:
        value = current[name]
        _mark(axis, value, f"current {value} %", 0, "k", ":", 0.8, "x-small", (3, 3))
    axis.set_title(f"Sweeping the {name} threshold")
    axis.set_xlabel(f"{name} threshold (% of criteria)")
    axis.set_xlim(0, 100)
    axis.grid(alpha=0.3)


def plot_threshold_sweep(
    sweep: pd.DataFrame,
    ax=None,
    *,
    share: bool = False,
    mark_current: bool = True,
    scenario: tuple[str, int] | None = None,
    title: str | None = None,
    note: str | None = None,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Draw a :func:`~wwc_analysis.whatif.threshold_sweep`: one panel per swept tier, the count (or
    with ``share=True`` the share) of cities at or above each tier.

    ``ax``: one Axes per swept tier (or a single Axes when one tier was swept); otherwise a new
    figure of ``figsize``. ``mark_current`` draws a dotted line at the standard's own cut-off;
    ``scenario=(tier, value)`` a dashed line at another cut-off on that tier's panel. ``title`` goes
    above the panels; ``note`` replaces the default caption (the caption says SIMULATED when the
    sweep is). Returns the figure.
    """
    swept = [t for t in TIERS if t in set(sweep["swept"].astype(str))]
    fig, axes = _sweep_axes(swept, ax, figsize)
    n = sweep.attrs.get("cities", 0)
    current = sweep.attrs.get("thresholds", {})
    for axis, name in zip(axes, swept):
        part = sweep[sweep["swept"] == name]
        _sweep_panel(axis, part, name, n if share else 0, current if mark_current else {})
        if scenario is not None and scenario[0] == name:
            _mark(
                axis,
                scenario[1],
                f"scenario {scenario[1]} %",
                0.55,
                "#8B0000",
                "--",
                1,
                "small",
                (4, 0),
            )
    axes[0].set_ylabel(
        "Share of cities at or above the tier" if share else "Cities at or above the tier"
    )
    axes[-1].legend(loc="upper right", fontsize="small", frameon=False)
    if title:
        fig.suptitle(title, fontsize=14, fontweight="bold")
    fig.tight_layout()
    default = (
        f"Threshold sweep of {n:,} cities, standard {sweep.attrs.get('standard', '')}; "
        "other thresholds kept in order."
    )
    caption(fig, note or default, simulated=bool(sweep.attrs.get("simulated")))
    return fig


def plot_tier_probabilities(probs: pd.Series, uncertain: int, p: float, note: str) -> Figure:
    """Bars of the chance of each tier (``probs`` from
    :func:`~wwc_analysis.whatif.city_tier_probabilities`) when ``uncertain`` criteria are each met
    with probability ``p``; ``note`` is the caption naming the source."""
    fig, ax = plt.subplots(figsize=(7, 4.2))
    tiers = list(TIER_ORDER)
    bars = ax.bar(
        tiers,
        probs.reindex(tiers).to_numpy(),
        color=[TIER_PALETTE[t] for t in tiers],
        edgecolor="#555555",
    )
    ax.bar_label(bars, labels=[f"{v:.1%}" for v in probs.reindex(tiers)], padding=3)
    ax.set(
        title=f"Chance of each tier, {uncertain} criteria at {p:.0%}",
        xlabel="Tier at the next assessment",
        ylabel="Probability",
        ylim=(0, 1.12),
    )
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    caption(fig, note)
    return fig
