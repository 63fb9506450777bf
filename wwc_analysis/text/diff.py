"""A data change in words (``wwc diff``): plain text for a terminal, Markdown for a pull request or
``data/CHANGES.md``. The comparison itself is :func:`wwc_analysis.history.diff.diff_datasets`.

Both formats say the same, in this order: the certification events added, removed and changed
(field by field; a change of ``sources`` as the entries added and dropped), the cities added,
removed or renamed, the other tables, every per-round count that moves and every headline metric
that moves, by year. A value that is not known is the dash. When either folder holds the reach
tables, both formats end by saying they were not compared (they are not part of the record).
"""

from __future__ import annotations

from wwc_analysis.data.paths import FILES
from wwc_analysis.history.diff import EVENT_FIELDS, Change, DataDiff, RowChange, TableDiff
from wwc_analysis.text.cohorts import cohort_label
from wwc_analysis.text.words import display, plural

#: What each per-round count of ``history.diff.ROUND_COUNTS`` is, for a reader.
COUNT_LABELS = {
    "reported_new": "new: reported",
    "identified_new": "new: identified",
    "derived_new": "new: derived",
    "reported_upgraded": "upgraded: reported",
    "identified_upgraded": "upgraded: identified",
    "derived_upgraded": "upgraded: derived",
    "reported_recertified": "re-certified: reported",
    "identified_recertified": "re-certified: identified",
    "derived_recertified": "re-certified: derived",
    "identified_unstated": "cohort not stated: identified",
    "derived_lower": "lower: derived",
    "derived_unknown": "cohort not known: derived",
    "events": "events on record",
    "level_unknown": "events with the level not known",
    "disagreements": "reported cohorts that disagree or cannot be checked",
    "reported_total_certified": "cities ever certified: reported",
    "identified_total_certified": "cities ever certified: identified",
}
#: The files of the tables, as a reader knows them.
TABLE_FILES = {
    "standards": "standards.csv",
    "criteria": "criteria_<standard>.csv",
    "rounds": "rounds.csv",
    "certifications": "certifications.csv",
    "unplaced": "unplaced.csv",
}
ARROW = "\u2192"


def not_compared_line(diff: DataDiff, quote: str = "") -> str:
    """The sentence naming the reach tables left out of the comparison, or ``""`` when neither
    folder has them; ``quote`` wraps each file name (a backtick for Markdown)."""
    if not diff.not_compared:
        return ""
    files = " and ".join(f"{quote}{FILES[n]}{quote}" for n in diff.not_compared)
    return (
        f"Not compared: {files}, the reach tables (the approximate eligible universe and the "
        "crosswalk to it), which are not part of the record's editions."
    )


# --- pieces ---------------------------------------------------------------------------------------
def event_text(row: dict) -> str:
    """An event as a reader knows it: 'Burlington (VT, United States), Silver, new'."""
    place = ", ".join(str(v) for v in (row.get("region"), row.get("country")) if v)
    level = row.get("level") or "level not known"
    cohort = row.get("reported_cohort")
    parts = [f"{row.get('city')} ({place})", str(level)]
    parts.append(cohort_label(cohort) if cohort else "cohort not stated")
    inferred = [k for k in ("level", "round") if row.get(f"{k}_inferred")]
    if inferred:
        parts.append(" and ".join(inferred) + " inferred")
    return ", ".join(parts)


def _sources(value: object) -> list[str]:
    return [s.strip() for s in str(value or "").split(" ; ") if s.strip()]


def change_text(change: Change) -> str:
    """One field before and after: 'level: – → Silver'; sources as the entries added and dropped;
    a flag as 'round_inferred: true → false'."""
    if change.name == "sources":
        old, new = _sources(change.old), _sources(change.new)
        added = [s for s in new if s not in old]
        dropped = [s for s in old if s not in new]
        said = [f"+ {s}" for s in added] + [f"\u2212 {s}" for s in dropped]
        return f"sources: {'; '.join(said) or 'reordered'}"
    return f"{change.name}: {_value(change.old)} {ARROW} {_value(change.new)}"


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and " " in value:
        return f"\u201c{value}\u201d"
    return display(value)


def _event_key(change: RowChange) -> str:
    return " ".join(change.key)


