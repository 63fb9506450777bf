"""Benchmark: loading and validating data, against pandas.read_csv of the same file (the floor).

What is timed (wall clock, ``time.perf_counter``, and CPU time of this process,
``time.process_time``; best of ``--repeat`` runs, the target and its floor run alternately so
that both see the same load on a shared machine):

* **shipped**: ``load()`` of the project's data (public record + simulated assessments);
* **export**: ``load_assessments`` of a SIMULATED export of ``--n-cities`` fictional cities
  (``write_simulated``, 20,000 cities = 1.24 M rows by default), fully validated; floor:
  ``pandas.read_csv`` of the same file;
* **certifications**: ``validate_dir`` of a copy of the data whose ``certifications.csv`` holds
  ``--cert-rows`` made-up events (200,000 by default; quoted notes and sources, as in the real
  file); floor: ``pandas.read_csv`` of that file;
* **diagnosis**: the export with one bad cell: the fast path declines and the slow path names the
  file, line, column and value (the cost of a problem, not of the common case);
* **wwc score --file**: the command on the export in a child process (wall time and peak RSS),
  with its floor, a child process that imports pandas and reads the file.

Peak memory of ``load_assessments`` is the peak resident memory (``VmHWM``) of a child process
that only imports the package and loads the export.

Aims (issue 11): the export within 3x of its floor and under 1 GB; the certifications validated
in under 2 s. Run: ``python benchmarks/bench_load.py [--n-cities N] [--cert-rows N] [--repeat R]``
(``make benchmark`` runs every ``bench_*.py``). The generated files go to a temporary folder,
removed at the end.
"""

from __future__ import annotations

import argparse
import csv
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from wwc_analysis import load
from wwc_analysis.data import DATA_DIR, load_assessments, validate_dir
from wwc_analysis.simulate import DEFAULT_SEED, write_simulated

AIM_RATIO = 3.0
AIM_BYTES = 1 << 30
AIM_CERT_SECONDS = 2.0


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def against_floor(target, floor, repeat: int) -> dict[str, float]:
    """Best wall and CPU times of ``target`` and ``floor``, run alternately ``repeat`` times."""
    runs: dict[str, list[tuple[float, float]]] = {"target": [], "floor": []}
    floor()  # warm-up: imports, page cache
    target()
    for _ in range(repeat):
        runs["floor"].append(timed(floor))
        runs["target"].append(timed(target))
    out = {}
    for name, times in runs.items():
        out[f"{name}_wall"] = min(t[0] for t in times)
        out[f"{name}_cpu"] = min(t[1] for t in times)
    return out


#: Printed by a child process at its end: its peak resident memory, ``VmHWM`` (``ru_maxrss``
#: would also count the parent's pages from before ``exec``).
_PEAK = """
import sys
peak = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print("PEAK", peak, file=sys.stderr)
"""


