"""``wwc report``: run the analysis notebooks for one year and publish them as a static HTML report.

Steps, in order:

1. Pick the year: ``--year`` or, by default, the latest calendar year in which a round was announced
   (from the rounds table). A year without a round is an error (exit 2) that lists the years with one.
2. Run every notebook (``notebooks/[0-9][0-9]-*.ipynb`` unless a list is given) with papermill into a
   fresh build folder ``OUT/.build-YYYY-xxxx`` beside the target, ``jobs`` notebooks at a time (a thread
   pool), each in its own child Python process (papermill's ``cwd`` is a process-wide ``chdir``, so
   two notebooks in one process would race), with the kernel's working directory = the notebook's folder.
   A notebook receives only the parameters its ``parameters`` cell declares, among:

   ============== ==================================================================
   ``year``        the report year (int)
   ``as_of``       ``"YYYY-12-31"``: the date the year's state is measured at (str)
   ``data_dir``    absolute path of the data folder (str)
   ``output_dir``  absolute path of the notebook's own output folder ``YYYY/<notebook>/`` (str)
   ============== ==================================================================

   A notebook may write figures (``*.png``), tables (``*.csv``) and ``metrics.json`` (a JSON object)
   into ``output_dir``. The report merges every ``metrics.json`` into the top-level ``metrics.json``
   under ``"notebooks": {"<notebook>": {...}}``.
3. When every notebook succeeded: render each executed notebook to HTML without code or prompts
   (nbconvert ``HTMLExporter``; figures are embedded base64 PNGs), write ``index.html`` linking every
   page, figure and table, and optionally ``report.pdf`` (WeasyPrint, from the annual summary page).
4. Publish by an atomic swap: the old ``OUT/YYYY`` is renamed aside, the build folder renamed in,
   the old one removed (and put back if the rename fails).

On a failure nothing is published and the previous ``OUT/YYYY`` is left byte-for-byte untouched; the
message names the notebook, the cell (0-based index in the source notebook, and its first line) and
the error. The failed build is kept for debugging in ``OUT/.failed-YYYY/`` (executed notebooks in
``executed/``, kernel and papermill output in ``logs/``), replacing any earlier failed build; the next
successful build of that year removes it. Failed notebooks are never rendered to HTML.

Published layout of ``OUT/YYYY/``::

    index.html                 links to everything below, year, build time, data folder
    metrics.json               merged metrics of all notebooks
    <notebook>.html            one page per notebook, no code
    <notebook>/                the notebook's output_dir: figures, tables, its metrics.json
    executed/<notebook>.ipynb  the executed notebooks (with code, for provenance)
    report.pdf                 only with --pdf

A notebook is marked as built on simulated data in the index when its notebook metadata has
``"wwc": {"simulated": true}``.
"""

from __future__ import annotations

import concurrent.futures as cf
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from wwc_analysis.data import paths

KERNEL_NAME = "python3"
CELL_TIMEOUT = 600  # seconds per cell, the same budget nbval gets (--nbval-cell-timeout=600)
START_TIMEOUT = 120  # seconds for a kernel to start (several start at once)
NOTEBOOK_PATTERN = "[0-9][0-9]-*.ipynb"
REPORT_PARAMETERS = ("year", "as_of", "data_dir", "output_dir")
PDF_SOURCE_SUFFIX = "annual-summary"
FIGURE_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg")
TABLE_SUFFIXES = (".csv",)

Progress = Callable[[str], Any]


class ReportError(Exception):
    """A report build that cannot go on; ``exit_code`` is what ``wwc report`` exits with.

    2 means the request itself is wrong (unknown year, missing notebook, bad option); 1 means the
    build failed (a notebook raised, publishing failed).
    """

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class NotebookRun:
    """Outcome of running one notebook. On failure ``cell_index`` is the 0-based index of the
    failing cell in the *source* notebook (``None`` if unknown)."""

    name: str
    ok: bool
    seconds: float
    ename: str = ""
    evalue: str = ""
    cell_index: int | None = None
    cell_first_line: str = ""
    error_line: str = ""

    def describe_failure(self) -> str:
        """One-line description: notebook, cell and error."""
        where = f"{self.name}.ipynb"
        if self.cell_index is not None:
            where += f", cell {self.cell_index}"
            if self.cell_first_line:
                where += f" ({self.cell_first_line!r})"
        if self.error_line:
            where += f", at {self.error_line}"
        error = f"{self.ename}: {self.evalue}" if self.evalue else self.ename
        return f"{where}: {error}"


