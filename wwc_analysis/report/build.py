"""``wwc report``: run the analysis notebooks for one year and publish them as a static HTML report.

Steps, in order (:func:`build_report`; the modules named do the work):

1. Pick the year: the one asked for or, by default, the latest calendar year in which a round was
   announced, from the rounds table the caller passes in (``wwc report`` reads it from the data
   folder; this package never loads a table itself). A year without a round is an error (exit 2)
   that lists the years with one.
2. Run every notebook (``notebooks/[0-9][0-9]-*.ipynb`` unless a list is given) with papermill
   into a fresh build folder ``OUT/.build-YYYY-xxxx`` beside the target, ``jobs`` notebooks at a
   time (a thread pool), each in its own child Python process (papermill's ``cwd`` is a
   process-wide ``chdir``, so two notebooks in one process would race), with the kernel's working
   directory = the notebook's folder (:mod:`wwc_analysis.report.run`).
   A notebook receives only the parameters its ``parameters`` cell declares, among:

   ============== ==================================================================
   ``year``        the report year (int)
   ``as_of``       ``"YYYY-12-31"``: the date the year's state is measured at (str)
   ``data_dir``    absolute path of the data folder (str)
   ``output_dir``  absolute path of the notebook's own output folder ``YYYY/<notebook>/`` (str)
   ============== ==================================================================

   A notebook may write figures (``*.png``), tables (``*.csv``) and ``metrics.json`` (a JSON
   object) into ``output_dir``. The report merges every ``metrics.json`` into the top-level
   ``metrics.json`` under ``"notebooks": {"<notebook>": {...}}`` (:func:`merge_metrics`).
3. When every notebook succeeded: render each executed notebook to HTML without code or prompts
   (nbconvert ``HTMLExporter``; figures are embedded base64 PNGs), write ``index.html`` linking
   every page, figure and table (the Jinja2 template ``report/templates/index.html.j2``), and
   optionally ``report.pdf`` (WeasyPrint, from the annual summary page)
   (:mod:`wwc_analysis.report.render`).
4. Publish by an atomic swap: the old ``OUT/YYYY`` is renamed aside, the build folder renamed in,
   the old one removed (and put back if the rename fails) (:mod:`wwc_analysis.report.publish`).

On a failure nothing is published and the previous ``OUT/YYYY`` is left byte-for-byte untouched;
the message names the notebook, the cell (0-based index in the source notebook, and its first line)
and the error. The failed build is kept for debugging in ``OUT/.failed-YYYY/`` (executed notebooks
in ``executed/``, kernel and papermill output in ``logs/``), replacing any earlier failed build; the
next successful build of that year removes it. Failed notebooks are never rendered to HTML.

Published layout of ``OUT/YYYY/``::

    index.html                 links to everything below, year, build time, data folder, and
                               what the report was built from (the provenance)
    metrics.json               merged metrics of all notebooks, and ``provenance``: the record's
                               edition, SHA-256 of every data file, package version, git commit
                               and dirty flag, Python and library versions, each notebook's
                               parameters, build time (:mod:`wwc_analysis.report.provenance`)
    <notebook>.html            one page per notebook, no code
    <notebook>/                the notebook's output_dir: figures, tables, its metrics.json
    executed/<notebook>.ipynb  the executed notebooks (with code, for provenance)
    report.pdf                 only with --pdf

A notebook is marked as built on simulated data in the index when its notebook metadata has
``"wwc": {"simulated": true}``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from wwc_analysis.data import paths
from wwc_analysis.report import publish, render
from wwc_analysis.report.provenance import notebook_record, provenance, shown_path
from wwc_analysis.report.run import (
    CELL_TIMEOUT,
    NotebookRun,
    Progress,
    execute_all,
    notebook_job,
    notebook_parameters,
    parameter_defaults,
)

if TYPE_CHECKING:
    import pandas as pd

NOTEBOOK_PATTERN = "[0-9][0-9]-*.ipynb"
REPORT_PARAMETERS = ("year", "as_of", "data_dir", "output_dir")
PDF_SOURCE_SUFFIX = "annual-summary"


class ReportError(Exception):
    """A report build that cannot go on; ``exit_code`` is what ``wwc report`` exits with.

    2 means the request itself is wrong (unknown year, missing notebook, bad option); 1 means the
    build failed (a notebook raised, publishing failed).
    """

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


# --------------------------------------------------------------------------------------- years


def report_years(rounds: pd.DataFrame) -> list[int]:
    """Calendar years in which at least one round was announced, ascending.

    ``rounds`` is the rounds table (``announced`` datetime64), e.g. ``Dataset.rounds``.
    """
    announced = rounds["announced"].dropna()
    return sorted({int(y) for y in announced.dt.year})


def resolve_year(year: int | None, rounds: pd.DataFrame) -> int:
    """``year`` if a round was announced in it, else the latest such year when ``year`` is None.

    Raises ``ReportError`` (exit code 2) listing the years that have a round.
    """
    years = report_years(rounds)
    if not years:
        raise ReportError(
            "the rounds table has no announced round, so there is no year to report", 2
        )
    if year is None:
        return years[-1]
    if year not in years:
        listed = ", ".join(str(y) for y in years)
        raise ReportError(f"no round was announced in {year}; years with a round: {listed}", 2)
    return int(year)


# ----------------------------------------------------------------------------------- notebooks


def discover_notebooks(notebooks_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """The report notebooks: ``NN-*.ipynb`` in ``notebooks_dir`` (default ``paths.NOTEBOOKS_DIR``),
    sorted by name."""
    folder = Path(notebooks_dir) if notebooks_dir is not None else paths.NOTEBOOKS_DIR
    return sorted(p.resolve() for p in folder.glob(NOTEBOOK_PATTERN) if p.is_file())


def _resolve_notebooks(notebooks: Iterable[str | os.PathLike[str]] | None) -> list[Path]:
    found = discover_notebooks() if notebooks is None else [Path(p).resolve() for p in notebooks]
    if not found:
        where = paths.NOTEBOOKS_DIR if notebooks is None else "the given list"
        raise ReportError(f"no notebooks to run in {where}", 2)
    missing = [str(p) for p in found if not p.is_file()]
    if missing:
        raise ReportError(f"notebook not found: {', '.join(missing)}", 2)
    stems = [p.stem for p in found]
    duplicated = sorted({s for s in stems if stems.count(s) > 1})
    if duplicated:
        raise ReportError(f"two notebooks share a name (outputs would collide): {duplicated}", 2)
    return found


def _require_weasyprint() -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        raise ReportError(
            "--pdf needs WeasyPrint, which is not importable here "
            f"({type(exc).__name__}: {exc}); install the pdf extra: pip install -e '.[pdf]'",
            2,
        ) from exc


# ------------------------------------------------------------------------------------- metrics


def merge_metrics(build_dir: Path, names: Sequence[str]) -> dict[str, dict]:
    """Read ``build_dir/<name>/metrics.json`` of every notebook that wrote one.

    Returns ``{name: metrics}``; a file that is not a JSON object raises ``ReportError``.
    """
    merged: dict[str, dict] = {}
    for name in names:
        path = build_dir / name / "metrics.json"
        if not path.is_file():
            continue
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ReportError(f"{name}.ipynb wrote an invalid metrics.json: {exc}") from exc
        if not isinstance(value, dict):
            raise ReportError(f"{name}.ipynb wrote metrics.json that is not a JSON object")
        merged[name] = value
    return merged


# ------------------------------------------------------------------------------- build steps


@dataclass(frozen=True)
class _Build:
    """One build in progress: the year, the data folder, and the build folder inside ``out``."""

    year: int
    data_dir: Path
    out: Path
    folder: Path
    built_at: str

    @property
    def final(self) -> Path:
        return self.out / str(self.year)


def _run_notebooks(
    build: _Build, sources: Sequence[Path], jobs: int, cell_timeout: int, progress: Progress
) -> dict[str, dict]:
    """Step 2: run every notebook into the build folder; raise ``ReportError`` on a failure.
    Returns each notebook's parameters as it ran, for the provenance."""
    (build.folder / "executed").mkdir()
    (build.folder / "logs").mkdir()
    year = build.year
    available = {"year": int(year), "as_of": f"{year}-12-31", "data_dir": str(build.data_dir)}
    job_list, ran = [], {}
    for source in sources:
        out_sub = build.folder / source.stem
        out_sub.mkdir()
        params = notebook_parameters(source, {**available, "output_dir": str(out_sub)})
        job_list.append(notebook_job(source, build.folder, params, cell_timeout))
        ran[source.stem] = notebook_record(parameter_defaults(source), params, build.folder)
    runs, cancelled = execute_all(job_list, jobs, progress)
    failures = [r for r in runs if not r.ok]
    if failures:
        kept = publish.keep_failed(build.folder, build.out, year)
        raise ReportError(_failure_message(build, failures, cancelled, kept), 1)
    return ran


