"""The annual summary in words and display tables (notebook 04): headline sentences, the headline
table, each round's heading, cohorts, cities and disagreements, and how complete the record is.

Every frame here holds display text only (no <NA>): "–" means not known / not reported. The numbers
come from :mod:`wwc_analysis.history` (``annual_metrics``, ``round_summary``,
``countries_reached``).
"""

from __future__ import annotations

import html
import textwrap
from typing import TYPE_CHECKING

import pandas as pd

from wwc_analysis.history.annual import (
    SUM_OF_REPORTED,
    Metric,
    annual_metrics,
    period_end,
    rounds_in_year,
)
from wwc_analysis.history.cohorts import (
    REPORTED_COHORTS,
    classify_events,
    disagreements,
    round_summary,
)
from wwc_analysis.history.levels import countries_reached
from wwc_analysis.history.rounds import check_round, check_year, cumulative
from wwc_analysis.text.cohorts import COHORT_NOUNS, cities, cohort_label
from wwc_analysis.text.tables import report_table
from wwc_analysis.text.words import DASH, count_words, day, display, join_and, number_word, plural

if TYPE_CHECKING:  # pragma: no cover
    from pandas.io.formats.style import Styler

    from wwc_analysis.data.dataset import Dataset

#: Column headers of the cohorts of :func:`round_cohorts` ("Re-certified").
COHORT_COLUMNS = {c: cohort_label(c).capitalize() for c in REPORTED_COHORTS}


def headline_table(metrics: list[Metric]) -> pd.DataFrame:
    """The headline numbers for display: ``label``, ``value`` (text, '–' when not known), ``basis``,
    ``note``."""
    return pd.DataFrame(
        {
            "label": [m.label for m in metrics],
            "value": [display(m.value) for m in metrics],
            "basis": [m.basis for m in metrics],
            "note": [m.note or "" for m in metrics],
        }
    )


def key_numbers(year, metrics: list[Metric], rounds: pd.DataFrame, as_of=None) -> str:
    """The year's key numbers as plain text: each cohort reported / identified, the total ever
    certified, the rounds, countries and latest levels (``rounds``:
    :func:`history.rounds_in_year`) at the year's end or ``as_of``."""
    v = {m.name: m.value for m in metrics}
    by_name = {m.name: m for m in metrics}

    def both(label: str, rep, ident) -> str:
        return f"  {label:<15} {DASH if rep is None else rep:>4} / {ident}"

    def summed(c: str) -> str:
        m = by_name[f"{c}_reported"]
        if m.basis != SUM_OF_REPORTED:
            return ""
        return f"  ({SUM_OF_REPORTED}: {m.note.split(' by round')[0]})"

    lines = [f"Key numbers {year} (reported / identified; '{DASH}' = not reported)"]
    lines += [
        both(cohort_label(c), v[f"{c}_reported"], v[f"{c}_identified"]) + summed(c)
        for c in REPORTED_COHORTS
    ]
    lines.append(
        both("ever certified", v["total_certified_reported"], v["total_certified_identified"])
    )
    lines.append(
        f"  rounds: {', '.join(rounds['round_id'])}; countries: {v['countries_identified']}"
    )
    by = period_end(int(year), as_of)[1]
    lines.append(
        f"  latest level {'at year end' if by.startswith('end') else 'on ' + by}: "
        f"Silver {v['latest_silver']}, "
        f"Gold {v['latest_gold']}, Platinum {v['latest_platinum']}, "
        f"unknown {v['latest_unknown']}"
    )
    return "\n".join(lines)


