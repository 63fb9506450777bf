"""The look shared by every notebook and report figure: style, palettes and captions.

The one palette module: tier colours (:data:`TIER_PALETTE`, :func:`tier_colors`), the colours of the
bases of a count (:data:`BASIS_PALETTE`: reported / identified / derived), the highlight of the
round or year a chart is about, and the source line of the public record. Notebooks call
:func:`set_style` once; the chart functions of :mod:`wwc_analysis.figures` put a :func:`caption`
under every figure naming its source, and figures built on simulated data pass ``simulated=True`` so
the caption says so.
"""

from __future__ import annotations

import textwrap
import weakref
from collections.abc import Iterable, Mapping
from typing import Any

import matplotlib as mpl
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from wwc_analysis.data.schemas import LEVELS
from wwc_analysis.rules.scoring import SCORE_TIERS

# One fixed colour per tier. Chosen so the tiers read as silver / gold / platinum yet differ in
# lightness (the cue that survives every kind of colour-vision deficiency) and, for Silver vs Gold,
# along the blue-yellow axis that red-green colour-blind readers still see:
#   Platinum  dark steel blue  (L* ~ 37)
#   Not certified neutral mid grey (L* ~ 53)
#   Gold      deep gold        (L* ~ 69, strongly yellow)
#   Silver    light steel blue (L* ~ 72, bluish)
#   Unknown   very light grey  (L* ~ 87; "we do not know", so the faintest)
TIER_PALETTE: dict[str, str] = {
    "Not certified": "#7F7F7F",
    "Silver": "#9DB4CF",
    "Gold": "#D89B1C",
    "Platinum": "#3D5A80",
    "Unknown": "#D9D9D9",
}

#: Tiers from lowest to highest (the order of ``SCORE_TIER_DTYPE``), for ``hue_order``/``order``.
TIER_ORDER: tuple[str, ...] = SCORE_TIERS

#: Certification levels only (the order of ``LEVEL_DTYPE``).
LEVEL_ORDER: tuple[str, ...] = LEVELS

SIMULATED_LABEL = "SIMULATED DATA \u2014 fictional cities."

#: One colour per basis of a count, in every chart that compares them (Okabe-Ito: near-black for
#: what the program reported, blue for what the record identifies, sky blue for what is derived).
BASIS_PALETTE: dict[str, str] = {
    "reported": "#222222",
    "identified": "#0072B2",
    "derived": "#56B4E9",
}

#: Background of the round or year a chart is about (a pale yellow band).
HIGHLIGHT = "#FFE9A8"

#: Colour of a negative difference (Okabe-Ito vermillion) beside ``BASIS_PALETTE["identified"]``.
NEGATIVE = "#D55E00"

#: The caption's source line of every chart drawn from the public record.
RECORD_SOURCE = (
    "Source: WWC Certification public record, data/rounds.csv and data/certifications.csv "
    "(sources on every row)."
)

#: The gid of the caption text :func:`caption` writes (how a caption is found on a figure).
CAPTION_GID = "wwc-caption"
_CAPTION_FONTSIZE = 9
_LOOKUP = {name.casefold(): name for name in TIER_PALETTE}