def _failure_message(
    build: _Build, failures: Sequence[NotebookRun], cancelled: Sequence[str], kept: Path
) -> str:
    """What ``wwc report`` says when notebooks failed: each failure, and where to look."""
    lines = [f"report {build.year} not published: {len(failures)} notebook(s) failed"]
    lines += [f"  {r.describe_failure()}" for r in failures]
    if cancelled:
        lines.append(f"  not run after the failure: {', '.join(sorted(cancelled))}")
    first = failures[0].name
    lines.append(
        f"  executed notebook (with the traceback): {kept / 'executed' / (first + '.ipynb')}"
    )
    lines.append(f"  kernel output: {kept / 'logs' / (first + '.log')}")
    lines.append(f"  the previous report {build.final} was left untouched")
    return "\n".join(lines)


def _write_report(build: _Build, ran: dict[str, dict], pdf: bool, progress: Progress) -> None:
    """Step 3: merged metrics.json (with the provenance), one HTML page per notebook, index.html,
    report.pdf."""
    folder, names = build.folder, list(ran)
    metrics = merge_metrics(folder, names)
    progress(f"rendering {len(names)} page(s) ...")
    pages = render.render_pages(folder, names)
    origin = provenance(build.data_dir, ran, build.built_at)
    summary = {
        "year": int(build.year),
        "built_at": build.built_at,
        "data_dir": origin["data"]["path"],
        "provenance": origin,
        "notebooks": metrics,
    }
    (folder / "metrics.json").write_text(
        json.dumps(summary, indent=2, default=str, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    shown = shown_path(build.data_dir)
    render.write_index(folder, build.year, build.built_at, shown, pages, metrics, origin)
    if pdf:
        pdf_name = next((n for n in names if n.endswith(PDF_SOURCE_SUFFIX)), names[-1])
        progress(f"writing report.pdf from {pdf_name}.html ...")
        render.write_pdf(folder / f"{pdf_name}.html", folder / "report.pdf")


def _publish(build: _Build) -> None:
    """Step 4: drop the logs, swap the build in; a failed swap leaves the previous report."""
    shutil.rmtree(build.folder / "logs")
    try:
        publish.publish(build.folder, build.final)
    except OSError as exc:
        raise ReportError(
            f"could not publish {build.final}: {exc}; the previous report is in place"
        ) from exc


# -------------------------------------------------------------------------------------- build


def build_report(
    year: int | None,
    rounds: pd.DataFrame,
    data_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str] | None = None,
    notebooks: Iterable[str | os.PathLike[str]] | None = None,
    jobs: int = 2,
    pdf: bool = False,
    progress: Progress = print,
    *,
    cell_timeout: int = CELL_TIMEOUT,
) -> Path:
    """Build the report of ``year`` and publish it to ``out_dir/YYYY``; return that folder.

    ``year`` None means the latest year with an announced round in ``rounds`` (the rounds table of
    ``data_dir``, e.g. ``load_rounds(data_dir)``); the notebooks read their data from ``data_dir``.
    ``out_dir`` defaults to ``paths.REPORTS_DIR``, ``notebooks`` to the ``NN-*.ipynb`` files of
    ``paths.NOTEBOOKS_DIR``. ``jobs`` notebooks run at a time; ``cell_timeout`` bounds every cell
    (seconds). ``progress`` receives one line per step. Raises ``ReportError`` on any failure,
    after which the previously published report is untouched (see the module docstring).
    """
    if jobs < 1:
        raise ReportError(f"jobs must be at least 1, got {jobs}", 2)
    data = Path(data_dir).resolve()
    out = Path(out_dir if out_dir is not None else paths.REPORTS_DIR).resolve()
    if pdf:
        _require_weasyprint()
    year = resolve_year(year, rounds)
    sources = _resolve_notebooks(notebooks)
    out.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    built_at = datetime.now().astimezone().isoformat(timespec="seconds")
    folder = Path(tempfile.mkdtemp(prefix=f".build-{year}-", dir=out))
    build = _Build(year=year, data_dir=data, out=out, folder=folder, built_at=built_at)
    progress(
        f"wwc report {year}: {len(sources)} notebook(s), data {data}, "
        f"{min(jobs, len(sources))} at a time, building in {folder}"
    )
    try:
        ran = _run_notebooks(build, sources, jobs, cell_timeout, progress)
        _write_report(build, ran, pdf, progress)
        _publish(build)
    except BaseException:
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        raise
    publish.drop_failed(out, year)
    progress(f"published {build.final / 'index.html'} in {time.perf_counter() - started:.1f} s")
    return build.final


__all__ = [
    "NOTEBOOK_PATTERN",
    "NotebookRun",
    "ReportError",
    "build_report",
    "discover_notebooks",
    "merge_metrics",
    "notebook_parameters",
    "report_years",
    "resolve_year",
]