# --------------------------------------------------------------------------------------- years


def _load_rounds(data_dir: Path):
    """The rounds table (``round_id``, ``announced`` datetime64) via ``wwc_analysis.loaders``."""
    try:
        from wwc_analysis.data.load import load_rounds
    except ModuleNotFoundError as exc:  # pragma: no cover - only while loaders.py is not installed
        if exc.name != "wwc_analysis.data.load":
            raise
        raise ReportError("wwc report needs wwc_analysis.loaders to read the rounds table") from exc
    return load_rounds(data_dir)


def report_years(data_dir: str | os.PathLike[str] | None = None) -> list[int]:
    """Calendar years in which at least one round was announced, ascending."""
    from wwc_analysis.errors import DataValidationError

    data_dir = Path(data_dir) if data_dir is not None else paths.DATA_DIR
    try:
        rounds = _load_rounds(data_dir)
    except DataValidationError as exc:
        raise ReportError(f"cannot read the rounds table in {data_dir}:\n{exc}", 2) from exc
    except FileNotFoundError as exc:
        raise ReportError(f"cannot read the rounds table in {data_dir}: {exc}", 2) from exc
    announced = rounds["announced"].dropna()
    return sorted({int(y) for y in announced.dt.year})


def resolve_year(year: int | None, data_dir: str | os.PathLike[str] | None = None) -> int:
    """``year`` if a round was announced in it, else the latest such year when ``year`` is None.

    Raises ``ReportError`` (exit code 2) listing the years that have a round.
    """
    years = report_years(data_dir)
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


def notebook_parameters(notebook: str | os.PathLike[str], available: Mapping[str, Any]) -> dict:
    """The subset of ``available`` that ``notebook`` declares in its ``parameters`` cell.

    Uses ``papermill.inspect_notebook``; passing only declared names avoids papermill's "Passed
    unknown parameter" warnings and keeps the injected cell to what the notebook expects.
    """
    import papermill as pm

    declared = pm.inspect_notebook(str(notebook))
    return {name: value for name, value in available.items() if name in declared}


def _injected_offset(source: Path, executed_index: int, injected: bool) -> int:
    """Map a cell index of the executed notebook (which has papermill's injected-parameters cell)
    back to the source notebook."""
    if not injected:
        return executed_index
    import nbformat

    nb = nbformat.read(source, as_version=4)
    tagged = [
        i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])
    ]
    # papermill inserts its cell after the last parameters cell, or first when there is none
    insert_at = tagged[-1] + 1 if tagged else 0
    return executed_index - 1 if executed_index > insert_at else executed_index


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()
    return ""


_ARROW = re.compile(r"^-+>\s*(\d+)\s?(.*)$", re.MULTILINE)


def _error_line(traceback: Sequence[str]) -> str:
    """``"line N: code"`` of the notebook cell line where an IPython traceback points, or ``""``."""
    from papermill.exceptions import strip_color

    for frame in traceback:
        text = strip_color(frame)
        if text.lstrip().startswith("Cell In["):
            match = _ARROW.search(text)
            if match:
                return f"line {match.group(1)}: {match.group(2).strip()}"
    return ""


def _running_cell(executed: Path) -> tuple[int | None, str]:
    """(index, source) of the last cell papermill started in a saved, interrupted run."""
    import nbformat

    try:
        nb = nbformat.read(executed, as_version=4)
    except (OSError, ValueError):
        return None, ""
    started = [
        i
        for i, c in enumerate(nb.cells)
        if c.get("metadata", {}).get("papermill", {}).get("start_time")
    ]
    if not started:
        return None, ""
    return started[-1], nb.cells[started[-1]].source