# --- headline sentences ---------------------------------------------------------------------------
def headline_sentences(year, data: Dataset, as_of=None) -> list[str]:
    """The year's headline numbers in a few plain sentences, reported and identified side by side
    (totals at the end of the year, or at ``as_of`` for a year not over).

    Counts the program reported are summed only over rounds that reported them; wherever the record
    identifies fewer (or more) than was reported, the sentence says so.
    """
    y = check_year(year, data)
    rs = rounds_in_year(y, data)
    m = {x.name: x for x in annual_metrics(y, data, as_of)}
    by = period_end(y, as_of)[1]
    month = {r.round_id: f"{r.announced:%B}" for r in rs.itertuples()}
    sentences = [_rounds_sentence(y, rs, data)]
    sentences += _cohort_sentences(rs, month)
    last_rebuilt = bool(rs["reconstructed"].iloc[-1])
    sentences.append(_total_sentence(by, m, month[rs["round_id"].iloc[-1]], last_rebuilt))
    sentences.append(_levels_sentence(y, m, data, as_of))
    bad = int(rs["disagreements"].sum())
    if bad:
        sentences.append(
            f"For {count_words(bad, 'event')} the cohort the sources report disagrees "
            "with the history on record or cannot be checked against it (listed under "
            "each round below)."
        )
    return sentences


def headline_text(year, data: Dataset, as_of=None) -> str:
    """:func:`headline_sentences` as two paragraphs: the rounds and cohorts, then totals and
    levels."""
    sentences = headline_sentences(year, data, as_of)
    return " ".join(sentences[:3]) + "\n\n" + " ".join(sentences[3:])


def _rounds_sentence(y: int, rs: pd.DataFrame, data: Dataset) -> str:
    """'In 2024 the program announced two rounds (...)'; a reconstructed round (no program
    announcement found) is placed by the record, never announced by the program."""
    rebuilt = rs["reconstructed"].to_numpy(dtype=bool)
    announced, made_up = rs[~rebuilt], rs[rebuilt]
    if not len(made_up):
        n = count_words(len(rs), "round")
        return f"In {y} the program announced {n} ({_round_dates(rs, data)})."
    them = "it" if len(made_up) == 1 else "them"
    if not len(announced):
        return (
            f"The record places {count_words(len(rs), 'round')} in {y} "
            f"({_round_dates(rs, data)}), reconstructed from other public sources: no program "
            f"announcement of {them} was found."
        )
    return (
        f"In {y} the program announced {count_words(len(announced), 'round')} "
        f"({_round_dates(announced, data)}); the record also places "
        f"{count_words(len(made_up), 'reconstructed round')} ({_round_dates(made_up, data)}), of "
        f"which no program announcement was found."
    )


def _round_dates(rs: pd.DataFrame, data: Dataset) -> str:
    """'23 January and 17 June 2024' (with 'about' for approximate days)."""
    prec = data.rounds.set_index("round_id")["date_precision"]
    days = [
        day(r.announced, prec.get(r.round_id) == "approximate", with_year=False)
        for r in rs.itertuples()
    ]
    return f"{join_and(days)} {int(rs['announced'].iloc[-1].year)}"


def _cohort_sentences(rs: pd.DataFrame, month: dict[str, str]) -> list[str]:
    """What the program reported of each cohort, and what the record identifies. The counts of
    several rounds are given round by round, their total labelled a sum of reported counts."""
    reported, unreported, identified = [], [], []
    ids = list(rs["round_id"])
    for c in REPORTED_COHORTS:
        rep, ident = rs[f"reported_{c}"], rs[f"identified_{c}"]
        known = rep.notna().to_numpy()
        found_all = int(ident.sum())
        if known.all():
            total = int(rep.sum())
            reported.append(_reported_counts(rep, [month[r] for r in ids], c))
            identified.append(
                f"all {cities(total, c)}"
                if found_all == total
                else f"{found_all or 'none'} of the {cities(total, c)}"
            )
        elif known.any():
            where = join_and(month[r] for r, k in zip(ids, known) if k)
            missing = join_and(month[r] for r, k in zip(ids, known) if not k)
            total, found = int(rep[known].sum()), int(ident[known].sum())
            months = [month[r] for r, k in zip(ids, known) if k]
            said = _reported_counts(rep[known], months, c, always_months=True)
            reported.append(
                f"{said[:-1]}; not reported for {missing})"
                if said.endswith(")")
                else f"{said} (not reported for {missing})"
            )
            compared = (
                f"all {total} reported for {where}"
                if found == total
                else f"{found} of the {total} reported for {where}"
            )
            identified.append(f"{cities(found_all, c)} ({compared})")
        else:
            unreported.append(COHORT_NOUNS[c])
            if found_all:
                identified.append(cities(found_all, c))
    unstated = int(rs["identified_unstated"].sum())
    extra = (
        f", plus {count_words(unstated, 'event')} whose cohort no source states" if unstated else ""
    )
    subject = "Sources" if rs["reconstructed"].all() else "It"
    return [
        _reported_sentence(reported, unreported, subject),
        f"The record identifies {join_and(identified) or 'no event'}{extra}.",
    ]


