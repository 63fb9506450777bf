"""What a change of the data does: two editions of a data directory compared, row by row and in the
numbers computed from them (``wwc diff OLD NEW``).

:func:`diff_datasets` compares two :class:`~wwc_analysis.data.dataset.Dataset`\\ s:

- every table, keyed (certification events by ``(city_id, round_id)``, rounds by ``round_id``,
  standards by ``standard``, criteria by ``(standard, code)``, unplaced cities by
  ``(city, country)``): rows added, removed and changed field by field;
- the cities: ids added or removed, and ids whose name, region or country changed (renamed);
  a removed id and an added id that are one place by :func:`~wwc_analysis.data.identity.name_key`
  are listed as a change of id;
- every per-round count of :func:`~wwc_analysis.history.cohorts.round_summary` (reported,
  identified, derived, events, unknown levels, disagreements, cumulative totals) that moves;
- every headline metric of :func:`~wwc_analysis.history.annual.annual_metrics` that moves, by year.

The reach tables (``universe.csv``, ``crosswalk.csv``: GeoNames-derived and compiled by the project)
are not part of the record's editions and are not compared; :attr:`DataDiff.not_compared` names
those either folder holds, so the words can say so.

The result is plain data (:class:`DataDiff`, ``as_dict()`` for JSON); the words for a terminal and
a pull request are in :mod:`wwc_analysis.text.diff`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from wwc_analysis.data.identity import name_key, place_key
from wwc_analysis.data.paths import REACH_TABLES
from wwc_analysis.history.annual import annual_metrics
from wwc_analysis.history.cohorts import round_summary
from wwc_analysis.history.rounds import years_with_rounds

if TYPE_CHECKING:  # pragma: no cover
    from wwc_analysis.data.dataset import Dataset

#: The key of each table's rows.
KEYS: dict[str, tuple[str, ...]] = {
    "standards": ("standard",),
    "criteria": ("standard", "code"),
    "rounds": ("round_id",),
    "certifications": ("city_id", "round_id"),
    "unplaced": ("city", "country"),
}
#: Fields of an event that change what it counts as (the rest, notes and sources, document it).
EVENT_FIELDS = ("level", "reported_cohort", "level_inferred", "round_inferred")
CITY_FIELDS = ("city", "region", "country")
#: The per-round counts compared, in the order of ``round_summary``.
ROUND_COUNTS = (
    "reported_new",
    "identified_new",
    "derived_new",
    "reported_upgraded",
    "identified_upgraded",
    "derived_upgraded",
    "reported_recertified",
    "identified_recertified",
    "derived_recertified",
    "identified_unstated",
    "derived_lower",
    "derived_unknown",
    "events",
    "level_unknown",
    "disagreements",
    "reported_total_certified",
    "identified_total_certified",
)


@dataclass(frozen=True)
class Change:
    """One value before and after (``None``: not known, or absent); ``label`` says what it is
    for a reader when the name does not (a headline metric's label)."""

    name: str
    old: object
    new: object
    label: str = ""

    def as_dict(self) -> dict:
        out = {"name": self.name, "old": self.old, "new": self.new}
        return {**out, "label": self.label} if self.label else out


@dataclass(frozen=True)
class RowChange:
    """A row present in both editions whose values differ: its key and each changed field."""

    key: tuple[str, ...]
    changes: tuple[Change, ...]

    def fields(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.changes)

    def as_dict(self) -> dict:
        return {"key": list(self.key), "changes": [c.as_dict() for c in self.changes]}


@dataclass(frozen=True)
class TableDiff:
    """Rows of one table added, removed (each a dict of plain values) and changed."""

    table: str
    key: tuple[str, ...]
    added: tuple[dict, ...] = ()
    removed: tuple[dict, ...] = ()
    changed: tuple[RowChange, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_dict(self) -> dict:
        return {
            "key": list(self.key),
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": [c.as_dict() for c in self.changed],
        }


@dataclass(frozen=True)
class DataDiff:
    """Two editions compared (see the module docstring). ``rounds`` maps a round to its counts
    that move; ``metrics`` maps a year to its headline metrics that move."""

    old_dir: str
    new_dir: str
    tables: dict[str, TableDiff]
    cities_added: tuple[dict, ...] = ()
    cities_removed: tuple[dict, ...] = ()
    cities_renamed: tuple[RowChange, ...] = ()
    #: unplaced cities (unplaced.csv rows removed) that are now placed: an added city, same place
    placed: tuple[dict, ...] = ()
    rounds: dict[str, tuple[Change, ...]] = field(default_factory=dict)
    metrics: dict[int, tuple[Change, ...]] = field(default_factory=dict)
    #: tables of either folder that are not compared: the reach tables (not part of the record)
    not_compared: tuple[str, ...] = ()

    @property
    def events(self) -> TableDiff:
        return self.tables["certifications"]

    @property
    def empty(self) -> bool:
        return all(t.empty for t in self.tables.values())

    def events_counting_differently(self) -> tuple[RowChange, ...]:
        """Changed events whose level, cohort or a flag changed (not only notes or sources)."""
        return tuple(c for c in self.events.changed if set(c.fields()) & set(EVENT_FIELDS))

    def event_change_kinds(self) -> dict[str, int]:
        """How many changed events changed what they count as (``counting``: a level, cohort or
        flag), else the city's name or place (``city``), else only notes or sources
        (``documentation``)."""
        kinds = {"counting": 0, "city": 0, "documentation": 0}
        for change in self.events.changed:
            fields = set(change.fields())
            if fields & set(EVENT_FIELDS):
                kinds["counting"] += 1
            elif fields & set(CITY_FIELDS):
                kinds["city"] += 1
            else:
                kinds["documentation"] += 1
        return kinds

    def as_dict(self) -> dict:
        return {
            "old": self.old_dir,
            "new": self.new_dir,
            "tables": {name: t.as_dict() for name, t in self.tables.items()},
            "cities": {
                "added": list(self.cities_added),
                "removed": list(self.cities_removed),
                "renamed": [c.as_dict() for c in self.cities_renamed],
                "placed": list(self.placed),
            },
            "rounds": {r: [c.as_dict() for c in cs] for r, cs in self.rounds.items()},
            "metrics": {str(y): [c.as_dict() for c in cs] for y, cs in self.metrics.items()},
            "not_compared": list(self.not_compared),
        }


# --- values ---------------------------------------------------------------------------------------
def plain(value: object) -> object:
    """A cell as a plain Python value: ``None`` for missing, ``YYYY-MM-DD`` for a date."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if hasattr(value, "item"):
        return value.item()
    return value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [
        {k: plain(v) for k, v in row.items()} for row in frame.astype(object).to_dict("records")
    ]


def table_diff(name: str, old: pd.DataFrame, new: pd.DataFrame) -> TableDiff:
    """Rows of ``name`` added, removed and changed between ``old`` and ``new`` (same columns).

    Rows are matched by :data:`KEYS`; when the key is not unique in either frame, by every column
    (a changed row is then one removed and one added)."""
    key = KEYS[name]
    columns = [c for c in old.columns if c in new.columns and not c.startswith("_")]
    if old.duplicated(list(key)).any() or new.duplicated(list(key)).any():
        key = tuple(columns)
    a = {tuple(str(r[k]) for k in key): r for r in _records(old[columns])}
    b = {tuple(str(r[k]) for k in key): r for r in _records(new[columns])}
    added = tuple(b[k] for k in b if k not in a)
    removed = tuple(a[k] for k in a if k not in b)
    changed = []
    for k in a:
        if k in b:
            diffs = tuple(Change(c, a[k][c], b[k][c]) for c in columns if a[k][c] != b[k][c])
            if diffs:
                changed.append(RowChange(k, diffs))
    return TableDiff(name, key, added, removed, tuple(changed))


# --- cities ---------------------------------------------------------------------------------------
def _cities(data: Dataset) -> pd.DataFrame:
    """One row per city_id: its name and place, first round and number of events."""
    c = data.certifications
    order = {r: i for i, r in enumerate(data.rounds["round_id"])}
    by_date = c.assign(_rank=c["round_id"].map(order)).sort_values("_rank", kind="stable")
    first = by_date.drop_duplicates("city_id").set_index("city_id")
    first = first[[*CITY_FIELDS, "round_id"]].rename(columns={"round_id": "first_round"})
    first["events"] = c.groupby("city_id").size()
    return first


def city_changes(old: Dataset, new: Dataset) -> tuple[tuple, tuple, tuple]:
    """(added, removed, renamed) cities. A renamed city keeps its id with another name, region
    or country; a removed and an added id that are one place (same name key, region and country)
    are one city whose id changed (``key`` = old id, new id)."""
    a, b = _cities(old), _cities(new)
    added_ids = [i for i in b.index if i not in a.index]
    removed_ids = [i for i in a.index if i not in b.index]

    def place(row) -> tuple:
        return (place_key(row["country"]), place_key(row["region"]), name_key(row["city"]))

    removed_by_place = {place(a.loc[i]): i for i in removed_ids}
    renamed = []
    for i in a.index.intersection(b.index):
        diffs = tuple(
            Change(f, plain(a.at[i, f]), plain(b.at[i, f]))
            for f in CITY_FIELDS
            if plain(a.at[i, f]) != plain(b.at[i, f])
        )
        if diffs:
            renamed.append(RowChange((i,), diffs))
    for i in list(added_ids):
        was = removed_by_place.get(place(b.loc[i]))
        if was is not None and was in removed_ids:
            added_ids.remove(i)
            removed_ids.remove(was)
            renamed.append(RowChange((was, i), (Change("city_id", was, i),)))

    def rows(frame: pd.DataFrame, ids: list[str]) -> tuple[dict, ...]:
        return tuple({"city_id": i, **{k: plain(v) for k, v in frame.loc[i].items()}} for i in ids)

    return rows(b, added_ids), rows(a, removed_ids), tuple(renamed)


def placed_cities(unplaced: TableDiff, added: tuple[dict, ...]) -> tuple[dict, ...]:
    """Rows removed from unplaced.csv whose city is among the ``added`` cities (same name key and
    country): the city, its new id and its first round on record."""

    def where(row: dict) -> tuple[str, str]:
        return place_key(row["country"]), name_key(row["city"])

    new = {where(c): c for c in added}
    out = []
    for row in unplaced.removed:
        city = new.get(where(row))
        if city is not None:
            out.append(
                {
                    "city": row["city"],
                    "country": row["country"],
                    "city_id": city["city_id"],
                    "first_round": city["first_round"],
                }
            )
    return tuple(out)


# --- numbers --------------------------------------------------------------------------------------
def round_changes(old: Dataset, new: Dataset) -> dict[str, tuple[Change, ...]]:
    """Every count of :data:`ROUND_COUNTS` that moves, by round (a round in one edition only has
    ``None`` on the other side)."""
    a = round_summary(old).set_index("round_id")
    b = round_summary(new).set_index("round_id")
    out: dict[str, tuple[Change, ...]] = {}
    for round_id in list(dict.fromkeys([*a.index, *b.index])):
        before = a.loc[round_id] if round_id in a.index else None
        after = b.loc[round_id] if round_id in b.index else None
        moved = []
        for name in ROUND_COUNTS:
            x = None if before is None else plain(before[name])
            y = None if after is None else plain(after[name])
            if x != y:
                moved.append(Change(name, x, y))
        if moved:
            out[str(round_id)] = tuple(moved)
    return out


def metric_changes(old: Dataset, new: Dataset) -> dict[int, tuple[Change, ...]]:
    """The headline metrics whose value moves, in each year with a round in both editions (each
    :class:`Change` carries the metric's label)."""
    years = sorted(set(years_with_rounds(old)) & set(years_with_rounds(new)))
    out: dict[int, tuple[Change, ...]] = {}
    for year in years:
        a = {m.name: m for m in annual_metrics(year, old)}
        b = {m.name: m for m in annual_metrics(year, new)}
        moved = []
        for name in dict.fromkeys([*a, *b]):
            x = a[name].value if name in a else None
            y = b[name].value if name in b else None
            if x != y:
                moved.append(Change(name, x, y, (b.get(name) or a[name]).label))
        if moved:
            out[year] = tuple(moved)
    return out


def diff_datasets(old: Dataset, new: Dataset) -> DataDiff:
    """``old`` and ``new`` compared: tables row by row, cities, per-round counts and headline
    metrics (see the module docstring)."""
    tables = {name: table_diff(name, getattr(old, name), getattr(new, name)) for name in KEYS}
    added, removed, renamed = city_changes(old, new)
    placed = placed_cities(tables["unplaced"], added)
    return DataDiff(
        old_dir=str(old.data_dir),
        new_dir=str(new.data_dir),
        tables=tables,
        cities_added=added,
        cities_removed=removed,
        cities_renamed=renamed,
        placed=placed,
        rounds=round_changes(old, new),
        metrics=metric_changes(old, new),
        not_compared=tuple(
            name
            for name in REACH_TABLES
            if getattr(old, name) is not None or getattr(new, name) is not None
        ),
    )


__all__ = [
    "CITY_FIELDS",
    "EVENT_FIELDS",
    "KEYS",
    "ROUND_COUNTS",
    "Change",
    "DataDiff",
    "RowChange",
    "TableDiff",
    "city_changes",
    "diff_datasets",
    "metric_changes",
    "placed_cities",
    "plain",
    "round_changes",
    "table_diff",
]