def _execute(job: Mapping[str, Any]) -> dict:
    """Execute one notebook with papermill in *this* process; return the outcome as a dict.

    Never raises for notebook errors: a ``PapermillExecutionError`` gives the failing cell,
    anything else (cell timeout, dead kernel) the cell papermill had started last.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    source = Path(job["input"])
    injected = bool(job["parameters"])
    start = time.perf_counter()
    outcome: dict[str, Any] = {"name": source.stem, "ok": True}
    try:
        pm.execute_notebook(
            job["input"],
            job["output"],
            parameters=job["parameters"],
            kernel_name=KERNEL_NAME,
            cwd=job["cwd"],
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=True,
            start_timeout=job["start_timeout"],
            execution_timeout=job["cell_timeout"],
        )
    except PapermillExecutionError as exc:
        outcome.update(
            ok=False,
            ename=str(exc.ename),
            evalue=str(exc.evalue),
            cell_index=_injected_offset(source, exc.cell_index, injected),
            cell_first_line=_first_line(exc.source or ""),
            error_line=_error_line(exc.traceback or []),
        )
    except Exception as exc:  # noqa: BLE001 - timeouts, dead kernels...: reported, not raised
        index, cell_source = _running_cell(Path(job["output"]))
        outcome.update(
            ok=False,
            ename=type(exc).__name__,
            evalue=" ".join(str(exc).split())[:500],
            cell_index=None if index is None else _injected_offset(source, index, injected),
            cell_first_line=_first_line(cell_source),
        )
    outcome["seconds"] = time.perf_counter() - start
    return outcome


def _worker_main(job_file: str) -> int:
    """Entry point of the child process: run the job in ``job_file``, write ``job["result"]``."""
    job = json.loads(Path(job_file).read_text(encoding="utf-8"))
    outcome = _execute(job)
    Path(job["result"]).write_text(json.dumps(outcome), encoding="utf-8")
    return 0


def _child_env() -> dict[str, str]:
    """Environment of the worker (and so of its kernel).

    A non-inline ``MPLBACKEND`` (e.g. ``Agg`` from a CI runner) is dropped: the kernel would inherit
    it and silently draw no figure. The project root goes first on ``PYTHONPATH`` so the worker
    imports this very package.
    """
    env = dict(os.environ)
    if "inline" not in env.get("MPLBACKEND", "inline"):
        del env["MPLBACKEND"]
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(paths.PROJECT_ROOT), env.get("PYTHONPATH", "")) if p
    )
    return env


def _tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text.splitlines()[-lines:] if line.strip())


def _run_one(job: Mapping[str, Any]) -> NotebookRun:
    """Run one notebook in a child Python process (own working directory, environment and log).

    A child process per notebook keeps papermill's process-wide ``chdir(cwd)`` from racing with the
    other notebooks and needs no ``if __name__ == "__main__"`` guard in the caller (which
    multiprocessing's spawn would). The child's stdout/stderr, including the kernel's own output,
    go to ``job["log"]``.
    """
    job_file = Path(job["log"]).with_suffix(".job.json")
    job_file.write_text(json.dumps(dict(job)), encoding="utf-8")
    code = f"import sys; from wwc_analysis.report.build import _worker_main; sys.exit(_worker_main({str(job_file)!r}))"
    name = Path(job["input"]).stem
    start = time.perf_counter()
    with open(job["log"], "ab") as log:
        proc = subprocess.run(
            [sys.executable, "-c", code],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=job["cwd"],
            env=_child_env(),
            check=False,
        )
    result = Path(job["result"])
    if result.is_file():
        outcome = json.loads(result.read_text(encoding="utf-8"))
        fields = {k: outcome[k] for k in NotebookRun.__dataclass_fields__ if k in outcome}
        return NotebookRun(**fields)
    return NotebookRun(
        name=name,
        ok=False,
        seconds=time.perf_counter() - start,
        ename="WorkerError",
        evalue=f"the papermill worker exited with code {proc.returncode}: {_tail(Path(job['log']))}",
    )


def _execute_all(
    jobs_list: Sequence[Mapping[str, Any]], jobs: int, progress: Progress
) -> tuple[list[NotebookRun], list[str]]:
    """Run the jobs ``jobs`` at a time; on the first failure, cancel those not started yet.

    Returns the runs that happened (in completion order) and the names of cancelled notebooks.
    """
    total = len(jobs_list)
    runs: list[NotebookRun] = []
    cancelled: list[str] = []
    with cf.ThreadPoolExecutor(
        max_workers=min(jobs, total), thread_name_prefix="wwc-report"
    ) as pool:
        futures = {pool.submit(_run_one, job): Path(job["input"]).stem for job in jobs_list}
        try:
            for future in cf.as_completed(futures):
                name = futures[future]
                if future.cancelled():
                    cancelled.append(name)
                    continue
                run = future.result()
                runs.append(run)
                state = "done" if run.ok else "FAILED"
                progress(f"[{len(runs)}/{total}] {name} ... {state} in {run.seconds:.1f} s")
                if not run.ok:
                    for other in futures:
                        other.cancel()
        except BaseException:
            for other in futures:
                other.cancel()
            raise
    return runs, cancelled


# ------------------------------------------------------------------------------------ rendering


def _render_page(executed: Path, target: Path) -> str:
    """Write the HTML page of an executed notebook without code or prompts; return its title."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": executed.stem}})
    target.write_text(body, encoding="utf-8")
    return str(nb.metadata.get("title") or executed.stem)


