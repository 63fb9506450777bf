"""The ``wwc`` console script: builds the parser from the command modules and runs one command.

Each command is a module of this package with ``register(subparsers)``, which adds its subparser and
sets ``func`` to a callable taking the parsed arguments and returning an exit code. Whatever the
input, a command ends in exit 0, 1 or 2 with plain words and no traceback: errors the user can fix
(bad data, unknown criterion, a year with no round) print their message; anything unforeseen prints
one line naming the error (exit 1), and ``--debug`` (before or after the command name) shows its
traceback instead. Ctrl-C ends a command with exit 130 and SIGTERM with 143, both after the same
clean-up (:func:`terminate_as_interrupt`). Every message goes through
:func:`~wwc_analysis.errors.printable`: a control character from a data file never reaches the
terminal raw.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from wwc_analysis import __version__
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
from wwc_analysis.cli.common import PlainHelp
from wwc_analysis.errors import DataValidationError, Terminated, UserError, printable

# The commands, in the order `wwc --help` lists them.
COMMANDS = (rounds, score, validate, diff, whatif, robustness, simulate, reach, report)
DEBUG_HELP = "show the full traceback of an unexpected error (for reporting a bug)"


EXAMPLES = """
  wwc rounds                          the table of every announcement round
  wwc score --met DM1,LC1,PA1         the tier of a city meeting these criteria
  wwc validate my-data                every problem of a data folder, one line each
  wwc report --year 2024              the 2024 report, in reports/2024/
  wwc COMMAND --help                  what a command does, its options and examples
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wwc",
        description="What Works Cities Certification analysis: the public record's rounds and "
        "cohorts, exact scoring, what-if and robustness analysis of the rules, validation of the "
        "data, and the yearly report.",
        epilog="examples:\n" + EXAMPLES.strip("\n"),
        formatter_class=PlainHelp,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=version_line(),
        help="show the version of wwc-analysis and exit",
    )
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for command in COMMANDS:
        command.register(sub)
    for subparser in sub.choices.values():
        # SUPPRESS: a subcommand without --debug keeps the value given before the command name
        subparser.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP
        )
    return parser


def version_line() -> str:
    """What ``wwc --version`` prints: the command, the package version, the distribution."""
    return f"wwc {__version__} (wwc-analysis)"


def main(argv: list[str] | None = None) -> int:
    """Run one ``wwc`` command; returns its exit code (argparse exits 2 itself on a bad option)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    name = f"wwc {args.command}"
    try:
        with terminate_as_interrupt():
            return int(args.func(args) or 0)
    except DataValidationError as exc:
        _say(str(exc))
        return 1
    except UserError as exc:
        _say(f"{name}: {exc}")
        return exc.code
    except BrokenPipeError:  # e.g. `wwc rounds | head`
        return 0
    except Terminated as exc:
        _say(f"{name}: terminated")
        return exc.exit_code
    except KeyboardInterrupt:
        _say(f"{name}: interrupted")
        return 130
    except Exception as exc:
        if args.debug:
            raise
        _say(f"{name}: {unexpected(exc)}", one_line=True)
        return 1


def _raise_terminated(signum: int, frame: object) -> None:
    # one-shot: a second SIGTERM must not cut the cleanup the first one started short (SIGKILL
    # still stops a run that hangs)
    signal.signal(signum, signal.SIG_IGN)
    raise Terminated(signum)


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM raises :class:`~wwc_analysis.errors.Terminated` (a
    ``KeyboardInterrupt``) in the main thread, so a command cleans up as after Ctrl-C; the
    previous handler is put back after. Only the main thread can install a handler: elsewhere
    this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def unexpected(exc: BaseException) -> str:
    """Plain words for an exception no command foresaw, with the way to see more."""
    if isinstance(exc, MemoryError):
        what = "out of memory: the input is too large for this machine"
    elif isinstance(exc, RecursionError):
        what = "the input is nested too deeply to be read"
    elif isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename is not None else ""
        what = f"{exc.strerror}{where}"
    else:
        what = f"unexpected error ({type(exc).__name__}: {exc})"
    return f"{what}; run again with --debug to see where it happened"


def _say(message: str, one_line: bool = False) -> None:
    print(printable(message, keep_newlines=not one_line), file=sys.stderr)