def events_summary(diff: DataDiff) -> str:
    """'11 added, 1 removed, 9 changed (6 in a level, cohort or flag; 3 in notes or sources
    only)'."""
    events = diff.events
    changed = len(events.changed)
    text = f"{len(events.added)} added, {len(events.removed)} removed, {changed} changed"
    kinds = diff.event_change_kinds()
    said = {
        "counting": "in a level, cohort or flag",
        "city": "in the city's name or place",
        "documentation": "in notes or sources only",
    }
    parts = [f"{n} {said[kind]}" for kind, n in kinds.items() if n]
    return text + (f" ({'; '.join(parts)})" if parts else "")


def city_lines(diff: DataDiff) -> list[str]:
    """The cities added, removed, renamed and placed, one line each."""
    lines = []
    for c in diff.cities_added:
        lines.append(
            f"added: {c['city']} ({c['region']}, {c['country']}), {c['city_id']}, "
            f"first on record in {c['first_round']}"
        )
    for c in diff.cities_removed:
        lines.append(f"removed: {c['city']} ({c['region']}, {c['country']}), {c['city_id']}")
    for c in diff.cities_renamed:
        ids = f" {ARROW} ".join(c.key)
        lines.append(f"renamed: {ids}: " + "; ".join(map(change_text, c.changes)))
    for c in diff.placed:
        lines.append(
            f"placed: {c['city']} ({c['country']}) leaves unplaced.csv, now {c['city_id']} in "
            f"{c['first_round']}"
        )
    return lines


def table_lines(table: TableDiff) -> list[str]:
    """A table other than the events: each row added, removed or changed, one line each."""
    lines = [f"added: {_row_text(r, table.key)}" for r in table.added]
    lines += [f"removed: {_row_text(r, table.key)}" for r in table.removed]
    lines += [
        f"changed: {', '.join(c.key)}: " + "; ".join(map(change_text, c.changes))
        for c in table.changed
    ]
    return lines


def _row_text(row: dict, key: tuple[str, ...]) -> str:
    rest = {k: v for k, v in row.items() if k not in key and k not in ("notes", "sources")}
    shown = ", ".join(f"{k} {display(v)}" for k, v in rest.items())
    return ", ".join(str(row[k]) for k in key) + (f" ({shown})" if shown else "")


def round_rows(diff: DataDiff) -> list[tuple[str, str, str, str]]:
    """(round, count, before, after) of every per-round count that moves."""
    return [
        (round_id, COUNT_LABELS.get(c.name, c.name), display(c.old), display(c.new))
        for round_id, changes in diff.rounds.items()
        for c in changes
    ]


def metric_rows(diff: DataDiff) -> list[tuple[str, str, str, str]]:
    """(year, metric, before, after) of every headline metric that moves."""
    return [
        (str(year), c.label or c.name, display(c.old), display(c.new))
        for year, changes in diff.metrics.items()
        for c in changes
    ]


# --- plain text -----------------------------------------------------------------------------------
def diff_text(diff: DataDiff) -> str:
    """The comparison for a terminal."""
    skipped = not_compared_line(diff)
    if diff.empty:
        head = (
            f"wwc diff {diff.old_dir} {ARROW} {diff.new_dir}: "
            "no difference in any table of the record"
        )
        return "\n".join([head, *([skipped] if skipped else [])]) + "\n"
    ev = diff.events
    out = [
        f"wwc diff {diff.old_dir} {ARROW} {diff.new_dir}",
        "",
        "certification events (certifications.csv, by city_id and round_id): "
        + events_summary(diff),
    ]
    out += [f"  + {' '.join(_key(r))}: {event_text(r)}" for r in ev.added]
    out += [f"  - {' '.join(_key(r))}: {event_text(r)}" for r in ev.removed]
    for change in ev.changed:
        out.append(f"  ~ {_event_key(change)}:")
        out += [f"      {change_text(c)}" for c in change.changes]
    cities = city_lines(diff)
    out += ["", f"cities: {_city_counts(diff)}"] + [f"  {line}" for line in cities]
    for name, table in diff.tables.items():
        if name != "certifications":
            out += ["", f"{TABLE_FILES[name]}: {_table_counts(table)}"]
            out += [f"  {line}" for line in table_lines(table)]
    out += ["", _heading_rounds(diff)]
    out += [f"  {r:<8} {what:<52} {a:>4} {ARROW} {b}" for r, what, a, b in round_rows(diff)]
    out += ["", _heading_metrics(diff)]
    out += [f"  {y}  {what:<58} {a:>4} {ARROW} {b}" for y, what, a, b in metric_rows(diff)]
    out += ["", skipped] if skipped else []
    return "\n".join(out) + "\n"


