"""Notebook output helpers write only where told and label simulated tables."""

from __future__ import annotations

import base64
import json

import matplotlib

matplotlib.use("Agg")  # tests only: figures are saved, never shown
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from wwc_analysis.figures.style import caption
from wwc_analysis.report import outputs
from wwc_analysis.report.outputs import (
    SIMULATED_NOTE,
    read_manifest,
    save_figure,
    save_table,
    say,
    show,
    title_from_name,
    write_metrics,
)


def _text(path) -> str:
    """A CSV table as Excel reads it: UTF-8 after a byte-order mark."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark: Excel would show LujÃ¡n"
    return raw[3:].decode("utf-8")


def test_nothing_written_without_output_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fig = plt.figure()
    assert save_figure(fig, "x") is None
    assert save_table(pd.DataFrame({"a": [1]}), "t") is None
    assert write_metrics({"a": 1}) is None
    assert list(tmp_path.iterdir()) == []
    plt.close(fig)


def test_figure_table_metrics(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([1, 2])
    p = save_figure(fig, "Tier counts (2024)", tmp_path / "nb")
    assert p.name == "tier-counts-2024.png" and p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    plt.close(fig)
    real = save_table(pd.DataFrame({"a": [1]}), "real", tmp_path)
    assert not _text(real).startswith("#")
    sim = pd.DataFrame({"a": [1], "simulated": [True]})
    text = _text(save_table(sim, "sim", tmp_path))
    assert text.splitlines()[0] == SIMULATED_NOTE
    attrs = pd.DataFrame({"a": [1]})
    attrs.attrs["simulated"] = True
    assert _text(save_table(attrs, "sim2", tmp_path)).startswith("# SIMULATED")
    # a table that rests on simulated data says how, on a second comment line
    noted = save_table(pd.DataFrame({"p": [0.5]}), "p", tmp_path, simulated=True, note="Ranked\nby")
    assert _text(noted).splitlines()[:3] == [SIMULATED_NOTE, "# Ranked by", ",p"]
    # a real table with a note (the source and licence of data from elsewhere) says it first
    credited = save_table(pd.DataFrame({"p": [0.5]}), "q", tmp_path, note="GeoNames, CC BY 4.0")
    assert _text(credited).splitlines()[:2] == ["# GeoNames, CC BY 4.0", ",p"]
    from_attrs = pd.DataFrame({"p": [0.5]})
    from_attrs.attrs["note"] = "APPROXIMATE universe"
    assert _text(save_table(from_attrs, "r", tmp_path)).startswith("# APPROXIMATE universe\n")
    # Excel and pandas read the BOM file as UTF-8
    accents = save_table(
        pd.DataFrame({"city": ["Luján de Cuyo"]}), "accents", tmp_path, index=False
    )
    assert pd.read_csv(accents, encoding="utf-8-sig")["city"].tolist() == ["Luján de Cuyo"]
    m = write_metrics({"n": pd.Series([3]).iloc[0], "d": pd.Timestamp("2024-01-23")}, tmp_path)
    assert json.loads(m.read_text()) == {"n": 3, "d": "2024-01-23"}
    with pytest.raises(ValueError, match="no letters"):
        save_table(real.parent and pd.DataFrame(), "??", tmp_path)


def test_say_displays_markdown(monkeypatch):
    import IPython.display
    from IPython.display import Markdown

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    # a cell ending in say(...) shows the text once
    assert say("**Round 2024-01**: 13 new cities") is None
    assert len(shown) == 1 and isinstance(shown[0], Markdown)
    assert shown[0].data == "**Round 2024-01**: 13 new cities"
    assert shown[0]._repr_markdown_() == "**Round 2024-01**: 13 new cities"
    say(12)  # computed values are shown as text
    assert shown[1].data == "12"


def test_show_prose_and_tables_in_order(monkeypatch):
    import IPython.display
    from IPython.display import Markdown

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    table = pd.DataFrame({"a": [1]})
    # None (an absent table) is skipped
    assert show("**Round 2024-01**", None, table, "after") is None
    assert [type(s) for s in shown] == [Markdown, pd.DataFrame, Markdown]
    assert shown[0].data == "**Round 2024-01**" and shown[1] is table and shown[2].data == "after"


def test_the_manifest_lists_every_output_in_order(tmp_path):
    fig, ax = plt.subplots()
    ax.set_title("Cities by level")
    caption(fig, "Source: the record.")
    save_figure(fig, "levels", tmp_path)
    sim, ax = plt.subplots()
    sim.suptitle("Tiers of fictional cities")
    caption(sim, "Source: data/simulated.", simulated=True)
    save_figure(sim, "sim-tiers", tmp_path)
    plt.close("all")
    table = pd.DataFrame({"a": [1, 2, 3]})
    table.attrs["title"] = "Three rows"
    save_table(table, "round-2024-01-cities", tmp_path, simulated=True, note="how")
    save_table(pd.DataFrame({"a": [1]}), "round-2024-01-cities", tmp_path)  # saved again: replaced
    got = read_manifest(tmp_path)
    assert [(e["file"], e["kind"]) for e in got] == [
        ("levels.png", "figure"),
        ("sim-tiers.png", "figure"),
        ("round-2024-01-cities.csv", "table"),
    ]
    levels, tiers, cities = got
    assert (levels["title"], levels["simulated"]) == ("Cities by level", False)
    assert levels["caption"] == "Source: the record."
    assert (tiers["title"], tiers["simulated"]) == ("Tiers of fictional cities", True)
    assert tiers["caption"].startswith("SIMULATED DATA")
    # the later save of the same file wins: its title from the name, real, one row
    assert cities == {
        "file": "round-2024-01-cities.csv",
        "kind": "table",
        "title": "Round 2024-01 cities",
        "simulated": False,
        "note": "",
        "rows": 1,
    }
    assert read_manifest(tmp_path / "nowhere") == []


def test_titles_from_file_names():
    assert title_from_name("round-2024-01-cities") == "Round 2024-01 cities"
    assert title_from_name("transitions-gold-70") == "Transitions gold 70"


def test_a_figure_is_rendered_once_in_a_kernel(tmp_path, monkeypatch):
    """Inside a kernel the notebook shows the very bytes of the PNG file, with the file and title
    in the output's metadata, and the figure is closed (plt.show() draws nothing again)."""
    import IPython.display

    shown = []
    monkeypatch.setattr(outputs, "_in_kernel", lambda: True)
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.append((objs, kw)))
    renders = []
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_title("One render")
    real_savefig = fig.savefig
    monkeypatch.setattr(fig, "savefig", lambda *a, **k: renders.append(1) or real_savefig(*a, **k))
    path = save_figure(fig, "once", tmp_path)
    assert len(renders) == 1
    (bundle,), kw = shown[0]
    assert kw["raw"] is True
    assert base64.b64decode(bundle["image/png"]) == path.read_bytes()
    meta = kw["metadata"]["image/png"]
    assert meta["wwc"] == {"file": "once.png", "title": "One render"}
    png_width = int.from_bytes(path.read_bytes()[16:20], "big")
    assert meta["width"] == png_width * 100 // 150  # shown at the size of a 100-dpi figure
    assert not plt.fignum_exists(fig.number)


