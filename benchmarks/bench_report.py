"""Benchmark of ``wwc report`` against its floor.

* report: ``build_report`` for one year (default: the latest with a round) on the notebooks in
  ``notebooks/``, into a new temporary reports folder (so nothing is cached): papermill runs,
  HTML pages, index, workbook, publish.
* floor: the same runs (one per notebook, one per round of the year for the cohort comparison),
  each notebook reduced to its parameters cell and its import statements, run by the same
  machinery (same parallelism, one child process and kernel each) but with nothing else: the cost
  of starting kernels and importing the libraries.
* re-render: the same report built again into the same folder with another build date: every run
  is taken from the cache of executed notebooks, the pages, index and workbook are written again.
* up to date: the same build again with nothing changed, in this process (``build_report``) and as
  a user runs it (``wwc report`` in a child process: Python start and imports included).

Prints the wall times (best of ``--repeat`` runs) and the ratio of the report to its floor; the
difference is what the analysis and the rendering cost. With no notebooks in ``notebooks/`` there
is nothing to measure and it says so (exit 0).

Usage: ``python benchmarks/bench_report.py [--year YYYY] [--jobs N] [--repeat N]``
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat

from wwc_analysis.data import paths
from wwc_analysis.data.dataset import load_rounds
from wwc_analysis.report import build as report
from wwc_analysis.report import run


def imports_only(source: Path, target: Path) -> Path:
    """Write a copy of ``source`` with its parameters cell and only the import statements."""
    nb = nbformat.read(source, as_version=4)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "parameters" in cell.metadata.get("tags", []):
            cells.append(nbformat.v4.new_code_cell(cell.source, metadata={"tags": ["parameters"]}))
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # IPython magics: not plain Python, no imports to keep
            continue
        lines = [
            ast.unparse(node) for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)
        ]
        if lines:
            cells.append(nbformat.v4.new_code_cell("\n".join(lines)))
    floor = nbformat.v4.new_notebook(metadata=nb.metadata, cells=cells)
    nbformat.write(floor, target)
    return target


def _build(year: int, rounds, notebooks: list[Path], jobs: int, out, built_at=None) -> float:
    start = time.perf_counter()
    report.build_report(
        year,
        rounds,
        paths.DATA_DIR,
        out_dir=out,
        notebooks=notebooks,
        jobs=jobs,
        progress=lambda _: None,
        built_at=built_at,
    )
    return time.perf_counter() - start


def time_report(year: int, rounds, notebooks: list[Path], jobs: int) -> dict[str, float]:
    """A cold build, a re-render from the cache, and up-to-date rebuilds (in process, and by
    the ``wwc report`` command), all into one temporary reports folder."""
    with tempfile.TemporaryDirectory(prefix="bench-report-") as out:
        times = {"cold": _build(year, rounds, notebooks, jobs, out)}
        times["re-render"] = _build(year, rounds, notebooks, jobs, out, datetime.now())
        times["up to date"] = _build(year, rounds, notebooks, jobs, out)  # as the first
        command = [str(Path(sys.executable).with_name("wwc")), "report", "--year", str(year)]
        command += ["--out", out, "--data", str(paths.DATA_DIR)]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        times["up to date, wwc report"] = time.perf_counter() - start
        if done.returncode != 0 or "up to date" not in done.stdout:
            raise SystemExit(f"wwc report did not find the report up to date:\n{done.stdout}")
        return times


def time_floor(year: int, rounds, notebooks: list[Path], jobs: int) -> float:
    """The report's runs (:func:`report.plan_runs`), imports only, run the same way."""
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        build = Path(tmp)
        (build / "executed").mkdir()
        (build / "logs").mkdir()
        job_list = []
        for planned in report.plan_runs(notebooks, year, rounds):
            nb = build / planned.source.name
            if not nb.exists():
                imports_only(planned.source, nb)
            (build / planned.name).mkdir()
            available = {
                "year": year,
                "as_of": f"{year}-12-31",
                "data_dir": str(paths.DATA_DIR),
                "output_dir": str(build / planned.name),
            }
            if planned.round_id:
                available["round_id"] = planned.round_id
            params = run.notebook_parameters(nb, available)
            job = run.notebook_job(nb, build, params, run.CELL_TIMEOUT, planned.name)
            job["cwd"] = str(planned.source.parent)
            job_list.append(job)
        start = time.perf_counter()
        runs, _ = run.execute_all(job_list, jobs, lambda _: None)
        elapsed = time.perf_counter() - start
        failed = [r.describe_failure() for r in runs if not r.ok]
        if failed:
            raise SystemExit("floor notebooks failed (an import is broken?):\n" + "\n".join(failed))
        return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--year", type=int, help="report year (default: latest with a round)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks at a time (default 2)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, best kept (default 2)")
    parser.add_argument(
        "--notebooks",
        type=Path,
        default=paths.NOTEBOOKS_DIR,
        metavar="DIR",
        help="folder of the NN-*.ipynb notebooks (default: notebooks/)",
    )
    args = parser.parse_args(argv)

    notebooks = report.discover_notebooks(args.notebooks)
    if not notebooks:
        print(
            f"bench_report: no notebooks ({report.NOTEBOOK_PATTERN}) in {args.notebooks}; "
            "nothing to time"
        )
        return 0
    rounds = load_rounds()
    try:
        year = report.resolve_year(args.year, rounds)
    except report.ReportError as exc:
        print(f"bench_report: {exc}", file=sys.stderr)
        return exc.exit_code
    print(
        f"bench_report: {len(notebooks)} notebook(s), year {year}, {args.jobs} at a time, "
        f"best of {args.repeat}"
    )
    try:
        floors, fulls = [], []
        for _ in range(args.repeat):  # interleaved: a change of load on the machine hits both
            floors.append(time_floor(year, rounds, notebooks, args.jobs))
            fulls.append(time_report(year, rounds, notebooks, args.jobs))
    except report.ReportError as exc:
        print(f"bench_report: the report failed:\n{exc}", file=sys.stderr)
        return 1
    floor = min(floors)
    best = {k: min(t[k] for t in fulls) for k in fulls[0]}
    runs = len(report.plan_runs(notebooks, year, rounds))
    print(f"  floor ({runs} runs, imports only, papermill): {floor:7.2f} s")
    print(f"  wwc report {year}, nothing cached:           {best['cold']:7.2f} s")
    print(f"  ratio report / floor:                       {best['cold'] / floor:7.2f}")
    print(f"  re-render from the cache (new build date):  {best['re-render']:7.2f} s")
    print(f"  rebuild, nothing changed (build_report):    {best['up to date']:7.2f} s")
    print(f"  rebuild, nothing changed (wwc report):      {best['up to date, wwc report']:7.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
