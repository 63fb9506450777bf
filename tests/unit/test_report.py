"""Tests of ``wwc report`` (wwc_analysis.report) on tiny throwaway notebooks.

The rounds table is a small frame (years 2018 and 2024) passed to the report functions, so these
tests depend neither on the real notebooks nor on the data; one test checks the real rounds table.
Tests that start kernels or child processes are marked ``slow``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from wwc_analysis.cli import report as report_cli
from wwc_analysis.cli.app import main as cli_main
from wwc_analysis.data.dataset import load_rounds
from wwc_analysis.report import build as report
from wwc_analysis.report import publish, render, run
from wwc_analysis.report.build import ReportError, build_report

ROUNDS = pd.DataFrame(
    {
        "round_id": ["2018-01", "2024-01", "2024-06"],
        "announced": pd.to_datetime(["2018-01-25", "2024-01-23", "2024-06-17"]),
    }
)
SOURCE_MARKER = "SOURCE-MARKER-only-in-code-7f3a"
PARAMETER_NAMES = ("year", "as_of", "data_dir", "output_dir")


def write_notebook(path: Path, cells: list[tuple[str, str, list[str]]], **metadata) -> Path:
    """Write a notebook of (kind, source, tags) cells with the python3 kernelspec."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata.update(metadata)
    for kind, source, tags in cells:
        cell = (
            nbformat.v4.new_markdown_cell(source)
            if kind == "md"
            else nbformat.v4.new_code_cell(source)
        )
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


RECORD_PARAMETERS = (
    "import json, pathlib\n"
    f"seen = {{n: globals()[n] for n in {PARAMETER_NAMES!r} if n in globals()}}\n"
    "pathlib.Path(output_dir, 'metrics.json').write_text(json.dumps({'parameters': seen}))\n"
)


def figure_notebook(path: Path) -> Path:
    """Declares year and output_dir; draws a captioned figure, saves PNG + CSV, writes metrics."""
    return write_notebook(
        path,
        [
            ("md", "# Tiny figure\nA throwaway notebook for the report tests.", []),
            ("code", "year = 2000\noutput_dir = ''", ["parameters"]),
            (
                "code",
                (
                    f"# {SOURCE_MARKER}\n"
                    "import matplotlib.pyplot as plt\n"
                    "from wwc_analysis.figures import style as plotting\n"
                    "plotting.set_style()\n"
                    "fig, ax = plt.subplots()\n"
                    "ax.bar(['Silver', 'Gold'], [3, 1],\n"
                    "       color=plotting.tier_colors(['Silver', 'Gold']))\n"
                    "plotting.caption(fig, 'Source: test data', simulated=True)\n"
                    "fig.savefig(output_dir + '/bars.png')\n"
                    "plt.show()"
                ),
                [],
            ),
            (
                "code",
                "open(output_dir + '/counts.csv', 'w').write('tier,n\\nSilver,3\\nGold,1\\n')",
                [],
            ),
            ("code", RECORD_PARAMETERS, []),
        ],
        title="Tiny figure notebook",
        wwc={"simulated": True},
    )


