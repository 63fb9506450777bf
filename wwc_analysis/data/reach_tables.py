"""The reach tables: the approximate eligible universe and the crosswalk of the record to it.

``universe.csv`` lists the populated places of the Americas with 30,000 people or more (GeoNames,
CC BY 4.0; built by ``scripts/build_universe.py``, see ``data/README.md``). It is an approximation
of the cities eligible for certification, never the program's own list. ``crosswalk.csv`` links
every city of the record (``certifications.csv`` and ``unplaced.csv``) to one place of the universe,
or explains why it cannot (a city that is not a GeoNames place, such as an Argentine *partido*).

Both files are optional in a data directory (a researcher's own record may have neither), but they
come together: :func:`reach_wanted` asks for both as soon as one is there. The checks across tables
(:data:`REACH_CHECKS`, run by :mod:`~wwc_analysis.data.validate` with the other cross checks):

- every city of the record has a crosswalk row, with the same city, region and country, and every
  crosswalk row is a city of the record;
- no GeoNames place is linked to two cities;
- a linked place is a place of the universe, in the same country as the city.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from wwc_analysis.data.paths import FILES, REACH_TABLES
from wwc_analysis.data.table import Reader
from wwc_analysis.errors import Problem

_PLACE = ["city", "region", "country"]


def reach_wanted(data_dir: Path) -> tuple[str, ...]:
    """The reach tables to read from ``data_dir``: both when either file exists, else none."""
    if any((data_dir / FILES[name]).exists() for name in REACH_TABLES):
        return REACH_TABLES
    return ()


def _keys(frame: pd.DataFrame) -> pd.Series:
    """``city|region|country`` of each row (an empty region is the empty string)."""
    parts = frame[_PLACE].astype(object).fillna("")
    return parts["city"] + "|" + parts["region"] + "|" + parts["country"]


#: What a missing crosswalk row holds besides the city's names (the end of the problem's words).
LINK_OR_EXPLAIN = (
    "either the geonameid of its place in universe.csv with match exact_name, alternate_name or "
    "manual and a note on how it was matched, or an empty geonameid with match none and a note "
    "saying why it is not linked (data/README.md, crosswalk.csv)"
)


def _check_record_linked(reader: Reader) -> list[Problem]:
    """Every city of the record (certifications by city_id, unplaced by names) has a row; the
    problem says which city, where the record has it, and what row to add."""
    crosswalk = reader.get("crosswalk").usable("city_id", *_PLACE)
    certs = reader.get("certifications").usable("city_id", *_PLACE)
    unplaced = reader.get("unplaced").usable(*_PLACE)
    if crosswalk is None or certs is None or unplaced is None:
        return []
    file = FILES["crosswalk"]
    problems: list[Problem] = []
    first = certs.drop_duplicates("city_id")
    for line, row in first[~first["city_id"].isin(set(crosswalk["city_id"]))].iterrows():
        names = ", ".join(str(row[c]) for c in _PLACE if pd.notna(row[c]))
        problems.append(
            Problem(
                file,
                None,
                "city_id",
                row["city_id"],
                f"a row for every city of the record; {row['city_id']} ({names}, "
                f"{FILES['certifications']}:{line}) has none: add a row to {file} with this "
                f"city_id, its city, region and country as {FILES['certifications']} names "
                f"them, and {LINK_OR_EXPLAIN}",
            )
        )
    known = set(_keys(crosswalk))
    for line, key in _keys(unplaced).items():
        if key not in known:
            problems.append(
                Problem(
                    FILES["unplaced"],
                    int(line),
                    "city",
                    key.split("|")[0],
                    f"a row in {file} with the same city, region and country (every city of the "
                    f"record is linked or explained): add one, with a city_id built like those "
                    f"of {FILES['certifications']}, and {LINK_OR_EXPLAIN}",
                )
            )
    return problems


def _check_rows_are_record(reader: Reader) -> list[Problem]:
    """Every crosswalk row is a city of the record, named as the record names it."""
    crosswalk = reader.get("crosswalk").usable("city_id", *_PLACE)
    certs = reader.get("certifications").usable("city_id", *_PLACE)
    unplaced = reader.get("unplaced").usable(*_PLACE)
    if crosswalk is None or certs is None or unplaced is None:
        return []
    file = FILES["crosswalk"]
    problems: list[Problem] = []
    first = certs.drop_duplicates("city_id").set_index("city_id")
    xw_keys = _keys(crosswalk)
    in_certs = crosswalk["city_id"].isin(first.index)
    record_keys = pd.Series(_keys(first).to_numpy(), index=first.index)
    same = xw_keys == crosswalk["city_id"].map(record_keys)
    for line in crosswalk.index[in_certs & ~same]:
        cid = crosswalk.at[line, "city_id"]
        expected = " / ".join(str(first.at[cid, c]) for c in _PLACE)
        value = " / ".join("" if pd.isna(v) else str(v) for v in crosswalk.loc[line, _PLACE])
        problems.append(
            Problem(
                file,
                int(line),
                "city",
                value,
                f"{expected} (city / region / country), as certifications.csv names {cid}",
            )
        )
    stray = ~in_certs & ~xw_keys.isin(set(_keys(unplaced)))
    for line in crosswalk.index[stray]:
        problems.append(
            Problem(
                file,
                int(line),
                "city_id",
                crosswalk.at[line, "city_id"],
                "a city of certifications.csv (by city_id) or of unplaced.csv (by city, region "
                "and country)",
            )
        )
    return problems


def _check_links(reader: Reader) -> list[Problem]:
    """No place linked twice; a linked place is in the universe and in the city's country."""
    crosswalk = reader.get("crosswalk").usable("city_id", "country", "geonameid")
    universe = reader.get("universe").usable("geonameid", "country")
    if crosswalk is None:
        return []
    file = FILES["crosswalk"]
    problems: list[Problem] = []
    linked = crosswalk[crosswalk["geonameid"].notna()]
    repeated = linked["geonameid"].duplicated(keep="first")
    firsts = linked.drop_duplicates("geonameid").set_index("geonameid")["city_id"]
    for line in linked.index[repeated]:
        gid = int(linked.at[line, "geonameid"])
        problems.append(
            Problem(
                file,
                int(line),
                "geonameid",
                str(gid),
                f"a GeoNames place linked to one city only; {gid} is already {firsts[gid]}'s",
            )
        )
    if universe is None:
        return problems
    places = universe.drop_duplicates("geonameid").set_index("geonameid")["country"]
    for line, row in linked.iterrows():
        gid = int(row["geonameid"])
        if gid not in places.index:
            expected = f"a place of {FILES['universe']} (no place {gid} there)"
        elif places[gid] != row["country"]:
            expected = f"a place in {row['country']}; {gid} is in {places[gid]}"
        else:
            continue
        problems.append(Problem(file, int(line), "geonameid", str(gid), expected))
    return problems


#: (check, the tables it concerns): run when one of them is wanted.
REACH_CHECKS = (
    (_check_record_linked, ("crosswalk",)),
    (_check_rows_are_record, ("crosswalk",)),
    (_check_links, ("crosswalk", "universe")),
)

#: The credit every table, figure and file built on the universe carries (GeoNames is CC BY 4.0).
UNIVERSE_CREDIT = (
    "Eligible universe (APPROXIMATE: not the program's list): GeoNames populated places of the "
    "Americas with 30,000+ people, data/universe.csv; GeoNames (geonames.org), CC BY 4.0."
)

__all__ = ["REACH_CHECKS", "UNIVERSE_CREDIT", "reach_wanted"]
