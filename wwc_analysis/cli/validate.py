"""``wwc validate [DIR] [--assessments FILE] [--strict]``: check a data directory and report every
problem and warning.

On success it prints one line per table (rows loaded, from which file) and exits 0. On failure it
prints every problem on its own line to stderr (file:line, column, value, what was expected), then
the count, and exits 1, without a traceback. Warnings (likely duplicate cities: two ids, one place
and one name) are printed to stderr the same way, one a line; they fail the check only with
``--strict``. ``wwc report`` runs the same check (:func:`check_data`) before any notebook.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wwc_analysis.cli.common import add_command, add_max_rows
from wwc_analysis.data import (
    ASSESSMENTS_FILE,
    CRITERIA_GLOB,
    FILES,
    TABLE_ORDER,
    DirCheck,
    check_dir,
    paths,
)
from wwc_analysis.data.package import simulated_source
from wwc_analysis.data.read import DEFAULT_MAX_ROWS
from wwc_analysis.errors import printable


def _source(name: str, data_dir: Path, assessments: Path | None) -> str:
    if name == "criteria":
        return ", ".join(p.name for p in sorted(data_dir.glob(CRITERIA_GLOB)))
    if name == "assessments":
        return str(assessments) if assessments is not None else ASSESSMENTS_FILE
    return FILES[name]


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def check_data(
    data_dir: Path,
    assessments: Path | None = None,
    strict: bool = False,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> DirCheck:
    """Validate ``data_dir`` (each file of at most ``max_rows`` data rows); print every problem and
    warning to stderr, one a line, then a count line when the check fails (problems, or warnings
    under ``strict``). Returns what was found; the caller decides the exit code (:func:`failed`)."""
    found = check_dir(data_dir, assessments, max_rows)
    for item in [*found.problems, *found.warnings]:
        print(str(item), file=sys.stderr)
    if failed(found, strict):
        counts = [_count(len(found.problems), "problem")] if found.problems else []
        if found.warnings:
            counts.append(_count(len(found.warnings), "warning"))
        why = " (--strict: warnings are errors)" if strict and not found.problems else ""
        print(printable(f"{' and '.join(counts)} found in {data_dir}{why}"), file=sys.stderr)
    return found


def fallback_note(data_dir: Path, simulated: Path) -> str:
    """What ``wwc validate`` and ``wwc report`` say when ``data_dir`` has no simulated
    assessments and the project's shipped file stands in for them."""
    return (
        f"note: {data_dir} has no {ASSESSMENTS_FILE}; wwc report's simulated sections use the "
        f"project's shipped file {simulated}, checked against {data_dir}"
    )


def _fallback_line(data_dir: Path, max_rows: int) -> str:
    """The summary line of the assessments when the folder has none: the shipped file the report
    would use instead, and whether it fits the folder (its problems are not the folder's)."""
    simulated, _ = simulated_source(data_dir)
    found = check_dir(data_dir, simulated, max_rows)
    fits = (
        "fits this folder"
        if not found.problems
        else f"does NOT fit this folder ({_count(len(found.problems), 'problem')}: wwc validate "
        f"{data_dir} --assessments {simulated} lists them; wwc report refuses to run)"
    )
    return (
        f"  {'assessments':<15}      -       (no {ASSESSMENTS_FILE}; wwc report would use the "
        f"project's shipped {simulated}, which {fits})"
    )


def failed(found: DirCheck, strict: bool = False) -> bool:
    """Whether the check fails: any problem, or any warning under ``strict``."""
    return bool(found.problems) or (strict and bool(found.warnings))


def run(args: argparse.Namespace) -> int:
    """Validate ``args.data_dir`` (default: the project's data) and ``args.assessments``.

    Returns the exit code.
    """
    data_dir = Path(args.data_dir) if args.data_dir is not None else paths.DATA_DIR
    assessments = Path(args.assessments) if args.assessments is not None else None
    found = check_data(data_dir, assessments, strict=args.strict, max_rows=args.max_rows)
    if failed(found, args.strict):
        return 1
    frames = found.frames
    print(printable(f"data directory: {data_dir}"))
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
        print(printable(_fallback_line(data_dir, args.max_rows)))
    if found.warnings:
        n = len(found.warnings)
        print(
            f"OK: no problems found; {_count(n, 'warning')} (listed above; --strict fails on them)"
        )
    else:
        print("OK: no problems found")
    return 0


DESCRIPTION = """Load and check every table of a data folder (criteria_<standard>.csv,
standards.csv, rounds.csv, certifications.csv, unplaced.csv and, when present,
simulated/assessments.csv and the reach tables). When all is well it prints the size of each table
and exits 0; otherwise it prints every problem, one per line (file:line, column, value, what was
expected), and exits 1.

Warnings (likely duplicate cities: different city ids with the same region, country and name once
accents, case, punctuation and St./Saint are set aside) are printed too, and fail the check only
with --strict."""
EXAMPLES = """
  wwc validate                           the project's data folder
  wwc validate my-data --strict          another folder; likely duplicate cities fail it too
  wwc validate --assessments mine.csv    also an assessment file, against the rounds and criteria
"""


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``validate`` subcommand to the ``wwc`` parser; ``func`` returns the exit code."""
    parser = add_command(
        subparsers,
        "validate",
        help="check a data directory (and an assessment file); list every problem",
        description=DESCRIPTION,
        examples=EXAMPLES,
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
    parser.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings (likely duplicate cities) as errors: exit 1 when there is any",
    )
    add_max_rows(parser)
    parser.set_defaults(func=run)
    return parser
