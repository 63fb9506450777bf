"""How far the program reaches: certified cities against the APPROXIMATE eligible universe.

The universe (``data.universe``) is the GeoNames populated places of the Americas with 30,000 people
or more: an approximation of the eligible cities, never the program's list (see ``data/README.md``).
The crosswalk (``data.crosswalk``) links each city of the record to one of its places, or says why
it cannot. Every figure here has a basis (:data:`BASIS`): **identified** (counted from the events
of the record: the certified cities) or **approximate** (it rests on the universe: eligible places,
their residents, rates and shares).

Unknown stays unknown: a certified city that is not a GeoNames place has no population here (its
residents are not added, and :func:`reach_summary` says how many such cities there are), and the
certified cities the record has not identified (the reported total minus the identified) are stated
as a gap, never filled in. Certification lapses are not modelled: a city counts once certified.
Cities of ``unplaced.csv`` (certified, no round) are in no count after a round; they are kept out of
the lists of places never certified.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wwc_analysis.history.levels import latest_levels
from wwc_analysis.history.rounds import cumulative, to_timestamp

if TYPE_CHECKING:  # pragma: no cover
    from wwc_analysis.data.dataset import Dataset

IDENTIFIED = "identified"
APPROXIMATE = "approximate"
#: Population bands of the analysis: lower bound (inclusive), upper bound (exclusive), label.
BANDS: tuple[tuple[int, float, str], ...] = (
    (30_000, 100_000, "30–100 k"),
    (100_000, 250_000, "100–250 k"),
    (250_000, 1_000_000, "250 k–1 M"),
    (1_000_000, np.inf, "1 M+"),
)
BAND_DTYPE = pd.CategoricalDtype([label for *_, label in BANDS], ordered=True)
#: What the figures of a reach table rest on.
BASIS: dict[str, str] = {
    "eligible": APPROXIMATE,
    "eligible_population": APPROXIMATE,
    "certified": IDENTIFIED,
    "residents": APPROXIMATE,
    "rate": APPROXIMATE,
    "residents_share": APPROXIMATE,
    "not_in_universe": IDENTIFIED,
}
BY_CHOICES = ("country", "region", "band")
NO_REGION = "(no first-level region)"


def require_reach(data: Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(universe, crosswalk)`` of ``data``; a ValueError when the directory has neither."""
    if data.universe is None or data.crosswalk is None:
        raise ValueError(
            f"{data.data_dir} has no universe.csv and crosswalk.csv: the reach analysis needs "
            "both (see data/README.md)"
        )
    return data.universe, data.crosswalk


def population_band(population: pd.Series) -> pd.Series:
    """The band (:data:`BANDS`) of each population; <NA> below 30,000 or unknown."""
    edges = [low for low, *_ in BANDS] + [np.inf]
    labels = list(BAND_DTYPE.categories)
    cut = pd.cut(population.astype("float64"), edges, right=False, labels=labels)
    return pd.Series(cut, index=population.index).astype(BAND_DTYPE)


def places(data: Dataset) -> pd.DataFrame:
    """The universe with each place's ``band`` and ``region_name`` (the region, or
    :data:`NO_REGION` when GeoNames gives none)."""
    universe, _ = require_reach(data)
    out = universe.copy()
    out["band"] = population_band(out["population"])
    out["region_name"] = out["region"].fillna(NO_REGION)
    return out


def certified_places(data: Dataset, as_of=None) -> pd.DataFrame:
    """Every identified city certified on or before ``as_of`` (``None``: all on record), one row
    each: its latest level and round (:func:`latest_levels`), its crosswalk link and, when linked,
    its place (``place``, ``country_code``, ``region_name``, ``latitude``, ``longitude``,
    ``population``, ``band``). ``linked`` is false for a city that is not a place of the universe
    (its population stays <NA>)."""
    _, crosswalk = require_reach(data)
    cities = latest_levels(as_of, data)
    link = crosswalk[["city_id", "geonameid", "match"]]
    out = cities.merge(link, on="city_id", how="left")
    pl = places(data).rename(columns={"name": "place", "country": "place_country"})
    keep = ["geonameid", "place", "country_code", "region_name", "latitude", "longitude"]
    out = out.merge(pl[[*keep, "population", "band"]], on="geonameid", how="left")
    out["population"] = out["population"].astype("Int64")
    out["linked"] = out["place"].notna()
    return out


def _ever_linked(data: Dataset, as_of) -> pd.Series:
    """geonameids of the places linked to a city certified by ``as_of`` or listed in unplaced.csv
    (certified with no round: never counted as 'not certified')."""
    _, crosswalk = require_reach(data)
    cert = certified_places(data, as_of)
    ids = set(cert.loc[cert["linked"], "geonameid"].astype("int64"))
    keys = data.unplaced[["city", "region", "country"]].astype(object).fillna("")
    xw = crosswalk[["city", "region", "country"]].astype(object).fillna("")
    in_unplaced = xw.apply(tuple, axis=1).isin(set(keys.apply(tuple, axis=1)))
    ids |= set(crosswalk.loc[in_unplaced & crosswalk["geonameid"].notna(), "geonameid"].astype(int))
    return pd.Series(sorted(ids), dtype="int64")


