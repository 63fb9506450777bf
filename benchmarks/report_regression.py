"""Do two versions of the code give the same numbers? Build the report of every year with a base
revision and with the working tree, then compare every ``metrics.json`` and every CSV table.

    .venv/bin/python benchmarks/report_regression.py                 # base: HEAD, years: all with a
    round .venv/bin/python benchmarks/report_regression.py --base ae1a507 --years 2024 2025
    .venv/bin/python benchmarks/report_regression.py --base-reports DIR --new-reports DIR   #
    compare only

The base revision is checked out with ``git worktree`` into a temporary folder and run with the same
virtual environment (``PYTHONPATH`` points at the checkout), so only the code differs. Both builds
read the working tree's ``data/`` unless ``--data`` names another folder.

What may differ, and is ignored: build timestamps and machine paths (keys ``built_at``, ``data_dir``
and any string holding an absolute path), and the labels listed in ``LABELS`` (a reader-facing
rename such as "recertified" -> "re-certified" in a column header; the data value stays
``recertified``). Everything else must be equal: every key and number of every ``metrics.json``, the
same set of CSV files, and every cell of every CSV. Exit status 0 when the reports agree, 1 when
they do not.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VOLATILE_KEYS = {"built_at", "data_dir", "build", "provenance"}
#: Reader-facing label changes that are not changes of content (old -> new), applied to both sides.
LABELS = {"recertified": "re-certified", "Recertified": "Re-certified"}


def _years(data_dir: Path) -> list[int]:
    with open(data_dir / "rounds.csv", encoding="utf-8", newline="") as f:
        return sorted({int(r["announced"][:4]) for r in csv.DictReader(f)})


def build(code_dir: Path, out: Path, years: list[int], data_dir: Path) -> None:
    """Build the report of each year with the package found in ``code_dir``."""
    env = {**os.environ, "PYTHONPATH": str(code_dir)}
    for year in years:
        cmd = [
            sys.executable,
            "-m",
            "wwc_analysis.cli",
            "report",
            "--year",
            str(year),
            "--out",
            str(out),
            "--data",
            str(data_dir),
        ]
        proc = subprocess.run(cmd, cwd=code_dir, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"build of {year} with {code_dir} failed:\n{proc.stderr[-2000:]}")
        print(f"  built {year} with {code_dir.name}", flush=True)


def _label(text: str) -> str:
    for old, new in LABELS.items():
        text = text.replace(old, new)
    return text


def _clean(value, path=""):
    """``value`` without volatile keys and machine paths; labels normalised."""
    if isinstance(value, dict):
        return {
            _label(k): _clean(v, f"{path}.{k}") for k, v in value.items() if k not in VOLATILE_KEYS
        }
    if isinstance(value, list):
        return [_clean(v, path) for v in value]
    if isinstance(value, str):
        return "<path>" if value.startswith("/") else _label(value)
    return value


def _diff(a, b, path: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: only in {'base' if k in a else 'new'}")
            else:
                _diff(a[k], b[k], f"{path}.{k}", out)
    elif a != b:
        out.append(f"{path}: base {a!r} != new {b!r}")


def _tables(report: Path) -> dict[str, list[list[str]]]:
    """Every CSV under ``report`` by relative path, as rows of cells (comment lines kept)."""
    tables = {}
    for p in sorted(report.rglob("*.csv")):
        text = p.read_text(encoding="utf-8-sig")
        tables[str(p.relative_to(report))] = [
            [_label(c) for c in row] for row in csv.reader(io.StringIO(text))
        ]
    return tables


def compare_year(base: Path, new: Path) -> list[str]:
    """The differences between two reports of one year (empty when they agree)."""
    problems: list[str] = []
    for side, folder in (("base", base), ("new", new)):
        if not (folder / "metrics.json").exists():
            return [f"{side}: no metrics.json in {folder}"]
    a = _clean(json.loads((base / "metrics.json").read_text(encoding="utf-8")))
    b = _clean(json.loads((new / "metrics.json").read_text(encoding="utf-8")))
    _diff(a, b, "metrics.json", problems)
    ta, tb = _tables(base), _tables(new)
    for name in sorted(set(ta) | set(tb)):
        if name not in ta or name not in tb:
            problems.append(f"{name}: only in {'base' if name in ta else 'new'}")
        elif ta[name] != tb[name]:
            rows = [i for i, (x, y) in enumerate(zip(ta[name], tb[name]), 1) if x != y]
            first = rows[0] if rows else min(len(ta[name]), len(tb[name])) + 1
            problems.append(
                f"{name}: differs from line {first} ({len(ta[name])} vs {len(tb[name])} lines)"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--base", default="HEAD", help="git revision to compare against (default HEAD)"
    )
    parser.add_argument(
        "--years", type=int, nargs="*", help="years (default: every year with a round)"
    )
    parser.add_argument(
        "--data", type=Path, default=ROOT / "data", help="data folder both builds read"
    )
    parser.add_argument(
        "--base-reports", type=Path, help="already built base reports (skip the base build)"
    )
    parser.add_argument(
        "--new-reports", type=Path, help="already built new reports (skip the new build)"
    )
    args = parser.parse_args(argv)
    years = args.years or _years(args.data)
    with tempfile.TemporaryDirectory(prefix="wwc-regression-") as tmp:
        tmp = Path(tmp)
        base_reports, new_reports = args.base_reports, args.new_reports
        if base_reports is None:
            checkout = tmp / "base"
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(checkout), args.base],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            try:
                base_reports = tmp / "base-reports"
                build(checkout, base_reports, years, args.data)
            finally:
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(checkout)],
                    cwd=ROOT,
                    capture_output=True,
                )
        if new_reports is None:
            new_reports = tmp / "new-reports"
            build(ROOT, new_reports, years, args.data)
        failed = 0
        for year in years:
            problems = compare_year(base_reports / str(year), new_reports / str(year))
            n_tables = len(_tables(new_reports / str(year)))
            if problems:
                failed += 1
                print(f"{year}: {len(problems)} difference(s)")
                for p in problems:
                    print(f"  {p}")
            else:
                print(f"{year}: metrics.json and {n_tables} CSV tables identical")
    print("reports agree" if not failed else f"{failed} of {len(years)} years differ")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