def all_parameters_notebook(path: Path) -> Path:
    """Declares every report parameter; records them; named like the annual summary (PDF source)."""
    return write_notebook(
        path,
        [
            ("code", "year = 0\nas_of = ''\ndata_dir = ''\noutput_dir = ''", ["parameters"]),
            ("code", RECORD_PARAMETERS, []),
            ("code", "print('summary for', year)", []),
        ],
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def fake_rounds(monkeypatch):
    """``wwc report`` reads the small rounds table whatever its --data folder."""
    monkeypatch.setattr(report_cli, "load_rounds", lambda data_dir: ROUNDS)


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


@pytest.mark.slow
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


@pytest.mark.slow
def test_no_leftover_build_or_old_folder(built):
    leftovers = [p.name for p in built["out"].iterdir() if p.name.startswith(".")]
    assert leftovers == []
    assert not (built["final"] / "logs").exists()


@pytest.mark.slow
def test_pages_have_no_code_and_embed_a_png(built):
    page = (built["final"] / "01-figure.html").read_text(encoding="utf-8")
    assert SOURCE_MARKER not in page
    assert "plotting.set_style" not in page
    assert not re.search(r'class="[^"]*jp-InputArea-editor', page), "code input rendered"
    assert not re.search(r'class="[^"]*jp-InputPrompt', page), "input prompt rendered"
    assert not re.search(r"In&nbsp;\[\d*\]|Out\[\d+\]:", page), "prompt numbers rendered"
    assert re.search(r'src="data:image/png;base64,[A-Za-z0-9+/]{100,}', page), "no embedded PNG"
    assert "<title>Tiny figure notebook</title>" in page  # the notebook's metadata title


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_metrics_json_merges_every_notebook(built):
    merged = json.loads((built["final"] / "metrics.json").read_text())
    assert merged["year"] == 2024
    assert merged["data_dir"] == str(built["data"])
    assert set(merged["notebooks"]) == {"01-figure", "02-annual-summary"}
    assert (built["final"] / "01-figure" / "metrics.json").is_file()


@pytest.mark.slow
def test_progress_names_each_notebook_with_its_time(built):
    done = [
        line for line in built["lines"] if re.match(r"\[\d/2\] \S+ \.\.\. done in \d+\.\d s$", line)
    ]
    assert sorted(line.split()[1] for line in done) == ["01-figure", "02-annual-summary"]
    assert built["lines"][-1].startswith("published ")


# ------------------------------------------------------------------------------- failures


@pytest.mark.slow
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


@pytest.mark.slow
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


def test_year_without_round_exits_2_listing_years(tmp_path, fake_rounds, capsys):
    code = cli_main(["report", "--year", "2020", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "no round was announced in 2020" in err
    assert "years with a round: 2018, 2024" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == [], "nothing is built for a year without a round"


def test_cli_reads_the_rounds_of_its_data_folder(tmp_path, monkeypatch, capsys):
    """``wwc report`` loads the rounds of --data (resolved) and hands them to the report."""
    asked = []
    monkeypatch.setattr(
        report_cli, "load_rounds", lambda data_dir: asked.append(data_dir) or ROUNDS
    )
    data = tmp_path / "somewhere" / ".." / "data"
    code = cli_main(["report", "--year", "2020", "--data", str(data), "--out", str(tmp_path)])
    assert code == 2 and "years with a round: 2018, 2024" in capsys.readouterr().err
    assert asked == [data.resolve()]


def test_unreadable_rounds_table_exits_2(tmp_path, capsys):
    (tmp_path / "rounds.csv").write_text("round_id,announced\n2018-01,2018-13-25\n")
    code = cli_main(["report", "--data", str(tmp_path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"wwc report: error: cannot read the rounds table in {tmp_path.resolve()}" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_missing_notebook_is_a_usage_error(tmp_path):
    with pytest.raises(ReportError, match="notebook not found") as caught:
        build_report(2024, ROUNDS, tmp_path, out_dir=tmp_path, notebooks=[tmp_path / "nope.ipynb"])
    assert caught.value.exit_code == 2


def test_pdf_without_weasyprint_says_which_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "weasyprint", None)
    with pytest.raises(ReportError, match=r"pdf extra") as caught:
        build_report(
            2024, ROUNDS, tmp_path, out_dir=tmp_path, notebooks=[tmp_path / "x.ipynb"], pdf=True
        )
    assert caught.value.exit_code == 2


def test_invalid_metrics_json_is_an_error(tmp_path):
    (tmp_path / "01-a").mkdir()
    (tmp_path / "01-a" / "metrics.json").write_text("[1, 2]")
    with pytest.raises(
        ReportError, match="01-a.ipynb wrote metrics.json that is not a JSON object"
    ):
        report.merge_metrics(tmp_path, ["01-a"])
    (tmp_path / "01-a" / "metrics.json").write_text("{not json")
    with pytest.raises(ReportError, match="invalid metrics.json"):
        report.merge_metrics(tmp_path, ["01-a"])


def test_merge_metrics_skips_notebooks_without_metrics(tmp_path):
    for name, value in (("01-a", {"n": 1}), ("02-b", None), ("03-c", {"share": 0.5})):
        (tmp_path / name).mkdir()
        if value is not None:
            (tmp_path / name / "metrics.json").write_text(json.dumps(value))
    assert report.merge_metrics(tmp_path, ["01-a", "02-b", "03-c"]) == {
        "01-a": {"n": 1},
        "03-c": {"share": 0.5},
    }


# ------------------------------------------------------------------------ pieces, no kernel


def test_default_year_is_latest_with_a_round():
    assert report.report_years(ROUNDS) == [2018, 2024]
    assert report.resolve_year(None, ROUNDS) == 2024
    assert report.resolve_year(2018, ROUNDS) == 2018


def test_notebook_parameters_are_those_declared(tmp_path):
    nb = figure_notebook(tmp_path / "01-figure.ipynb")
    available = {"year": 2024, "as_of": "2024-12-31", "data_dir": "/d", "output_dir": "/o"}
    assert run.notebook_parameters(nb, available) == {"year": 2024, "output_dir": "/o"}
    plain = write_notebook(tmp_path / "02-plain.ipynb", [("code", "x = 1", [])])
    assert run.notebook_parameters(plain, available) == {}


def test_publish_swaps_atomically_and_restores_on_failure(tmp_path, monkeypatch):
    final = tmp_path / "2024"
    final.mkdir()
    (final / "index.html").write_text("old")
    build = tmp_path / ".build-2024-x"
    build.mkdir()
    (build / "index.html").write_text("new")

    real_replace = os.replace

    def failing_replace(src, dst):
        if Path(src) == build:
            raise OSError("disk trouble")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk trouble"):
        publish.publish(build, final)
    assert (final / "index.html").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".build-2024-x", "2024"]

    monkeypatch.setattr(os, "replace", real_replace)
    publish.publish(build, final)
    assert (final / "index.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2024"]


def test_child_environment_drops_agg_backend(monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    assert "MPLBACKEND" not in run._child_env()
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    assert run._child_env()["MPLBACKEND"] == "module://matplotlib_inline.backend_inline"


def test_injected_cell_offset(tmp_path):
    nb = write_notebook(
        tmp_path / "n.ipynb",
        [("md", "# t", []), ("code", "year = 1", ["parameters"]), ("code", "1/0", [])],
    )
    # executed notebook: md, parameters, injected-parameters, failing cell (index 3)
    assert run._injected_offset(nb, 3, injected=True) == 2
    assert run._injected_offset(nb, 1, injected=True) == 1
    assert run._injected_offset(nb, 3, injected=False) == 3


def test_worker_entry_point_is_importable():
    """The child process's command names a module and function that exist."""
    code = run.WORKER_CODE.format(job_file="/x/job.json")
    match = re.search(r"from (\S+) import (\w+);", code)
    assert match, code
    module = __import__(match[1], fromlist=[match[2]])
    assert callable(getattr(module, match[2]))
    assert "'/x/job.json'" in code


def test_notebook_job_layout(tmp_path):
    source = tmp_path / "notebooks" / "01-a.ipynb"
    job = run.notebook_job(source, tmp_path / "build", {"year": 2024}, cell_timeout=7)
    assert job == {
        "input": str(source),
        "output": str(tmp_path / "build" / "executed" / "01-a.ipynb"),
        "log": str(tmp_path / "build" / "logs" / "01-a.log"),
        "result": str(tmp_path / "build" / "logs" / "01-a.result.json"),
        "cwd": str(source.parent),
        "parameters": {"year": 2024},
        "cell_timeout": 7,
        "start_timeout": run.START_TIMEOUT,
    }
    json.dumps(job)  # the job travels to the child process as a JSON file


def test_keep_failed_replaces_the_earlier_one_and_a_success_drops_it(tmp_path):
    earlier = tmp_path / ".failed-2024"
    earlier.mkdir()
    (earlier / "old.txt").write_text("earlier failure")
    build = tmp_path / ".build-2024-x"
    (build / "executed").mkdir(parents=True)
    assert publish.keep_failed(build, tmp_path, 2024) == earlier
    assert sorted(p.name for p in earlier.iterdir()) == ["executed"]
    assert not build.exists()
    publish.drop_failed(tmp_path, 2025)  # another year's: nothing to do
    assert earlier.exists()
    publish.drop_failed(tmp_path, 2024)
    assert list(tmp_path.iterdir()) == []


def test_index_page_is_unchanged():
    """The index page from the Jinja2 template is the page ``wwc report`` wrote before the template
    (tests/fixtures/report-index.html): same markup, same escaping of names, titles and values."""
    pages = [
        {
            "name": "01-tier-distribution",
            "title": "Tier distribution",
            "html": "01-tier-distribution.html",
            "executed": "executed/01-tier-distribution.ipynb",
            "simulated": True,
            "figures": [
                "01-tier-distribution/growth.png",
                "01-tier-distribution/a \"b\" & 'c'.png",
            ],
            "tables": ["01-tier-distribution/levels.csv"],
        },
        {
            "name": "02-cohorts",
            "title": 'Cohorts <new> & "re-certified"',
            "html": "02-cohorts.html",
            "executed": "executed/02-cohorts.ipynb",
            "simulated": False,
            "figures": [],
            "tables": [],
        },
        {
            "name": "04-annual-summary",
            "title": "04-annual-summary",
            "html": "04-annual-summary.html",
            "executed": "executed/04-annual-summary.ipynb",
            "simulated": False,
            "figures": [],
            "tables": ["04-annual-summary/headline.csv", "04-annual-summary/rounds.csv"],
        },
    ]
    metrics = {
        "01-tier-distribution": {
            "year": 2024,
            "share": 0.123456789,
            "big": 12345.678,
            "nested": {"rounds": ["2024-01", "2024-06"], "none": None, "text": "a<b>&'\""},
        },
        "04-annual-summary": {},
    }
    got = render.index_html(
        2024, "2025-01-31T12:00:00+01:00", Path("/data/wwc & <co>"), pages, metrics
    )
    expected = Path(__file__).resolve().parents[1] / "fixtures" / "report-index.html"
    assert got == expected.read_text(encoding="utf-8")


def test_index_template_is_package_data():
    """An installed package (not only this checkout) carries the index template: a glob of the
    package data (globbed from the package folder, as setuptools does) finds it."""
    import tomllib

    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["wwc_analysis"]
    template = root / "wwc_analysis" / "report" / "templates" / render.INDEX_TEMPLATE
    assert template.is_file()
    shipped = {p for g in globs for p in (root / "wwc_analysis").glob(g)}
    assert template in shipped, globs


def test_register_adds_the_report_subcommand():
    parser = argparse.ArgumentParser(prog="wwc")
    report_cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["report", "--year", "2024", "--jobs", "3", "--pdf", "--out", "/x"])
    assert (args.command, args.year, args.jobs, args.pdf, args.out) == (
        "report",
        2024,
        3,
        True,
        Path("/x"),
    )
    assert args.func is report_cli.run
    defaults = parser.parse_args(["report"])
    assert defaults.year is None and defaults.jobs == 2 and defaults.pdf is False
    with pytest.raises(SystemExit):
        parser.parse_args(["report", "--jobs", "0"])


def test_real_rounds_table_years():
    rounds = load_rounds()
    years = report.report_years(rounds)
    assert years[0] == 2018
    assert report.resolve_year(None, rounds) == years[-1]
    with pytest.raises(ReportError, match="years with a round: 2018"):
        report.resolve_year(2017, rounds)
