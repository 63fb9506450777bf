"""``wwc robustness``: how robust are the tiers? The uncertainty and sensitivity analysis of a
standard declared in a spec file (YAML or JSON), over an assessment file.

Loads the Dataset once (its standards name the spec's standard; its simulated assessments are the
default population) and passes it to :mod:`wwc_analysis.whatif`; the words come from
:mod:`wwc_analysis.text.robustness`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from wwc_analysis.cli.common import (
    add_assessments,
    add_command,
    add_max_rows,
    add_read_limits,
    read_limits,
)
from wwc_analysis.cli.whatif import default_assessments_path
from wwc_analysis.data.dataset import Dataset, load, load_assessments
from wwc_analysis.data.paths import PROJECT_ROOT
from wwc_analysis.errors import DataValidationError, printable
from wwc_analysis.report.outputs import SIMULATED_NOTE
from wwc_analysis.text.robustness import robustness_text
from wwc_analysis.whatif import RobustnessSpecError, load_robustness_spec, run_robustness

DESCRIPTION = """Score assessments under thousands of runs of uncertain rules declared in a spec
file (cut-offs, core gates, the outcome requirement, criteria kept; see docs/whatif-cookbook.md):
each city's tier shares and flip rate, intervals of the tier counts, which uncertain rule matters
most (sensitivity indices), the criteria left out or met by all, and one city's stability.

The assessments are the shipped SIMULATED ones (fictional cities) unless --assessments names a file
of your own."""
EXAMPLES = """
  wwc robustness --file robust.yaml                     tier counts and shares under the spec
  wwc robustness -f robust.yaml --format csv > out.csv  every figure in one tidy table
  wwc robustness -f robust.yaml --assessments mine.csv  your own assessments
"""


def register(subparsers) -> argparse.ArgumentParser:
    """Add ``wwc robustness`` to an ``argparse`` subparsers object."""
    parser = add_command(
        subparsers,
        "robustness",
        help="how robust are the tiers? uncertainty and sensitivity analysis of a standard",
        description=DESCRIPTION,
        examples=EXAMPLES,
    )
    parser.add_argument(
        "--file", "-f", required=True, metavar="SPEC.yaml", help="robustness spec (YAML or JSON)"
    )
    add_assessments(parser)
    parser.add_argument(
        "--data", metavar="DIR", help="data directory (default: the project's data/)"
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "csv"),
        default="text",
        help="output format (default: text; csv: one tidy table of every figure)",
    )
    add_max_rows(parser)
    add_read_limits(parser, what="spec file")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Execute ``wwc robustness`` and return the exit code: 2, with one line per problem on stderr
    and no traceback, for a spec or file the user can fix; a data folder or assessment file that
    fails validation raises its :class:`DataValidationError` (exit 1, every problem one a line)."""
    try:
        text = _run(args)
    except RobustnessSpecError as exc:
        for problem in exc.problems:
            print(printable(f"wwc robustness: error: {problem}"), file=sys.stderr)
        return 2
    except DataValidationError:
        raise  # bad data: its problems one a line, exit 1, as every command says them
    except (ValueError, KeyError, OSError) as exc:  # ScenarioError and the like: ValueError
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(printable(f"wwc robustness: error: {msg}"), file=sys.stderr)
        return 2
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _population(args: argparse.Namespace, data: Dataset) -> tuple[pd.DataFrame, Path]:
    path = Path(args.assessments) if args.assessments else default_assessments_path()
    if args.assessments:
        if not path.exists():
            raise FileNotFoundError(f"assessment file {path} does not exist")
        return load_assessments(path, data.data_dir, max_rows=args.max_rows), path
    if data.assessments is None:
        raise FileNotFoundError(f"no assessments: {path} does not exist; give --assessments FILE")
    return data.assessments, path


def _display_path(path: Path) -> str:
    """``path`` relative to the project root when inside it (shorter, machine-independent)."""
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def _run(args: argparse.Namespace) -> str:
    data = load(args.data, max_rows=args.max_rows)
    spec = load_robustness_spec(args.file, data, limits=read_limits(args))
    assessments, path = _population(args, data)
    report = run_robustness(spec, assessments)
    shown = _display_path(path)
    if args.format == "json":
        d = report.to_dict(top=spec.top)
        d["assessments"] = shown
        return json.dumps(d, indent=2, ensure_ascii=False)
    if args.format == "csv":
        note = SIMULATED_NOTE + "\n" if report.simulated else ""
        return note + report.to_frame().to_csv(index=False)
    return robustness_text(report, shown)
