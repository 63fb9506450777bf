"""``wwc report`` builds of tiny throwaway notebooks (tests/notebook_files.py): kernels, papermill,
nbconvert and the atomic publish, end to end. The pieces without a kernel are in
tests/unit/test_report.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.notebook_files import (
    PARAMETER_NAMES,
    ROUNDS,
    SOURCE_MARKER,
    all_parameters_notebook,
    figure_notebook,
    snapshot,
    write_notebook,
)
from wwc_analysis.report.build import ReportError, build_report


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One successful build of two notebooks over a stale earlier report, with MPLBACKEND=Agg set
    in the caller's environment (the report must not pass it on to the kernels)."""
    tmp = tmp_path_factory.mktemp("built")
    notebooks = [
        figure_notebook(tmp / "01-figure.ipynb"),
        all_parameters_notebook(tmp / "02-annual-summary.ipynb"),
    ]
    out = tmp / "reports"
    (out / "2024").mkdir(parents=True)
    (out / "2024" / "stale.txt").write_text("from an earlier build")
    lines: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MPLBACKEND", "Agg")
        final = build_report(
            None,
            ROUNDS,
            tmp / "data",
            out_dir=out,
            notebooks=notebooks,
            jobs=2,
            pdf=True,
            progress=lines.append,
        )
    return {"final": final, "out": out, "lines": lines, "data": (tmp / "data").resolve()}


# ------------------------------------------------------------------------- successful build


def test_build_publishes_latest_year_with_index(built):
    final = built["final"]
    assert final == built["out"].resolve() / "2024"
    for name in (
        "index.html",
        "metrics.json",
        "01-figure.html",
        "02-annual-summary.html",
        "report.pdf",
    ):
        assert (final / name).is_file(), name
    assert (final / "executed" / "01-figure.ipynb").is_file()
    assert (final / "01-figure" / "bars.png").is_file()
    assert not (final / "stale.txt").exists(), "the earlier report was replaced as a whole"
    assert (final / "report.pdf").read_bytes().startswith(b"%PDF")


def test_no_leftover_build_or_old_folder(built):
    leftovers = [p.name for p in built["out"].iterdir() if p.name.startswith(".")]
    assert leftovers == []
    assert not (built["final"] / "logs").exists()


def test_pages_have_no_code_and_embed_a_png(built):
    page = (built["final"] / "01-figure.html").read_text(encoding="utf-8")
    assert SOURCE_MARKER not in page
    assert "plotting.set_style" not in page
    assert not re.search(r'class="[^"]*jp-InputArea-editor', page), "code input rendered"
    assert not re.search(r'class="[^"]*jp-InputPrompt', page), "input prompt rendered"
    assert not re.search(r"In&nbsp;\[\d*\]|Out\[\d+\]:", page), "prompt numbers rendered"
    assert re.search(r'src="data:image/png;base64,[A-Za-z0-9+/]{100,}', page), "no embedded PNG"
    assert "<title>Tiny figure notebook</title>" in page  # the notebook's metadata title


def test_index_links_every_page_figure_and_table(built):
    index = (built["final"] / "index.html").read_text(encoding="utf-8")
    for href in (
        "01-figure.html",
        "02-annual-summary.html",
        "01-figure/bars.png",
        "01-figure/counts.csv",
        "executed/01-figure.ipynb",
        "metrics.json",
    ):
        assert f'href="{href}"' in index, href
    assert "2024" in index
    assert str(built["data"]) in index
    assert re.search(r"<dt>Built</dt><dd>\d{4}-\d{2}-\d{2}T", index)
    assert "labelled as such" in index
    # the figure notebook declares simulated data in its metadata: badge next to its entry
    assert re.search(r"Tiny figure notebook</a> <span class=\"badge\">SIMULATED DATA", index)
    assert not re.search(r"02-annual-summary</a> <span class=\"badge\">", index)