def _key(row: dict) -> tuple[str, str]:
    return (str(row["city_id"]), str(row["round_id"]))


def _city_counts(diff: DataDiff) -> str:
    return (
        f"{len(diff.cities_added)} added, {len(diff.cities_removed)} removed, "
        f"{len(diff.cities_renamed)} renamed"
        + (f", {len(diff.placed)} placed from unplaced.csv" if diff.placed else "")
    )


def _table_counts(table: TableDiff) -> str:
    if table.empty:
        return "unchanged"
    return f"{len(table.added)} added, {len(table.removed)} removed, {len(table.changed)} changed"


def _heading_rounds(diff: DataDiff) -> str:
    n = len(diff.rounds)
    return (
        f"per-round counts that move ({plural(n, 'round')}):" if n else "no per-round count moves"
    )


def _heading_metrics(diff: DataDiff) -> str:
    n = len(diff.metrics)
    return f"headline metrics that move ({plural(n, 'year')}):" if n else "no headline metric moves"


# --- Markdown -------------------------------------------------------------------------------------
def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(header: tuple[str, ...], rows: list[tuple]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def diff_markdown(diff: DataDiff) -> str:
    """The comparison as Markdown (for a pull request, or ``data/CHANGES.md``)."""
    skipped = not_compared_line(diff, "`")
    if diff.empty:
        head = (
            "No difference in any table of the record between "
            f"`{diff.old_dir}` and `{diff.new_dir}`."
        )
        return "\n\n".join([head, *([skipped] if skipped else [])]) + "\n"
    ev = diff.events
    out = [
        f"Compared: `{diff.old_dir}` {ARROW} `{diff.new_dir}` (`wwc diff`).",
        "",
        "#### Certification events",
        "",
        "`certifications.csv`, keyed by (`city_id`, `round_id`): " + events_summary(diff) + ".",
        "",
    ]
    rows = [("added", *_key(r), event_text(r)) for r in ev.added]
    rows += [("removed", *_key(r), event_text(r)) for r in ev.removed]
    if rows:
        out += _md_table(("", "city_id", "round", "event"), rows) + [""]
    if ev.changed:
        out += ["Changed, field by field (level, cohort and flags first):", ""]
        out += _md_table(("city_id", "round", "field: before \u2192 after"), _changed_rows(ev))
        out.append("")
    out += _md_cities(diff)
    for name, table in diff.tables.items():
        if name != "certifications" and not table.empty:
            out += [f"#### `{TABLE_FILES[name]}`", ""]
            out += [f"- {line}" for line in table_lines(table)] + [""]
    unchanged = [f"`{TABLE_FILES[n]}`" for n, t in diff.tables.items() if t.empty]
    if unchanged:
        out += [f"Unchanged: {', '.join(unchanged)}.", ""]
    out += ["#### Per-round counts that move", ""]
    out += _md_table(("round", "count", "before", "after"), round_rows(diff)) + [""]
    out += ["#### Headline metrics that move, by year", ""]
    out += _md_table(("year", "metric", "before", "after"), metric_rows(diff))
    out += ["", skipped] if skipped else []
    return "\n".join(out) + "\n"


def _changed_rows(ev: TableDiff) -> list[tuple[str, str, str]]:
    rows = []
    for change in ev.changed:
        ordered = sorted(change.changes, key=lambda c: c.name not in EVENT_FIELDS)
        for i, c in enumerate(ordered):
            rows.append(
                (change.key[0] if i == 0 else "", change.key[1] if i == 0 else "", change_text(c))
            )
    return rows


def _md_cities(diff: DataDiff) -> list[str]:
    lines = city_lines(diff)
    out = ["#### Cities", "", f"{_city_counts(diff)}.", ""]
    if lines:
        out += [f"- {line}" for line in lines] + [""]
    return out


__all__ = [
    "COUNT_LABELS",
    "TABLE_FILES",
    "change_text",
    "city_lines",
    "diff_markdown",
    "diff_text",
    "event_text",
    "events_summary",
    "metric_rows",
    "round_rows",
    "table_lines",
]
