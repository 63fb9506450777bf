"""``wwc score``: exact scoring of one city (criteria met or a count) or of an assessment file."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

import pandas as pd

from wwc_analysis.cli.common import add_command, add_max_rows, records
from wwc_analysis.data.dataset import load, load_assessments
from wwc_analysis.errors import UserError
from wwc_analysis.rules.scoring import SCORE_TIERS, score, score_city, score_counts
from wwc_analysis.rules.standards import Standard, get_standard
from wwc_analysis.text.scoring import count_text
from wwc_analysis.text.tables import report_text

#: Columns of the table format of ``wwc score --file``, with their headers.
FILE_COLUMNS = {
    "city_id": "City",
    "round_id": "Round",
    "met": "Met",
    "total": "of",
    "share": "Share",
    "tier": "Tier",
    "missing_core": "Core missing",
    "outcome_ok": "Outcome met",
}
#: Under a row of that table, what keeps the city from a tier (a line of its own: the reasons can
#: be long, and the table then still fits 100 columns).
REASON_LINE = "    not certified: {reason}"
#: How the cells of some columns read in that table.
FILE_FORMATS = {"share": "{:.1%}", "outcome_ok": lambda v: "yes" if v else "no"}


DESCRIPTION = """Exact scoring under a standard (2022 unless --standard says otherwise): the share
of criteria met, the tier reached, what holds a city back and what the next tier needs.

Give the criteria a city meets (--met), or only how many (--count, for a standard whose criteria
are not listed), or an assessment file of many cities (--file). Under the 2022 standard a city must
also meet every core criterion (DM1, LC1, PA1) and the outcome requirement: say so with --core-met
(with --count) and --outcome-met."""
EXAMPLES = """
  wwc score --met DM1,LC1,PA1,DM2 --outcome-met    a city meeting these criteria and the outcome
  wwc score --count 30 --core-met --outcome-met    the tier of 30 criteria met, gates met
  wwc score --standard 2018 --count 31             under the 2018 standard
  wwc score --file my-assessments.xlsx --format csv   every city of an assessment file, as CSV
