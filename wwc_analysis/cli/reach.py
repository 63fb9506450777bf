"""``wwc reach --year Y [--by country|region|band] [--format text|csv|json]``: certified cities
against the APPROXIMATE eligible universe after the rounds of a year.

Per group: identified certified cities, eligible places (GeoNames places of 30,000+ people: an
approximation, never the program's list), the certified share, residents of the certified cities
and their share of the eligible population. Every output says which figures are identified and
which approximate, and credits GeoNames (CC BY 4.0).
"""

from __future__ import annotations

import argparse
import json
import sys

from wwc_analysis.cli.common import add_command, add_max_rows, records
from wwc_analysis.data.dataset import load
from wwc_analysis.errors import UserError
from wwc_analysis.history.reach import BASIS, BY_CHOICES, reach_summary, reach_table
from wwc_analysis.history.rounds import resolve_as_of
from wwc_analysis.text.reach import (
    HEADERS,
    SHORT_KEY,
    UNIVERSE_PHRASE,
    reach_caveats,
    reach_frame,
    reach_headline,
    reach_text,
)

CREDIT = "Universe: GeoNames (geonames.org), CC BY 4.0, via data/universe.csv."


DESCRIPTION = """The certified cities identified in the record after the rounds of YEAR, against the
eligible universe: GeoNames places of the Americas with 30,000 people or more (APPROXIMATE, not the
program's list). Per group: cities certified and eligible, the certified share, and the residents
of the certified cities with their share of the eligible population."""
EXAMPLES = """
  wwc reach --year 2025                         by country
  wwc reach --year 2025 --by band --format csv  by population band, for a spreadsheet
  wwc reach --year 2024 --as-of 2024-06-30      as it stood on a date within the year
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = add_command(
        sub,
        "reach",
        help="certified cities against the approximate eligible universe, by country, region "
        "or population band",
        description=DESCRIPTION,
        examples=EXAMPLES,
    )
    p.add_argument("--year", required=True, help="announcement year (YYYY) with a round")
    p.add_argument("--as-of", metavar="DATE", help="measure at this date (default: 31 Dec YEAR)")
    p.add_argument("--by", choices=BY_CHOICES, default="country", help="grouping (default country)")
    p.add_argument(
        "--format",
        choices=("text", "csv", "json"),
        default="text",
        help="text: for people (default); csv, json: for a program",
    )
    p.add_argument("--data", metavar="DIR", help="data folder (default: the project's data/)")
    add_max_rows(p)
    p.set_defaults(func=cmd_reach)


def cmd_reach(args) -> int:
    data = load(args.data, max_rows=args.max_rows)
    try:
        as_of = resolve_as_of(args.year, args.as_of, data)
        _require_a_round_by(as_of, data)
        table = reach_table(data, args.by, as_of)
        summary = reach_summary(data, as_of)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    frame = reach_frame(table, args.by)
    if args.format == "csv":
        frame.rename(columns=HEADERS).to_csv(sys.stdout, index=False)
    elif args.format == "json":
        payload = {
            "year": int(args.year),
            "as_of": f"{as_of:%Y-%m-%d}",
            "by": args.by,
            "universe": UNIVERSE_PHRASE[:1].upper() + UNIVERSE_PHRASE[1:],
            "credit": CREDIT,
            "basis": {k: v for k, v in BASIS.items() if k in frame.columns},
            "units": {"residents": "millions", "eligible_population": "millions",
                      "rate": "percent", "residents_share": "percent"},
            "summary": summary,
            "rows": records(frame),
        }  # fmt: skip
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        print(f"Reach as of {as_of:%d %B %Y} (round {summary['round_id']}), by {args.by}")
        print(reach_headline(summary))
        print()
        print(reach_text(table, args.by))
        print(SHORT_KEY)
        print()
        print(reach_caveats(summary))
        print(CREDIT)
    return 0


def _require_a_round_by(as_of, data) -> None:
    """A UserError when no round had been announced by ``as_of`` (there is nothing to count)."""
    first = data.rounds.sort_values("announced").iloc[0]
    if first["announced"] > as_of:
        raise UserError(
            f"no round had been announced by {as_of:%d %B %Y} (--as-of); the first, "
            f"{first['round_id']}, was announced on {first['announced']:%d %B %Y}"
        )