def test_each_notebook_gets_only_the_parameters_it_declares(built):
    merged = json.loads((built["final"] / "metrics.json").read_text())["notebooks"]
    figure = merged["01-figure"]["parameters"]
    assert set(figure) == {"year", "output_dir"}
    assert figure["year"] == 2024
    summary = merged["02-annual-summary"]["parameters"]
    assert set(summary) == set(PARAMETER_NAMES)
    assert (summary["year"], summary["as_of"], summary["data_dir"]) == (
        2024,
        "2024-12-31",
        str(built["data"]),
    )
    # output_dir is absolute, the notebook's own folder inside the build folder that became 2024/
    output_dir = Path(summary["output_dir"])
    assert output_dir.is_absolute() and output_dir.name == "02-annual-summary"
    assert output_dir.parent.name.startswith(".build-2024-")
    assert output_dir.parent.parent == built["out"].resolve()


def test_metrics_json_merges_every_notebook(built):
    merged = json.loads((built["final"] / "metrics.json").read_text())
    assert merged["year"] == 2024
    assert merged["data_dir"] == str(built["data"])
    assert set(merged["notebooks"]) == {"01-figure", "02-annual-summary"}
    assert (built["final"] / "01-figure" / "metrics.json").is_file()


def test_progress_names_each_notebook_with_its_time(built):
    done = [
        line for line in built["lines"] if re.match(r"\[\d/2\] \S+ \.\.\. done in \d+\.\d s$", line)
    ]
    assert sorted(line.split()[1] for line in done) == ["01-figure", "02-annual-summary"]
    assert built["lines"][-1].startswith("published ")


# ------------------------------------------------------------------------------- failures


def test_failing_notebook_leaves_previous_report_untouched(tmp_path):
    good = all_parameters_notebook(tmp_path / "01-good.ipynb")
    bad = write_notebook(
        tmp_path / "02-bad.ipynb",
        [
            ("md", "# Bad", []),
            ("code", "year = 0", ["parameters"]),
            ("code", "total = 10\nshare = total / 0", []),
        ],
    )
    out = tmp_path / "reports"
    previous = out / "2024"
    (previous / "01-good").mkdir(parents=True)
    (previous / "index.html").write_text("<html>the previous report</html>")
    (previous / "01-good" / "table.csv").write_bytes(b"a,b\n1,2\n")
    before = snapshot(previous)

    with pytest.raises(ReportError) as caught:
        build_report(
            2024,
            ROUNDS,
            tmp_path,
            out_dir=out,
            notebooks=[good, bad],
            jobs=2,
            progress=lambda _: None,
        )

    message = str(caught.value)
    assert caught.value.exit_code == 1
    assert "02-bad.ipynb" in message
    # cell index in the source notebook (papermill's injected cell is not counted) and first line
    assert "cell 2 ('total = 10')" in message
    assert "line 2: share = total / 0" in message
    assert "ZeroDivisionError: division by zero" in message
    assert snapshot(previous) == before
    assert not any(p.name.startswith(".build-") for p in out.iterdir())
    kept = out / ".failed-2024"
    assert (kept / "executed" / "02-bad.ipynb").is_file()
    assert str(kept / "executed" / "02-bad.ipynb") in message
    assert not list(kept.glob("*.html")), "a failed build must not be rendered"


def test_cell_timeout_names_the_running_cell(tmp_path):
    slow = write_notebook(
        tmp_path / "01-slow.ipynb",
        [("code", "x = 1", []), ("code", "import time\ntime.sleep(60)", [])],
    )
    with pytest.raises(ReportError) as caught:
        build_report(
            2024,
            ROUNDS,
            tmp_path,
            out_dir=tmp_path / "out",
            notebooks=[slow],
            cell_timeout=2,
            progress=lambda _: None,
        )
    message = str(caught.value)
    assert "01-slow.ipynb, cell 1 ('import time')" in message
    assert "Timeout" in message
    assert not (tmp_path / "out" / "2024").exists()