def _group_keys(by: str) -> list[str]:
    if by not in BY_CHOICES:
        raise ValueError(f"by must be one of {', '.join(BY_CHOICES)}, got {by!r}")
    return {"country": ["country"], "region": ["country", "region_name"], "band": ["band"]}[by]


def reach_table(data: Dataset, by: str = "country", as_of=None) -> pd.DataFrame:
    """Certified cities against eligible places by ``country``, ``region`` (first-level region)
    or population ``band``, after ``as_of`` (``None``: everything on record).

    Columns (:data:`BASIS` says which are identified and which approximate): ``eligible`` (places
    of the universe), ``eligible_population``, ``certified`` (identified certified cities linked to
    one of those places), ``residents`` (their population), ``rate`` = certified / eligible,
    ``residents_share`` = residents / eligible_population and, by country, ``not_in_universe``
    (identified certified cities that are not places of the universe, so in neither count).
    """
    keys = _group_keys(by)
    pl = places(data)
    cert = certified_places(data, as_of)
    linked = cert[cert["linked"]]
    pl["certified"] = pl["geonameid"].isin(set(linked["geonameid"].astype("int64")))
    pl["residents"] = pl["population"].where(pl["certified"], 0)
    grouped = pl.groupby(keys, observed=True, sort=False)
    out = grouped.agg(
        eligible=("geonameid", "size"),
        eligible_population=("population", "sum"),
        certified=("certified", "sum"),
        residents=("residents", "sum"),
    )
    out = out.astype("int64")
    out["rate"] = out["certified"] / out["eligible"]
    out["residents_share"] = out["residents"] / out["eligible_population"]
    if by == "country":
        outside = cert.loc[~cert["linked"]].groupby("country").size()
        out["not_in_universe"] = outside.reindex(out.index, fill_value=0).astype("int64")
        extra = outside.index.difference(out.index)
        if len(extra):  # a certified country without a single eligible place
            out = pd.concat([out, _outside_only(outside[extra])])
    order = ["band"] if by == "band" else ["certified", "eligible"]
    ascending = by == "band"
    return out.sort_values(order, ascending=ascending, kind="stable")


def _outside_only(outside: pd.Series) -> pd.DataFrame:
    """Rows for countries whose certified cities are all outside the universe."""
    counts = ["eligible", "eligible_population", "certified", "residents"]
    frame = pd.DataFrame(0, index=outside.index, columns=counts).astype("int64")
    frame["rate"] = np.nan
    frame["residents_share"] = np.nan
    frame["not_in_universe"] = outside.astype("int64")
    return frame


def reach_summary(data: Dataset, as_of=None) -> dict:
    """The headline of the reach after ``as_of`` (``None``: everything on record).

    Keys: ``certified_identified`` (identified cities certified by then), ``linked`` (those that are
    places of the universe), ``not_in_universe`` (their names), ``residents`` and
    ``eligible_population`` (GeoNames populations), ``residents_share``, ``eligible`` (places),
    ``reported_total_certified`` (after the last round by then; None if not reported) and
    ``unidentified`` (reported minus identified; None when not reported), ``round_id`` of that
    round, and ``basis`` (what each figure rests on).
    """
    pl = places(data)
    cert = certified_places(data, as_of)
    linked = cert[cert["linked"]]
    cum = cumulative(data)
    if as_of is not None:
        cum = cum[cum["announced"] <= to_timestamp(as_of)]
    last = cum.iloc[-1] if len(cum) else None
    reported = None if last is None or pd.isna(last["reported_total_certified"]) else last
    residents = int(linked["population"].sum())
    total = int(pl["population"].sum())
    return {
        "round_id": None if last is None else str(last["round_id"]),
        "certified_identified": len(cert),
        "linked": len(linked),
        "not_in_universe": sorted(cert.loc[~cert["linked"], "city"].astype(str)),
        "residents": residents,
        "eligible": len(pl),
        "eligible_population": total,
        "residents_share": residents / total if total else None,
        "reported_total_certified": None
        if reported is None
        else int(reported["reported_total_certified"]),
        "unidentified": None
        if reported is None
        else max(int(reported["reported_total_certified"]) - len(cert), 0),
        "basis": {
            "certified_identified": IDENTIFIED,
            "linked": IDENTIFIED,
            "residents": APPROXIMATE,
            "eligible": APPROXIMATE,
            "eligible_population": APPROXIMATE,
            "residents_share": APPROXIMATE,
            "reported_total_certified": "reported",
        },
    }