def _reported_counts(rep: pd.Series, months: list[str], c: str, always_months: bool = False) -> str:
    """'21 new cities' for one round; '12 new cities in January and 9 in June (sum of reported
    counts: 21)' for several: no source states the sum."""
    values = [int(v) for v in rep]
    if len(values) == 1:
        return cities(values[0], c) + (f" in {months[0]}" if always_months else "")
    parts = [f"{cities(values[0], c)} in {months[0]}"]
    parts += [f"{v} in {m}" for v, m in zip(values[1:], months[1:], strict=True)]
    return f"{join_and(parts)} ({SUM_OF_REPORTED}: {sum(values)})"


def _reported_sentence(reported: list[str], unreported: list[str], subject: str = "It") -> str:
    """What ``subject`` (the program, or other sources for a reconstructed round) reported."""
    if not reported:
        if subject != "It":
            return f"No source reports how many {join_and(unreported)} there were."
        return f"{subject} did not report how many {join_and(unreported)} there were."
    s = f"{subject} reported {join_and(reported)}"
    if len(unreported) > 1:
        return s + f"; the numbers of {join_and(unreported)} were not reported."
    if unreported:
        return s + f"; the number of {unreported[0]} was not reported."
    return s + "."


def _total_sentence(by: str, m: dict[str, Metric], last_month: str, rebuilt: bool = False) -> str:
    """Cities ever certified by the end of the year (``by``: "end of 2024", or a date),
    reported and identified. After a reconstructed round the total (if any) was stated outside
    any program announcement."""
    by = f"the {by}" if by.startswith("end") else by
    rep, ident = m["total_certified_reported"].value, m["total_certified_identified"].value
    if rep is None:
        who = (
            f"No source states how many cities had been certified in all after the {last_month} "
            "round (reconstructed)"
            if rebuilt
            else "The program did not state how many cities had been certified in all after its "
            f"{last_month} round"
        )
        return f"{who}; the record identifies {ident} cities certified in all."
    said = (
        f"By {by} the program reported {rep} cities certified in all"
        if not rebuilt
        else (
            f"By {by}, {rep} cities had been certified in all, as stated outside any "
            "program announcement (the year's last round is reconstructed)"
        )
    )
    if rep == ident:
        return f"{said}, and the record identifies every one of them."
    said += "; the record identifies"
    if rep > ident:
        gap = plural(rep - ident, "certified city", "certified cities")
        verb = "is" if rep - ident == 1 else "are"
        return f"{said} {ident} of them, so {gap} {verb} not in the record."
    return f"{said} {ident}, {ident - rep} more than reported."


def _levels_sentence(y: int, m: dict[str, Metric], data: Dataset, as_of=None) -> str:
    levels = {t: m[f"latest_{t}"].value for t in ("silver", "gold", "platinum", "unknown")}
    countries = countries_reached(y, data, as_of)
    new_countries = list(countries.index[countries["new_country"]])
    by = period_end(y, as_of)[1]
    when = "At the end of the year" if by.startswith("end") else f"On {by}"
    s = (
        f"{when} the latest level on record was Silver for {levels['silver']} "
        f"cities, Gold for {levels['gold']} and Platinum for {levels['platinum']}"
    )
    s += f", and not known for {levels['unknown']}" if levels["unknown"] else ""
    n = len(countries)
    where = f"{number_word(n)} " + ("country" if n == 1 else "countries")
    if n == 1:
        where += f" ({countries.index[0]})"
    s += f"; the certified cities are in {where}"
    if new_countries and len(new_countries) == n:
        return s + ", all reached for the first time this year."
    if new_countries:
        return s + (
            f", {len(new_countries)} of them reached for the first time this year "
            f"({join_and(new_countries)})."
        )
    return s + "."


