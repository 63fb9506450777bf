"""``wwc whatif``: score assessments (or one city) under a what-if scenario file.

Loads the project's Dataset once (its standards name the scenario's standards; its simulated
assessments are the default population) and passes it to :mod:`wwc_analysis.whatif`."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from wwc_analysis.cli.common import (
    add_assessments,
    add_command,
    add_max_rows,
    add_read_limits,
    read_limits,
)
from wwc_analysis.data.dataset import Dataset, load, load_assessments
from wwc_analysis.data.paths import PROJECT_ROOT, SIMULATED_DIR
from wwc_analysis.errors import printable
from wwc_analysis.text.comparison import changed_text, transitions_text
from wwc_analysis.whatif import (
    ScenarioError,
    ScenarioFile,
    city_whatif,
    compare,
    load_scenario_file,
)

DESCRIPTION = """Apply a what-if scenario (a YAML or JSON file: other cut-offs, gates on or off,
criteria marked met or unmet, another standard; see docs/whatif-cookbook.md) to assessments, and
show how many cities change tier and which. With a 'city' section in the file: that one city's tier
before and after, and the fewest further criteria to each higher tier.

The assessments are the shipped SIMULATED ones (fictional cities) unless --assessments names a
file of your own."""
EXAMPLES = """
  wwc whatif --file gold70.yaml                   every city's tier with Gold at 70 %
  wwc whatif --file our-city.yaml                 one city (a 'city' section) and its paths
  wwc whatif -f gold70.yaml --assessments mine.csv --format json
"""


def register(subparsers) -> argparse.ArgumentParser:
    """Add ``wwc whatif`` to an ``argparse`` subparsers object
    (``parser.set_defaults(func=...)``)."""
    parser = add_command(
        subparsers,
        "whatif",
        help="score assessments (or one city) under a what-if scenario file",
        description=DESCRIPTION,
        examples=EXAMPLES,
    )
    parser.add_argument(
        "--file", "-f", required=True, metavar="SCENARIO.yaml", help="scenario file (YAML or JSON)"
    )
    add_assessments(parser)
    parser.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table: sentences and tables for people (default); json: for a program",
    )
    parser.add_argument(
        "--max-cities",
        type=int,
        default=50,
        metavar="N",
        help="list at most N changed cities (default 50)",
    )
    add_max_rows(parser)
    add_read_limits(parser)
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Execute ``wwc whatif`` and return the exit code.

    User errors (unknown criterion or key, threshold outside 0-100, unreadable or invalid file)
    print one message naming the culprit to stderr and return 2, without a traceback.
    """
    try:
        text = _run(args)
    except (ValueError, KeyError, OSError) as exc:  # ScenarioError, DataValidationError: ValueError
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(printable(f"wwc whatif: error: {msg}"), file=sys.stderr)
        return 2
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _run(args: argparse.Namespace) -> str:
    data = load(max_rows=args.max_rows)
    sf = load_scenario_file(args.file, data, limits=read_limits(args))
    path = Path(args.assessments) if args.assessments else default_assessments_path()
    population = _population(args, sf, data, path)
    note = _simulated_note(population, path) if population is not None else ""
    if sf.city_met is not None:
        return _city(args, sf, population, note, path)
    return _comparison(args, sf, population, note, path)


def _population(
    args: argparse.Namespace, sf: ScenarioFile, data: Dataset, path: Path
) -> pd.DataFrame | None:
    """The assessments to score (or to take peers from): ``--assessments``, else the Dataset's
    simulated file (``None`` for a single city when there is none), kept to the file's ``round``."""
    if args.assessments:
        if not path.exists():
            raise FileNotFoundError(f"assessment file {path} does not exist")
        population = load_assessments(path, data.data_dir, max_rows=args.max_rows)
    elif data.assessments is not None:
        population = data.assessments
    elif sf.city_met is None:
        raise FileNotFoundError(f"assessment file {path} does not exist")
    else:
        return None
    if sf.round is not None:
        known = sorted(set(population["round_id"].astype(str)))
        if sf.round not in known:
            raise ScenarioError(
                f"round {sf.round!r} is not in {path}; rounds there: {', '.join(known)}"
            )
        population = population[population["round_id"].astype(str) == sf.round]
    return population


#: The line under the assessments' file when they are simulated.
SIMULATED_LINE = "SIMULATED: fictional cities, not real certification results."


def _simulated_note(population: pd.DataFrame, path: Path) -> str:
    has_flag = "simulated" in population.columns
    sim = population["simulated"].to_numpy(dtype=bool) if has_flag else np.zeros(0, bool)
    shown = _display_path(path)
    if sim.any():
        return f"Assessments: {shown}\n{SIMULATED_LINE}"
    return f"Assessments: {shown}"


def _city(args, sf: ScenarioFile, population, note: str, path: Path) -> str:
    """One city before and after the scenario, with its paths to higher tiers."""
    result = city_whatif(
        sf.city_met,
        sf.scenario,
        sf.standard,
        outcome_met=sf.city_outcome_met,
        population=population,
        weights=sf.weights,
        default_weight=sf.default_weight,
    )
    if args.format == "json":
        d = result.as_dict()
        d["assessments"] = _display_path(path) if population is not None else None
        d["simulated"] = result.simulated_population
        return json.dumps(d, indent=2)
    return "\n".join(wrap(line) for line in filter(None, [note, result.explain()]))


def _comparison(args, sf: ScenarioFile, population, note: str, path: Path) -> str:
    """Every city's tier before and after the scenario: summary, transitions, changed cities."""
    cmp_ = compare(population, sf.scenario, standard=sf.standard)
    if args.format == "json":
        d = cmp_.to_dict(max_cities=args.max_cities)
        d["assessments"] = _display_path(path)
        return json.dumps(d, indent=2)
    lines = [
        wrap(note),
        wrap(cmp_.explain(flag_simulated=False)),
        "",
        "Tiers before and after the scenario:",
        transitions_text(cmp_),
    ]
    ch = cmp_.changed()
    if len(ch):
        first = f", first {args.max_cities}" if len(ch) > args.max_cities else ""
        lines += ["", f"Cities that change tier ({len(ch)}{first}):"]
        lines.append(changed_text(cmp_, args.max_cities))
    return "\n".join(lines)


def wrap(text: str, width: int = 100) -> str:
    """Each line of ``text`` longer than ``width`` wrapped, its continuation indented two spaces
    more than the line."""
    out = []
    for line in text.splitlines():
        indent = " " * (len(line) - len(line.lstrip(" ")) + 2)
        long = len(line) > width
        out.append(textwrap.fill(line, width, subsequent_indent=indent) if long else line)
    return "\n".join(out)


def _display_path(path: Path) -> str:
    """``path`` relative to the project root when inside it (shorter, machine-independent)."""
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def default_assessments_path() -> Path:
    """The shipped simulated assessments (fictional cities)."""
    return SIMULATED_DIR / "assessments.csv"
