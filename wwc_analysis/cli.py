"""The ``wwc`` command line.

Each command lives in the module that owns its logic, which exposes ``register(subparsers)``; the
parser sets ``func`` to a callable taking the parsed arguments and returning an exit code.
Errors the user can fix (bad data, unknown criterion, a year with no round) print a clear message
and exit non-zero without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .errors import DataValidationError

# Modules that add subcommands, in the order they appear in `wwc --help`.
SUBCOMMAND_MODULES = (
    "wwc_analysis.cli_core",  # rounds, score
    "wwc_analysis.validate_cli",  # validate
    "wwc_analysis.whatif",  # whatif
    "wwc_analysis.simulate",  # simulate
    "wwc_analysis.report",  # report
)


class UserError(Exception):
    """An error in the user's input: printed as one message, exit code ``code``."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wwc",
        description="What Works Cities Certification analysis: rounds, scoring, validation, reports.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(sub)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
