"""Charts of the robustness analysis (section 7 of the what-if notebook), one function per chart,
each returning its Figure with a caption naming the source (SIMULATED when the cities are): the
intervals of the tier counts, the sensitivity indices with their intervals, the criteria that move
most cities when left out or met by all, and one city's tier distribution with the criteria that
decide it."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from wwc_analysis.figures.style import NEGATIVE, TIER_ORDER, TIER_PALETTE, caption
from wwc_analysis.whatif import (
    CityStability,
    CriterionImpacts,
    SensitivityResult,
    UncertaintyResult,
)

__all__ = [
    "plot_city_stability",
    "plot_criterion_impacts",
    "plot_sensitivity",
    "plot_tier_count_intervals",
]

#: Inputs whose total effect stays below this on every output are left out of the chart.
SMALL_EFFECT = 0.005
_UP = "#0072B2"  # Okabe-Ito blue: cities that move up


def _title(text: str, simulated: bool) -> str:
    return f"SIMULATED: {text}" if simulated else text


def plot_tier_count_intervals(unc: UncertaintyResult, note: str, level: float = 0.9) -> Figure:
    """One row per tier: the range of its count over the runs (thin line), the central ``level``
    interval (thick bar), the median (tick) and the count under the standard as it is
    (diamond)."""
    c = unc.count_frame(level)
    fig, ax = plt.subplots(figsize=(9, 3.8))
    tiers = list(TIER_ORDER)[::-1]
    for y, tier in enumerate(tiers):
        colour = TIER_PALETTE[tier]
        ax.plot([c.at[tier, "min"], c.at[tier, "max"]], [y, y], color=colour, lw=1.5)
        ax.plot([c.at[tier, "low"], c.at[tier, "high"]], [y, y], color=colour, lw=11, alpha=0.85)
        ax.plot(c.at[tier, "median"], y, marker="|", ms=18, mew=2.5, color="#222222")
        ax.plot(c.at[tier, "baseline"], y, marker="D", ms=8, color="white", mec="#222222", mew=1.5)
        ax.annotate(
            f"{c.at[tier, 'low']}–{c.at[tier, 'high']}",
            (c.at[tier, "max"], y),
            xytext=(6, -4),
            textcoords="offset points",
            fontsize="small",
        )
    ax.set_yticks(range(len(tiers)), tiers)
    ax.set_xlim(0, c["max"].max() * 1.15 + 1)
    ax.set_ylim(-0.6, len(tiers) - 0.4)
    ax.grid(axis="y", visible=False)
    grey = "#777777"
    ax.legend(
        handles=[
            Line2D([], [], color=grey, lw=9, label=f"central {level:.0%} of runs"),
            Line2D([], [], color=grey, lw=1.5, label="lowest to highest"),
            Line2D([], [], color="#222222", marker="|", ls="", ms=12, mew=2.5, label="median"),
            Line2D(
                [], [], color="white", marker="D", ls="", mec="#222222", label="standard as it is"
            ),
        ],
        loc="lower right",
        ncol=2,
        fontsize="small",
        frameon=True,
        framealpha=0.9,
    )
    ax.set_xlabel("Cities at the tier")
    ax.set_title(_title(f"Tier counts over {unc.runs:,} runs of uncertain rules", unc.simulated))
    ax.grid(axis="x", alpha=0.3)
    caption(fig, note, simulated=unc.simulated)
    return fig


def _shown_groups(sens: SensitivityResult) -> list[int]:
    """Groups with a total effect of at least SMALL_EFFECT on some output, largest first."""
    top = np.nan_to_num(sens.total, nan=0.0).max(axis=1)
    order = np.argsort(-top, kind="stable")
    return [int(i) for i in order if top[i] >= SMALL_EFFECT]


def _sensitivity_panel(ax, sens: SensitivityResult, j: int, shown: list[int]) -> None:
    y = np.arange(len(shown))[::-1]
    if np.isnan(sens.variance[j]) or sens.variance[j] == 0:
        ax.text(0.5, 0.5, "does not vary", ha="center", va="center", transform=ax.transAxes)
    else:
        for offset, (name, est, low, high, colour) in zip(
            (0.18, -0.18),
            (
                ("first order (S)", sens.first, sens.first_low, sens.first_high, "#56B4E9"),
                ("total effect (ST)", sens.total, sens.total_low, sens.total_high, "#0072B2"),
            ),
        ):
            v, lo, hi = (np.nan_to_num(a[shown, j]) for a in (est, low, high))
            err = np.vstack([np.clip(v - lo, 0, None), np.clip(hi - v, 0, None)])
            ax.barh(y + offset, v, height=0.34, color=colour, label=name)
            ax.errorbar(v, y + offset, xerr=err, fmt="none", ecolor="#333333", lw=1, capsize=2)
    out = sens.outputs[j]
    ax.set_title(f"Number of {out} cities" if out != "tier" else "The city's tier")
    ax.grid(axis="y", visible=False)
    ax.set_xlim(-0.05, 1.05)
    ax.axvline(0, color="#999999", lw=0.8)
    ax.grid(axis="x", alpha=0.3)


def plot_sensitivity(sens: SensitivityResult, note: str) -> Figure:
    """One panel per output: each input's first-order and total-effect index with its bootstrap
    interval (inputs that never reach a total effect of 0.005 are left out)."""
    shown = _shown_groups(sens)
    k = len(sens.outputs)
    cols = 2 if k > 1 else 1
    rows = -(-k // cols)
    height = max(2.4, 0.36 * len(shown) + 1.2)
    fig, axes = plt.subplots(rows, cols, figsize=(12, height * rows), sharey=True, squeeze=False)
    labels = [sens.groups[i].label for i in shown]
    for j, ax in enumerate(axes.ravel()):
        if j >= k:
            ax.set_visible(False)
            continue
        _sensitivity_panel(ax, sens, j, shown)
        ax.set_yticks(np.arange(len(shown))[::-1], labels)
    axes[0, 0].legend(loc="lower right", fontsize="small")
    fig.suptitle(
        _title("Which uncertain rule drives the tier counts?", sens.simulated),
        fontsize=14,
        fontweight="bold",
    )
    fig.tight_layout()
    caption(fig, note, simulated=sens.simulated)
    return fig


def _impact_panel(ax, impacts: CriterionImpacts, top: int, title: str) -> None:
    table = impacts.table().head(top)
    y = np.arange(len(table))[::-1]
    ax.barh(y, table["up"], color=_UP, label="move up")
    if table["down"].any():
        ax.barh(y, table["down"], left=table["up"], color=NEGATIVE, label="move down")
    for yi, total in zip(y, table["changed"]):
        ax.annotate(str(total), (total, yi), xytext=(3, -4), textcoords="offset points")
    ax.set_yticks(y, [f"{c} ({a})" for c, a in zip(table.index, table["practice_area"])])
    ax.set_xlabel("Cities that change tier")
    ax.set_title(title)
    ax.set_xlim(0, max(1, table["changed"].max()) * 1.18)
    ax.grid(axis="x", alpha=0.3)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right", fontsize="small")


def plot_criterion_impacts(
    loo: CriterionImpacts, note: str, add: CriterionImpacts | None = None, top: int = 12
) -> Figure:
    """The ``top`` criteria that move most cities when left out of the standard (and, with ``add``,
    when met by every city), cities moving up and down stacked."""
    panels = [(loo, "Left out of the standard")] + ([(add, "Met by every city")] if add else [])
    fig, axes = plt.subplots(1, len(panels), figsize=(6.5 * len(panels), 0.34 * top + 1.8))
    for ax, (impacts, title) in zip(np.atleast_1d(axes), panels):
        _impact_panel(ax, impacts, top, title)
    fig.suptitle(
        _title("Which criteria are binding?", loo.simulated), fontsize=14, fontweight="bold"
    )
    fig.tight_layout()
    caption(fig, note, simulated=loo.simulated)
    return fig


def plot_city_stability(city: CityStability, note: str, top: int = 10) -> Figure:
    """Left: the share of runs at each tier (its tier under the standard outlined). Right: the
    ``top`` criteria whose status most often decides its tier (met: lose it; not met: gain it)."""
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [1, 1.4]}
    )
    tiers = list(TIER_ORDER)
    bars = left.bar(tiers, city.shares, color=[TIER_PALETTE[t] for t in tiers], edgecolor="#555555")
    bars[city.baseline].set_linewidth(2.5)
    bars[city.baseline].set_edgecolor("#222222")
    left.bar_label(bars, labels=[f"{v:.0%}" for v in city.shares], padding=3)
    left.set(ylim=(0, 1.15), ylabel="Share of runs", title=f"Tier over {city.runs:,} runs")
    left.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    left.tick_params(axis="x", labelrotation=15)
    table = city.decisive_table(top)
    y = np.arange(len(table))[::-1]
    colours = [NEGATIVE if s == "met" else _UP for s in table["status"]]
    right.barh(y, table["decisive_share"], color=colours)
    right.set_yticks(y, [f"{c} ({s})" for c, s in zip(table.index, table["status"])])
    right.set(xlim=(0, 1), xlabel="Share of runs in which it decides the tier")
    right.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    right.set_title("Criteria that decide its tier")
    right.grid(axis="y", visible=False)
    right.legend(
        handles=[
            Patch(color=NEGATIVE, label="met: losing it lowers the tier"),
            Patch(color=_UP, label="not met: meeting it raises the tier"),
        ],
        loc="lower right",
        fontsize="small",
    )
    if table.empty:
        right.text(0.5, 0.5, "no criterion decides it", ha="center", transform=right.transAxes)
    fig.suptitle(
        _title("How stable is this city's tier?", city.simulated),
        fontsize=14,
        fontweight="bold",
    )
    fig.tight_layout()
    caption(fig, note, simulated=city.simulated)
    return fig