"""


def register(sub: argparse._SubParsersAction) -> None:
    s = add_command(
        sub,
        "score",
        help="score a city (criteria met) or an assessment file under a standard",
        description=DESCRIPTION,
        examples=EXAMPLES,
    )
    s.add_argument("--standard", default="2022", help="standard: 2017, 2018 or 2022 (default 2022)")
    what = s.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--met",
        metavar="CODES",
        help="comma-separated criterion codes the city meets, e.g. DM1,LC1,PA1",
    )
    what.add_argument(
        "--count",
        type=int,
        metavar="N",
        help="number of criteria met (for standards whose codes are not listed, e.g. 2018)",
    )
    what.add_argument(
        "--file",
        metavar="FILE",
        help="assessment file (CSV or Excel, long format) to score every city in",
    )
    s.add_argument(
        "--outcome-met",
        action="store_true",
        help="the city meets the outcome requirement (2022 standard)",
    )
    s.add_argument(
        "--core-met", action="store_true", help="with --count: the city meets every core criterion"
    )
    s.add_argument("--data", metavar="DIR", help="data folder (default: the project's data/)")
    s.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="table: sentences and tables for people (default); csv, json: for a program",
    )
    add_max_rows(s)
    s.set_defaults(func=cmd_score)


def cmd_score(args) -> int:
    """Handler of ``wwc score``: one of three modes, by ``--file``, ``--count`` or ``--met``."""
    data = load(args.data, max_rows=args.max_rows)
    try:
        std = get_standard(args.standard, data)
    except KeyError as exc:
        raise UserError(str(exc.args[0])) from None
    if args.file:
        return score_file(args, std)
    if args.count is not None:
        return score_count(args, std)
    return score_met(args, std)


def score_file(args, std: Standard) -> int:
    """``--file``: score every city and round of an assessment file."""
    path = Path(args.file)
    if not path.exists():
        raise UserError(f"assessment file {path} does not exist")
    df = load_assessments(path, data_dir=args.data, max_rows=args.max_rows)
    scores = score(df, std).reset_index()
    scores["share"] = scores["share"].round(4)
    note = "SIMULATED DATA: fictional cities. " if bool(scores["simulated"].any()) else ""
    if args.format == "json":
        payload = {"standard": std.name, "note": note.strip() or None, "scores": records(scores)}
        print(json.dumps(payload, indent=2))
    elif args.format == "csv":
        scores.to_csv(sys.stdout, index=False)
    else:
        if note:
            print(note + "Tiers come from the scoring rules applied to simulated assessments.")
        shown = scores.assign(
            share=scores["met"] / scores["total"],  # not the rounded share: 37/43 is 86.0%
            tier=scores["tier"].astype(str),
            missing_core=scores["missing_core"].replace("", None),
            reason=scores["reason"].astype(str).replace("", None),
        )
        print(_with_reasons(report_text(shown, FILE_COLUMNS, formats=FILE_FORMATS), shown))
        counts = scores["tier"].value_counts(sort=False).rename_axis("tier").reset_index()
        print("\n" + report_text(counts, {"tier": "Tier", "count": "Assessments"}))
    return 0


def _with_reasons(table: str, shown) -> str:
    """``table`` (a header, then a line per row of ``shown``) with :data:`REASON_LINE` under each
    row that has a reason, wrapped at 100 columns."""
    header, *rows = table.splitlines()
    out = [header]
    for line, reason in zip(rows, shown["reason"], strict=True):
        out.append(line)
        if isinstance(reason, str) and reason:
            indent = " " * (len(REASON_LINE) - len(REASON_LINE.lstrip()) + 2)
            out.append(
                textwrap.fill(REASON_LINE.format(reason=reason), 100, subsequent_indent=indent)
            )
    return "\n".join(out)


def score_count(args, std: Standard) -> int:
    """``--count N``: the tier of a city meeting N criteria (and, by flag, the core and outcome)."""
    if not 0 <= args.count <= std.criteria_count:
        raise UserError(
            f"--count must lie in 0..{std.criteria_count} for standard {std.name}, got {args.count}"
        )
    arr = score_counts([args.count], std, core_ok=args.core_met, outcome_ok=args.outcome_met)
    thr, tier = int(arr.threshold_tier[0]), int(arr.tier[0])
    result = {
        "standard": std.name,
        "met": args.count,
        "total": std.criteria_count,
        "share": round(args.count / std.criteria_count, 4),
        "threshold_tier": SCORE_TIERS[thr],
        "tier": SCORE_TIERS[tier],
        "reason": str(arr.to_frame()["reason"].iloc[0]) or None,
        "to_next_tier": int(arr.to_next_tier()[0]),
    }
    if args.format == "json":
        print(json.dumps(result, indent=2))
    elif args.format == "csv":
        pd.DataFrame([result]).to_csv(sys.stdout, index=False)
    else:
        print(count_text(args.count, std, core_met=args.core_met, outcome_met=args.outcome_met))
        if std.core_required and not args.core_met:
            print("  (pass --core-met if the city meets every core criterion)")
        if std.outcome_required and not args.outcome_met:
            print("  (pass --outcome-met if the city meets the outcome requirement)")
    return 0


def score_met(args, std: Standard) -> int:
    """``--met CODES``: score one city from the criterion codes it meets, with the reasons."""
    if not std.has_criteria:
        raise UserError(
            f"standard {std.name} lists no criterion codes in the data; score it with --count N"
        )
    codes = [c.strip().upper() for c in args.met.split(",") if c.strip()]
    try:
        res = score_city(codes, std, outcome_met=args.outcome_met)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if args.format == "json":
        print(json.dumps(res.as_dict(), indent=2))
    elif args.format == "csv":
        d = res.as_dict()
        d["missing_core"] = ",".join(d["missing_core"])
        d["reasons"] = " | ".join(d["reasons"])
        d["met_criteria"] = ",".join(d["met_criteria"])
        pd.DataFrame([d]).to_csv(sys.stdout, index=False)
    else:
        print(res.explain())
        if std.outcome_required and not args.outcome_met:
            print("  (pass --outcome-met if the city meets the outcome requirement)")
    return 0
