"""Charts drawn once per report build (wwc_analysis.figures.shared): the key of a chart's call, and
save_figure taking a PNG another page of the build drew, only for an unchanged figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from wwc_analysis import figures
from wwc_analysis.data import paths
from wwc_analysis.figures import shared
from wwc_analysis.figures.style import set_style
from wwc_analysis.report import outputs
from wwc_analysis.report.run import _child_env

AS_OF = pd.Timestamp("2026-12-01")


def _counts(gold: int = 34) -> pd.Series:
    counts = pd.Series({"Silver": 44, "Gold": gold, "Platinum": 5, "Unknown": 15}, name="cities")
    counts.index.name = "level"
    return counts


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A report build's folder of figures, named as wwc report names it for its kernels."""
    set_style()
    folder = tmp_path / paths.FIGURE_STORE_DIR
    monkeypatch.setenv(shared.ENV, str(folder))
    return folder


@pytest.fixture
def renders(monkeypatch):
    """The figures save_figure draws (png_bytes calls)."""
    drawn: list = []
    real = outputs.png_bytes
    monkeypatch.setattr(outputs, "png_bytes", lambda fig, *a: drawn.append(fig) or real(fig, *a))
    return drawn


def _key(fn, *args, **kwargs):
    return shared.call_key(fn, args, kwargs)


def test_the_key_is_of_the_content_not_of_the_objects():
    same = _key(figures.latest_levels, _counts(), AS_OF)
    assert same is not None and same == _key(figures.latest_levels, _counts(), AS_OF)
    assert _key(figures.latest_levels, _counts(gold=35), AS_OF) != same  # a value
    assert _key(figures.latest_levels, _counts(), AS_OF + pd.Timedelta(days=1)) != same
    renamed = _counts().rename("towns")  # a name a chart may show
    assert _key(figures.latest_levels, renamed, AS_OF) != same
    noted = _counts()
    noted.attrs["simulated"] = True
    assert _key(figures.latest_levels, noted, AS_OF) != same
    assert _key(figures.growth, _counts(), AS_OF) != same  # another chart


def test_defaults_and_keywords_give_one_key():
    plain = _key(figures.latest_levels, _counts(), AS_OF)
    assert _key(figures.latest_levels, _counts(), AS_OF, "all countries") == plain
    assert _key(figures.latest_levels, as_of=AS_OF, counts=_counts()) == plain
    assert _key(figures.latest_levels, _counts(), AS_OF, place="Canada") != plain


def test_numpy_numbers_have_a_fingerprint():
    import numpy as np

    plain = _key(figures.growth, _counts().to_frame(), 2026)
    assert plain is not None and _key(figures.growth, _counts().to_frame(), np.int64(2026))


def test_no_key_for_an_argument_without_a_fingerprint_or_a_call_that_does_not_bind():
    assert _key(figures.latest_levels, _counts(), object()) is None
    assert _key(figures.latest_levels, _counts(), AS_OF, colour="red") is None


def test_the_style_is_part_of_the_key():
    set_style()
    plain = _key(figures.latest_levels, _counts(), AS_OF)
    with matplotlib.rc_context({"axes.titlesize": 20}):
        assert _key(figures.latest_levels, _counts(), AS_OF) != plain


def test_outside_a_build_a_chart_carries_no_key(monkeypatch):
    monkeypatch.delenv(shared.ENV, raising=False)
    fig = figures.latest_levels(_counts(), AS_OF)
    assert not hasattr(fig, "_wwc_call_key") and shared.figure_key(fig, 150) is None
    plt.close(fig)


def test_a_chart_is_drawn_once_per_build(store, renders, tmp_path):
    first = outputs.save_figure(figures.latest_levels(_counts(), AS_OF), "levels", tmp_path / "a")
    again = figures.latest_levels(_counts(), AS_OF)  # another page, the same chart
    second = outputs.save_figure(again, "tier-distribution", tmp_path / "b")
    assert len(renders) == 1 and len(list(store.iterdir())) == 1
    assert second.read_bytes() == first.read_bytes()
    [entry] = outputs.read_manifest(tmp_path / "b")
    assert entry["file"] == "tier-distribution.png" and entry["title"].startswith("Latest level")


def test_a_chart_changed_after_it_was_made_is_drawn(store, renders, tmp_path):
    first = outputs.save_figure(figures.latest_levels(_counts(), AS_OF), "levels", tmp_path / "a")
    changed = figures.latest_levels(_counts(), AS_OF)
    changed.axes[0].set_title("Another title")
    second = outputs.save_figure(changed, "levels", tmp_path / "b")
    assert len(renders) == 2 and second.read_bytes() != first.read_bytes()


def test_a_chart_saved_at_another_dpi_is_drawn(store, renders, tmp_path):
    """Only a chart saved at the dpi its caption measured it at is shared (savefig.dpi)."""
    outputs.save_figure(figures.latest_levels(_counts(), AS_OF), "levels", tmp_path / "a")
    for out in ("b", "c"):
        chart = figures.latest_levels(_counts(), AS_OF)
        outputs.save_figure(chart, "levels", tmp_path / out, dpi=100)
    assert len(renders) == 3 and len(list(store.iterdir())) == 1


def test_an_unwritable_store_costs_nothing_but_time(tmp_path, monkeypatch, renders):
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(shared.ENV, str(blocker / paths.FIGURE_STORE_DIR))
    set_style()
    for out in ("a", "b"):
        assert outputs.save_figure(figures.latest_levels(_counts(), AS_OF), "x", tmp_path / out)
    assert len(renders) == 2


def test_workers_name_the_figure_store_of_their_build_only(monkeypatch, tmp_path):
    monkeypatch.setenv(shared.ENV, "/somewhere/else")
    assert _child_env(str(tmp_path))[shared.ENV] == str(tmp_path / paths.FIGURE_STORE_DIR)
    assert shared.ENV not in _child_env("")  # no build: nothing inherited is passed on
