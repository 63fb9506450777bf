"""Running the report's notebooks: papermill in child processes, a job file each, failures
described.

A *job* is a JSON-able dict naming one notebook run: ``name`` (the run: the notebook's name, or
``<notebook>-<round>`` for one run per round), ``input`` (the source notebook), ``output`` (the
executed notebook), ``log`` (the child's stdout/stderr, kernel output included), ``result`` (where
the child writes its outcome), ``progress`` (where the child notes the cell it is running),
``cwd`` (the kernel's working directory), ``parameters`` (only those the notebook declares),
``cell_timeout`` and ``start_timeout`` (seconds).
:func:`notebook_job` builds one; :func:`execute_all` runs a list of them ``jobs`` at a time and
returns a :class:`NotebookRun` per notebook that ran.

Each notebook runs in its own child Python process (``python -c`` importing :func:`_worker_main` of
this module), because papermill's ``cwd`` is a process-wide ``chdir``: two notebooks in one process
would race. A notebook error never raises here: it becomes a failed :class:`NotebookRun` naming the
cell of the *source* notebook (papermill's injected-parameters cell not counted) and the error.

The child runs papermill with an engine of its own (:class:`_Engine`): papermill's default saves the
whole executed notebook, images included, before and after every cell; this one saves it once at
the end (or when the run fails) and instead writes the running cell's number to the job's
``progress`` file, which the parent reads to say how far a long notebook has got. When the last
cell is done the kernel is stopped at once (nbclient's ``shutdown_kernel="immediate"``): every
output has arrived by then, and a clean exit took 0.4-0.6 s of every run.

No process outlives a run cut short. Each worker starts a session (process group) of its own, and
:func:`execute_all`, when it is interrupted (Ctrl-C, or SIGTERM turned into
:class:`~wwc_analysis.errors.Terminated` by the command line), stops every worker it started with
all the processes under it (:mod:`wwc_analysis.report.processes`); a worker whose parent dies
without a word (SIGKILL) gets SIGTERM from the kernel (Linux ``PR_SET_PDEATHSIG``), on which it
kills its kernel and exits 143. Every worker and kernel carries ``WWC_REPORT_BUILD=<build folder>``
in its environment, which names the build it belongs to.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from wwc_analysis.data import paths, snapshot
from wwc_analysis.report.processes import (
    Workers,
    die_with_parent,
    on_terminate,
    stop_process_tree,
)

KERNEL_NAME = "python3"
ENGINE_NAME = "wwc"
#: A notebook running longer than this (seconds) gets progress lines: the cell it is running.
PROGRESS_AFTER = 8.0
#: At most one progress line per notebook this often (seconds).
PROGRESS_EVERY = 8.0
CELL_TIMEOUT = 600  # seconds per cell, the same budget nbval gets (--nbval-cell-timeout=600)
START_TIMEOUT = 120  # seconds for a kernel to start (several start at once)
#: The child process's command: imports this module's worker entry point and runs one job file.
#: In the environment of every worker and kernel: the build folder they work for.
BUILD_ENV = "WWC_REPORT_BUILD"
WORKER_CODE = (
    "import sys; from wwc_analysis.report.run import _worker_main; "
    "sys.exit(_worker_main({job_file!r}))"
)
#: Optional modules that a library imports if they are installed, slowly, for nothing the report
#: uses. jsonschema (which nbformat, papermill and nbconvert import) takes ``rfc3987_syntax`` for
#: its "iri" format check when it is there (JupyterLab's jupyter-events installs it); importing it
#: compiles 38 grammars, 0.5-1.5 s in every process that reads a notebook. Notebooks never use
#: that format.
SLOW_OPTIONAL_IMPORTS = ("rfc3987_syntax",)

Progress = Callable[[str], Any]


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

    def where(self) -> str:
        """The notebook, the cell (index and first line) and the line where it failed."""
        where = f"{self.name}.ipynb"
        if self.cell_index is not None:
            where += f", cell {self.cell_index}"
            if self.cell_first_line:
                where += f" ({self.cell_first_line!r})"
        if self.error_line:
            where += f", at {self.error_line}"
        return where

    def error(self) -> str:
        """The error: ``"KeyError: 'x'"``."""
        return f"{self.ename}: {self.evalue}" if self.evalue else self.ename

    def describe_failure(self) -> str:
        """One-line description: notebook, cell and error."""
        return f"{self.where()}: {self.error()}"


def skip_slow_optional_imports() -> None:
    """Make this process go without the :data:`SLOW_OPTIONAL_IMPORTS`: ``None`` in
    ``sys.modules`` makes their import raise ``ImportError``, which the libraries expect of an
    optional module. Called by ``wwc report`` and its worker processes only, never on import."""
    for name in SLOW_OPTIONAL_IMPORTS:
        sys.modules.setdefault(name, None)


# ------------------------------------------------------------------------------------------ jobs


def declared_parameters(notebook: str | os.PathLike[str]) -> dict[str, str]:
    """The parameters ``notebook`` declares, each with its default as written in the cell (the
    literal's source text), from ``papermill.inspect_notebook``; read once per notebook file and
    modification time."""
    path = Path(notebook).resolve()
    return dict(_declared(str(path), path.stat().st_mtime_ns))


@lru_cache(maxsize=64)
def _declared(path: str, mtime_ns: int) -> tuple[tuple[str, str], ...]:
    import papermill as pm

    found = pm.inspect_notebook(path)
    return tuple((name, str(info.get("default"))) for name, info in found.items())


def notebook_parameters(notebook: str | os.PathLike[str], available: Mapping[str, Any]) -> dict:
    """The subset of ``available`` that ``notebook`` declares in its ``parameters`` cell.

    Passing only declared names avoids papermill's "Passed unknown parameter" warnings and keeps
    the injected cell to what the notebook expects.
    """
    declared = declared_parameters(notebook)
    return {name: value for name, value in available.items() if name in declared}


def parameter_defaults(notebook: str | os.PathLike[str]) -> dict[str, str]:
    """The parameters ``notebook`` declares, each with its default as written in the cell (the
    literal's source text), from ``papermill.inspect_notebook``."""
    return declared_parameters(notebook)


def notebook_job(
    source: Path,
    build: Path,
    parameters: Mapping[str, Any],
    cell_timeout: int = CELL_TIMEOUT,
    name: str | None = None,
) -> dict[str, Any]:
    """The job of running ``source`` as the run ``name`` (default: the notebook's name) in the
    build folder ``build``: the executed notebook goes to ``build/executed/<name>.ipynb``, the log,
    progress and result files to ``build/logs/``, the kernel runs in the notebook's own folder."""
    name = name or source.stem
    return {
        "name": name,
        "input": str(source),
        "output": str(build / "executed" / f"{name}.ipynb"),
        "log": str(build / "logs" / f"{name}.log"),
        "result": str(build / "logs" / f"{name}.result.json"),
        "progress": str(build / "logs" / f"{name}.progress"),
        "cwd": str(source.parent),
        "parameters": dict(parameters),
        "cell_timeout": int(cell_timeout),
        "start_timeout": START_TIMEOUT,
    }


# -------------------------------------------------------------------------- describing failures


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


def _cell_failure(exc, source: Path, injected: bool) -> dict[str, Any]:
    """The outcome fields of a ``PapermillExecutionError``: the failing cell and its error."""
    return {
        "ok": False,
        "ename": str(exc.ename),
        "evalue": str(exc.evalue),
        "cell_index": _injected_offset(source, exc.cell_index, injected),
        "cell_first_line": _first_line(exc.source or ""),
        "error_line": _error_line(exc.traceback or []),
    }


def _run_failure(exc: Exception, job: Mapping[str, Any], injected: bool) -> dict[str, Any]:
    """The outcome fields of any other failure (cell timeout, dead kernel): the cell papermill had
    started last, read from the executed notebook it saved."""
    index, cell_source = _running_cell(Path(job["output"]))
    source = Path(job["input"])
    return {
        "ok": False,
        "ename": type(exc).__name__,
        "evalue": " ".join(str(exc).split())[:500],
        "cell_index": None if index is None else _injected_offset(source, index, injected),
        "cell_first_line": _first_line(cell_source),
    }


# ------------------------------------------------------------------------------ the child process


def _engine(progress_file: str | None):
    """papermill's nbclient engine, saving the executed notebook once (at the end, or when the run
    fails) and noting each cell it starts in ``progress_file``: ``<index> <code cells> <first
    line>`` (index among the code cells, from 1)."""
    from papermill.engines import NBClientEngine, NotebookExecutionManager

    class _Manager(NotebookExecutionManager):
        final = False

        def save(self, **kwargs):
            if self.final:
                super().save(**kwargs)

        def cell_start(self, cell, cell_index=None, **kwargs):
            super().cell_start(cell, cell_index, **kwargs)
            if progress_file and cell.get("cell_type") == "code":
                code = [c for c in self.nb.cells if c.get("cell_type") == "code"]
                number = next((i for i, c in enumerate(code, 1) if c is cell), 0)
                line = _first_line(cell.get("source", ""))[:60]
                _write_progress(progress_file, number, len(code), line)

        def notebook_complete(self, **kwargs):
            self.final = True
            super().notebook_complete(**kwargs)

    class _Engine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, **kwargs):
            kwargs.pop("progress_bar", None), kwargs.pop("autosave_cell_every", None)
            log_output = kwargs.pop("log_output", False)
            nb_man = _Manager(nb, output_path=output_path, progress_bar=False)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    return _Engine


def _write_progress(progress_file: str, number: int, total: int, line: str) -> None:
    """Note the cell started: written to a temporary name and renamed over the file, so the
    parent, which reads it while the notebook runs, never sees it empty or half-written."""
    part = f"{progress_file}.part"
    Path(part).write_text(f"{number} {total} {line}", encoding="utf-8")
    os.replace(part, progress_file)


def _papermill(job: Mapping[str, Any]) -> None:
    """Execute the job's notebook with papermill in *this* process (raises on a failure)."""
    import papermill as pm
    from papermill.engines import papermill_engines

    papermill_engines.register(ENGINE_NAME, _engine(job.get("progress")))
    pm.execute_notebook(
        job["input"],
        job["output"],
        parameters=job["parameters"],
        engine_name=ENGINE_NAME,
        kernel_name=KERNEL_NAME,
        cwd=job["cwd"],
        progress_bar=False,
        log_output=False,
        start_timeout=job["start_timeout"],
        execution_timeout=job["cell_timeout"],
        shutdown_kernel="immediate",  # every output is in: no 0.4-0.6 s wait for a clean exit
    )


def _execute(job: Mapping[str, Any]) -> dict:
    """Execute one notebook with papermill in *this* process; return the outcome as a dict.

    Never raises for notebook errors: a ``PapermillExecutionError`` gives the failing cell,
    anything else (cell timeout, dead kernel) the cell papermill had started last.
    """
    from papermill.exceptions import PapermillExecutionError

    source = Path(job["input"])
    injected = bool(job["parameters"])
    start = time.perf_counter()
    outcome: dict[str, Any] = {"name": job.get("name", source.stem), "ok": True}
    for attempt in range(KERNEL_START_ATTEMPTS):
        try:
            _papermill(job)
        except PapermillExecutionError as exc:
            outcome.update(_cell_failure(exc, source, injected))
        except Exception as exc:  # noqa: BLE001 - timeouts, dead kernels...: reported, not raised
            if _died_starting(exc) and attempt + 1 < KERNEL_START_ATTEMPTS:
                print(f"{exc}; its kernel is started again", file=sys.stderr, flush=True)
                continue
            outcome.update(_run_failure(exc, job, injected))
        break
    outcome["seconds"] = time.perf_counter() - start
    return outcome


#: How many times a notebook is started when its kernel dies while starting, before it replies
#: to kernel_info: seen once in about forty builds of the benchmark, where two workers start
#: kernels at the same moment (two kernels given the same free port, for one: jupyter_client
#: picks ports in each process). No cell has run then, so starting again changes nothing but the
#: time; the first kernel's output stays in the notebook's log.
KERNEL_START_ATTEMPTS = 2


def _died_starting(exc: Exception) -> bool:
    return isinstance(exc, RuntimeError) and "died before replying to kernel_info" in str(exc)


def _worker_main(job_file: str) -> int:
    """Entry point of the child process: run the job in ``job_file``, write ``job["result"]``
    (atomically: a worker killed while writing leaves no half a result)."""
    signal.signal(signal.SIGTERM, on_terminate)
    skip_slow_optional_imports()  # before papermill imports jsonschema
    job = json.loads(Path(job_file).read_text(encoding="utf-8"))
    die_with_parent(job.get("parent_pid"))
    outcome = _execute(job)
    result = Path(job["result"])
    partial = result.with_name(result.name + ".part")
    partial.write_text(json.dumps(outcome), encoding="utf-8")
    os.replace(partial, result)
    return 0


# ----------------------------------------------------------------------------- the parent process


def _child_env(build: str = "") -> dict[str, str]:
    """Environment of the worker (and so of its kernel).

    A non-inline ``MPLBACKEND`` (e.g. ``Agg`` from a CI runner) is dropped: the kernel would inherit
    it and silently draw no figure. The project root goes first on ``PYTHONPATH`` so the worker
    imports this very package. ``WWC_REPORT_BUILD`` names the build folder,
    ``WWC_DATA_SNAPSHOT`` the validated data the build hands its kernels
    (:mod:`wwc_analysis.data.snapshot`) and ``WWC_FIGURE_STORE`` its folder of charts drawn once
    for all pages (:mod:`wwc_analysis.figures.shared`).
    """
    env = dict(os.environ)
    env[BUILD_ENV] = build
    env.pop(snapshot.ENV, None)
    env.pop(paths.FIGURE_STORE_ENV, None)
    if build:  # the validated data the build writes there, if it does (data.snapshot)
        env[snapshot.ENV] = str(Path(build) / snapshot.FILE_NAME)
        env[paths.FIGURE_STORE_ENV] = str(Path(build) / paths.FIGURE_STORE_DIR)  # figures.shared
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


def _progress_note(job: Mapping[str, Any]) -> str:
    """``'cell 22 of 33 (robust = whatif.run_robustness(...))'`` from the job's progress file."""
    try:
        text = Path(job["progress"]).read_text(encoding="utf-8")
    except (OSError, KeyError, UnicodeDecodeError):
        return ""
    number, _, rest = text.partition(" ")
    total, _, line = rest.partition(" ")
    if not (number.isdigit() and total.isdigit()):  # not a whole note: nothing to say this time
        return ""
    return f"cell {number} of {total}" + (f" ({line})" if line else "")


def _wait(proc: subprocess.Popen, job: Mapping[str, Any], progress: Progress | None) -> int:
    """Wait for the child; once a notebook has run for ``PROGRESS_AFTER`` seconds, say which cell
    it is running (at most every ``PROGRESS_EVERY`` seconds, only when it moved on). An
    interrupted wait kills the child."""
    start, said, said_at = time.monotonic(), "", -PROGRESS_EVERY
    try:
        while True:
            try:
                return proc.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic() - start
            if progress is None or now < PROGRESS_AFTER or now - said_at < PROGRESS_EVERY:
                continue
            note = _progress_note(job)
            if note and note != said:
                progress(f"      {job.get('name', '')}: {note}, {now:.0f} s")
                said, said_at = note, now
    except BaseException:
        stop_process_tree(proc)
        raise


def _run_one(
    job: Mapping[str, Any], progress: Progress | None = None, workers: Workers | None = None
) -> NotebookRun:
    """Run one notebook in a child Python process (own working directory, environment and log).

    A child process per notebook keeps papermill's process-wide ``chdir(cwd)`` from racing with the
    other notebooks and needs no ``if __name__ == "__main__"`` guard in the caller (which
    multiprocessing's spawn would). The child's stdout/stderr, including the kernel's own output,
    go to ``job["log"]``; ``progress`` gets a line now and then while a long notebook runs. A run
    that ``workers`` refuses to start (the build was cut short) is a failed run, "not started".
    """
    job_file = Path(job["log"]).with_suffix(".job.json")
    job_file.write_text(json.dumps({**job, "parent_pid": os.getpid()}), encoding="utf-8")
    code = WORKER_CODE.format(job_file=str(job_file))
    name = job.get("name", Path(job["input"]).stem)
    start = time.perf_counter()
    workers = workers or Workers()
    with open(job["log"], "ab") as log:
        proc = workers.start(
            [sys.executable, "-c", code],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=job["cwd"],
            env=_child_env(str(Path(job["output"]).parent.parent)),
        )
        if proc is None:
            return NotebookRun(name=name, ok=False, seconds=0.0, ename="NotStarted")
        try:
            returncode = _wait(proc, job, progress)
        finally:
            workers.finished(proc)
    result = Path(job["result"])
    if result.is_file():
        outcome = json.loads(result.read_text(encoding="utf-8"))
        fields = {k: outcome[k] for k in NotebookRun.__dataclass_fields__ if k in outcome}
        return NotebookRun(**fields)
    tail = _tail(Path(job["log"]))
    return NotebookRun(
        name=name,
        ok=False,
        seconds=time.perf_counter() - start,
        ename="WorkerError",
        evalue=f"the papermill worker exited with code {returncode}: {tail}",
    )


def execute_all(
    jobs_list: Sequence[Mapping[str, Any]],
    jobs: int,
    progress: Progress,
    after: Callable[[NotebookRun], Callable[[], Any] | None] | None = None,
    extra: Sequence[Callable[[], Any]] = (),
) -> tuple[list[NotebookRun], list[str]]:
    """Run the jobs ``jobs`` at a time; on the first failure, cancel those not started yet.

    ``after(run)`` may give a task (a callable) for each run that succeeded, and ``extra`` are tasks
    from the start: each is queued behind every notebook still waiting, so it runs on a worker
    with no notebook left to start, a core that would otherwise idle (``wwc report`` writes the
    run's page there while the last notebooks run). A task that raises raises here, once the runs
    are over; after a failed run no task starts.

    Returns the runs that happened (in completion order) and the names of cancelled notebooks.
    """
    total = len(jobs_list)
    runs: list[NotebookRun] = []
    cancelled: list[str] = []
    workers = Workers()
    with cf.ThreadPoolExecutor(
        max_workers=max(1, min(jobs, total)), thread_name_prefix="wwc-report"
    ) as pool:
        futures = {
            pool.submit(_run_one, job, progress, workers): job.get("name", Path(job["input"]).stem)
            for job in jobs_list
        }
        tasks = [pool.submit(task) for task in extra]
        pending, failed = set(futures), False
        try:
            while pending:
                finished, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for future in finished:
                    name = futures[future]
                    if future.cancelled():
                        cancelled.append(name)
                        continue
                    run = future.result()
                    runs.append(run)
                    state = "done" if run.ok else "FAILED"
                    progress(f"[{len(runs)}/{total}] {name} ... {state} in {run.seconds:.1f} s")
                    if not run.ok and not failed:
                        failed = True
                        for other in [*futures, *tasks]:
                            other.cancel()
                    elif run.ok and not failed and after is not None:
                        task = after(run)
                        if task is not None:
                            tasks.append(pool.submit(task))
            for task_future in [] if failed else tasks:
                task_future.result()
        except BaseException:  # Ctrl-C, SIGTERM: no worker or kernel may outlive the build
            for other in [*futures, *tasks]:
                other.cancel()
            workers.stop_all()
            raise
    return runs, cancelled
