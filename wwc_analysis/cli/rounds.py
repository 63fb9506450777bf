"""``wwc rounds``: the per-round table (reported / identified / derived cohorts, cumulative
totals): for people in 100 columns with a legend (:func:`~wwc_analysis.text.rounds.rounds_text`),
``wide`` (every count, abbreviated headers), ``csv`` and ``json`` (every column by its full
name)."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

from wwc_analysis.cli.common import add_command, records
from wwc_analysis.data.dataset import load
from wwc_analysis.history.cohorts import classify_events, disagreements, round_summary
from wwc_analysis.text.rounds import rounds_text

ROUND_COLUMNS = {
    "round_id": "round",
    "announced": "announced",
    "standard": "std",
    "reported_new": "new rep",
    "identified_new": "new id",
    "derived_new": "new der",
    "reported_upgraded": "up rep",
    "identified_upgraded": "up id",
    "derived_upgraded": "up der",
    "reported_recertified": "recert rep",
    "identified_recertified": "recert id",
    "derived_recertified": "recert der",
    "identified_unstated": "unstated",
    "events": "events",
    "level_unknown": "lvl unk",
    "disagreements": "disagree",
    "reported_total_certified": "total rep",
    "identified_total_certified": "total id",
}


DESCRIPTION = """One row per announcement round: the new, upgraded and re-certified cities as
reported by the program, as identified in the record and as derived from each city's certification
history; the events whose cohort or level is not known; reported cohorts the history disputes; and
the number of cities certified so far (reported and identified).

The default table fits 100 columns, with a legend below it. For a spreadsheet or a program, --format
csv or json gives every column by its full name; --format wide is the full table for a terminal."""
EXAMPLES = """
  wwc rounds                          the table of every round, with its legend
  wwc rounds --disagreements          also each reported cohort the history disputes, and why
  wwc rounds --format csv > r.csv     every column by its full name, for a spreadsheet
  wwc rounds --data my-data           the rounds of another data folder
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "rounds",
        help="per-round table: reported vs identified vs derived cohorts, cumulative totals",
        description=DESCRIPTION,
        examples=EXAMPLES,
    )
    p.add_argument("--data", metavar="DIR", help="data folder (default: the project's data/)")
    p.add_argument(
        "--format",
        choices=("table", "wide", "csv", "json"),
        default="table",
        help="table: for people, 100 columns (default); wide: every column, abbreviated; csv, "
        "json: every column by its full name",
    )
    p.add_argument(
        "--disagreements", action="store_true", help="also list every disagreement with its reason"
    )
    p.set_defaults(func=cmd_rounds)


def cmd_rounds(args) -> int:
    data = load(args.data)
    summary = round_summary(data)
    dis = disagreements(data, events=classify_events(data)) if args.disagreements else None
    if args.format == "csv":
        announced = summary["announced"].dt.strftime("%Y-%m-%d")
        summary.assign(announced=announced).to_csv(sys.stdout, index=False)
        if dis is not None:
            print()
            dis.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        payload = {"rounds": records(summary)}
        if dis is not None:
            payload["disagreements"] = records(dis)
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        print(rounds_text(summary) if args.format == "table" else wide_text(summary))
        if dis is not None:
            print(f"\n{len(dis)} disagreements between reported and derived cohorts:")
            for r in dis.itertuples(index=False):
                line = f"{r.round_id} {r.city}: {r.reason}"
                print(textwrap.fill(line, 100, initial_indent="  ", subsequent_indent="    "))
    return 0


def wide_text(summary) -> str:
    """Every count of the table in one line per round (160 columns), abbreviated headers."""
    table = summary[list(ROUND_COLUMNS)].rename(columns=ROUND_COLUMNS)
    table["announced"] = summary["announced"].dt.strftime("%Y-%m-%d")
    table = table.astype(object).where(table.notna(), "–")
    return table.to_string(index=False) + (
        "\n\nrep = reported by the program; id = identified events in the record, by their "
        "reported cohort; der = derived from the certification history; – = not reported."
    )
