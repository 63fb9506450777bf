"""Charts of the reach (notebook 05): residents of certified cities after every round, and the
certified share of eligible places by population band. Both rest on the APPROXIMATE eligible
universe (GeoNames places of 30,000+ people), and their captions say so and credit GeoNames."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from wwc_analysis.figures.maps import GEONAMES_CREDIT
from wwc_analysis.figures.shared import shared
from wwc_analysis.figures.style import BASIS_PALETTE, RECORD_SOURCE, caption


@shared
def residents_over_time(series: pd.DataFrame) -> Figure:
    """Residents (millions) of the identified certified cities that are GeoNames places, after
    every round, with the share of the eligible population at each point (``series``:
    :func:`history.reach.reach_over_time` with ``by=None``)."""
    fig, ax = plt.subplots(figsize=(8.5, 4.2))
    x = range(len(series))
    millions = series["residents"] / 1e6
    ax.plot(x, millions, marker="o", color=BASIS_PALETTE["identified"], linewidth=2)
    for i, (value, share) in enumerate(zip(millions, series["residents_share"])):
        ax.annotate(
            f"{100 * share:.1f} %", (i, value), xytext=(0, 7), textcoords="offset points",
            ha="center", fontsize=8.5, color="#444444",
        )  # fmt: skip
    ax.set_xticks(list(x), series["round_id"], rotation=45, ha="right")
    ax.set_ylabel("Residents, millions")
    ax.set_ylim(0, max(1.0, float(millions.max()) * 1.15))
    ax.set_title("Residents of certified cities after each round")
    caption(
        fig,
        "Residents of the identified certified cities that are GeoNames places (GeoNames "
        "populations, one snapshot); labels: their share of the residents of all eligible places "
        "(APPROXIMATE). Certified cities the record has not identified are not counted. "
        f"{RECORD_SOURCE} {GEONAMES_CREDIT}",
    )
    return fig


@shared
def rate_by_band(table: pd.DataFrame) -> Figure:
    """Certified share of eligible places in each population band, labelled 'certified of
    eligible' (``table``: :func:`history.reach.reach_table` with ``by="band"``)."""
    fig, ax = plt.subplots(figsize=(7.5, 4.0))
    labels = [str(b) for b in table.index]
    shares = 100 * table["rate"]
    bars = ax.bar(labels, shares, color=BASIS_PALETTE["identified"], width=0.6)
    for bar, certified, eligible in zip(bars, table["certified"], table["eligible"]):
        ax.annotate(
            f"{certified} of {eligible:,}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            xytext=(0, 4), textcoords="offset points", ha="center", fontsize=9,
        )  # fmt: skip
    ax.set_xlabel("Population of the place (GeoNames)")
    ax.set_ylabel("Certified, % of eligible places")
    ax.set_ylim(0, max(5.0, float(shares.max()) * 1.2))
    ax.set_title("Certification rate by city size")
    caption(
        fig,
        "Identified certified cities linked to a GeoNames place, as a share of the eligible "
        "places of each band (APPROXIMATE: the universe is not the program's list). "
        f"{RECORD_SOURCE} {GEONAMES_CREDIT}",
    )
    return fig


__all__ = ["rate_by_band", "residents_over_time"]
