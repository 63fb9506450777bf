"""Point maps of the certified cities over the APPROXIMATE eligible universe, drawn offline.

No tiles, no network, no shapefile: the places of the universe (GeoNames, 30,000+ people) are drawn
as faint grey dots and outline the continents by themselves; the certified cities of the record sit
on top, coloured by their latest level (the tier palette; a level the record does not give has the
``Unknown`` colour) and sized by population. The projection is plain longitude / latitude with the
aspect of the map's middle latitude (equirectangular): distances are right near that latitude.

Every caption names the sources, says the universe is approximate and credits GeoNames (CC BY 4.0).
The certified cities are one scatter whose ``gid`` is :data:`CERTIFIED_GID`, so a test can compare
the plotted points with the crosswalk.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from wwc_analysis.data.reach_tables import UNIVERSE_CREDIT
from wwc_analysis.figures.shared import shared
from wwc_analysis.figures.style import LEVEL_ORDER, TIER_PALETTE, caption, tier_colors
from wwc_analysis.history.reach import certified_places, places
from wwc_analysis.history.rounds import to_timestamp
from wwc_analysis.text.words import day, join_and, plural

if TYPE_CHECKING:  # pragma: no cover
    from wwc_analysis.data.dataset import Dataset

CERTIFIED_GID = "wwc-certified-cities"
UNIVERSE_GID = "wwc-eligible-universe"
#: The views: (west, east, south, north) in degrees, and a title.
VIEWS: dict[str, tuple[tuple[float, float, float, float], str]] = {
    "americas": ((-128.0, -30.0, -56.0, 62.0), "the Americas"),
    "us_canada": ((-128.0, -52.0, 23.0, 60.0), "the United States and Canada"),
}
GEONAMES_CREDIT = UNIVERSE_CREDIT.replace("Eligible universe (", "Eligible universe (grey, ", 1)
RECORD_CREDIT = (
    "Certified cities: WWC Certification public record, data/certifications.csv, placed with "
    "data/crosswalk.csv."
)
_SIZE_REFERENCE = (100_000, 1_000_000, 5_000_000)


def _marker_size(population: pd.Series | np.ndarray, scale: float) -> np.ndarray:
    """Marker area (points²) grows with population: a city of 1 M is ``scale``."""
    values = np.asarray(population, dtype="float64")
    return scale * np.sqrt(values / 1e6)


@shared
def reach_map(
    data: Dataset, as_of=None, view: str = "americas", labels: int = 12, country=None
) -> Figure:
    """The certified cities identified by ``as_of`` (``None``: all on record) over the eligible
    universe, in ``view`` (:data:`VIEWS`), with the ``labels`` largest certified cities named.
    ``country`` (a name) keeps one country's certified cities (the universe stays whole)."""
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, got {view!r}")
    (west, east, south, north), where = VIEWS[view]
    cities = certified_places(data, as_of)
    if country not in (None, ""):
        cities = cities[cities["country"].str.casefold() == str(country).strip().casefold()]
    linked = cities[cities["linked"]].sort_values("population", ascending=False)
    inside = linked["longitude"].between(west, east) & linked["latitude"].between(south, north)
    width = 9.0 if view == "americas" else 10.0  # of the map; the legend sits to its right
    fig, ax = plt.subplots(figsize=(width + 2.6, width * _aspect(west, east, south, north)))
    universe = places(data)
    ax.scatter(
        universe["longitude"],
        universe["latitude"],
        s=2,
        color="#B8B8B8",
        alpha=0.6,
        linewidths=0,
        gid=UNIVERSE_GID,
        zorder=1,
    )
    scale = 60.0 if view == "americas" else 90.0
    ax.scatter(
        linked["longitude"],
        linked["latitude"],
        s=_marker_size(linked["population"].astype("float64"), scale),
        c=tier_colors(linked["level"]),
        edgecolors="#333333",
        linewidths=0.6,
        alpha=0.9,
        gid=CERTIFIED_GID,
        zorder=3,
    )
    _frame(ax, west, east, south, north)
    _legends(ax, linked["level"], scale)
    _label_largest(fig, ax, linked[inside], labels)
    ax.set_title(f"Certified cities in {where}, {_when(as_of)}")
    hidden = ~(
        universe["longitude"].between(west, east) & universe["latitude"].between(south, north)
    )
    caption(fig, _caption_text(cities, linked, inside, int(hidden.sum())))
    return fig