# --- each round -----------------------------------------------------------------------------------
def sources_html(sources: str | None) -> str:
    """A ``sources`` cell as compact numbered HTML links ('[1] [2]'); entries without a URL stay
    text."""
    if sources is None or sources is pd.NA or not str(sources).strip():
        return DASH
    out = []
    for i, entry in enumerate(str(sources).split(" ; "), start=1):
        entry = entry.strip()
        url = entry.split(" ", 1)[0]
        title = html.escape(entry, quote=True)
        if url.startswith(("http://", "https://")):
            out.append(f'<a href="{html.escape(url, quote=True)}" title="{title}">[{i}]</a>')
        else:
            out.append(f'<span title="{title}">[{i}: {html.escape(entry)}]</span>')
    return " ".join(out)


def round_cohorts(round_id: str, data: Dataset) -> pd.DataFrame:
    """One round's cohorts, three ways: reported by the program, identified (events whose sources
    state the cohort) and derived from the history on record. Rows are the three ways, columns the
    cohorts; '–' = not reported, '' = does not apply."""
    s = round_summary(data).set_index("round_id")
    r = s.loc[check_round(round_id, data)]

    def counts(prefix: str) -> dict[str, str]:
        return {COHORT_COLUMNS[c]: str(int(r[f"{prefix}_{c}"])) for c in REPORTED_COHORTS}

    rows = {
        "Reported by the program": {
            **{COHORT_COLUMNS[c]: display(r[f"reported_{c}"]) for c in REPORTED_COHORTS},
            "Lower level": "",
            "Cohort not known": "",
        },
        "Identified (cohort stated by sources)": {
            **counts("identified"),
            "Lower level": "",
            "Cohort not known": str(int(r["identified_unstated"])),
        },
        "Derived from the history on record": {
            **counts("derived"),
            "Lower level": str(int(r["derived_lower"])),
            "Cohort not known": str(int(r["derived_unknown"])),
        },
    }
    return pd.DataFrame.from_dict(rows, orient="index")


def round_heading(round_id: str, data: Dataset) -> str:
    """Markdown describing a round: date (and its precision), standard, totals, notes and
    sources."""
    rounds = data.rounds.set_index("round_id")
    r = rounds.loc[check_round(round_id, data)]
    cum = cumulative(data).set_index("round_id").loc[round_id]
    date = day(r["announced"], r["date_precision"] == "approximate")
    reported = cum["reported_total_certified"]
    rebuilt = bool(cum["reconstructed"])
    if rebuilt:
        total = (
            f"a total of {int(reported)} cities certified in all was stated after it, outside any "
            "program announcement; "
            if pd.notna(reported)
            else "no source states a cumulative total; "
        )
    else:
        total = (
            f"the program reported {int(reported)} cities certified in all after it; "
            if pd.notna(reported)
            else "the program did not state a cumulative total; "
        )
    total += f"the record identifies {int(cum['identified_total_certified'])}."
    heading = (
        f"### Round {round_id}: reconstructed, dated {date}"
        if rebuilt
        else f"### Round {round_id}: announced {date}"
    )
    lines = [heading, ""]
    if rebuilt:
        lines += [
            "No program announcement of this round was found: the record reconstructs it from "
            "other public sources (see the notes).",
            "",
        ]
    lines += [f"Standard {r['standard']}; {total}", ""]
    if pd.notna(r["notes"]) and str(r["notes"]).strip():
        lines += [f"*Notes in the record:* {r['notes']}", ""]
    lines.append(f"*Sources (data/rounds.csv):* {sources_html(r['sources'])}")
    return "\n".join(lines)


