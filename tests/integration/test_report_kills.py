"""``wwc report`` killed (issue 11, item 13): SIGTERM ends it as Ctrl-C does ("interrupted; nothing
published", exit 143); after SIGTERM or SIGKILL no worker or kernel is left, the previous report is
byte-identical, the next run removes the killed run's build folder and succeeds. The fault-injection
test kills at random (seeded) moments of whole builds.

The command runs in a child process as a user runs it, with the report's notebooks pointed at tiny
throwaway ones (tests/notebook_files.py) and the shipped data (validated first, as always).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.notebook_files import all_parameters_notebook, figure_notebook, snapshot, write_notebook
from wwc_analysis.data import paths
from wwc_analysis.report.run import BUILD_ENV

#: The ``wwc`` command with the report's notebooks folder replaced by ``argv[1]``.
CHILD = (
    "import sys; from pathlib import Path; from wwc_analysis.data import paths; "
    "paths.NOTEBOOKS_DIR = Path(sys.argv[1]); from wwc_analysis.cli.app import main; "
    "sys.exit(main(sys.argv[2:]))"
)
#: Kill moments of the fault-injection test (seeded: the same moments every run); each costs a
#: build of a few seconds: WWC_FAULT_KILLS=20 for a longer hunt.
SEED = 1111
KILLS = int(os.environ.get("WWC_FAULT_KILLS", "4"))


def _start(notebooks: Path, out: Path, *args: str) -> subprocess.Popen:
    argv = ["report", "--year", "2024", "--data", str(paths.DATA_DIR), "--out", str(out), *args]
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(notebooks), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def _left_behind(out: Path) -> list[str]:
    """Workers and kernels of builds in ``out`` still alive (their environment names the build)."""
    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        try:
            if proc.environ().get(BUILD_ENV, "").startswith(str(out)):
                found.append(f"{proc.pid} {' '.join(proc.info['cmdline'] or [])[:80]}")
        except psutil.Error:
            continue
    return found


def _none_left(out: Path, within: float = 10.0) -> list[str]:
    deadline = time.monotonic() + within
    while (left := _left_behind(out)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def _builds(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".build-"))


def _wait_for(path: Path, proc: subprocess.Popen, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.1)


@pytest.fixture
def report_dir(tmp_path):
    """Tiny notebooks, and a reports folder holding a published 2024 report."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    figure_notebook(notebooks / "01-figure.ipynb")
    all_parameters_notebook(notebooks / "02-summary.ipynb")
    out = tmp_path / "reports"
    code, _, err = _finish(_start(notebooks, out))
    assert code == 0, err
    return notebooks, out


def _slow_notebook(notebooks: Path, started: Path) -> None:
    write_notebook(
        notebooks / "03-slow.ipynb",
        [
            ("code", "year = 0", ["parameters"]),
            ("code", f"import pathlib, time\npathlib.Path({str(started)!r}).touch()", []),
            ("code", "time.sleep(120)", []),
        ],
    )


def test_sigterm_cleans_up_like_ctrl_c(report_dir, tmp_path):
    notebooks, out = report_dir
    before = snapshot(out / "2024")
    started = tmp_path / "kernel-started"
    _slow_notebook(notebooks, started)
    proc = _start(notebooks, out, "--force")
    _wait_for(started, proc)
    assert _left_behind(out), "the kernel runs with the build's name in its environment"
    proc.send_signal(signal.SIGTERM)
    code, _, err = _finish(proc, timeout=30)
    assert code == 143
    assert err == "wwc report: interrupted; nothing published\n"
    assert _none_left(out, within=0.5) == []  # gone before the command returned
    assert _builds(out) == []
    assert snapshot(out / "2024") == before


def test_sigkill_leaves_no_process_and_the_next_run_cleans_up(report_dir, tmp_path):
    notebooks, out = report_dir
    before = snapshot(out / "2024")
    started = tmp_path / "kernel-started"
    _slow_notebook(notebooks, started)
    proc = _start(notebooks, out, "--force")
    _wait_for(started, proc)
    proc.kill()
    proc.wait()
    assert _none_left(out, within=10) == []  # the workers follow their parent, with their kernel
    killed = _builds(out)
    assert len(killed) == 2  # the folder and its lock
    assert snapshot(out / "2024") == before
    (notebooks / "03-slow.ipynb").unlink()
    code, printed, err = _finish(_start(notebooks, out))
    assert code == 0, err
    assert f"removed what killed runs left in {out}: {killed[0]}" in printed
    assert _builds(out) == []


def test_killed_at_random_moments_the_previous_report_survives(report_dir):
    """Fault injection: SIGTERM or SIGKILL at seeded random moments of whole builds (kernels
    starting, notebooks running, cache entries being written, pages rendered, the publish)."""
    notebooks, out = report_dir
    rng = random.Random(SEED)
    start = time.monotonic()
    code, _, err = _finish(_start(notebooks, out, "--force"))
    assert code == 0, err
    whole = time.monotonic() - start
    for _ in range(KILLS):
        before = snapshot(out / "2024")
        how = rng.choice([signal.SIGTERM, signal.SIGKILL])
        moment = rng.uniform(0.0, whole * 1.1)
        proc = _start(notebooks, out, "--force")
        time.sleep(moment)
        proc.send_signal(how)
        code, _, err = _finish(proc, timeout=60)
        where = f"{how.name} after {moment:.2f} s of a {whole:.1f} s build"
        assert "Traceback" not in err, where
        assert _none_left(out) == [], where
        if code == 0 or "interrupted after publishing" in err:  # published before it came
            assert (out / "2024" / "index.html").is_file(), where
        else:
            # -SIGTERM: it came while Python was still starting, before the handler was set
            assert code in (143, -signal.SIGTERM, -signal.SIGKILL), where
            assert snapshot(out / "2024") == before, where
    code, _, err = _finish(_start(notebooks, out))
    assert code == 0, err
    assert _builds(out) == []
    assert _none_left(out) == []
