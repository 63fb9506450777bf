"""``wwc report``: run the analysis notebooks for one year and publish them as a static report.

Steps, in order (:func:`build_report`; the modules named do the work):

1. Pick the year: the one asked for or, by default, the latest calendar year in which a round was
   announced, from the rounds table the caller passes in (``wwc report`` reads it from the data
   folder; this package never loads a table itself). A year without a round is an error (exit 2)
   that lists the years with one.
2. Plan the runs: one per notebook (``notebooks/[0-9][0-9]-*.ipynb`` unless a list is given), and
   one per round of the year for a notebook whose metadata says ``"wwc": {"per_round": true}``
   (the cohort comparison: ``02-cohort-comparison-2024-01`` and ``...-2024-06``). A notebook
   whose metadata names tables it needs (``"needs": ["universe.csv", ...]``) that the data folder
   lacks is left out, with the reason (in the progress and on the front page)
   (:mod:`wwc_analysis.report.plan`). The reports folder must be a writable folder (else exit 2);
   what killed runs left in it is removed first (:mod:`wwc_analysis.report.folders`).
3. Run them with papermill into a fresh build folder ``OUT/.build-YYYY-xxxx`` beside the target,
   ``jobs`` at a time (the longest first), each in its own child Python process with the kernel's
   working directory = the notebook's folder (:mod:`wwc_analysis.report.run`). A run whose inputs
   are those of a cached run (same notebook, parameters, data files, package source and pinned
   dependencies) is not run again: its executed notebook and outputs are copied from
   ``OUT/.cache/`` (:mod:`wwc_analysis.report.cache`; ``force=True`` runs everything).
   A notebook receives only the parameters its ``parameters`` cell declares, among:

   ============== ==================================================================
   ``year``        the report year (int)
   ``as_of``       the date the year's state is measured at (str ``YYYY-MM-DD``): 31 December of
                   the year, or the build date for a year not over yet
   ``round_id``    the round of a per-round run (str ``YYYY-MM``)
   ``data_dir``    absolute path of the data folder (str)
   ``output_dir``  absolute path of the run's own output folder ``YYYY/<run>/`` (str)
   ============== ==================================================================

   A notebook writes figures (``*.png``), tables (``*.csv``), the manifest ``outputs.json`` and
   ``metrics.json`` (a JSON object) into ``output_dir`` through :mod:`wwc_analysis.report.outputs`.
   The report merges every ``metrics.json`` into the top-level ``metrics.json`` under
   ``"notebooks": {"<run>": {...}}`` (:func:`merge_metrics`).
4. When every run succeeded: the pages, the index, the Excel workbook and, with ``pdf``, the
   whole-report PDF (:mod:`wwc_analysis.report.render`).
5. Publish by an atomic swap: the old ``OUT/YYYY`` is renamed aside, the build folder renamed in,
   the old one removed (and put back if the rename fails) (:mod:`wwc_analysis.report.publish`).

On a failure nothing is published and the previous ``OUT/YYYY`` is left byte-for-byte untouched;
the message names the notebook, the cell (0-based index in the source notebook, and its first line)
and the error. The failed build is kept for debugging in ``OUT/.failed-YYYY/`` (executed notebooks
in ``executed/``, kernel and papermill output in ``logs/``), replacing any earlier failed build; the
next successful build of that year removes it. Failed notebooks are never rendered to HTML.

Ctrl-C and SIGTERM (turned into :class:`~wwc_analysis.errors.Terminated` by the command line)
remove the build folder and stop every worker with its kernel; a signal that comes while
publishing is held until the swap is done (the run then says it published). A build folder holds a
``flock`` on its lock file for as long as its run lives, so the next run removes the folders of
killed runs (SIGKILL included), and only those. When the data folder has no simulated assessments,
the shipped file that stands in is named in the provenance (``simulated``) and is part of every
run's cache key.

The build date (``built_at``, default now) is written on every page and sets ``as_of``; giving the
same one twice rebuilds the same bytes (pages, index, metrics).

Published layout of ``OUT/YYYY/``::

    index.html                 the front page: the year's headline numbers, the pages, figures
                               and tables, the downloads and what the report was built from
    report.css                 the stylesheet every page shares (none with single_file)
    <run>.html                 one page per run, no code; figures are the PNG files below
    <run>/                     the run's output folder: figures, tables (CSV, UTF-8 with a BOM),
                               outputs.json (the manifest), metrics.json
    tables.xlsx                every table, a sheet each, and a README sheet
    metrics.json               merged metrics of all runs, and ``provenance``: the record's
                               edition, SHA-256 of every data file, package version, git commit
                               and dirty flag, Python and library versions, each run's
                               parameters, build time (:mod:`wwc_analysis.report.provenance`)
    executed/<run>.ipynb       the executed notebooks (with code, for provenance)
    report.pdf                 only with --pdf: every page, a table of contents, page numbers
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from wwc_analysis.data import paths, snapshot
from wwc_analysis.data.package import checksums
from wwc_analysis.report import cache, folders, publish, render
from wwc_analysis.report.plan import (
    NOTEBOOK_PATTERN,
    ReportError,
    Run,
    _require_weasyprint,
    _resolve_notebooks,
    as_of_date,
    discover_notebooks,
    plan_runs,
    report_years,
    resolve_year,
    unmet_needs,
    year_rounds,
)
from wwc_analysis.report.provenance import notebook_record, provenance, simulated_stand_in
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

REPORT_PARAMETERS = ("year", "as_of", "round_id", "data_dir", "output_dir")
#: In a published report: the key of what it was built from (:func:`report_key`).
REPORT_KEY = ".report-key"


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
    """One build in progress: the year, the data folder, the build folder inside ``out``, the
    build time, the options, the data files' checksums and each run's cache key."""

    year: int
    data_dir: Path
    out: Path
    folder: Path
    built_at: datetime
    force: bool = False
    cell_timeout: int = CELL_TIMEOUT
    data_files: tuple = ()
    keys: Mapping[str, str] = field(default_factory=dict)
    stand_in: Mapping | None = None
    skipped: Mapping[str, str] = field(default_factory=dict)

    @property
    def final(self) -> Path:
        return self.out / str(self.year)

    @property
    def as_of(self) -> date:
        return as_of_date(self.year, self.built_at)


def _parameters(year: int, as_of: date, data_dir: Path, run: Run, output_dir: str) -> dict:
    """The parameters ``run`` receives: those its notebook declares among the report's."""
    available = {"year": int(year), "as_of": as_of.isoformat(), "data_dir": str(data_dir)}
    if run.round_id:
        available["round_id"] = run.round_id
    return notebook_parameters(run.source, {**available, "output_dir": output_dir})


