"""The ``wwc`` console script: builds the parser from the command modules and runs one command.

Each command is a module of this package with ``register(subparsers)``, which adds its subparser and
sets ``func`` to a callable taking the parsed arguments and returning an exit code. Errors the user
can fix (bad data, unknown criterion, a year with no round) print a clear message and exit non-zero
without a traceback.
"""

from __future__ import annotations

import argparse
import sys

from wwc_analysis.cli import (
    diff,
    reach,
    report,
    robustness,
    rounds,
    score,
    simulate,
    validate,
    whatif,
)
from wwc_analysis.errors import DataValidationError, UserError

# The commands, in the order `wwc --help` lists them.
COMMANDS = (rounds, score, validate, diff, whatif, robustness, simulate, reach, report)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wwc",
        description="What Works Cities Certification analysis: rounds, scoring, validation, "
        "reports.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except DataValidationError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except UserError as exc:
        print(f"wwc {args.command}: {exc}", file=sys.stderr)
        return exc.code
    except BrokenPipeError:  # e.g. `wwc rounds | head`
        return 0
