"""Tests of the shared look: palette, tier colours, captions, style. (In a kernel:
tests/integration/test_kernel_figures.py.)"""

from __future__ import annotations

import io
import itertools

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb

from wwc_analysis.figures import style as plotting
from wwc_analysis.figures.style import TIER_PALETTE, caption, set_style, tier_colors


def _lab(color: str) -> np.ndarray:
    """CIE L*a*b* (D65) of an sRGB colour."""
    rgb = np.array(to_rgb(color))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ linear / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_palette_has_every_tier_and_the_grey_states():
    assert set(TIER_PALETTE) == {"Silver", "Gold", "Platinum", "Not certified", "Unknown"}
    assert len(set(TIER_PALETTE.values())) == len(TIER_PALETTE)
    assert plotting.TIER_ORDER == ("Not certified", "Silver", "Gold", "Platinum")


def test_palette_colours_are_far_apart():
    # CIE76 distance: > 20 is clearly different side by side, for every pair
    for (a, ca), (b, cb) in itertools.combinations(TIER_PALETTE.items(), 2):
        assert np.linalg.norm(_lab(ca) - _lab(cb)) > 20, (a, b)


def test_greys_are_neutral_and_ordered():
    not_certified, unknown = _lab(TIER_PALETTE["Not certified"]), _lab(TIER_PALETTE["Unknown"])
    for lab in (not_certified, unknown):
        assert abs(lab[1]) < 2 and abs(lab[2]) < 2  # grey: no hue
    assert unknown[0] > not_certified[0] + 20  # "Unknown" is the lighter grey
    # the certified tiers are not neutral greys: silver is bluish, gold yellow
    assert _lab(TIER_PALETTE["Silver"])[2] < -5
    assert _lab(TIER_PALETTE["Gold"])[2] > 40
    # Platinum is the darkest tier, so tiers stay apart in greyscale too
    assert _lab(TIER_PALETTE["Platinum"])[0] < _lab(TIER_PALETTE["Not certified"])[0] - 10


def test_tier_colors_maps_names_categories_and_missing():
    levels = pd.Series(
        ["Gold", None, "Silver"], dtype=pd.CategoricalDtype(["Silver", "Gold", "Platinum"])
    )
    assert tier_colors(levels) == [
        TIER_PALETTE["Gold"],
        TIER_PALETTE["Unknown"],
        TIER_PALETTE["Silver"],
    ]
    assert tier_colors(["platinum", " not certified ", pd.NA, float("nan")]) == [
        TIER_PALETTE["Platinum"],
        TIER_PALETTE["Not certified"],
        TIER_PALETTE["Unknown"],
        TIER_PALETTE["Unknown"],
    ]
    assert tier_colors([]) == []


def test_tier_colors_rejects_unknown_names():
    with pytest.raises(KeyError, match="Bronze"):
        tier_colors(["Bronze"])


def test_tier_palette_restricts_to_levels():
    assert plotting.tier_palette(["Silver", "Gold"]) == {
        "Silver": TIER_PALETTE["Silver"],
        "Gold": TIER_PALETTE["Gold"],
    }
    assert plotting.tier_palette() == TIER_PALETTE


def test_caption_simulated_is_labelled():
    fig, _ = plt.subplots()
    text = caption(fig, "Source: data/simulated/assessments.csv", simulated=True)
    assert "simulated" in text.get_text().lower()
    assert text.get_text().startswith("SIMULATED DATA \u2014 fictional cities.")
    assert "data/simulated/assessments.csv" in text.get_text()
    assert text in fig.texts


def test_caption_public_record_is_not_labelled_simulated():
    fig, _ = plt.subplots()
    text = caption(fig, "Source: WWC announcements (data/rounds.csv)")
    assert text.get_text() == "Source: WWC announcements (data/rounds.csv)"
    assert "simulated" not in text.get_text().lower()


def test_caption_replaces_previous_and_needs_text():
    fig, _ = plt.subplots()
    caption(fig, "Source: first")
    caption(fig, "Source: second", simulated=True)
    captions = [t.get_text() for t in fig.texts]
    assert len(captions) == 1 and "second" in captions[0]
    with pytest.raises(ValueError, match="source"):
        caption(fig, "   ")


def test_long_caption_wraps_within_the_figure_width():
    fig, _ = plt.subplots(figsize=(6, 4))
    text = caption(fig, "Source: " + "word " * 80).get_text()
    lines = text.split("\n")
    assert len(lines) > 1
    assert max(len(line) for line in lines) < 100


def _saved_height(fig) -> int:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return plt.imread(io.BytesIO(buf.getvalue())).shape[0]


def test_caption_is_kept_in_saved_figures():
    set_style()
    fig, ax = plt.subplots()
    ax.bar(["Silver", "Gold"], [1, 2], color=tier_colors(["Silver", "Gold"]))
    without = _saved_height(fig)
    caption(fig, "Source: WWC public record")
    assert _saved_height(fig) > without  # bbox "tight" grows to take in the caption below the axes


def test_set_style_outside_ipython():
    backend = matplotlib.get_backend()
    set_style()
    rc = matplotlib.rcParams
    assert rc["axes.grid"] is True
    assert rc["savefig.bbox"] == "tight"
    assert rc["savefig.format"] == "png"
    assert rc["font.size"] >= 10 and rc["axes.titlesize"] >= 12
    assert matplotlib.get_backend() == backend  # only a kernel's Agg backend is switched


def _chart_pixels() -> np.ndarray:
    fig, ax = plt.subplots()
    ax.bar(
        ["Silver", "Gold", "Platinum"], [44, 34, 5], color=tier_colors(["Silver", "Gold", "Gold"])
    )
    ax.set_title("Latest level of each city")
    ax.set_xlabel("level")
    caption(fig, "Source: WWC public record")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return plt.imread(io.BytesIO(buffer.getvalue()), format="png")


def test_titles_sit_at_a_fixed_height_with_the_same_pixels():
    """set_style fixes the title's height (axes.titley) instead of matplotlib's automatic
    placement, which measures every tick label on each draw: a chart with nothing above its axes
    comes out pixel for pixel the same."""
    set_style()
    assert matplotlib.rcParams["axes.titley"] == 1.0
    fixed = _chart_pixels()
    with matplotlib.rc_context({"axes.titley": None}):
        automatic = _chart_pixels()
    assert fixed.shape == automatic.shape and (fixed == automatic).all()
