"""``wwc validate [DIR] [--assessments FILE]``: check a data directory and report every problem.

On success it prints one line per table (rows loaded, from which file) and exits 0. On failure it
prints every problem on its own line to stderr (file:line, column, value, what was expected), then
the count, and exits 1, without a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wwc_analysis.cli.common import add_max_rows
from wwc_analysis.data import ASSESSMENTS_FILE, CRITERIA_GLOB, FILES, TABLE_ORDER, paths, read_all
from wwc_analysis.errors import printable


def _source(name: str, data_dir: Path, assessments: Path | None) -> str:
    if name == "criteria":
        return ", ".join(p.name for p in sorted(data_dir.glob(CRITERIA_GLOB)))
    if name == "assessments":
        return str(assessments) if assessments is not None else ASSESSMENTS_FILE
    return FILES[name]


def run(args: argparse.Namespace) -> int:
    """Validate ``args.data_dir`` (default: the project's data) and ``args.assessments``.

    Returns the exit code.
    """
    data_dir = Path(args.data_dir) if args.data_dir is not None else paths.DATA_DIR
    assessments = Path(args.assessments) if args.assessments is not None else None
    frames, problems = read_all(data_dir, assessments, args.max_rows)
    if problems:
        for problem in problems:
            print(str(problem), file=sys.stderr)
        n = len(problems)
        print(printable(f"{n} problem{'s' if n != 1 else ''} found in {data_dir}"), file=sys.stderr)
        return 1
    print(f"data directory: {data_dir}")
    for name in TABLE_ORDER:
        if name not in frames:
            continue
        frame = frames[name]
        extra = ""
        if name == "assessments":
            extra = ", simulated" if frame.attrs.get("simulated") else ", not simulated"
        source = _source(name, data_dir, assessments)
        print(f"  {name:<15} {len(frame):>6} rows  ({source}{extra})")
    if "assessments" not in frames:
        print(f"  {'assessments':<15}      -       (no {ASSESSMENTS_FILE})")
    print("OK: no problems found")
    return 0


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``validate`` subcommand to the ``wwc`` parser; ``func`` returns the exit code."""
    parser = subparsers.add_parser(
        "validate",
        help="check a data directory (and an assessment file); list every problem",
        description=(
            "Load and validate every table of DIR (criteria_<standard>.csv, standards.csv, "
            "rounds.csv, certifications.csv, unplaced.csv and, when present, "
            "simulated/assessments.csv). Prints a summary and exits 0 when all is well; "
            "otherwise prints every problem, one per line "
            "(file:line, column, value, what was expected), to stderr and exits 1."
        ),
    )
    parser.add_argument(
        "data_dir",
        nargs="?",
        default=None,
        metavar="DIR",
        help="data directory to check (default: the project's data/ directory)",
    )
    parser.add_argument(
        "--assessments",
        metavar="FILE",
        default=None,
        help=(
            "also check this criteria-level assessment file (.csv or .xlsx) against DIR's rounds "
            "and criteria"
        ),
    )
    add_max_rows(parser)
    parser.set_defaults(func=run)
    return parser