def reach_over_time(data: Dataset, by: str | None = None, as_of=None) -> pd.DataFrame:
    """The reach after every round (a time series), rounds up to ``as_of``.

    ``by=None``: one row per round: ``certified`` (identified cities ever certified by then),
    ``linked``, ``residents``, ``residents_share`` of the eligible population, the
    ``reported_total_certified`` and ``unidentified`` (reported minus identified, <NA> when the
    total was not reported). ``by`` ``country``/``region``/``band``: one row per round and group
    with ``certified``, ``eligible`` and ``rate`` (long format).
    """
    cum = cumulative(data)
    if as_of is not None:
        cum = cum[cum["announced"] <= to_timestamp(as_of)]
    cert = certified_places(data, None)
    first = cert["first_round"].map(data.rounds.set_index("round_id")["announced"])
    cert = cert.assign(first_announced=first)[
        ["city_id", "linked", "geonameid", "population", "first_announced"]
    ]
    # one row per (round, city certified by then): the cross join of two small frames
    pairs = cum[["round_id", "announced"]].merge(cert, how="cross")
    pairs = pairs[pairs["first_announced"] <= pairs["announced"]]
    if by is None:
        return _totals_over_time(cum, pairs, int(places(data)["population"].sum()))
    keys = _group_keys(by)
    pl = places(data)
    eligible = pl.groupby(keys, observed=True).size().rename("eligible")
    linked = pairs.loc[pairs["linked"], ["round_id", "geonameid"]].astype({"geonameid": "int64"})
    linked = linked.join(pl.set_index("geonameid")[keys], on="geonameid")
    counts = linked.groupby(["round_id", *keys], observed=True).size()
    groups = [g if isinstance(g, tuple) else (g,) for g in eligible.index]
    grid = pd.MultiIndex.from_tuples(
        [(r, *g) for r in cum["round_id"] for g in groups], names=["round_id", *keys]
    )
    frame = counts.reindex(grid, fill_value=0).rename("certified").reset_index()
    frame = frame.merge(eligible.reset_index(), on=keys, how="left")
    frame["rate"] = frame["certified"] / frame["eligible"]
    return frame


def _totals_over_time(cum: pd.DataFrame, pairs: pd.DataFrame, total: int) -> pd.DataFrame:
    """The by=None table of :func:`reach_over_time`."""
    grouped = pairs.groupby("round_id")
    out = cum[["round_id", "announced", "reported_total_certified"]].copy()
    out["certified"] = out["round_id"].map(grouped.size()).fillna(0).astype("int64")
    out["linked"] = out["round_id"].map(grouped["linked"].sum()).fillna(0).astype("int64")
    residents = grouped["population"].sum().astype("int64")
    out["residents"] = out["round_id"].map(residents).fillna(0).astype("int64")
    out["residents_share"] = out["residents"] / total
    gap = out["reported_total_certified"] - out["certified"]
    out["unidentified"] = gap.clip(lower=0).astype("Int64")
    return out.reset_index(drop=True)


def largest_not_certified(data: Dataset, as_of=None, n: int = 5, country=None) -> pd.DataFrame:
    """The ``n`` most populous places of each country of the universe that no city certified by
    ``as_of`` is linked to (nor a city of unplaced.csv), largest first. ``country`` (a name, any
    case) keeps one country. The record misses some certified cities (the unidentified gap), so a
    place listed here may be certified all the same."""
    pl = places(data)
    pl = pl[~pl["geonameid"].isin(set(_ever_linked(data, as_of)))]
    if country not in (None, ""):
        pl = pl[pl["country"].str.casefold() == str(country).strip().casefold()]
    pl = pl.sort_values(["country", "population"], ascending=[True, False], kind="stable")
    top = pl.groupby("country", sort=False).head(n)
    cols = ["country", "name", "region_name", "population", "band", "geonameid"]
    return top[cols].reset_index(drop=True)


def milestones(data: Dataset, by: str = "country", as_of=None) -> pd.DataFrame:
    """The first certified city (or cities, in one round) of each country, or of each first-level
    region (``by="region"``: US state, Canadian province ...), as the record names them.

    Columns: ``country`` (and ``region``), ``round_id``, ``announced``, ``cities`` (the city
    names, joined), ``n`` (how many in that round). Identified: a city whose first certification
    the record has not found may have come earlier.
    """
    if by not in ("country", "region"):
        raise ValueError(f"by must be 'country' or 'region', got {by!r}")
    keys = ["country"] if by == "country" else ["country", "region"]
    ev = data.certifications.merge(data.rounds[["round_id", "announced"]], on="round_id")
    if as_of is not None:
        ev = ev[ev["announced"] <= to_timestamp(as_of)]
    first = ev.sort_values("announced").drop_duplicates("city_id")
    earliest = first.groupby(keys)["announced"].transform("min")
    firsts = first[first["announced"] == earliest]
    grouped = firsts.groupby([*keys, "round_id", "announced"], sort=False)
    out = grouped["city"].agg(lambda s: ", ".join(sorted(s.astype(str)))).rename("cities")
    out = out.reset_index()
    out["n"] = grouped.size().to_numpy()
    return out.sort_values(["announced", *keys], kind="stable").reset_index(drop=True)


__all__ = [
    "APPROXIMATE",
    "BANDS",
    "BAND_DTYPE",
    "BASIS",
    "BY_CHOICES",
    "IDENTIFIED",
    "NO_REGION",
    "certified_places",
    "largest_not_certified",
    "milestones",
    "places",
    "population_band",
    "reach_over_time",
    "reach_summary",
    "reach_table",
    "require_reach",
]
