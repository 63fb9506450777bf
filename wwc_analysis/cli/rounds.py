"""``wwc rounds``: the per-round table (reported / identified / derived cohorts, cumulative
totals)."""

from __future__ import annotations

import argparse
import json
import sys

from wwc_analysis.cli.common import records
from wwc_analysis.data.dataset import load
from wwc_analysis.history.cohorts import classify_events, disagreements, round_summary

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


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "rounds",
        help="per-round table: reported vs identified vs derived cohorts, cumulative totals",
        description="One row per announcement round: counts as reported by the program, events "
        "identified in the record (by their reported cohort), cohorts derived from the "
        "certification history, disagreements, and the cumulative number of certified cities "
        "(reported and identified).",
    )
    p.add_argument("--data", metavar="DIR", help="data directory (default: the project's data/)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
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
        table = summary[list(ROUND_COLUMNS)].rename(columns=ROUND_COLUMNS)
        table["announced"] = summary["announced"].dt.strftime("%Y-%m-%d")
        table = table.astype(object).where(table.notna(), "–")
        print(table.to_string(index=False))
        print(
            "\nrep = reported by the program; id = identified events in the record, by their "
            "reported cohort; der = derived from the certification history; – = not reported."
        )
        if dis is not None:
            print(f"\n{len(dis)} disagreements between reported and derived cohorts:")
            for r in dis.itertuples(index=False):
                print(f"  {r.round_id} {r.city}: {r.reason}")
    return 0
