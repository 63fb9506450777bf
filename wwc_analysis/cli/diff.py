"""``wwc diff OLD_DIR NEW_DIR [--format text|markdown|json]``: what a change of the data does.

Both folders are loaded and validated (a folder with problems is an error, exit 1: each folder's
problems one a line under a line naming it, OLD_DIR or NEW_DIR); the comparison is
:func:`wwc_analysis.history.diff.diff_datasets` (events, cities, tables, per-round counts, headline
metrics) and its words :mod:`wwc_analysis.text.diff`. The reach tables (``universe.csv``,
``crosswalk.csv``) are validated with their folder but not compared: they are not part of the
record's editions (the output says so). Exit 0 whether or not anything differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from wwc_analysis.cli.common import add_command, add_max_rows
from wwc_analysis.data.dataset import Dataset, load
from wwc_analysis.errors import DataValidationError, printable
from wwc_analysis.history.diff import diff_datasets
from wwc_analysis.text.diff import diff_markdown, diff_text

DESCRIPTION = """Compare two data folders (two editions of the record, or the record before and
after an edit): the certification events added, removed and changed field by field (keyed by city
id and round), the cities added, removed or renamed, the other tables, and every per-round count
(reported / identified / derived) and headline metric of a year that moves.

Text for a terminal, Markdown for a pull request, JSON for a program. The reach tables
(universe.csv, crosswalk.csv) are not part of the record's editions and are not compared."""
EXAMPLES = """
  wwc diff data my-data                      what an edit of the record changes
  wwc diff data my-data --format markdown    the same for a pull request or data/CHANGES.md
"""


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``wwc diff`` to the ``wwc`` command line."""
    p = add_command(
        sub,
        "diff",
        help="compare two data folders: events, cities, per-round counts, headline metrics",
        description=DESCRIPTION,
        examples=EXAMPLES,
    )
    p.add_argument("old", metavar="OLD_DIR", help="the data folder before the change")
    p.add_argument("new", metavar="NEW_DIR", help="the data folder after the change")
    p.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="output format (default text)",
    )
    add_max_rows(p)
    p.set_defaults(func=cmd_diff)


def cmd_diff(args: argparse.Namespace) -> int:
    """Handler of ``wwc diff``; returns the exit code."""
    old, new = _folder(args.old, "OLD_DIR", args), _folder(args.new, "NEW_DIR", args)
    if isinstance(old, list) or isinstance(new, list):
        lines = [line for found in (old, new) if isinstance(found, list) for line in found]
        lines.append("Nothing was compared (wwc validate DIR lists the problems of a folder).")
        print(printable("\n".join(lines)), file=sys.stderr)
        return 1
    diff = diff_datasets(old, new)
    if args.format == "json":
        print(json.dumps(diff.as_dict(), indent=2, ensure_ascii=False))
    elif args.format == "markdown":
        sys.stdout.write(diff_markdown(diff))
    else:
        sys.stdout.write(diff_text(diff))
    return 0


def _folder(folder: str, role: str, args: argparse.Namespace) -> Dataset | list[str]:
    """The Dataset of ``folder``, or the lines saying why it cannot be compared, naming it by its
    ``role`` (both folders hold files of the same names: a problem alone would not say which)."""
    path = Path(folder)
    if not path.is_dir():
        why = "it is a file" if path.exists() else "it does not exist"
        return [f"wwc diff: {role} {folder} is not a folder ({why})"]
    try:
        return load(path, max_rows=args.max_rows)
    except DataValidationError as exc:
        n = len(exc.problems)
        head = f"wwc diff: {role} {folder} has {n} problem{'s' if n != 1 else ''}:"
        return [head, *(f"  {problem}" for problem in exc.problems)]
