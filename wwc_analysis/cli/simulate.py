"""``wwc simulate``: write the SIMULATED assessments of fictional cities, print the calibration."""

from __future__ import annotations

import argparse
import sys

from wwc_analysis.cli.common import add_command
from wwc_analysis.data.dataset import load
from wwc_analysis.simulate import (
    DEFAULT_N_CITIES,
    DEFAULT_SEED,
    calibration,
    format_calibration,
    simulate_assessments,
    write_simulated,
)

DESCRIPTION = """Seeded simulation of fictional applicant cities assessed in the rounds held under
the 2022 standard: SIMULATED data, never real certification results.

--out writes assessments.csv, cities.csv and README.md (the same arguments give the same bytes);
--calibration prints how the simulation compares with the public record."""
EXAMPLES = """
  wwc simulate --calibration                      the simulation against the public record
  wwc simulate --out data/simulated               regenerate the shipped files (same bytes)
  wwc simulate --n-cities 2000 --seed 7 --out /tmp/sim   a larger simulation elsewhere
"""


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``wwc simulate`` to the ``wwc`` command line."""
    p = add_command(
        sub,
        "simulate",
        help="generate SIMULATED assessments of fictional cities (seeded), print the calibration",
        description=DESCRIPTION,
        examples=EXAMPLES,
    )
    p.add_argument(
        "--out", metavar="DIR", help="write the simulated files into DIR (e.g. data/simulated)"
    )
    p.add_argument(
        "--n-cities",
        type=int,
        default=DEFAULT_N_CITIES,
        metavar="N",
        help=f"number of fictional cities (default {DEFAULT_N_CITIES})",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        metavar="S",
        help=f"random seed (default {DEFAULT_SEED})",
    )
    p.add_argument(
        "--calibration", action="store_true", help="print the calibration table of this simulation"
    )
    p.add_argument(
        "--format",
        choices=("table", "markdown", "csv"),
        default="table",
        help="format of the calibration table (default table)",
    )
    p.add_argument("--data", metavar="DIR", help="data directory (default: the project's data/)")
    p.set_defaults(func=cmd_simulate)


def cmd_simulate(args: argparse.Namespace) -> int:
    """Run ``wwc simulate``; returns the exit code (2 when there is nothing to do)."""
    if not args.out and not args.calibration:
        print("wwc simulate: nothing to do: give --out DIR and/or --calibration", file=sys.stderr)
        return 2
    if args.n_cities < 1:
        print(f"wwc simulate: --n-cities must be at least 1, got {args.n_cities}", file=sys.stderr)
        return 2
    data = load(args.data)
    if args.out:
        written = write_simulated(args.out, data, args.n_cities, args.seed)
        for path in written.values():
            print(f"wrote {path}", file=sys.stderr)
    if args.calibration:
        table = calibration(simulate_assessments(data, args.n_cities, args.seed), data)
        sys.stdout.write(format_calibration(table, args.format))
    return 0
