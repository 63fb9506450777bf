"""``wwc report`` builds of tiny throwaway notebooks (tests/notebook_files.py): kernels, papermill,
nbconvert and the atomic publish, end to end. The pieces without a kernel are in
tests/unit/test_report.py.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

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
            built_at=datetime(2026, 12, 1, 16, 55),
        )
    return {
        "final": final,
        "out": out,
        "lines": lines,
        "data": (tmp / "data").resolve(),
        "notebooks": notebooks,
    }


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
    assert leftovers == [".cache"], "only the cache of executed notebooks stays beside the reports"
    assert not (built["final"] / "logs").exists()


def test_pages_have_no_code_and_show_the_png_file(built):
    page = (built["final"] / "01-figure.html").read_text(encoding="utf-8")
    assert SOURCE_MARKER not in page
    assert "plotting.set_style" not in page
    assert not re.search(r'class="[^"]*jp-InputArea-editor', page), "code input rendered"
    assert not re.search(r'class="[^"]*jp-InputPrompt', page), "input prompt rendered"
    assert not re.search(r"In&nbsp;\[\d*\]|Out\[\d+\]:", page), "prompt numbers rendered"
    assert "data:image/png" not in page and "cdnjs" not in page and "<script" not in page
    soup = BeautifulSoup(page, "html.parser")
    assert [(i["src"], i["alt"]) for i in soup.find_all("img")] == [
        ("01-figure/bars.png", "Cities by tier")
    ]
    assert soup.title.string == "Tiny figure notebook · WWC Certification report 2024"


def test_each_figure_is_rendered_once(built):
    """The image the executed notebook shows is the very PNG file on disk (one render)."""
    nb = nbformat.read(built["final"] / "executed" / "01-figure.ipynb", as_version=4)
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 1, "plt.show() after save_figure must not draw the figure again"
    data = base64.b64decode(images[0]["data"]["image/png"])
    assert data == (built["final"] / "01-figure" / "bars.png").read_bytes()


def test_index_links_every_page_figure_and_table(built):
    index = (built["final"] / "index.html").read_text(encoding="utf-8")
    for href in (
        "01-figure.html",
        "02-annual-summary.html",
        "01-figure/bars.png",
        "01-figure/counts.csv",
        "executed/01-figure.ipynb",
        "metrics.json",
        "tables.xlsx",
        "report.pdf",
    ):
        assert f'href="{href}"' in index, href
    soup = BeautifulSoup(index, "html.parser")
    assert soup.title.string == "What Works Cities Certification: report 2024"
    figure = soup.select_one("#figures figure")
    assert figure.img["alt"] == "Cities by tier"
    # its caption says SIMULATED: the badge marks it, and nothing else
    assert figure.select(".badge") and len(soup.select(".badge")) == 2  # the figure, its page
    assert "Built 1 December 2026 at 16:55" in soup.get_text()


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
    # each page is written as its notebook finishes, on a worker with no notebook left to start
    assert "(the 2 page(s) were written as their notebooks finished)" in built["lines"][-3]


def test_a_rebuild_reuses_what_did_not_change(tmp_path):
    """Nothing changed: the report is up to date and untouched. Options changed: the executed
    notebooks come from the cache, no kernel starts. --force: every notebook runs again. A build
    date inside the year: the notebooks are run as of that date."""
    notebooks = [
        figure_notebook(tmp_path / "01-figure.ipynb"),
        all_parameters_notebook(tmp_path / "02-annual-summary.ipynb"),
    ]
    out, when = tmp_path / "reports", datetime(2026, 12, 1, 16, 55)

    def build(**options):
        lines: list[str] = []
        options.setdefault("built_at", when)
        final = build_report(
            2024, ROUNDS, tmp_path, out, notebooks, progress=lines.append, **options
        )
        return final, lines

    final, first = build()
    assert sum(" ... done in " in line for line in first) == 2
    before = snapshot(final)
    _, again = build()
    assert len(again) == 1 and again[0].startswith("report 2024 is up to date")
    assert snapshot(final) == before
    _, cached = build(single_file=True)
    assert sum(line.startswith("[cached] ") for line in cached) == 2
    assert not any(" ... done in " in line for line in cached), "no kernel started"
    assert snapshot(final)["01-figure/bars.png"] == before["01-figure/bars.png"]
    assert 'src="data:image/png;base64,' in (final / "01-figure.html").read_text()
    _, forced = build(single_file=True, force=True)
    assert sum(" ... done in " in line for line in forced) == 2
    _, midyear = build(built_at=datetime(2024, 6, 30, 12, 0))
    ran = json.loads((final / "metrics.json").read_text())["notebooks"]["02-annual-summary"]
    assert ran["parameters"]["as_of"] == "2024-06-30"
    assert sum(" ... done in " in line for line in midyear) == 1  # 01 takes no as_of: cached


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


# ------------------------------------------------------------------ the data handed to kernels


def _one_cell_build(tmp_path, data, name: str, code: str):
    """Build the 2024 report of one notebook, its parameters and one cell of ``code``; return the
    published folder and the words the cell printed."""
    notebook = write_notebook(
        tmp_path / f"{name}.ipynb",
        [
            ("code", "year = 0\nas_of = ''\ndata_dir = ''\noutput_dir = ''", ["parameters"]),
            ("code", code, []),
        ],
    )
    final = build_report(
        2024, ROUNDS, data, tmp_path / "reports", [notebook], progress=lambda _: None
    )
    nb = nbformat.read(final / "executed" / f"{name}.ipynb", as_version=4)
    return final, "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", [])).split()


def test_kernels_take_the_validated_data_of_the_build(tmp_path, tiny_copy):
    """The build loads the data folder once and its kernels' ``wwc.load`` take that Dataset
    (wwc_analysis.data.snapshot); the snapshot is not published."""
    from wwc_analysis.data import snapshot as data_snapshot

    _, printed = _one_cell_build(
        tmp_path,
        tiny_copy,
        "01-load",
        "import os, time\n"
        "from pathlib import Path\n"
        "import wwc_analysis as wwc\n"
        "from wwc_analysis.data import snapshot\n"
        "named = Path(os.environ[snapshot.ENV])\n"
        "for _ in range(600):  # the build writes it while the kernel starts\n"
        "    if named.exists():\n"
        "        break\n"
        "    time.sleep(0.05)\n"
        "data = wwc.load(data_dir)\n"
        "taken = snapshot.matching(Path(data_dir), 2_000_000) is not None\n"
        "print('snapshot' if taken else 'files', len(data.certifications))",
    )
    assert printed == ["snapshot", "22"]  # the tiny record's 22 events
    assert not list((tmp_path / "reports").rglob(data_snapshot.FILE_NAME + "*"))


def test_a_chart_two_pages_show_is_drawn_once_per_build(tmp_path, tiny_copy):
    """The same chart of the same data saved twice in a build is drawn once
    (wwc_analysis.figures.shared): the same bytes, one file in the build's store, and the store
    is not published."""
    from wwc_analysis.data import paths as data_paths

    final, printed = _one_cell_build(
        tmp_path,
        tiny_copy,
        "01-twice",
        "import os\n"
        "import pandas as pd\n"
        "from wwc_analysis import figures\n"
        "from wwc_analysis.data import paths\n"
        "from wwc_analysis.figures.style import set_style\n"
        "from wwc_analysis.report.outputs import save_figure\n"
        "set_style()\n"
        "counts = pd.Series({'Silver': 2, 'Gold': 1}, name='cities')\n"
        "day = pd.Timestamp('2024-12-31')\n"
        "save_figure(figures.latest_levels(counts, day), 'first', output_dir)\n"
        "save_figure(figures.latest_levels(counts.copy(), day), 'second', output_dir)\n"
        "print('stored', len(os.listdir(os.environ[paths.FIGURE_STORE_ENV])))",
    )
    assert printed == ["stored", "1"]
    first, second = (final / "01-twice" / f"{n}.png" for n in ("first", "second"))
    assert first.read_bytes() == second.read_bytes()
    assert not list((tmp_path / "reports").rglob(data_paths.FIGURE_STORE_DIR))