# ------------------------------------------------ PNG bytes: the pixels of savefig "tight"


def _tight_pixels(fig, dpi=150):
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, dpi=dpi, bbox_inches="tight", format="png")
    return plt.imread(io.BytesIO(buffer.getvalue()), format="png")


def _pixels(data: bytes):
    """The RGBA pixels of a PNG (an RGB PNG has every pixel opaque)."""
    import io

    import numpy as np

    pixels = plt.imread(io.BytesIO(data), format="png")
    if pixels.shape[2] == 3:
        pixels = np.dstack([pixels, np.ones(pixels.shape[:2], dtype=pixels.dtype)])
    return pixels


def _png_header(data: bytes) -> tuple[int, int, int]:
    """(width, height, colour type) from a PNG's IHDR: colour type 2 is RGB, 6 is RGBA."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big"), data[25]


def _project_figures(record):
    from wwc_analysis import figures, history
    from wwc_analysis.figures.style import nothing_to_draw, set_style

    set_style()
    as_of = history.resolve_as_of(2024, None, record)
    latest = history.latest_levels(as_of, record)
    matrix = history.transition_matrix(history.transitions(record, as_of, None, None))
    return {
        "growth (dates)": lambda: figures.growth(history.growth(record, 2024, as_of), 2024),
        "levels by round": lambda: figures.levels_by_round(history.levels_by_round(record, as_of)),
        "latest levels": lambda: figures.latest_levels(
            history.level_counts(latest["level"]), as_of, "all countries"
        ),
        "transitions (heatmap)": lambda: figures.transitions(matrix, as_of, "all countries"),
        "map (aspect, labels, legend outside)": lambda: figures.reach_map(record, as_of),
        "nothing to draw": lambda: nothing_to_draw("A title", "why not", "Source: a test"),
    }


def test_png_bytes_are_the_pixels_of_savefig_tight(record):
    """The project's charts (dates, bars, a heatmap, a map with an aspect, labels and a legend
    outside the axes, a figure without axes) saved with one layout pass fewer: the same pixels
    as savefig(bbox_inches="tight")."""
    for name, make in _project_figures(record).items():
        fig = make()
        expected = _tight_pixels(fig)
        got = _pixels(outputs.png_bytes(fig))
        assert got.shape == expected.shape and (got == expected).all(), name
        assert (_tight_pixels(fig) == expected).all(), f"{name}: the figure was changed"
        plt.close(fig)


def _count_measurements(monkeypatch) -> list:
    """Calls of ``Figure.get_tightbbox`` (a measurement of every artist of a figure)."""
    from matplotlib.figure import Figure

    calls: list = []
    real = Figure.get_tightbbox
    monkeypatch.setattr(
        Figure, "get_tightbbox", lambda self, *a, **k: calls.append(1) or real(self, *a, **k)
    )
    return calls


def test_a_figure_unchanged_since_its_caption_is_saved_without_measuring_it_again(
    record, monkeypatch
):
    """caption() measures the figure at the saving dpi to place itself; png_bytes takes that box
    (with the caption's own) instead of measuring every artist again: the same pixels."""
    for name, make in _project_figures(record).items():
        fig = make()
        calls = _count_measurements(monkeypatch)
        got = _pixels(outputs.png_bytes(fig))
        assert calls == [], name
        monkeypatch.undo()
        expected = _tight_pixels(fig)
        assert got.shape == expected.shape and (got == expected).all(), name
        plt.close(fig)


@pytest.mark.parametrize(
    "change",
    [
        lambda fig: fig.axes[0].set_xlabel("a\nmuch\ntaller\nlabel"),  # the bottom moves
        lambda fig: fig.text(0.5, -0.6, "a note added under the caption"),
        lambda fig: fig.set_size_inches(5, 3),
        lambda fig: setattr(fig, "stale_callback", None),  # nobody watches for changes now
    ],
    ids=["taller label", "a text below", "resized", "callback replaced"],
)
def test_a_figure_changed_after_its_caption_is_measured_again(change, monkeypatch):
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot([1, 2, 3], [3, 1, 2])
    fig.tight_layout()
    caption(fig, "Source: a test")
    change(fig)
    calls = _count_measurements(monkeypatch)
    got = _pixels(outputs.png_bytes(fig))
    assert len(calls) == 1
    monkeypatch.undo()
    expected = _tight_pixels(fig)
    assert got.shape == expected.shape and (got == expected).all()
    plt.close(fig)


def test_a_captioned_figure_still_pickles(monkeypatch):
    """matplotlib figures pickle; the box caption() keeps is not part of the figure, and a figure
    read back is measured again."""
    import pickle

    from wwc_analysis.figures.style import measured_box

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([1, 2, 3], [3, 1, 2])
    fig.tight_layout()
    caption(fig, "Source: a test")
    assert measured_box(fig, outputs.FIGURE_DPI) is not None
    copy = pickle.loads(pickle.dumps(fig))
    assert measured_box(copy, outputs.FIGURE_DPI) is None
    calls = _count_measurements(monkeypatch)
    outputs.png_bytes(copy)
    assert len(calls) == 1
    plt.close(fig)
    plt.close(copy)


def test_a_figure_saved_at_another_dpi_is_measured_at_that_dpi(record, monkeypatch):
    fig = _project_figures(record)["levels by round"]()
    calls = _count_measurements(monkeypatch)
    got = _pixels(outputs.png_bytes(fig, dpi=100))
    assert len(calls) == 1
    monkeypatch.undo()
    assert (got == _tight_pixels(fig, dpi=100)).all()
    plt.close(fig)


def test_an_opaque_figure_is_an_rgb_png_smaller_than_savefig_s(record):
    """Every pixel of a project figure is opaque, so its alpha channel says nothing: the PNG is
    RGB (colour type 2), with the same pixels, the same dpi and the same "Software" note as
    matplotlib's RGBA PNG, and smaller."""
    import io

    from PIL import Image

    fig = _project_figures(record)["map (aspect, labels, legend outside)"]()
    data = outputs.png_bytes(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, dpi=outputs.FIGURE_DPI, bbox_inches="tight", format="png")
    theirs = buffer.getvalue()
    plt.close(fig)
    assert _png_header(data)[2] == 2 and _png_header(theirs)[2] == 6
    assert _png_header(data)[:2] == _png_header(theirs)[:2]
    assert (_pixels(data) == _pixels(theirs)).all()
    assert len(data) < len(theirs)
    ours, mpl = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(theirs))
    assert ours.info["Software"] == mpl.info["Software"]
    assert ours.info["dpi"] == mpl.info["dpi"]


def test_a_figure_with_transparent_pixels_keeps_its_alpha():
    fig, ax = plt.subplots(figsize=(3, 2))
    fig.patch.set_alpha(0.0)  # a transparent background: alpha matters
    ax.plot([1, 2, 3], [3, 1, 2])
    fig.tight_layout()
    data = outputs.png_bytes(fig)
    assert _png_header(data)[2] == 6
    assert (_pixels(data) == _tight_pixels(fig)).all()
    assert (_pixels(data)[..., 3] < 1).any()
    plt.close(fig)


def test_png_bytes_of_a_figure_laid_out_at_draw_time_go_the_usual_way():
    fig, ax = plt.subplots(layout="constrained")
    ax.plot([1, 2, 3], [3, 1, 2])
    ax.set_title("A title")
    ax.legend(["a line"], loc="upper left", bbox_to_anchor=(1.0, 1.0))
    caption(fig, "Source: a test")
    assert (_pixels(outputs.png_bytes(fig)) == _tight_pixels(fig)).all()
    assert fig.get_layout_engine() is not None  # left as it was
