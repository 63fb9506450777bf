"""Benchmark of ``wwc report`` against its floor.

* report: ``build_report`` for one year (default: the latest with a round) on the notebooks in
  ``notebooks/``, into a temporary reports folder: papermill runs, HTML rendering, index, publish.
* floor: the same number of notebooks, each reduced to its parameters cell and its import
  statements, run by the same machinery (same parallelism, one child process and kernel each)
  but with nothing else: the cost of starting kernels and importing the libraries.

Prints both wall times (best of ``--repeat`` runs) and their ratio; the difference is what the
analysis and the rendering cost. With no notebooks in ``notebooks/`` there is nothing to measure
and it says so (exit 0).

Usage: ``python benchmarks/bench_report.py [--year YYYY] [--jobs N] [--repeat N]``
"""

from __future__ import annotations

import argparse
import ast
import sys
import tempfile
import time
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


def time_report(year: int, rounds, notebooks: list[Path], jobs: int) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-report-") as out:
        start = time.perf_counter()
        report.build_report(
            year,
            rounds,
            paths.DATA_DIR,
            out_dir=out,
            notebooks=notebooks,
            jobs=jobs,
            progress=lambda _: None,
        )
        return time.perf_counter() - start


def time_floor(year: int, notebooks: list[Path], jobs: int) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
        build = Path(tmp)
        job_list = []
        for source in notebooks:
            nb = imports_only(source, build / source.name)
            (build / nb.stem).mkdir()
            available = {
                "year": year,
                "as_of": f"{year}-12-31",
                "data_dir": str(paths.DATA_DIR),
                "output_dir": str(build / nb.stem),
            }
            job_list.append(
                {
                    "input": str(nb),
                    "output": str(build / f"{nb.stem}.out.ipynb"),
                    "log": str(build / f"{nb.stem}.log"),
                    "result": str(build / f"{nb.stem}.result.json"),
                    "cwd": str(source.parent),
                    "parameters": run.notebook_parameters(nb, available),
                    "cell_timeout": run.CELL_TIMEOUT,
                    "start_timeout": run.START_TIMEOUT,
                }
            )
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
        floor = min(time_floor(year, notebooks, args.jobs) for _ in range(args.repeat))
        full = min(time_report(year, rounds, notebooks, args.jobs) for _ in range(args.repeat))
    except report.ReportError as exc:
        print(f"bench_report: the report failed:\n{exc}", file=sys.stderr)
        return 1
    print(f"  floor (imports only, papermill): {floor:7.2f} s")
    print(f"  wwc report {year}:               {full:7.2f} s")
    print(f"  ratio report / floor:           {full / floor:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