def _is_simulated(executed: Path) -> bool:
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    return bool(nb.metadata.get("wwc", {}).get("simulated", False))


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


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        rows: list[tuple[str, str]] = []
        for key, item in value.items():
            rows.extend(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return rows
    if isinstance(value, float):
        return [(prefix, f"{value:,.4g}")]
    if isinstance(value, (list, tuple)):
        return [(prefix, json.dumps(value))]
    return [(prefix, str(value))]


_INDEX_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto;
       max-width: 64rem; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; font-family: monospace; }
.note { background: #fff4e5; border-left: 4px solid #8b0000; padding: .6rem 1rem; }
.badge { background: #8b0000; color: #fff; font-size: .75rem; padding: .1rem .45rem;
         border-radius: .25rem; vertical-align: middle; white-space: nowrap; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; }
.figures figure { margin: 0; width: 18rem; } .figures img { width: 100%; border: 1px solid #ddd; }
.figures figcaption { font-size: .8rem; word-break: break-all; }
table.metrics { border-collapse: collapse; font-size: .9rem; }
table.metrics td { border-bottom: 1px solid #eee; padding: .15rem .8rem .15rem 0; }
table.metrics td:last-child { font-family: monospace; }
"""


def _link(href: str, text: str) -> str:
    return f'<a href="{html.escape(href, quote=True)}">{html.escape(text)}</a>'


def _write_index(
    build: Path,
    year: int,
    built_at: str,
    data_dir: Path,
    pages: Sequence[dict],
    metrics: Mapping[str, dict],
) -> None:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>What Works Cities Certification: report {year}</title>",
        f"<style>{_INDEX_CSS}</style></head><body>",
        f"<h1>What Works Cities Certification &mdash; report {year}</h1>",
        '<dl class="meta">',
        f"<dt>Year</dt><dd>{year}</dd>",
        f"<dt>Built</dt><dd>{e(built_at)}</dd>",
        f"<dt>Data directory</dt><dd>{e(str(data_dir))}</dd>",
        f"<dt>Notebooks</dt><dd>{len(pages)}</dd>",
        f"<dt>Metrics</dt><dd>{_link('metrics.json', 'metrics.json')}</dd>",
        "</dl>",
        (
            '<p class="note"><strong>Simulated data.</strong> Sections built on simulated data '
            "(fictional applicant cities, not the public record) are labelled as such: marked "
            '<span class="badge">SIMULATED DATA</span> below, and every figure drawn from them '
            "carries a &ldquo;SIMULATED DATA &mdash; fictional cities&rdquo; caption.</p>"
        ),
        "<h2>Contents</h2><ol>",
    ]
    for page in pages:
        badge = ' <span class="badge">SIMULATED DATA</span>' if page["simulated"] else ""
        parts.append(f"<li>{_link(page['html'], page['title'])}{badge}</li>")
    parts.append("</ol>")
    for page in pages:
        name = page["name"]
        badge = ' <span class="badge">SIMULATED DATA</span>' if page["simulated"] else ""
        parts.append(
            f'<h2 id="{e(name, quote=True)}">{_link(page["html"], page["title"])}{badge}</h2>'
        )
        parts.append(
            f"<p>{_link(page['html'], 'report page')} &middot; "
            f"{_link(page['executed'], 'executed notebook')}</p>"
        )
        if page["figures"]:
            parts.append('<h3>Figures</h3><div class="figures">')
            for fig in page["figures"]:
                img = f'<img src="{e(fig, quote=True)}" alt="{e(fig, quote=True)}" loading="lazy">'
                parts.append(
                    f'<figure><a href="{e(fig, quote=True)}">{img}</a>'
                    f"<figcaption>{e(fig)}</figcaption></figure>"
                )
            parts.append("</div>")
        if page["tables"]:
            parts.append("<h3>Tables</h3><ul>")
            parts.extend(f"<li>{_link(t, t)}</li>" for t in page["tables"])
            parts.append("</ul>")
        if name in metrics:
            parts.append('<h3>Metrics</h3><table class="metrics">')
            for key, value in _flatten(metrics[name]):
                parts.append(f"<tr><td>{e(key)}</td><td>{e(value)}</td></tr>")
            parts.append("</table>")
    parts.append("</body></html>")
    (build / "index.html").write_text("\n".join(parts) + "\n", encoding="utf-8")


def _outputs(build: Path, name: str, suffixes: tuple[str, ...]) -> list[str]:
    folder = build / name
    if not folder.is_dir():
        return []
    found = [p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes]
    return sorted(p.relative_to(build).as_posix() for p in found)


def _require_weasyprint() -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        raise ReportError(
            "--pdf needs WeasyPrint, which is not importable here "
            f"({type(exc).__name__}: {exc}); install the pdf extra: pip install -e '.[pdf]'",
            2,
        ) from exc


def _write_pdf(page: Path, target: Path) -> None:
    import logging

    import weasyprint

    # WeasyPrint warns about every CSS property of the JupyterLab theme it does not support.
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        weasyprint.HTML(filename=str(page)).write_pdf(str(target))
    finally:
        logger.setLevel(level)


# ------------------------------------------------------------------------------------ publishing


def _publish(build: Path, final: Path) -> None:
    """Swap ``build`` in as ``final`` (same file system): old aside, new in, old removed."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(build, 0o777 & ~umask)  # mkdtemp made it 0700
    old = None
    if final.exists() or final.is_symlink():
        old = final.with_name(f".old-{final.name}-{uuid.uuid4().hex[:8]}")
        os.replace(final, old)
    try:
        os.replace(build, final)
    except OSError:
        if old is not None:
            os.replace(old, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _keep_failed(build: Path, out_dir: Path, year: int) -> Path:
    failed = out_dir / f".failed-{year}"
    if failed.exists():
        shutil.rmtree(failed)
    os.replace(build, failed)
    return failed


# -------------------------------------------------------------------------------------- build


def build_report(
    year: int | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    notebooks: Iterable[str | os.PathLike[str]] | None = None,
    jobs: int = 2,
    pdf: bool = False,
    progress: Progress = print,
    *,
    cell_timeout: int = CELL_TIMEOUT,
) -> Path:
    """Build the report of ``year`` and publish it to ``out_dir/YYYY``; return that folder.

    ``year`` None means the latest year with an announced round. ``data_dir`` defaults to
    ``paths.DATA_DIR``, ``out_dir`` to ``paths.REPORTS_DIR``, ``notebooks`` to the ``NN-*.ipynb``
    files of ``paths.NOTEBOOKS_DIR``. ``jobs`` notebooks run at a time; ``cell_timeout`` bounds every
    cell (seconds). ``progress`` receives one line per step. Raises ``ReportError`` on any failure,
    after which the previously published report is untouched (see the module docstring).
    """
    if jobs < 1:
        raise ReportError(f"jobs must be at least 1, got {jobs}", 2)
    data = Path(data_dir if data_dir is not None else paths.DATA_DIR).resolve()
    out = Path(out_dir if out_dir is not None else paths.REPORTS_DIR).resolve()
    if pdf:
        _require_weasyprint()
    year = resolve_year(year, data)
    sources = _resolve_notebooks(notebooks)
    out.mkdir(parents=True, exist_ok=True)
    final = out / str(year)

    started = time.perf_counter()
    built_at = datetime.now().astimezone().isoformat(timespec="seconds")
    build = Path(tempfile.mkdtemp(prefix=f".build-{year}-", dir=out))
    progress(
        f"wwc report {year}: {len(sources)} notebook(s), data {data}, "
        f"{min(jobs, len(sources))} at a time, building in {build}"
    )
    try:
        (build / "executed").mkdir()
        (build / "logs").mkdir()
        available = {"year": int(year), "as_of": f"{year}-12-31", "data_dir": str(data)}
        job_list = []
        for source in sources:
            out_sub = build / source.stem
            out_sub.mkdir()
            params = notebook_parameters(source, {**available, "output_dir": str(out_sub)})
            job_list.append(
                {
                    "input": str(source),
                    "output": str(build / "executed" / source.name),
                    "log": str(build / "logs" / f"{source.stem}.log"),
                    "result": str(build / "logs" / f"{source.stem}.result.json"),
                    "cwd": str(source.parent),
                    "parameters": params,
                    "cell_timeout": int(cell_timeout),
                    "start_timeout": START_TIMEOUT,
                }
            )
        runs, cancelled = _execute_all(job_list, jobs, progress)
        failures = [r for r in runs if not r.ok]
        if failures:
            kept = _keep_failed(build, out, year)
            lines = [f"report {year} not published: {len(failures)} notebook(s) failed"]
            lines += [f"  {r.describe_failure()}" for r in failures]
            if cancelled:
                lines.append(f"  not run after the failure: {', '.join(sorted(cancelled))}")
            first = failures[0].name
            lines.append(
                f"  executed notebook (with the traceback): {kept / 'executed' / (first + '.ipynb')}"
            )
            lines.append(f"  kernel output: {kept / 'logs' / (first + '.log')}")
            lines.append(f"  the previous report {final} was left untouched")
            raise ReportError("\n".join(lines), 1)

        names = [s.stem for s in sources]
        metrics = merge_metrics(build, names)
        progress(f"rendering {len(names)} page(s) ...")
        pages = []
        for name in names:
            executed = build / "executed" / f"{name}.ipynb"
            title = _render_page(executed, build / f"{name}.html")
            pages.append(
                {
                    "name": name,
                    "title": title,
                    "html": f"{name}.html",
                    "executed": f"executed/{name}.ipynb",
                    "simulated": _is_simulated(executed),
                    "figures": _outputs(build, name, FIGURE_SUFFIXES),
                    "tables": _outputs(build, name, TABLE_SUFFIXES),
                }
            )
        summary = {
            "year": int(year),
            "built_at": built_at,
            "data_dir": str(data),
            "notebooks": metrics,
        }
        (build / "metrics.json").write_text(
            json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8"
        )
        _write_index(build, year, built_at, data, pages, metrics)
        if pdf:
            pdf_name = next((n for n in names if n.endswith(PDF_SOURCE_SUFFIX)), names[-1])
            progress(f"writing report.pdf from {pdf_name}.html ...")
            _write_pdf(build / f"{pdf_name}.html", build / "report.pdf")
        shutil.rmtree(build / "logs")
        try:
            _publish(build, final)
        except OSError as exc:
            raise ReportError(
                f"could not publish {final}: {exc}; the previous report is in place"
            ) from exc
    except BaseException:
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)
        raise
    stale = out / f".failed-{year}"
    if stale.exists():
        shutil.rmtree(stale, ignore_errors=True)
    progress(f"published {final / 'index.html'} in {time.perf_counter() - started:.1f} s")
    return final


# ------------------------------------------------------------------------------------------ CLI


__all__ = [
    "NotebookRun",
    "ReportError",
    "build_report",
    "discover_notebooks",
    "merge_metrics",
    "notebook_parameters",
    "report_years",
    "resolve_year",
]

