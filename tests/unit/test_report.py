"""Tests of ``wwc report`` (wwc_analysis.report) without a kernel: years, parameters, jobs, the
atomic publish, the index page, metrics and the command line, on tiny throwaway notebooks
(tests/notebook_files.py) and a small rounds table. The builds that run kernels are in
tests/integration/test_report_builds.py.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path

import pytest

from tests.csv_edits import add_simulated, read_rows, set_cell, write_rows
from tests.notebook_files import ROUNDS, figure_notebook, write_notebook
from wwc_analysis.cli import report as report_cli
from wwc_analysis.cli.app import main as cli_main
from wwc_analysis.data.dataset import load_rounds
from wwc_analysis.report import build as report
from wwc_analysis.report import publish, run
from wwc_analysis.report.build import ReportError, build_report


@pytest.fixture
def fake_rounds(monkeypatch):
    """``wwc report`` reads the small rounds table whatever its --data folder."""
    monkeypatch.setattr(report_cli, "validated_rounds", lambda data_dir: ROUNDS)


def test_year_without_round_exits_2_listing_years(tmp_path, fake_rounds, capsys):
    code = cli_main(["report", "--year", "2020", "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "no round was announced in 2020" in err
    assert "years with a round: 2018, 2024" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == [], "nothing is built for a year without a round"


def test_cli_reads_the_rounds_of_its_data_folder(tmp_path, monkeypatch, capsys):
    """``wwc report`` validates --data (resolved) and hands its rounds to the report."""
    asked = []
    monkeypatch.setattr(
        report_cli, "validated_rounds", lambda data_dir: asked.append(data_dir) or ROUNDS
    )
    data = tmp_path / "somewhere" / ".." / "data"
    code = cli_main(["report", "--year", "2020", "--data", str(data), "--out", str(tmp_path)])
    assert code == 2 and "years with a round: 2018, 2024" in capsys.readouterr().err
    assert asked == [data.resolve()]


def _no_build(monkeypatch):
    """Fail the test if the report build (papermill, kernels) is reached."""

    def build(*args, **kwargs):
        raise AssertionError("a notebook was about to run")

    monkeypatch.setattr(report_cli, "build_report", build)


def test_a_broken_folder_stops_before_any_notebook(tiny_copy, tmp_path, monkeypatch, capsys):
    """Fail fast: the whole folder is validated first; its problems are printed as by `wwc
    validate`, one a line, and nothing is built or published (exit 1)."""
    add_simulated(tiny_copy)  # its own: the shipped one fits only the shipped record
    set_cell("certifications.csv", 3, "level", "Golden")(tiny_copy)
    set_cell("rounds.csv", 2, "announced", "2018-13-25")(tiny_copy)
    assert cli_main(["validate", str(tiny_copy)]) == 1
    said = capsys.readouterr().err.splitlines()
    _no_build(monkeypatch)
    out = tmp_path / "out"
    code = cli_main(["report", "--data", str(tiny_copy), "--out", str(out)])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert err[: len(said)] == said  # the same lines as wwc validate
    assert len(said) == 3  # two problems and the count
    assert err[-1].startswith(f"wwc report: error: the data in {tiny_copy} does not validate")
    assert "nothing was published" in err[-1]
    assert not out.exists()


def test_an_unreadable_rounds_table_stops_the_report(tmp_path, monkeypatch, capsys):
    (tmp_path / "rounds.csv").write_text("round_id,announced\n2018-01,2018-13-25\n")
    _no_build(monkeypatch)
    code = cli_main(["report", "--data", str(tmp_path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert "rounds.csv: column 'date_precision'" in err  # named, as wwc validate names it
    assert f"wwc report: error: the data in {tmp_path.resolve()} does not validate" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_warnings_do_not_stop_the_report(tiny_copy, tmp_path, monkeypatch, capsys):
    add_simulated(tiny_copy)  # its own: the shipped one fits only the shipped record
    rows = read_rows(tiny_copy / "certifications.csv")
    rows.append(["city-of-mesa-az-us", "City of Mesa", *rows[1][2:]])
    write_rows(tiny_copy / "certifications.csv", rows)
    asked = []
    monkeypatch.setattr(
        report_cli, "build_report", lambda year, rounds, *a, **k: asked.append(rounds) or 0
    )
    assert cli_main(["report", "--data", str(tiny_copy), "--out", str(tmp_path)]) == 0
    assert "warning: 'City of Mesa' (city-of-mesa-az-us)" in capsys.readouterr().err
    assert list(asked[0]["round_id"])[0] == "2018-01"  # the validated rounds, in date order


def test_missing_notebook_is_a_usage_error(tmp_path):
    with pytest.raises(ReportError, match="notebook not found") as caught:
        build_report(2024, ROUNDS, tmp_path, out_dir=tmp_path, notebooks=[tmp_path / "nope.ipynb"])
    assert caught.value.exit_code == 2


def test_pdf_without_weasyprint_says_which_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "weasyprint", None)
    notebook = figure_notebook(tmp_path / "01-figure.ipynb")
    out = tmp_path / "reports"
    with pytest.raises(ReportError, match=r"pdf extra") as caught:
        build_report(2024, ROUNDS, tmp_path, out_dir=out, notebooks=[notebook], pdf=True)
    assert caught.value.exit_code == 2
    assert [p.name for p in out.iterdir()] == [], "said before any notebook ran"


def test_the_report_process_goes_without_slow_optional_modules(monkeypatch):
    """jsonschema imports rfc3987_syntax when it is installed (JupyterLab brings it), which costs
    every process that reads a notebook about a second; wwc report and its workers skip it."""
    import inspect
    import sys

    monkeypatch.delitem(sys.modules, "rfc3987_syntax", raising=False)
    run.skip_slow_optional_imports()
    assert sys.modules["rfc3987_syntax"] is None
    with pytest.raises(ImportError):
        import rfc3987_syntax  # noqa: F401
    assert "skip_slow_optional_imports()" in inspect.getsource(run._worker_main)


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
    # the renames where the system cannot exchange two names atomically (tests/unit/
    # test_report_folders.py has the exchange)
    monkeypatch.setattr(publish, "exchange", lambda a, b: False)
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
        "name": "01-a",
        "input": str(source),
        "output": str(tmp_path / "build" / "executed" / "01-a.ipynb"),
        "log": str(tmp_path / "build" / "logs" / "01-a.log"),
        "result": str(tmp_path / "build" / "logs" / "01-a.result.json"),
        "progress": str(tmp_path / "build" / "logs" / "01-a.progress"),
        "cwd": str(source.parent),
        "parameters": {"year": 2024},
        "cell_timeout": 7,
        "start_timeout": run.START_TIMEOUT,
    }
    json.dumps(job)  # the job travels to the child process as a JSON file
    # a per-round run: its own name for every file, the same notebook and folder
    rnd = run.notebook_job(source, tmp_path / "build", {}, name="01-a-2024-06")
    assert rnd["output"].endswith("executed/01-a-2024-06.ipynb") and rnd["input"] == str(source)
    assert rnd["progress"].endswith("logs/01-a-2024-06.progress")


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


def test_templates_are_package_data():
    """An installed package (not only this checkout) carries every template and the stylesheet: a
    glob of the package data (globbed from the package folder, as setuptools does) finds each
    file of report/templates."""
    import tomllib

    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    globs = config["tool"]["setuptools"]["package-data"]["wwc_analysis"]
    folder = root / "wwc_analysis" / "report" / "templates"
    files = {p for p in folder.rglob("*") if p.is_file()}
    assert folder / "index.html.j2" in files and folder / "report.css" in files
    assert folder / "nbconvert" / "wwc-page" / "index.html.j2" in files
    shipped = {p for g in globs for p in (root / "wwc_analysis").glob(g)}
    assert files <= shipped, sorted(str(p) for p in files - shipped)


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


@pytest.mark.parametrize("which", ["record", "tiny"])
def test_real_rounds_table_years(request, which):
    data = request.getfixturevalue(which)
    rounds = load_rounds(data.data_dir)
    years = report.report_years(rounds)
    assert years == sorted({int(y) for y in data.rounds["announced"].dt.year})
    assert report.resolve_year(None, rounds) == years[-1]
    with pytest.raises(ReportError, match=f"years with a round: {years[0]}"):
        report.resolve_year(years[0] - 1, rounds)


# ------------------------------------------- tasks after the runs (pages written as runs finish)


def _fake_runs(monkeypatch, events: list[str], fail: str = ""):
    """``run._run_one`` replaced by a stand-in that notes when each job starts and ends."""
    import time

    def fake(job, progress=None, workers=None):
        events.append(f"start {job['name']}")
        time.sleep(0.05)
        events.append(f"end {job['name']}")
        ok = job["name"] != fail
        return run.NotebookRun(job["name"], ok, 0.05, ename="" if ok else "ValueError")

    monkeypatch.setattr(run, "_run_one", fake)
    return [{"name": n, "input": f"{n}.ipynb"} for n in ("a", "b", "c")]


def test_a_task_after_a_run_waits_for_the_notebooks_still_to_start(monkeypatch):
    events: list[str] = []
    jobs = _fake_runs(monkeypatch, events)
    done, cancelled = run.execute_all(
        jobs,
        1,
        lambda _: None,
        after=lambda r: lambda: events.append(f"page {r.name}"),
        extra=[lambda: events.append("page cached")],
    )
    assert [r.name for r in done] == ["a", "b", "c"] and not cancelled
    assert events.index("page cached") > events.index("start c")  # behind every notebook
    assert events.index("page a") > events.index("start c")
    assert events[-1] == "page c"


def test_no_task_after_a_failed_run_and_a_failing_task_raises(monkeypatch):
    events: list[str] = []
    jobs = _fake_runs(monkeypatch, events, fail="a")
    done, cancelled = run.execute_all(
        jobs, 1, lambda _: None, after=lambda r: lambda: events.append(f"page {r.name}")
    )
    assert not done[0].ok and sorted([r.name for r in done] + cancelled) == ["a", "b", "c"]
    assert not [e for e in events if e.startswith("page")]

    def broken():
        raise RuntimeError("the page could not be written")

    with pytest.raises(RuntimeError, match="could not be written"):
        run.execute_all(_fake_runs(monkeypatch, []), 2, lambda _: None, after=lambda r: broken)


def test_the_kernel_is_stopped_at_once_when_the_last_cell_is_done(monkeypatch):
    """Every output has arrived when the last cell is done; waiting for the kernel's clean exit
    cost 0.4-0.6 s of every run (docs/benchmarks.md)."""
    import papermill

    seen: dict = {}
    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **kw: seen.update(kw))
    job = {"input": "in.ipynb", "output": "out.ipynb", "parameters": {}, "cwd": ".",
           "start_timeout": 60, "cell_timeout": 600}  # fmt: skip
    run._papermill(job)
    assert seen["shutdown_kernel"] == "immediate"
    assert seen["execution_timeout"] == 600 and seen["kernel_name"] == run.KERNEL_NAME
