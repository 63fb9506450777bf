"""How fast `wwc report` stops on broken data, and what validating the data folder costs.

* validate: ``check_dir`` of the shipped data (the public record, the 31,089-row simulated
  assessments; every check `wwc validate` and `wwc report` run, duplicate-city warnings included),
  in this process, best of 5; floor: ``pandas.read_csv`` of the same files, no check at all.
* fail fast: ``wwc report --data BROKEN`` in a child process (a copy of the data with one bad
  level), wall time from start to exit, best of 3: it must exit 1 with the problem line, no
  traceback and nothing published; floor: a child process that only imports the ``wwc`` command line
  (interpreter start and imports), best of 3.

Prints both times and their ratios to the floors. Run: `python benchmarks/bench_validate.py`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from wwc_analysis.data import check_dir, paths

WWC = [sys.executable, "-m", "wwc_analysis.cli"]


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _read_only() -> None:
    for path in sorted(paths.DATA_DIR.glob("*.csv")) + [paths.DATA_DIR / paths.ASSESSMENTS_FILE]:
        pd.read_csv(path, dtype=str, keep_default_na=False)


def _broken_copy(tmp: Path) -> Path:
    data = tmp / "data"
    shutil.copytree(paths.DATA_DIR, data)
    rows = (data / "certifications.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    rows[4] = rows[4].replace(",Silver,", ",Silverish,", 1)
    (data / "certifications.csv").write_text("".join(rows), encoding="utf-8")
    return data


def _fail_fast(data: Path, out: Path) -> None:
    done = subprocess.run(
        [*WWC, "report", "--data", str(data), "--out", str(out)], capture_output=True, text=True
    )
    assert done.returncode == 1, done
    assert "certifications.csv:5: column 'level': value 'Silverish'" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not out.exists(), done.stderr


def main() -> None:
    found = check_dir(paths.DATA_DIR)  # warm-up: imports, first reads
    assert not found.problems
    validate = _best(lambda: check_dir(paths.DATA_DIR), 5)
    floor = _best(_read_only, 5)
    rows = len(found.frames["assessments"]) + len(found.frames["certifications"])
    print(f"validate the shipped data ({rows} rows of events and simulated assessments):")
    print(f"  check_dir best {validate:.3f} s; floor (read_csv only) {floor:.3f} s")
    print(f"  ratio {validate / floor:.1f}x (aim: under 1 s)")
    with tempfile.TemporaryDirectory() as tmp:
        data = _broken_copy(Path(tmp))
        stop = _best(lambda: _fail_fast(data, Path(tmp) / "out"), 3)
        start = _best(lambda: subprocess.run([*WWC, "--help"], capture_output=True), 3)
    print("wwc report on a broken copy (exit 1, the problem line, nothing published):")
    print(f"  best {stop:.2f} s; floor (start and import the command line) {start:.2f} s")
    print(f"  ratio {stop / start:.1f}x (aim: under 2 s)")


if __name__ == "__main__":
    main()
