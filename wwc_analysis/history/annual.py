"""Headline numbers of a year, each marked *reported* (stated by the program) or *identified* (counted
from events in the record), and the geography of certified cities.

Years are **announcement calendar years**: the January 2024 round belongs to 2024 even though cities
call it their "2023" certification (they label rounds by assessment year).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import pandas as pd

from wwc_analysis.history.cohorts import (
    REPORTED_COHORTS,
    classify_events,
    cumulative,
    latest_levels,
    level_counts,
    round_summary,
)
from wwc_analysis.rules.standards import TIERS
from wwc_analysis.text.words import DASH, count_words, day, display, join_and, number_word

if TYPE_CHECKING:  # pragma: no cover
    from wwc_analysis.data.dataset import Dataset

COHORT_NOUNS = {"new": "new cities", "upgraded": "upgraded cities", "recertified": "re-certified cities"}


def _data(data: Dataset | None) -> Dataset:
    if data is None:
        from wwc_analysis.data.dataset import load

        return load()
    return data


def years_with_rounds(data: Dataset | None = None) -> list[int]:
    """Announcement years that have at least one round, ascending."""
    return sorted({int(y) for y in _data(data).rounds["announced"].dt.year})


def latest_year(data: Dataset | None = None) -> int:
    """The latest announcement year with a round (the report's default year)."""
    return years_with_rounds(data)[-1]


def check_year(year: int, data: Dataset | None = None) -> int:
    """``year`` as an int if it has a round; otherwise a ValueError listing the years that have one."""
    years = years_with_rounds(data)
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise ValueError(f"year {year!r} is not a year: expected YYYY, one of {', '.join(map(str, years))}") from None
    if y not in years:
        raise ValueError(
            f"no certification round was announced in {y}; years with a round: {', '.join(map(str, years))}"
        )
    return y


def rounds_in_year(year: int, data: Dataset | None = None) -> pd.DataFrame:
    """The per-round summary (see :func:`cohorts.round_summary`) of the rounds announced in ``year``."""
    data = _data(data)
    y = check_year(year, data)
    s = round_summary(data)
    return s[s["announced"].dt.year == y].reset_index(drop=True)


@dataclass(frozen=True)
class Metric:
    """One headline number. ``basis`` is ``reported`` (stated by the program) or ``identified``
    (counted from events in the record); ``value`` is None when it is not known."""

    name: str
    label: str
    value: int | float | str | None
    basis: str
    note: str = ""
    rounds: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        d = asdict(self)
        d["rounds"] = list(self.rounds)
        return d


def annual_metrics(year: int, data: Dataset | None = None) -> list[Metric]:
    """Headline numbers of an announcement year, reported and identified side by side.

    A reported sum over the year's rounds is given only when every round reported its count;
    otherwise ``value`` is None and the note says which rounds did not report and what is known.
    """
    data = _data(data)
    y = check_year(year, data)
    rs = rounds_in_year(y, data)
    ids = tuple(rs["round_id"])
    out: list[Metric] = [
        Metric("rounds", "Rounds announced", len(rs), "reported", ", ".join(
            f"{r.round_id} ({r.announced:%d %b %Y})" for r in rs.itertuples()), ids),
    ]
    for c in REPORTED_COHORTS:
        rep = rs[f"reported_{c}"]
        known = rep.dropna()
        parts = " + ".join(f"{int(v)}" if pd.notna(v) else "not reported" for v in rep)
        if len(known) == len(rep):
            note = f"{parts} by round" if len(ids) > 1 else f"as stated for {ids[0]}"
            out.append(Metric(f"{c}_reported", f"{COHORT_NOUNS[c].capitalize()} (reported)", int(known.sum()),
                              "reported", note, ids))
        else:
            missing = [r for r, v in zip(ids, rep) if pd.isna(v)]
            note = f"not reported for {', '.join(missing)}"
            if len(known):
                note += f"; {int(known.sum())} reported for the other round(s)"
            out.append(Metric(f"{c}_reported", f"{COHORT_NOUNS[c].capitalize()} (reported)", None, "reported", note, ids))
        ident = int(rs[f"identified_{c}"].sum())
        note = ", ".join(f"{r}: {int(v)}" for r, v in zip(ids, rs[f"identified_{c}"]))
        out.append(Metric(f"{c}_identified", f"{COHORT_NOUNS[c].capitalize()} (identified)", ident, "identified", note, ids))
    out.append(Metric("events_identified", "Certification events identified", int(rs["events"].sum()), "identified",
                      f"{int(rs['level_unknown'].sum())} of them with the level not known", ids))
    cum = cumulative(data).set_index("round_id").loc[list(ids)]
    last = cum.iloc[-1]
    rep_total = last["reported_total_certified"]
    out.append(Metric(
        "total_certified_reported", f"Cities ever certified by end of {y} (reported)",
        None if pd.isna(rep_total) else int(rep_total), "reported",
        f"as stated after {ids[-1]}" if pd.notna(rep_total) else f"not stated after {ids[-1]}", (ids[-1],)))
    out.append(Metric(
        "total_certified_identified", f"Cities ever certified by end of {y} (identified)",
        int(last["identified_total_certified"]), "identified", str(last["status"]), (ids[-1],)))
    lv = latest_levels(pd.Timestamp(y, 12, 31), data)
    counts = level_counts(lv["level"])
    for tier, n in counts.items():
        out.append(Metric(f"latest_{tier.lower()}", f"Latest level {tier} at end of {y} (identified)", int(n), "identified",
                          "latest event on record per city; unknown levels are not guessed" if tier == "Unknown" else ""))
    out.append(Metric("countries_identified", f"Countries with a certified city by end of {y} (identified)",
                      int(lv["country"].nunique()), "identified", ", ".join(sorted(lv["country"].unique()))))
    return out


def metrics_json(year: int, data: Dataset | None = None) -> dict:
    """The payload written to the report's ``metrics.json``."""
    data = _data(data)
    return {
        "year": int(year),
        "year_basis": "announcement calendar year (cities label rounds by assessment year)",
        "metrics": {m.name: m.as_dict() for m in annual_metrics(year, data)},
    }


def round_members(round_id: str, data: Dataset | None = None) -> pd.DataFrame:
    """The named cities of a round with their reported and derived cohort and earlier level.

    Each row keeps its ``city_id``, ``notes`` and ``sources`` so a table built from it can cite the record."""
    data = _data(data)
    if round_id not in set(data.rounds["round_id"]):
        raise ValueError(f"unknown round {round_id!r}; rounds: {', '.join(data.rounds['round_id'])}")
    ev = classify_events(data)
    ev = ev[ev["round_id"] == round_id]
    cols = ["city", "region", "country", "level", "reported_cohort", "derived_cohort", "previous_level",
            "previous_round", "level_inferred", "round_inferred", "status", "reason", "city_id", "notes", "sources"]
    return ev[cols].sort_values(["reported_cohort", "country", "city"], na_position="last").reset_index(drop=True)


def geography(frame: pd.DataFrame, by: str = "country") -> pd.DataFrame:
    """Counts of cities by ``country`` or ``region`` (US states etc.), split by level, unknown kept."""
    if by not in ("country", "region"):
        raise ValueError("by must be 'country' or 'region'")
    keys = ["country", "region"] if by == "region" else ["country"]
    lv = frame.assign(level=frame["level"].astype("object").fillna("Unknown"))
    table = pd.crosstab([lv[k] for k in keys], lv["level"])
    table = table.reindex(columns=[*TIERS, "Unknown"], fill_value=0)
    table["total"] = table.sum(axis=1)
    return table.sort_values("total", ascending=False)


# --------------------------------------------------------------------------------------------------
# The annual summary in words and display tables (used by notebooks/04-annual-summary.ipynb).
# Every frame below holds display text only (no <NA>): "–" means not known / not reported.
# --------------------------------------------------------------------------------------------------

_COHORT_COLUMNS = {"new": "New", "upgraded": "Upgraded", "recertified": "Re-certified"}
_COHORT_SINGULAR = {"new": "new city", "upgraded": "upgraded city", "recertified": "re-certified city"}


def _cities(n: int, cohort: str) -> str:
    """'1 new city', '21 new cities'."""
    return f"{n} {_COHORT_SINGULAR[cohort] if n == 1 else COHORT_NOUNS[cohort]}"


def _round_dates(rs: pd.DataFrame, data: Dataset) -> str:
    """'23 January and 17 June 2024' (with 'about' for approximate days)."""
    prec = data.rounds.set_index("round_id")["date_precision"]
    days = [day(r.announced, prec.get(r.round_id) == "approximate", with_year=False) for r in rs.itertuples()]
    return f"{join_and(days)} {int(rs['announced'].iloc[-1].year)}"


def headline_table(metrics: list[Metric]) -> pd.DataFrame:
    """The headline numbers for display: ``label``, ``value`` (text, '–' when not known), ``basis``, ``note``."""
    return pd.DataFrame(
        {
            "label": [m.label for m in metrics],
            "value": [display(m.value) for m in metrics],
            "basis": [m.basis for m in metrics],
            "note": [m.note or "" for m in metrics],
        }
    )


def headline_sentences(year: int, data: Dataset | None = None) -> list[str]:
    """The year's headline numbers in a few plain sentences, reported and identified side by side.

    Counts the program reported are summed only over rounds that reported them; wherever the record
    identifies fewer (or more) than was reported, the sentence says so.
    """
    data = _data(data)
    y = check_year(year, data)
    rs = rounds_in_year(y, data)
    m = {x.name: x for x in annual_metrics(y, data)}
    month = {r.round_id: f"{r.announced:%B}" for r in rs.itertuples()}
    several = len(rs) > 1
    sentences = [f"In {y} the program announced {count_words(len(rs), 'round')} ({_round_dates(rs, data)})."]

    reported, unreported, identified = [], [], []
    for c in REPORTED_COHORTS:
        noun = COHORT_NOUNS[c]
        rep = rs[f"reported_{c}"]
        ident = rs[f"identified_{c}"]
        known = rep.notna().to_numpy()
        found_all = int(ident.sum())
        if known.all():
            parts = f" ({' + '.join(str(int(v)) for v in rep)})" if several else ""
            total = int(rep.sum())
            reported.append(f"{_cities(total, c)}{parts}")
            identified.append(f"all {_cities(total, c)}" if found_all == total
                              else f"{found_all or 'none'} of the {_cities(total, c)}")
        elif known.any():
            ids = list(rs["round_id"])
            where = join_and(month[r] for r, k in zip(ids, known) if k)
            missing = join_and(month[r] for r, k in zip(ids, known) if not k)
            total, found = int(rep[known].sum()), int(ident[known].sum())
            reported.append(f"{_cities(total, c)} in {where} (not reported for {missing})")
            compared = f"all {total} reported for {where}" if found == total else f"{found} of the {total} reported for {where}"
            identified.append(f"{_cities(found_all, c)} ({compared})")
        else:
            unreported.append(noun)
            if found_all:
                identified.append(_cities(found_all, c))
    if reported:
        s = f"It reported {join_and(reported)}"
        if unreported:
            s += (f"; the numbers of {join_and(unreported)} were not reported." if len(unreported) > 1
                  else f"; the number of {unreported[0]} was not reported.")
        else:
            s += "."
    else:
        s = f"It did not report how many {join_and(unreported)} there were."
    sentences.append(s)
    unstated = int(rs["identified_unstated"].sum())
    extra = f", plus {count_words(unstated, 'event')} whose cohort no source states" if unstated else ""
    sentences.append(f"The record identifies {join_and(identified) or 'no event'}{extra}.")

    rep_total = m["total_certified_reported"].value
    ident_total = m["total_certified_identified"].value
    last_month = month[rs["round_id"].iloc[-1]]
    if rep_total is None:
        sentences.append(f"The program did not state how many cities had been certified in all after its {last_month} "
                         f"round; the record identifies {ident_total} cities certified in all.")
    elif rep_total == ident_total:
        sentences.append(f"By the end of {y} the program reported {rep_total} cities certified in all, "
                         f"and the record identifies every one of them.")
    elif rep_total > ident_total:
        sentences.append(f"By the end of {y} the program reported {rep_total} cities certified in all; the record "
                         f"identifies {ident_total} of them, so {rep_total - ident_total} certified cities are not in the record.")
    else:
        sentences.append(f"By the end of {y} the program reported {rep_total} cities certified in all; the record "
                         f"identifies {ident_total}, {ident_total - rep_total} more than reported.")

    levels = {t: m[f"latest_{t}"].value for t in ("silver", "gold", "platinum", "unknown")}
    countries = countries_reached(y, data)
    new_countries = list(countries.index[countries["new_country"]])
    s = (f"At the end of the year the latest level on record was Silver for {levels['silver']} cities, "
         f"Gold for {levels['gold']} and Platinum for {levels['platinum']}")
    s += f", and not known for {levels['unknown']}" if levels["unknown"] else ""
    n_countries = len(countries)
    where = f"{number_word(n_countries)} " + ("country" if n_countries == 1 else "countries")
    if n_countries == 1:
        where += f" ({countries.index[0]})"
    s += f"; the certified cities are in {where}"
    if new_countries and len(new_countries) == n_countries:
        s += ", all reached for the first time this year."
    elif new_countries:
        s += f", {len(new_countries)} of them reached for the first time this year ({join_and(new_countries)})."
    else:
        s += "."
    sentences.append(s)

    bad = int(rs["disagreements"].sum())
    if bad:
        sentences.append(f"For {count_words(bad, 'event')} the cohort the sources report disagrees with the history on "
                         f"record or cannot be checked against it (listed under each round below).")
    return sentences


def sources_html(sources: str | None) -> str:
    """A ``sources`` cell as compact numbered HTML links ('[1] [2]'); entries without a URL stay text."""
    if sources is None or sources is pd.NA or not str(sources).strip():
        return DASH
    import html

    out = []
    for i, entry in enumerate(str(sources).split(" ; "), start=1):
        entry = entry.strip()
        url = entry.split(" ", 1)[0]
        if url.startswith(("http://", "https://")):
            title = html.escape(entry, quote=True)
            out.append(f'<a href="{html.escape(url, quote=True)}" title="{title}">[{i}]</a>')
        else:
            out.append(f'<span title="{html.escape(entry, quote=True)}">[{i}: {html.escape(entry)}]</span>')
    return " ".join(out)


def round_cohorts(round_id: str, data: Dataset | None = None) -> pd.DataFrame:
    """One round's cohorts, three ways: reported by the program, identified (events whose sources state
    the cohort) and derived from the history on record. Rows are the three ways, columns the cohorts;
    '–' = not reported, '' = does not apply."""
    data = _data(data)
    s = round_summary(data).set_index("round_id")
    if round_id not in s.index:
        raise ValueError(f"unknown round {round_id!r}; rounds: {', '.join(s.index)}")
    r = s.loc[round_id]
    rows = {
        "Reported by the program": {**{_COHORT_COLUMNS[c]: display(r[f"reported_{c}"]) for c in REPORTED_COHORTS},
                                    "Lower level": "", "Cohort not known": ""},
        "Identified (cohort stated by sources)": {
            **{_COHORT_COLUMNS[c]: str(int(r[f"identified_{c}"])) for c in REPORTED_COHORTS},
            "Lower level": "", "Cohort not known": str(int(r["identified_unstated"]))},
        "Derived from the history on record": {
            **{_COHORT_COLUMNS[c]: str(int(r[f"derived_{c}"])) for c in REPORTED_COHORTS},
            "Lower level": str(int(r["derived_lower"])), "Cohort not known": str(int(r["derived_unknown"]))},
    }
    return pd.DataFrame.from_dict(rows, orient="index")


def round_heading(round_id: str, data: Dataset | None = None) -> str:
    """Markdown describing a round: date (and its precision), standard, totals, notes and sources."""
    data = _data(data)
    rounds = data.rounds.set_index("round_id")
    if round_id not in rounds.index:
        raise ValueError(f"unknown round {round_id!r}; rounds: {', '.join(rounds.index)}")
    r = rounds.loc[round_id]
    cum = cumulative(data).set_index("round_id").loc[round_id]
    date = day(r["announced"], r["date_precision"] == "approximate")
    total = (f"the program reported {int(cum['reported_total_certified'])} cities certified in all after it; "
             if pd.notna(cum["reported_total_certified"]) else "the program did not state a cumulative total; ")
    total += f"the record identifies {int(cum['identified_total_certified'])}."
    lines = [
        f"### Round {round_id}: announced {date}",
        "",
        f"Standard {r['standard']}; {total}",
        "",
    ]
    if pd.notna(r["notes"]) and str(r["notes"]).strip():
        lines += [f"*Notes in the record:* {r['notes']}", ""]
    lines.append(f"*Sources (data/rounds.csv):* {sources_html(r['sources'])}")
    return "\n".join(lines)


def round_table(round_id: str, data: Dataset | None = None, links: bool = True) -> pd.DataFrame:
    """The named cities of a round for display: place, level, reported vs derived cohort, the earlier
    certification, what was inferred (a column only when something in the round was), the record's notes
    and sources (as HTML links, or the raw ``sources`` text with ``links=False``, e.g. for a CSV)."""
    data = _data(data)
    if round_id not in set(data.rounds["round_id"]):
        raise ValueError(f"unknown round {round_id!r}; rounds: {', '.join(data.rounds['round_id'])}")
    ev = classify_events(data)
    # the order of round_members: reported cohort, country, city
    ev = ev[ev["round_id"] == round_id].sort_values(["reported_cohort", "country", "city"], na_position="last")

    def place(r) -> str:
        return f"{r.region}, {r.country}" if pd.notna(r.region) else str(r.country)

    def previous(r) -> str:
        if pd.isna(r.previous_round):
            return DASH
        return f"{r.previous_round} ({'level not known' if pd.isna(r.previous_level) else r.previous_level})"

    def inferred(r) -> str:
        bits = [b for b, flag in (("level inferred", r.level_inferred), ("round inferred", r.round_inferred)) if flag]
        return ", ".join(bits)

    rows = ev.itertuples(index=False)
    table = pd.DataFrame(
        [
            {
                "City": r.city,
                "Where": place(r),
                "Level": "not known" if pd.isna(r.level) else str(r.level),
                "Reported cohort": "not stated" if pd.isna(r.reported_cohort) else str(r.reported_cohort),
                "Derived cohort": "not known" if pd.isna(r.derived_cohort) else str(r.derived_cohort),
                "Earlier certification": previous(r),
                "Inferred": inferred(r),
                "Notes": "" if pd.isna(r.notes) else str(r.notes),
                "Sources": sources_html(r.sources) if links else str(r.sources),
            }
            for r in rows
        ]
    )
    if not table.empty and not table["Inferred"].astype(bool).any():
        table = table.drop(columns="Inferred")  # nothing in this round was inferred: no empty column
    return table


def round_disagreements(round_id: str, data: Dataset | None = None) -> pd.DataFrame:
    """A round's events whose reported cohort disagrees with the history or cannot be checked, with the reason."""
    from wwc_analysis.history.cohorts import disagreements

    data = _data(data)
    if round_id not in set(data.rounds["round_id"]):
        raise ValueError(f"unknown round {round_id!r}; rounds: {', '.join(data.rounds['round_id'])}")
    d = disagreements(data)
    d = d[d["round_id"] == round_id]
    return pd.DataFrame(
        {
            "City": d["city"].astype(str).to_numpy(),
            "Reported cohort": [display(v) for v in d["reported_cohort"].astype("object")],
            "Derived cohort": ["not known" if pd.isna(v) else str(v) for v in d["derived_cohort"].astype("object")],
            "Status": d["status"].astype(str).to_numpy(),
            "Why": d["reason"].astype(str).to_numpy(),
        }
    )


def growth(year: int, data: Dataset | None = None) -> pd.DataFrame:
    """Cities ever certified after each round up to the end of ``year`` (reported vs identified, see
    :func:`cohorts.cumulative`), with ``in_year`` marking the year's rounds."""
    data = _data(data)
    y = check_year(year, data)
    cum = cumulative(data)
    cum = cum[cum["announced"].dt.year <= y].reset_index(drop=True)
    cum["in_year"] = cum["announced"].dt.year == y
    return cum


def countries_reached(year: int, data: Dataset | None = None) -> pd.DataFrame:
    """Countries with a certified city by the end of ``year`` (index ``country``, most cities first).

    Columns: cities by latest level (``Silver``, ``Gold``, ``Platinum``, ``Unknown``), ``total``,
    ``new_cities`` (cities whose first certification *on record* is in one of the year's rounds: this
    includes cities reported as upgraded whose earlier certification was not found), ``first_round``
    (the country's first certified city) and ``new_country`` (that first round is in ``year``).
    """
    data = _data(data)
    y = check_year(year, data)
    lv = latest_levels(pd.Timestamp(y, 12, 31), data)
    table = geography(lv)
    announced = data.rounds.set_index("round_id")["announced"]
    first = lv.assign(first_announced=lv["first_round"].map(announced))
    table["new_cities"] = (first["first_announced"].dt.year == y).groupby(first["country"]).sum().reindex(table.index).astype("int64")
    firsts = first.sort_values("first_announced").groupby("country")["first_round"].first()
    table["first_round"] = firsts.reindex(table.index).astype(str)
    table["new_country"] = table["first_round"].map(announced).dt.year.eq(y).to_numpy()
    table.columns.name = None
    return table.sort_values(["total", "new_cities"], ascending=False, kind="stable")


def coverage_lines(year: int, data: Dataset | None = None) -> list[str]:
    """How complete the record is for ``year``: per round and for the year, what is identified and what
    is only reported, unknown levels and inferred placements."""
    data = _data(data)
    y = check_year(year, data)
    rs = rounds_in_year(y, data)
    ev = classify_events(data)
    lines = []
    for r in rs.itertuples(index=False):
        e = ev[ev["round_id"] == r.round_id]
        parts = [_identified_of(int(getattr(r, f"identified_{c}")), getattr(r, f"reported_{c}"), c) for c in REPORTED_COHORTS]
        text = f"{r.round_id}: identified " + ", ".join(parts)
        if r.identified_unstated:
            text += f", and {r.identified_unstated} {'event' if r.identified_unstated == 1 else 'events'} with no cohort stated"
        text += f"; level not known for {r.level_unknown} of {r.events} events on record"
        inferred = [f"{k} inferred for {n}" for k, n in (("level", int(e["level_inferred"].sum())),
                                                          ("round placement", int(e["round_inferred"].sum()))) if n]
        if inferred:
            text += "; " + ", ".join(inferred)
        lines.append(text)
    m = {x.name: x for x in annual_metrics(y, data)}
    if len(rs) > 1:
        parts = [_identified_of(m[f"{c}_identified"].value, m[f"{c}_reported"].value, c) for c in REPORTED_COHORTS]
        lines.append(f"{y} in all: identified " + ", ".join(parts)
                     + f"; level not known for {int(rs['level_unknown'].sum())} of {int(rs['events'].sum())} events")
    rep_total, ident_total = m["total_certified_reported"].value, m["total_certified_identified"].value
    if rep_total is None:
        lines.append(f"Cities ever certified by the end of {y}: {ident_total} identified; no total was reported")
    else:
        lines.append(f"Cities ever certified by the end of {y}: identified {ident_total} of {rep_total} reported"
                     + (f" ({rep_total - ident_total} not in the record)" if rep_total > ident_total else ""))
    if len(data.unplaced):
        lines.append(f"Not counted anywhere above: {len(data.unplaced)} cities shown as certified that no source "
                     f"places in a round (data/unplaced.csv)")
    return lines


def _identified_of(found: int, reported, cohort: str) -> str:
    """'7 of 21 new cities' or '2 upgraded cities (count not reported)'."""
    if reported is None or pd.isna(reported):
        return f"{_cities(found, cohort)} (count not reported)"
    return f"{found} of {_cities(int(reported), cohort)}"


def _simulated_history(year: int, data: Dataset) -> pd.DataFrame:
    from wwc_analysis.history.profiles import assessment_history

    ids = list(rounds_in_year(year, data)["round_id"])
    a = data.assessments
    if a is None or not a["round_id"].isin(ids).any():
        return pd.DataFrame()
    a = a[a["round_id"].isin(ids)]
    hist = assessment_history(a, data)
    hist.attrs["simulated"] = True
    return hist


def simulated_tiers(year: int, data: Dataset | None = None) -> pd.DataFrame:
    """SIMULATED: fictional assessments of the year's rounds, counted by round (rows) and tier reached
    (columns ``Not certified`` … ``Platinum``). Empty when no simulated assessment falls in the year."""
    from wwc_analysis.rules.scoring import SCORE_TIERS

    data = _data(data)
    y = check_year(year, data)
    hist = _simulated_history(y, data)
    if hist.empty:
        out = pd.DataFrame(columns=list(SCORE_TIERS), dtype="int64")
    else:
        out = pd.crosstab(hist["round_id"].astype(str), hist["tier"]).reindex(columns=list(SCORE_TIERS), fill_value=0)
    out.index.name, out.columns.name = "round_id", None
    out.attrs["simulated"] = True
    return out


def simulated_gates(year: int, data: Dataset | None = None) -> pd.DataFrame:
    """SIMULATED: per round of the year, the number of fictional assessments and the shares certified,
    below the Silver threshold, missing a core criterion, missing the outcome requirement, and blocked by
    a gate despite the threshold (see :func:`profiles.gate_failures`). Empty when there are none."""
    from wwc_analysis.history.profiles import gate_failures

    data = _data(data)
    y = check_year(year, data)
    hist = _simulated_history(y, data)
    if hist.empty:
        out = pd.DataFrame()
    else:
        groups = hist.groupby(hist["round_id"].astype(str))
        out = pd.DataFrame({rid: gate_failures(g) for rid, g in groups}).T
        out.insert(0, "assessments", groups.size().astype("int64"))
    out.index.name = "round_id"
    out.attrs["simulated"] = True
    return out