def run_keys(
    year: int, as_of: date, data_dir: Path, runs: Sequence[Run], data_files: Sequence[dict]
) -> dict[str, str]:
    """Each run's cache key (:func:`wwc_analysis.report.cache.run_key`)."""
    code = cache.code_fingerprint()
    return {
        r.name: cache.run_key(r.source, _parameters(year, as_of, data_dir, r, ""), data_files, code)
        for r in runs
    }


def report_key(
    keys: Mapping[str, str], year: int, options: render.Options, built_at: datetime | None
) -> str:
    """What a published report was built from: its runs' keys, the options, the report's
    templates and, when one was given, the build time. A report whose key matches is up to date."""
    payload = {
        "year": int(year),
        "runs": list(keys.items()),
        "options": [options.pdf, options.single_file],
        "templates": cache.templates_fingerprint(),
        "built_at": built_at.isoformat() if built_at is not None else None,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def up_to_date(final: Path, key: str) -> bool:
    """Whether the report in ``final`` was built from exactly ``key`` (and is still there)."""
    try:
        return (final / REPORT_KEY).read_text(encoding="utf-8").strip() == key and (
            final / "index.html"
        ).is_file()
    except OSError:
        return False


def _jobs(build: _Build, runs: Sequence[Run], progress: Progress) -> tuple[list, dict]:
    """The jobs to run (cached runs restored instead) and each run's parameters as it ran (for
    the provenance)."""
    jobs, ran = [], {}
    for run in runs:
        out_sub = build.folder / run.name
        out_sub.mkdir()
        params = _parameters(build.year, build.as_of, build.data_dir, run, str(out_sub))
        ran[run.name] = notebook_record(parameter_defaults(run.source), params, build.folder)
        key = build.keys[run.name]
        entry = None if build.force else cache.lookup(build.out, build.year, run.name, key)
        if entry is not None:
            cache.restore(entry, build.folder / "executed" / f"{run.name}.ipynb", out_sub)
            progress(f"[cached] {run.name}: same notebook, parameters, data and code as before")
            continue
        jobs.append(notebook_job(run.source, build.folder, params, build.cell_timeout, run.name))
    # the longest first (as long as last time; never seen: first of all), so two jobs end together
    jobs.sort(key=lambda j: -(cache.last_seconds(build.out, build.year, j["name"]) or 1e9))
    return jobs, ran


def _write_snapshot(build: _Build) -> None:
    """Hand the kernels the validated data folder
    (:func:`wwc_analysis.data.dataset.write_snapshot`). Whatever goes wrong here only leaves
    the kernels to read the files themselves, as they do outside a report."""
    from wwc_analysis.data.dataset import write_snapshot
    from wwc_analysis.data.read import DEFAULT_MAX_ROWS

    target = build.folder / snapshot.FILE_NAME
    try:
        write_snapshot(target, build.data_dir, list(build.data_files), DEFAULT_MAX_ROWS)
    except Exception:  # noqa: BLE001 - see above: a missing snapshot costs time, nothing else
        return


def _run_notebooks(
    build: _Build,
    runs: Sequence[Run],
    jobs: int,
    progress: Progress,
    writer: render.PageWriter | None = None,
) -> dict[str, dict]:
    """Step 3: run every notebook into the build folder; raise ``ReportError`` on a failure.
    Returns each run's parameters as it ran, for the provenance. While the first kernels start,
    a thread loads the data folder once for all of them (:func:`_write_snapshot`); the snapshot
    is removed when the runs are over. ``writer`` writes the page of each run that succeeded (or
    came from the cache) on a worker with no notebook left to start."""
    (build.folder / "executed").mkdir()
    (build.folder / "logs").mkdir()
    job_list, ran = _jobs(build, runs, progress)
    loader = threading.Thread(target=_write_snapshot, args=(build,), daemon=True)
    if job_list:
        loader.start()
    pages: dict = {}
    if writer is not None:
        to_run = {job["name"] for job in job_list}
        pages = {
            "after": lambda done: functools.partial(writer.finished, done.name),
            "extra": [
                writer.prepare,
                *(functools.partial(writer.finished, r.name) for r in runs if r.name not in to_run),
            ],
        }
    try:
        done, cancelled = execute_all(job_list, jobs, progress, **pages) if job_list else ([], [])
    finally:
        if loader.is_alive():
            loader.join()
        (build.folder / snapshot.FILE_NAME).unlink(missing_ok=True)
        shutil.rmtree(build.folder / paths.FIGURE_STORE_DIR, ignore_errors=True)
    for r in done:
        if r.ok:
            executed = build.folder / "executed" / f"{r.name}.ipynb"
            cache.store(
                build.out,
                build.year,
                r.name,
                build.keys[r.name],
                executed,
                build.folder / r.name,
                r.seconds,
            )
    failures = [r for r in done if not r.ok]
    if failures:
        if writer is not None:
            writer.discard()  # a failed build is never rendered, not even in part
        with folders.out_lock(build.out):
            kept = publish.keep_failed(build.folder, build.out, build.year)
        raise ReportError(_failure_message(build, failures, cancelled, kept), 1)
    cache.prune(build.out, build.year, [r.name for r in runs])
    return ran


def _failure_message(
    build: _Build, failures: Sequence[NotebookRun], cancelled: Sequence[str], kept: Path
) -> str:
    """What ``wwc report`` says when notebooks failed: each error once (with every notebook and
    cell where it happened), and where to look."""
    lines = [f"report {build.year} not published: {len(failures)} notebook(s) failed"]
    by_error: dict[str, list[NotebookRun]] = {}
    for r in failures:
        by_error.setdefault(r.error(), []).append(r)
    for error, runs in by_error.items():
        if len(runs) == 1:
            lines.append(f"  {runs[0].describe_failure()}")
            continue
        lines.append(f"  the same error in {len(runs)} notebooks: {error}")
        lines += [f"    in {r.where()}" for r in runs]
    if cancelled:
        lines.append(f"  not run after the failure: {', '.join(sorted(cancelled))}")
    first = failures[0].name
    lines.append(
        f"  executed notebook (with the traceback): {kept / 'executed' / (first + '.ipynb')}"
    )
    lines.append(f"  kernel output: {kept / 'logs' / (first + '.log')}")
    lines.append(f"  the previous report {build.final} was left untouched")
    return "\n".join(lines)


def _write_report(
    build: _Build,
    runs: Sequence[Run],
    ran: dict[str, dict],
    options: render.Options,
    progress: Progress,
    explicit_time: datetime | None = None,
    writer: render.PageWriter | None = None,
) -> None:
    """Step 4: merged metrics.json (with the provenance), the pages (those ``writer`` has not
    written yet), the index, the workbook and the PDF."""
    folder, names = build.folder, [r.name for r in runs]
    metrics = merge_metrics(folder, names)
    built_at = build.built_at.isoformat(timespec="seconds")
    origin = provenance(build.data_dir, ran, built_at, files=list(build.data_files))
    if build.stand_in is not None:
        origin["simulated"] = dict(build.stand_in)
    if build.skipped:
        origin["not_run"] = dict(build.skipped)
    summary = {
        "year": int(build.year),
        "built_at": built_at,
        "as_of": build.as_of.isoformat(),
        "data_dir": origin["data"]["path"],
        "provenance": origin,
        "notebooks": metrics,
    }
    (folder / "metrics.json").write_text(
        json.dumps(summary, indent=2, default=str, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    report = dataclasses.replace(_pages_report(build, runs), metrics=metrics, provenance=origin)
    render.write_all(report, options, progress, writer)
    (folder / REPORT_KEY).write_text(
        report_key(build.keys, build.year, options, explicit_time) + "\n", encoding="utf-8"
    )


def _pages_report(build: _Build, runs: Sequence[Run]) -> render.Report:
    """What the pages need of the report before its runs are over: folder, year, build time and
    the runs in order (the metrics and the provenance come after)."""
    return render.Report(
        folder=build.folder,
        year=int(build.year),
        built_at=build.built_at,
        as_of=build.as_of,
        runs=[render.RunPage(r.name, r.source, r.round_id) for r in runs],
        metrics={},
    )


def _publish(build: _Build) -> list[int]:
    """Step 5: drop the logs, swap the build in; a failed swap leaves the previous report.
    Returns the signals that came while publishing (to be acted on once it is done)."""
    shutil.rmtree(build.folder / "logs")
    with publish.held_signals() as held:
        try:
            with folders.out_lock(build.out):
                publish.publish(build.folder, build.final)
        except OSError as exc:
            raise ReportError(
                f"could not publish {build.final}: {exc}; the previous report is in place"
            ) from exc
    return held


# ------------------------------------------------------------------------- the reports folder


def _unwritable(out: Path, exc: OSError) -> ReportError:
    reason = exc.strerror or type(exc).__name__
    return ReportError(f"cannot write in the reports folder {out}: {reason}; nothing was built", 2)


def _prepare_out(out: Path, year: int, progress: Progress) -> None:
    """Make the reports folder and remove what killed runs left in it; a folder that is a file,
    or cannot be written, is refused (exit 2) before anything is built."""
    for path in (out, out / str(year)):
        if (path.exists() or path.is_symlink()) and not path.is_dir():
            raise ReportError(
                f"{path} exists and is not a folder; the report of {year} goes to "
                f"{out / str(year)}: choose another reports folder, or move the file away",
                2,
            )
    try:
        out.mkdir(parents=True, exist_ok=True)
        removed = folders.remove_stale(out)
    except OSError as exc:
        raise _unwritable(out, exc) from None
    if removed:
        progress(f"removed what killed runs left in {out}: {', '.join(removed)}")


def _build_folder(out: Path, year: int) -> folders.BuildFolder:
    try:
        return folders.BuildFolder(out, year)
    except OSError as exc:
        raise _unwritable(out, exc) from None


# -------------------------------------------------------------------------------------- build


def _steps(
    build: _Build,
    runs: Sequence[Run],
    jobs: int,
    options: render.Options,
    progress: Progress,
    explicit_time: datetime | None,
) -> list[int]:
    """Steps 3 to 5 in the build folder; returns the signals held while publishing. On a
    failure, Ctrl-C or SIGTERM nothing of the build stays (a failed build is kept aside)."""
    try:
        writer = render.PageWriter(_pages_report(build, runs), options.single_file)
        ran = _run_notebooks(build, runs, jobs, progress, writer)
        _write_report(build, runs, ran, options, progress, explicit_time, writer)
        return _publish(build)
    except BaseException:
        if build.folder.exists():
            shutil.rmtree(build.folder, ignore_errors=True)
        raise


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
    built_at: datetime | None = None,
    force: bool = False,
    single_file: bool = False,
) -> Path:
    """Build the report of ``year`` and publish it to ``out_dir/YYYY``; return that folder.

    ``year`` None means the latest year with an announced round in ``rounds`` (the rounds table of
    ``data_dir``, e.g. ``load_rounds(data_dir)``); the notebooks read their data from ``data_dir``.
    ``out_dir`` defaults to ``paths.REPORTS_DIR``, ``notebooks`` to the ``NN-*.ipynb`` files of
    ``paths.NOTEBOOKS_DIR``. ``jobs`` notebooks run at a time; ``cell_timeout`` bounds every cell
    (seconds). ``built_at`` is the build time written on the report (default: now; an aware
    datetime, or naive for local time); ``force`` runs every notebook even when the cache holds
    its result; ``single_file`` makes every page carry its stylesheet and figures. ``progress``
    receives one line per step. Raises ``ReportError`` on any failure, after which the previously
    published report is untouched (see the module docstring).
    """
    if jobs < 1:
        raise ReportError(f"jobs must be at least 1, got {jobs}", 2)
    data = Path(data_dir).resolve()
    out = Path(out_dir if out_dir is not None else paths.REPORTS_DIR).resolve()
    year = resolve_year(year, rounds)
    sources = _resolve_notebooks(notebooks)
    skipped = {s.stem: why for s in sources if (why := unmet_needs(s, data))}
    runs = plan_runs([s for s in sources if s.stem not in skipped], year, rounds)
    _prepare_out(out, year, progress)

    started = time.perf_counter()
    when = (built_at or datetime.now()).astimezone().replace(microsecond=0)
    files, stand_in = checksums(data), simulated_stand_in(data)
    keys = run_keys(year, as_of_date(year, when), data, runs, [*files, *filter(None, [stand_in])])
    options = render.Options(pdf, single_file)
    final = out / str(year)
    if not force and up_to_date(final, report_key(keys, year, options, built_at)):
        progress(
            f"report {year} is up to date: {final} was built from the same notebooks, parameters, "
            "data, code and options (wwc report --force builds it again)"
        )
        return final
    if pdf:  # before any notebook runs (not needed for a report that is up to date)
        _require_weasyprint()
    holder = _build_folder(out, year)
    folder = holder.path
    build = _Build(
        year, data, out, folder, when, force, cell_timeout, tuple(files), keys, stand_in, skipped
    )
    for name, why in skipped.items():
        progress(f"not run: {name}: {why}")
    progress(
        f"wwc report {year}: {len(runs)} notebook run(s), data {data}, "
        f"{min(jobs, len(runs))} at a time, as of {build.as_of.day} {build.as_of:%B %Y}, "
        f"building in {folder}"
    )
    try:
        held = _steps(build, runs, jobs, options, progress, built_at)
    finally:
        holder.release()
    publish.drop_failed(out, year)
    progress(f"published {build.final / 'index.html'} in {time.perf_counter() - started:.1f} s")
    if held:
        raise publish.interrupted_after_publishing(held[0], build.final)
    return build.final


__all__ = [
    "NOTEBOOK_PATTERN",
    "NotebookRun",
    "ReportError",
    "Run",
    "as_of_date",
    "build_report",
    "discover_notebooks",
    "merge_metrics",
    "notebook_parameters",
    "plan_runs",
    "report_years",
    "resolve_year",
    "year_rounds",
]