def round_table(round_id: str, data: Dataset, links: bool = True) -> pd.DataFrame:
    """The named cities of a round for display: place, level, reported vs derived cohort, the
    earlier certification, what was inferred (a column only when something in the round was), the
    record's notes and sources (as HTML links, or the raw ``sources`` text with ``links=False``,
    e.g. for a CSV)."""
    round_id = check_round(round_id, data)
    ev = classify_events(data)
    # the order of round_members: reported cohort, country, city
    order = ["reported_cohort", "country", "city"]
    ev = ev[ev["round_id"] == round_id].sort_values(order, na_position="last")
    table = pd.DataFrame([_city_row(r, links) for r in ev.itertuples(index=False)])
    if not table.empty and not table["Inferred"].astype(bool).any():
        # nothing in this round was inferred: no empty column
        table = table.drop(columns="Inferred")
    return table


def _city_row(r, links: bool) -> dict[str, str]:
    """One event of :func:`round_table` as display text."""
    previous_level = "level not known" if pd.isna(r.previous_level) else r.previous_level
    previous = DASH if pd.isna(r.previous_round) else f"{r.previous_round} ({previous_level})"
    flags = (("level inferred", r.level_inferred), ("round inferred", r.round_inferred))
    return {
        "City": r.city,
        "Where": f"{r.region}, {r.country}" if pd.notna(r.region) else str(r.country),
        "Level": "not known" if pd.isna(r.level) else str(r.level),
        "Reported cohort": (
            "not stated" if pd.isna(r.reported_cohort) else cohort_label(r.reported_cohort)
        ),
        "Derived cohort": (
            "not known" if pd.isna(r.derived_cohort) else cohort_label(r.derived_cohort)
        ),
        "Earlier certification": previous,
        "Inferred": ", ".join(b for b, flag in flags if flag),
        "Notes": "" if pd.isna(r.notes) else str(r.notes),
        "Sources": sources_html(r.sources) if links else str(r.sources),
    }


def round_section(round_id: str, data: Dataset) -> list:
    """What the annual summary shows of one round, in order: its heading, its cohorts three ways,
    its named cities with source links, and its disagreements (a table, or a sentence when none)."""
    issues = round_disagreements(round_id, data)
    if len(issues):
        said = [
            f"**Reported cohort vs history, round {round_id}** (events that disagree or cannot "
            f"be checked: {len(issues)})",
            report_table(issues, wrap=["Why"]),
        ]
    else:
        said = [
            f"*Round {round_id}: every reported cohort agrees with the history on record or "
            "was not stated.*"
        ]
    named = round_table(round_id, data)
    cities: list = (
        [
            f"**Cities named in round {round_id}** (source links in the last column)",
            report_table(named, wrap=["Notes", "Sources"], raw_html=["Sources"]),
        ]
        if len(named)
        else [f"*Round {round_id}: the record names none of its cities.*"]
    )
    return [
        round_heading(round_id, data),
        report_table(round_cohorts(round_id, data), index=True),
        *cities,
        *said,
    ]


def countries_table(countries: pd.DataFrame, year) -> Styler:
    """Countries reached by the end of ``year`` (:func:`history.countries_reached`) for display."""
    return report_table(
        countries.rename(
            columns={
                "total": "Cities",
                "new_cities": f"First on record in {year}",
                "first_round": "First city certified in",
                "new_country": f"New country in {year}",
            }
        )
    )


def round_disagreements(round_id: str, data: Dataset) -> pd.DataFrame:
    """A round's events whose reported cohort disagrees with the history or cannot be checked, with
    the reason."""
    round_id = check_round(round_id, data)
    d = disagreements(data)
    d = d[d["round_id"] == round_id]
    return pd.DataFrame(
        {
            "City": d["city"].astype(str).to_numpy(),
            "Reported cohort": [
                cohort_label(display(v)) for v in d["reported_cohort"].astype("object")
            ],
            "Derived cohort": [
                "not known" if pd.isna(v) else cohort_label(v)
                for v in d["derived_cohort"].astype("object")
            ],
            "Status": d["status"].astype(str).to_numpy(),
            "Why": d["reason"].astype(str).to_numpy(),
        }
    )