def _aspect(west: float, east: float, south: float, north: float) -> float:
    """Height / width of the map in an equirectangular projection at the middle latitude."""
    middle = math.radians((south + north) / 2)
    return min(1.25, (north - south) / ((east - west) * math.cos(middle))) * 0.95


def _frame(ax, west: float, east: float, south: float, north: float) -> None:
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / math.cos(math.radians((south + north) / 2)))
    ax.set_xlabel("Longitude (°)")
    ax.set_ylabel("Latitude (°)")
    ax.grid(True, color="#EEEEEE", linewidth=0.6)
    ax.set_axisbelow(True)


def _legends(ax, levels: pd.Series, scale: float) -> None:
    """One legend: the levels present (Unknown included when present), then the sizes."""
    names = [str(v) for v in levels.dropna().unique()]
    shown = [level for level in LEVEL_ORDER if level in names]
    if levels.isna().any():
        shown.append("Unknown")
    handles = [
        Line2D([], [], marker="o", linestyle="", markersize=8, markerfacecolor=TIER_PALETTE[name],
               markeredgecolor="#333333", label=f"{name} (latest level)" if name != "Unknown"
               else "level not known")
        for name in shown
    ]  # fmt: skip
    for population in _SIZE_REFERENCE:
        area = float(_marker_size(np.array([population]), scale)[0])
        handles.append(
            Line2D([], [], marker="o", linestyle="", markersize=math.sqrt(area),
                   markerfacecolor="white", markeredgecolor="#333333",
                   label=f"{population / 1e6:g} M residents")
        )  # fmt: skip
    handles.append(
        Line2D([], [], marker="o", linestyle="", markersize=3, markerfacecolor="#B8B8B8",
               markeredgecolor="none", label="eligible place (approximate)")
    )  # fmt: skip
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9)


def _label_largest(fig: Figure, ax, cities: pd.DataFrame, n: int) -> None:
    """Name the ``n`` most populous cities; a label that would overlap one already placed tries
    the other side, then is left out (the city stays on the map)."""
    ax.apply_aspect()  # the frame as drawn: the aspect shrinks the axes (no need to draw it all)
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    placed: list = []
    offsets = ((6, 4, "left"), (-6, 4, "right"), (6, -10, "left"), (-6, -10, "right"))
    for row in cities.head(n).itertuples(index=False):
        for dx, dy, align in offsets:
            text = ax.annotate(
                str(row.city),
                (row.longitude, row.latitude),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=align,
                fontsize=8.5,
                zorder=4,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
            )
            box = text.get_window_extent(renderer)
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
            text.remove()


def _when(as_of) -> str:
    return "all rounds on record" if as_of is None else f"as of {day(to_timestamp(as_of))}"


def _caption_text(
    cities: pd.DataFrame, linked: pd.DataFrame, inside: pd.Series, hidden_places: int
) -> str:
    """Counts of what is drawn and what is not, then the sources."""
    outside_universe = cities.loc[~cities["linked"], "city"].astype(str).tolist()
    text = (
        f"{plural(len(cities), 'certified city', 'certified cities')} identified; "
        f"{len(linked)} drawn at their GeoNames place, coloured by latest level and sized by "
        "population (GeoNames)."
    )
    if outside_universe:
        text += f" Not GeoNames places, so not drawn: {join_and(sorted(outside_universe))}."
    beyond = int((~inside).sum())
    if beyond:
        lie = plural(beyond, "certified city lies", "certified cities lie")
        text += f" {lie} outside this view."
    if hidden_places:
        lie = "eligible place lies" if hidden_places == 1 else "eligible places lie"
        text += f" {hidden_places:,} {lie} outside it."
    return f"{text} {RECORD_CREDIT} {GEONAMES_CREDIT}"


__all__ = ["CERTIFIED_GID", "GEONAMES_CREDIT", "UNIVERSE_GID", "VIEWS", "reach_map"]
