"""Notebook output helpers write only where told and label simulated tables."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")  # tests only: figures are saved, never shown
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from wwc_analysis.report.outputs import (
    SIMULATED_NOTE,
    save_figure,
    save_table,
    say,
    show,
    write_metrics,
)


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
    assert not real.read_text().startswith("#")
    sim = pd.DataFrame({"a": [1], "simulated": [True]})
    text = save_table(sim, "sim", tmp_path).read_text()
    assert text.splitlines()[0] == SIMULATED_NOTE
    attrs = pd.DataFrame({"a": [1]})
    attrs.attrs["simulated"] = True
    assert save_table(attrs, "sim2", tmp_path).read_text().startswith("# SIMULATED")
    # a table that rests on simulated data says how, on a second comment line
    noted = save_table(pd.DataFrame({"p": [0.5]}), "p", tmp_path, simulated=True, note="Ranked\nby")
    assert noted.read_text().splitlines()[:3] == [SIMULATED_NOTE, "# Ranked by", ",p"]
    # a real table with a note (the source and licence of data from elsewhere) says it first
    credited = save_table(pd.DataFrame({"p": [0.5]}), "q", tmp_path, note="GeoNames, CC BY 4.0")
    assert credited.read_text().splitlines()[:2] == ["# GeoNames, CC BY 4.0", ",p"]
    from_attrs = pd.DataFrame({"p": [0.5]})
    from_attrs.attrs["note"] = "APPROXIMATE universe"
    assert save_table(from_attrs, "r", tmp_path).read_text().startswith("# APPROXIMATE universe\n")
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