# --- coverage -------------------------------------------------------------------------------------
def coverage_lines(year, data: Dataset, as_of=None) -> list[str]:
    """How complete the record is for ``year``: per round and for the year, what is identified and
    what is only reported, unknown levels and inferred placements (totals at the year's end or
    ``as_of``)."""
    y = check_year(year, data)
    rs = rounds_in_year(y, data)
    ev = classify_events(data)
    lines = [
        _round_coverage(r, ev[ev["round_id"] == r.round_id]) for r in rs.itertuples(index=False)
    ]
    m = {x.name: x for x in annual_metrics(y, data, as_of)}
    if len(rs) > 1:
        parts = [
            _identified_of(m[f"{c}_identified"].value, m[f"{c}_reported"].value, c)
            + (f" ({SUM_OF_REPORTED})" if m[f"{c}_reported"].basis == SUM_OF_REPORTED else "")
            for c in REPORTED_COHORTS
        ]
        lines.append(
            f"{y} in all: identified "
            + ", ".join(parts)
            + f"; level not known for {int(rs['level_unknown'].sum())} of "
            f"{int(rs['events'].sum())} events"
        )
    rep_total = m["total_certified_reported"].value
    ident_total = m["total_certified_identified"].value
    by = period_end(y, as_of)[1]
    ever = f"Cities ever certified by {'the ' + by if by.startswith('end') else by}:"
    if rep_total is None:
        lines.append(f"{ever} {ident_total} identified; no total was reported")
    else:
        missing = rep_total - ident_total
        lines.append(
            f"{ever} identified {ident_total} of {rep_total} reported"
            + (f" ({missing} not in the record)" if missing > 0 else "")
        )
    if len(data.unplaced):
        lines.append(
            f"Not counted anywhere above: {len(data.unplaced)} cities shown as certified "
            "that no source places in a round (data/unplaced.csv)"
        )
    return lines


def coverage_report(year, data: Dataset, width: int = 110, as_of=None) -> str:
    """:func:`coverage_lines` as a plain-text list wrapped at ``width``."""
    return "\n".join(
        textwrap.fill(line, width=width, initial_indent="- ", subsequent_indent="  ")
        for line in coverage_lines(year, data, as_of)
    )


def coverage_text(year, data: Dataset, as_of=None) -> str:
    """:func:`coverage_lines` as a Markdown list, for the report page."""
    return "\n".join(f"- {line}." for line in coverage_lines(year, data, as_of))


def _round_coverage(r, events: pd.DataFrame) -> str:
    """One round's line of :func:`coverage_lines` (``r``: a row of the round summary)."""
    parts = [
        _identified_of(int(getattr(r, f"identified_{c}")), getattr(r, f"reported_{c}"), c)
        for c in REPORTED_COHORTS
    ]
    text = f"{r.round_id}: identified " + ", ".join(parts)
    n = r.identified_unstated
    if n:
        text += f", and {n} {'event' if n == 1 else 'events'} with no cohort stated"
    text += f"; level not known for {r.level_unknown} of {r.events} events on record"
    counts = (
        ("level", int(events["level_inferred"].sum())),
        ("round placement", int(events["round_inferred"].sum())),
    )
    inferred = [f"{k} inferred for {n}" for k, n in counts if n]
    return text + ("; " + ", ".join(inferred) if inferred else "")


def _identified_of(found: int, reported, cohort: str) -> str:
    """'7 of 21 new cities' or '2 upgraded cities (count not reported)'."""
    if reported is None or pd.isna(reported):
        return f"{cities(found, cohort)} (count not reported)"
    return f"{found} of {cities(int(reported), cohort)}"


__all__ = [
    "COHORT_COLUMNS",
    "countries_table",
    "coverage_lines",
    "coverage_report",
    "coverage_text",
    "headline_sentences",
    "headline_text",
    "headline_table",
    "key_numbers",
    "round_cohorts",
    "round_disagreements",
    "round_heading",
    "round_section",
    "round_table",
    "sources_html",
]
