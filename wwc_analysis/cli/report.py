"""``wwc report``: run the notebooks for one year and publish the HTML report (see report.build).

The command first validates the whole data folder as ``wwc validate`` does (same checks, same one
line per problem on stderr): a broken folder stops the build in well under a second, before any
kernel starts, and nothing is published (exit 1). Warnings (likely duplicate cities) are printed and
the build goes on. The rounds table of the validated folder picks the year and is handed to
:func:`~wwc_analysis.report.build.build_report`; the report package itself loads no table.
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

import pandas as pd

from wwc_analysis.cli.common import positive_int
from wwc_analysis.cli.validate import check_data, failed
from wwc_analysis.data import paths
from wwc_analysis.errors import printable
from wwc_analysis.report.build import ReportError, build_report

DESCRIPTION = "Run the analysis notebooks for one year and publish them as a static HTML report."


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--year",
        type=int,
        metavar="YYYY",
        help="report year (default: the latest year with a round)",
    )
    parser.add_argument(
        "--data", type=Path, metavar="DIR", help=f"data folder (default: {paths.DATA_DIR})"
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        default=paths.REPORTS_DIR,
        help=f"reports folder; the report goes to DIR/YYYY (default: {paths.REPORTS_DIR})",
    )
    parser.add_argument(
        "--jobs",
        type=positive_int,
        default=2,
        metavar="N",
        help="notebooks run at a time (default: 2)",
    )
    parser.add_argument(
        "--pdf", action="store_true", help="also write report.pdf (needs the pdf extra: WeasyPrint)"
    )
    parser.set_defaults(func=run)


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``report`` subcommand to the ``wwc`` CLI; ``args.func(args)`` returns the exit
    code."""
    parser = subparsers.add_parser(
        "report",
        help="run the notebooks for one year and publish the HTML report",
        description=DESCRIPTION,
    )
    _add_arguments(parser)
    return parser


def validated_rounds(data_dir: Path) -> pd.DataFrame:
    """The rounds table of ``data_dir`` once the whole folder validates; otherwise every problem is
    printed (as by ``wwc validate``) and a ``ReportError`` (exit 1) says nothing was built."""
    found = check_data(data_dir)
    if failed(found):
        raise ReportError(
            f"the data in {data_dir} does not validate (problems listed above); no notebook was "
            "run and nothing was published",
            1,
        )
    return found.frames["rounds"]


def run(args: argparse.Namespace) -> int:
    """Handler of ``wwc report``: build, print errors without a traceback, return the exit code."""
    data_dir = Path(args.data if args.data is not None else paths.DATA_DIR).resolve()
    try:
        build_report(
            args.year,
            validated_rounds(data_dir),
            data_dir,
            out_dir=args.out,
            jobs=args.jobs,
            pdf=args.pdf,
            progress=functools.partial(print, flush=True),
        )
    except ReportError as exc:
        print(printable(f"wwc report: error: {exc}"), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("wwc report: interrupted; nothing published", file=sys.stderr)
        return 130
    return 0
