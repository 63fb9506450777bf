"""``wwc report``: run the notebooks for one year and publish the HTML report (see report.build).

The command first validates the whole data folder as ``wwc validate`` does (same checks, same one
line per problem on stderr): a broken folder stops the build in well under a second, before any
kernel starts, and nothing is published (exit 1). Warnings (likely duplicate cities) are printed and
the build goes on. The rounds table of the validated folder picks the year and is handed to
:func:`~wwc_analysis.report.build.build_report`; the report package itself loads no table.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from wwc_analysis.cli.common import add_command, positive_int
from wwc_analysis.cli.validate import check_data, failed, fallback_note
from wwc_analysis.data import paths
from wwc_analysis.data.package import simulated_source
from wwc_analysis.errors import Terminated, printable
from wwc_analysis.report.build import ReportError, build_report
from wwc_analysis.report.run import skip_slow_optional_imports

DESCRIPTION = """Run the analysis notebooks for one year and publish them as a static HTML report:
a front page with the year's headline numbers, one page per notebook (one per round for the cohort
comparison), every table as CSV and in tables.xlsx, and with --pdf the whole report as one PDF.

The data folder is checked first, as by wwc validate. A notebook whose notebook file,
parameters, data and code have not changed since the last build is not run again (--force runs
it). A failed build publishes nothing and leaves the previous report as it was."""
EXAMPLES = """
  wwc report                          the latest year with a round, into reports/YYYY/
  wwc report --year 2024 --pdf        the 2024 report, with report.pdf
  wwc report --year 2024 --force      run every notebook again, even those unchanged
  wwc report --build-date 2026-12-01  the same bytes on every rebuild (also: SOURCE_DATE_EPOCH)
"""


def _build_date(text: str) -> datetime:
    """``YYYY-MM-DD`` (midnight) or an ISO date and time, local time unless it says otherwise."""
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date YYYY-MM-DD or a date and time YYYY-MM-DDTHH:MM, got {text!r}"
        ) from None


def build_time(args: argparse.Namespace) -> datetime | None:
    """The build time written on the report: ``--build-date``, else ``SOURCE_DATE_EPOCH`` (the
    reproducible-builds convention: seconds since 1970, UTC), else None (now)."""
    if args.build_date is not None:
        return args.build_date
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            raise ReportError(
                f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got {epoch!r}", 2
            ) from None
    return None


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
        "--pdf",
        action="store_true",
        help="also write report.pdf, the whole report in one document (needs WeasyPrint)",
    )
    parser.add_argument(
        "--force", action="store_true", help="run every notebook, even those unchanged"
    )
    parser.add_argument(
        "--single-file",
        action="store_true",
        help="pages that carry their stylesheet and figures inside (larger, but one file each)",
    )
    parser.add_argument(
        "--build-date",
        type=_build_date,
        metavar="DATE",
        help="the build date written on the report (YYYY-MM-DD or YYYY-MM-DDTHH:MM; default: "
        "now); a year not over yet is counted as of this date",
    )
    parser.set_defaults(func=run)


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``report`` subcommand to the ``wwc`` CLI; ``args.func(args)`` returns the exit
    code."""
    parser = add_command(
        subparsers,
        "report",
        help="run the notebooks for one year and publish the HTML report",
        description=DESCRIPTION,
        examples=EXAMPLES,
    )
    _add_arguments(parser)
    return parser


def validated_rounds(data_dir: Path) -> pd.DataFrame:
    """The rounds table of ``data_dir`` once the whole folder validates, with the simulated
    assessments the notebooks will read: the folder's own, or (said on stdout) the project's
    shipped file standing in, checked against the folder's rounds and criteria. Otherwise every
    problem is printed (as by ``wwc validate``) and a ``ReportError`` (exit 1) says nothing was
    built."""
    simulated, fallback = simulated_source(data_dir)
    if fallback:
        print(printable(fallback_note(data_dir, simulated)), flush=True)
    found = check_data(data_dir, simulated if fallback else None)
    if failed(found):
        why = (
            f"; the simulated assessments it would use instead of its own, {simulated}, were "
            f"checked against it: give {data_dir} a simulated/assessments.csv fitting its rounds "
            "and criteria (wwc simulate writes one)"
            if fallback and any(Path(p.file) == simulated for p in found.problems)
            else ""
        )
        raise ReportError(
            f"the data in {data_dir} does not validate (problems listed above){why}; no notebook "
            "was run and nothing was published",
            1,
        )
    return found.frames["rounds"]


def run(args: argparse.Namespace) -> int:
    """Handler of ``wwc report``: build, print errors without a traceback, return the exit code."""
    skip_slow_optional_imports()
    data_dir = Path(args.data if args.data is not None else paths.DATA_DIR).resolve()
    lock = threading.Lock()  # notebooks run in threads: one progress line at a time

    def progress(line: str) -> None:
        with lock:
            print(line, flush=True)

    try:
        build_report(
            args.year,
            validated_rounds(data_dir),
            data_dir,
            out_dir=args.out,
            jobs=args.jobs,
            pdf=args.pdf,
            progress=progress,
            built_at=build_time(args),
            force=args.force,
            single_file=args.single_file,
        )
    except ReportError as exc:
        print(printable(f"wwc report: error: {exc}"), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (Terminated): the build cleaned up
        published = getattr(exc, "published", None)
        said = f"interrupted after publishing {published}" if published else "interrupted"
        if not published:
            said += "; nothing published"
        print(printable(f"wwc report: {said}"), file=sys.stderr)
        return exc.exit_code if isinstance(exc, Terminated) else 130
    return 0