_RC: dict[str, Any] = {
    "figure.figsize": (8.0, 4.5),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    # Captions sit below the axes (negative figure coordinates); "tight" keeps them in saved files.
    "savefig.bbox": "tight",
    "savefig.format": "png",
    "axes.titlesize": 14,
    # Titles at a fixed height just above the axes. matplotlib's automatic height (None) measures
    # every tick label of the figure on each draw to clear labels above the axes, which no chart
    # here has: the same pixels, about a tenth less time per figure (docs/benchmarks.md).
    "axes.titley": 1.0,
    "axes.titleweight": "bold",
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "legend.title_fontsize": 11,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def set_style() -> None:
    """Apply the project style: seaborn white grid, readable font sizes, PNG figures.

    Inside an IPython kernel it also asks for PNG (not SVG) inline figures, so reports embed
    base64 PNGs that nbval does not compare, and, if the kernel inherited a non-interactive
    ``MPLBACKEND=Agg`` (which silently drops every figure), switches back to the inline backend.
    Outside IPython it only sets the matplotlib/seaborn style. Safe to call more than once.
    """
    sns.set_theme(context="notebook", style="whitegrid", palette="colorblind", rc=_RC)
    _configure_ipython()


def _configure_ipython() -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # IPython absent: plain script, nothing to configure
        return
    shell = get_ipython()
    if shell is None:
        return
    in_kernel = type(shell).__name__ == "ZMQInteractiveShell"
    if in_kernel and mpl.get_backend().lower() == "agg":
        shell.enable_matplotlib("inline")
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("png")


def _tier_name(level: object) -> str:
    if level is None or level is pd.NA or (isinstance(level, float) and pd.isna(level)):
        return "Unknown"
    name = _LOOKUP.get(str(level).strip().casefold())
    if name is None:
        raise KeyError(f"no colour for tier {level!r}; known tiers: {', '.join(TIER_PALETTE)}")
    return name


def tier_colors(levels: Iterable[object]) -> list[str]:
    """Return the palette colour of each level, in order.

    ``levels`` may hold tier names (any case), categorical values or missing values (``None``,
    ``pd.NA``, NaN), which get the "Unknown" colour. An unrecognised name raises ``KeyError``.

    >>> tier_colors(["Gold", "silver", None])
    ['#D89B1C', '#9DB4CF', '#D9D9D9']
    """
    return [TIER_PALETTE[_tier_name(level)] for level in levels]


def tier_palette(levels: Iterable[object] | None = None) -> Mapping[str, str]:
    """A ``{tier: colour}`` mapping for seaborn's ``palette=``, restricted to ``levels`` if
    given."""
    if levels is None:
        return dict(TIER_PALETTE)
    return {str(level): TIER_PALETTE[_tier_name(level)] for level in levels if not pd.isna(level)}


def caption(fig: Figure, text: str, simulated: bool = False) -> Text:
    """Write a caption under ``fig`` and return the matplotlib ``Text``.

    ``text`` should name the source of the data (e.g. "Source: WWC announcements, data/rounds.csv").
    With ``simulated=True`` the caption starts with "SIMULATED DATA — fictional cities." in bold
    dark red, so a simulated figure can never be mistaken for the public record. Calling it again
    on the same figure replaces the previous caption. The caption lies below the figure's axes;
    the inline backend and ``savefig`` (``savefig.bbox = "tight"`` from :func:`set_style`) keep it.

    The figure is measured at the saving dpi (``savefig.dpi``) to place the caption, and that box
    is kept for :func:`measured_box` until anything on the figure changes.
    """
    text = " ".join(str(text).split())
    if not text:
        raise ValueError("a caption needs text naming the data source")
    full = f"{SIMULATED_LABEL} {text}" if simulated else text
    for artist in list(fig.texts):
        if artist.get_gid() == CAPTION_GID:
            artist.remove()
    width_in = fig.get_figwidth()
    # Average glyph width is about 0.55 em (0.62 em in bold, used for simulated captions); wrap
    # to the figure's width.
    em = 0.62 if simulated else 0.55
    chars = max(40, int(width_in * 72 / (_CAPTION_FONTSIZE * em)))
    wrapped = textwrap.fill(full, width=chars)
    style = {
        "ha": "left",
        "va": "top",
        "fontsize": _CAPTION_FONTSIZE,
        "color": "#8B0000" if simulated else "#444444",
        "fontweight": "bold" if simulated else "normal",
        "gid": CAPTION_GID,
        "transform": fig.transFigure,
    }
    if fig.get_layout_engine() is None and fig.axes:
        fig.tight_layout()  # first, so the caption never overlaps tick labels
    get_renderer = getattr(fig.canvas, "get_renderer", None)
    if get_renderer is None:  # no renderer to measure with: just under the figure
        return fig.text(0.01, -0.01, wrapped, **style)
    dpi = _saving_dpi(fig)
    shown = fig.dpi
    fig.set_dpi(dpi)
    try:
        renderer = get_renderer()
        drawn = fig.get_tightbbox(renderer)  # inches: every artist but the caption
        bottom = drawn.y0 / fig.get_figheight()
        artist = fig.text(0.01, min(0.0, bottom) - 0.01, wrapped, **style)
        own = artist.get_tightbbox(renderer).transformed(fig.dpi_scale_trans.inverted())
    finally:
        fig.set_dpi(shown)
    _Measured(fig, dpi, Bbox.union([drawn, own]))
    return artist


def _saving_dpi(fig: Figure) -> float:
    dpi = mpl.rcParams["savefig.dpi"]
    return fig.dpi if dpi == "figure" else float(dpi)


#: rcParams that change the size of text as drawn: a box measured under others is not reused.
_TEXT_RC = ("text.hinting", "text.hinting_factor", "text.kerning_factor", "text.antialiased")


class _Measured:
    """The box (inches) of everything drawn on ``fig`` at ``dpi``, as :func:`caption` measured it,
    valid until anything on the figure changes.

    It is the figure's ``stale_callback`` (wrapping the one it had): matplotlib calls it whenever
    an artist of the figure changes (a text, a limit, a size, an artist added...), which forgets
    the box and puts the previous callback back. A box measured under other text rcParams, or a
    figure whose callback was replaced since, is not reused either.
    """

    def __init__(self, fig: Figure, dpi: float, box: Bbox) -> None:
        self.dpi, self.box, self.rc = dpi, box, _text_rc()
        self.previous = fig.stale_callback
        self.valid = True
        fig.stale_callback = self
        _MEASURED[fig] = self  # not on the figure: a pickled figure carries none of it

    def __call__(self, fig: Figure, value: bool) -> None:
        self.valid = False
        if fig.stale_callback is self:
            fig.stale_callback = self.previous
        if self.previous is not None:
            self.previous(fig, value)


#: Each figure's box as caption() measured it (figures are keys by identity, dropped with them).
_MEASURED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _text_rc() -> tuple:
    return tuple(mpl.rcParams[key] for key in _TEXT_RC)


def measured_box(fig: Figure, dpi: float) -> Bbox | None:
    """The tight box (inches, without padding) of everything drawn on ``fig`` at ``dpi``, as
    :func:`caption` measured it, when nothing on the figure has changed since; else None (measure
    it). What ``fig.get_tightbbox`` gives at that dpi, without measuring every artist again."""
    measured = _MEASURED.get(fig)
    if (
        not isinstance(measured, _Measured)
        or not measured.valid
        or fig.stale_callback is not measured
        or measured.dpi != dpi
        or measured.rc != _text_rc()
    ):
        return None
    return measured.box


__all__ = [
    "BASIS_PALETTE",
    "CAPTION_GID",
    "nothing_to_draw",
    "HIGHLIGHT",
    "LEVEL_ORDER",
    "NEGATIVE",
    "RECORD_SOURCE",
    "SIMULATED_LABEL",
    "TIER_ORDER",
    "TIER_PALETTE",
    "caption",
    "measured_box",
    "set_style",
    "tier_colors",
    "tier_palette",
]


def nothing_to_draw(title: str, why: str, source: str, simulated: bool = False) -> Figure:
    """A small figure that says, in words, why there is nothing to draw (an empty selection: a
    round without a city on record, no simulated assessment for a round...), with the usual
    caption naming the source; a report shows it where the chart would have been."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 1.6))
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.45, textwrap.fill(why, 90), ha="center", va="center", transform=ax.transAxes)
    caption(fig, source, simulated=simulated)
    return fig