def child(code: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of a child process running ``code`` (its output is
    discarded)."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code + _PEAK],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    peak = next(line for line in proc.stderr.splitlines() if line.startswith("PEAK "))
    return time.perf_counter() - start, int(peak.split()[1]) / 1024


def command(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of ``wwc ARGV`` in a child process, output discarded."""
    return child(f"from wwc_analysis.cli.app import main; main({argv!r})")


def certifications_copy(target: Path, rows: int, seed: int) -> Path:
    """A copy of the project's data whose certifications.csv holds ``rows`` made-up events of
    fictional cities in the real rounds (one to three rounds each; quoted text with commas)."""
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns("simulated", "*.md"))
    rounds = pd.read_csv(DATA_DIR / "rounds.csv", dtype=str)["round_id"].tolist()
    rng = random.Random(seed)
    path = target / "certifications.csv"
    header = pd.read_csv(DATA_DIR / "certifications.csv", dtype=str, nrows=0).columns.tolist()
    written, city = 0, 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(header)
        while written < rows:
            city += 1
            for round_id in sorted(rng.sample(rounds, rng.randint(1, 3)))[: rows - written]:
                level = rng.choice(["Silver", "Gold", "Platinum", ""])
                cohort = rng.choice(["new", "upgraded", "recertified", ""])
                out.writerow(
                    [
                        f"bench-city-{city:06d}",
                        f'Bench City {city}, "made up"',
                        "XX",
                        "Nowhere",
                        round_id,
                        level,
                        cohort,
                        "false",
                        "false",
                        "made up for the benchmark, not a real event",
                        f"https://example.org/{city}/{round_id} ; https://example.org/press",
                    ]
                )
                written += 1
    return path


def ratio_line(name: str, t: dict[str, float]) -> str:
    wall, cpu = t["target_wall"] / t["floor_wall"], t["target_cpu"] / t["floor_cpu"]
    return (
        f"  {name:<34} {t['target_wall']:7.3f} s wall ({t['target_cpu']:.3f} s cpu)   floor "
        f"{t['floor_wall']:.3f} s ({t['floor_cpu']:.3f} s cpu)   ratio {wall:.2f}x wall, "
        f"{cpu:.2f}x cpu"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-cities", type=int, default=20_000, help="cities of the export")
    parser.add_argument("--cert-rows", type=int, default=200_000, help="rows of certifications")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per step (best kept)")
    args = parser.parse_args(argv)
    data = load()
    print(
        f"bench_load: python {platform.python_version()}, pandas {pd.__version__}, numpy "
        f"{np.__version__}, {platform.machine()}, best of {args.repeat}"
    )
    shipped = min(timed(load)[0] for _ in range(args.repeat))
    rows = 0 if data.assessments is None else len(data.assessments)
    print(f"  load() of the shipped data ({len(data.certifications)} events, {rows:,} simulated")
    print(f"    assessment rows)                 {shipped:7.3f} s wall")
    with tempfile.TemporaryDirectory(prefix="wwc-bench-load-") as tmp:
        folder = Path(tmp)
        export = write_simulated(folder / "export", data, args.n_cities, DEFAULT_SEED)
        path = export["assessments"]
        size = path.stat().st_size / (1 << 20)
        n = sum(1 for _ in path.open("rb")) - 1
        print(f"  SIMULATED export: {args.n_cities:,} fictional cities, {n:,} rows, {size:.0f} MiB")
        t = against_floor(lambda: load_assessments(path), lambda: pd.read_csv(path), args.repeat)
        print(ratio_line("load_assessments", t))
        _, rss = child(
            f"from wwc_analysis.data import load_assessments; load_assessments({str(path)!r})"
        )
        _, rss_floor = child(f"import pandas; pandas.read_csv({str(path)!r})")
        print(
            f"    peak RSS of a process loading it: {rss:.0f} MiB (read_csv: {rss_floor:.0f} MiB)"
        )

        bad = folder / "bad.csv"
        text = path.read_text(encoding="utf-8").splitlines(keepends=True)
        line = len(text) // 2
        text[line] = text[line].replace(",true,", ",maybe,", 1).replace(",false,", ",maybe,", 1)
        bad.write_text("".join(text), encoding="utf-8")
        diagnosis = timed(lambda: validate_dir(DATA_DIR, bad))[0]
        problems = validate_dir(DATA_DIR, bad)
        print(f"  the export with one bad cell: {diagnosis:.2f} s to name it: {problems[0]}")

        certs = certifications_copy(folder / "certs", args.cert_rows, DEFAULT_SEED)
        c = against_floor(
            lambda: validate_dir(certs.parent), lambda: pd.read_csv(certs), args.repeat
        )
        print(ratio_line(f"validate {args.cert_rows:,} certifications", c))
        assert validate_dir(certs.parent) == []

        score_wall, score_rss = command(["score", "--file", str(path)])
        floor_wall, floor_rss = child(f"import pandas; pandas.read_csv({str(path)!r})")
        print(
            f"  wwc score --file (child process)   {score_wall:7.3f} s wall, peak {score_rss:.0f} "
            f"MiB   floor (python, import pandas, read_csv) {floor_wall:.3f} s, {floor_rss:.0f} MiB"
        )
    checks = [
        ("export within 3x of read_csv (wall)", t["target_wall"] / t["floor_wall"] <= AIM_RATIO),
        ("export under 1 GB", rss * (1 << 20) < AIM_BYTES),
        ("certifications under 2 s", c["target_wall"] < AIM_CERT_SECONDS),
    ]
    print("  aims: " + "; ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in checks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
