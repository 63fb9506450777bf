"""Helpers shared by the command modules: machine-readable records, help texts for people,
whole-number options and the limits of the structured files a command reads."""

from __future__ import annotations

import argparse
import textwrap

import pandas as pd

from wwc_analysis.data.read import DEFAULT_MAX_ROWS
from wwc_analysis.data.structured import ReadLimits

#: The option that raises each limit of :class:`ReadLimits` (the nesting depth has none: a
#: scenario file needs four levels, the limit is 32).
LIMIT_OPTIONS = {
    "max_bytes": "--max-file-mb",
    "max_items": "--max-items",
    "max_values": "--max-values",
}


def records(df: pd.DataFrame) -> list[dict]:
    out = []
    for rec in df.to_dict(orient="records"):
        clean = {}
        for k, v in rec.items():
            if isinstance(v, pd.Timestamp):
                v = v.strftime("%Y-%m-%d")
            elif v is pd.NA or (isinstance(v, float) and pd.isna(v)) or v is None:
                v = None
            elif hasattr(v, "item"):
                v = v.item()
            clean[k] = v
        out.append(clean)
    return out


class PlainHelp(argparse.HelpFormatter):
    """``--help`` for people: the description wrapped paragraph by paragraph (a blank line between
    paragraphs), and a block with lines indented by two spaces (examples) kept as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for block in text.strip("\n").split("\n\n"):
            lines = block.splitlines()
            if any(line.startswith("  ") for line in lines):
                paragraphs.append("\n".join(indent + line for line in lines))
            else:
                paragraphs.append(
                    textwrap.fill(
                        " ".join(block.split()),
                        width,
                        initial_indent=indent,
                        subsequent_indent=indent,
                        break_on_hyphens=False,  # docs/whatif-cookbook.md stays whole
                        break_long_words=False,
                    )
                )
        return "\n\n".join(paragraphs)


def add_command(
    subparsers, name: str, *, help: str, description: str, examples: str
) -> argparse.ArgumentParser:
    """Add the subcommand ``name`` with plain-words help: a one-line ``help`` for ``wwc --help``,
    a ``description`` and an ``examples`` block (lines "  wwc ...   what it does")."""
    return subparsers.add_parser(
        name,
        help=help,
        description=description,
        epilog="examples:\n" + examples.strip("\n"),
        formatter_class=PlainHelp,
    )


def positive_int(text: str) -> int:
    """An option's whole number of at least 1; the message names what is expected."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def add_read_limits(parser: argparse.ArgumentParser, what: str = "scenario file") -> None:
    """Options raising the limits within which a command reads a YAML/JSON ``what``."""
    defaults = ReadLimits()
    group = parser.add_argument_group(
        f"limits of the {what}",
        f"A {what} is read within these limits (and nested at most {defaults.max_depth} levels); "
        "raise one if a genuine file needs more.",
    )
    group.add_argument(
        "--max-file-mb",
        type=positive_int,
        default=defaults.max_bytes >> 20,
        metavar="MB",
        help=f"largest {what} read, in MiB (default {defaults.max_bytes >> 20})",
    )
    group.add_argument(
        "--max-items",
        type=positive_int,
        default=defaults.max_items,
        metavar="N",
        help=f"most entries in one list or mapping (default {defaults.max_items:,})",
    )
    group.add_argument(
        "--max-values",
        type=positive_int,
        default=defaults.max_values,
        metavar="N",
        help="most values in all, each YAML alias counted as the values it repeats "
        f"(default {defaults.max_values:,})",
    )


def read_limits(args: argparse.Namespace) -> ReadLimits:
    """The :class:`ReadLimits` of the options added by :func:`add_read_limits`."""
    return ReadLimits(
        max_bytes=args.max_file_mb << 20,
        max_items=args.max_items,
        max_values=args.max_values,
        options=LIMIT_OPTIONS,
    )


def add_max_rows(parser: argparse.ArgumentParser) -> None:
    """``--max-rows N``: the most data rows a table file (or an assessment file) may hold."""
    parser.add_argument(
        "--max-rows",
        type=positive_int,
        default=DEFAULT_MAX_ROWS,
        metavar="N",
        help=f"most data rows read from a file (default {DEFAULT_MAX_ROWS:,}; an Excel sheet "
        "holds at most 1,048,576)",
    )


def add_assessments(parser: argparse.ArgumentParser) -> None:
    """``--assessments FILE``: the criteria-level assessments a command scores (the default is the
    data folder's simulated file)."""
    parser.add_argument(
        "--assessments",
        metavar="FILE",
        default=None,
        help=(
            "assessment file (long format, .csv or .xlsx); default: the shipped simulated file "
            "data/simulated/assessments.csv"
        ),
    )
