"""Who a row is about: likely duplicate cities across ``city_id``s, and fictional ids in a file
that does not say it is simulated.

A city added under a variant spelling and its own id ("Port Saint Lucie",
``port-saint-lucie-fl-us``, beside "Port St. Lucie", ``port-st-lucie-fl-us``) is valid row by row,
yet the history would count it as a second city. :func:`likely_duplicates` finds such pairs: ids
in the same country and region whose names are equal once :func:`name_key` has set aside accents,
case, punctuation, spacing, "Saint"/"St.", "Fort"/"Ft.", "Mount"/"Mt." and a leading "City of",
"Ciudad de", "Municipio de" .... They are *warnings* (two cities may truly share a name within a
region): ``wwc validate`` lists them, ``wwc validate --strict`` fails on them.

:func:`simulated_id_problems` refuses an assessment file whose rows have the ids of the fictional
cities of ``wwc simulate`` (``sim-0001`` ...) but are not marked ``simulated``: without the column a
file is read as real assessments, and simulated results would reach a reader unlabelled.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from wwc_analysis.errors import DataWarning, Problem

#: The prefix of the fictional cities' ids (``wwc simulate``); no real ``city_id`` starts so.
SIMULATED_PREFIX = "sim-"

#: Leading words of official names that a display name may or may not carry (after
#: normalisation: lower case, no accents or punctuation).
_PREFIXES = (
    "city and county of",
    "city of",
    "town of",
    "village of",
    "township of",
    "municipality of",
    "ciudad de",
    "municipio de",
    "municipalidad de",
    "prefeitura municipal de",
    "prefeitura de",
    "cidade de",
    "ville de",
)
#: Words with a usual abbreviation: both spellings map to one.
_WORDS = {
    "saint": "st",
    "sainte": "ste",
    "fort": "ft",
    "mount": "mt",
    "and": "&",
}
_NOT_WORD = re.compile(r"[^0-9a-z&]+")


def _plain(text: object) -> str:
    """Lower case, accents stripped, every run of other characters one space."""
    if text is None or text is pd.NA or (isinstance(text, float) and pd.isna(text)):
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", ascii_only.casefold()).strip()


def name_key(name: object) -> str:
    """``name`` reduced to what identifies the place: "Port St. Lucie", "Port Saint Lucie" and
    "port-saint-lucie" give one key; so do "Ciudad de Córdoba" and "Cordoba"."""
    plain = _plain(name)
    for prefix in _PREFIXES:
        if plain.startswith(prefix + " "):
            plain = plain[len(prefix) + 1 :]
            break
    return "".join(_WORDS.get(word, word) for word in plain.split())


def place_key(text: object) -> str:
    """A region or country compared without case, accents, punctuation or spacing."""
    return "".join(_plain(text).split())


def likely_duplicates(frame: pd.DataFrame | None, file: str) -> list[DataWarning]:
    """Warnings for ``city_id``s that are likely one city: same country and region, same
    :func:`name_key`. ``frame`` is a certifications table indexed by line number (as read); each
    warning is at the first line of the later id and names the first line of the earlier one."""
    needed = ("city_id", "city", "region", "country")
    if frame is None or not all(c in frame.columns for c in needed) or frame.empty:
        return []
    rows = pd.DataFrame(
        {
            "line": frame.index.to_numpy(dtype=int),
            **{c: frame[c].astype(object).to_numpy() for c in needed},
        }
    ).dropna(subset=["city_id"])
    first = rows.sort_values("line", kind="stable").drop_duplicates("city_id")
    first = first.assign(
        key=[
            (place_key(r.country), place_key(r.region), name_key(r.city))
            for r in first.itertuples(index=False)
        ]
    )
    first = first[[bool(k[2]) for k in first["key"]]]
    warnings = []
    for _, group in first.groupby("key", sort=False):
        if len(group) < 2:
            continue
        original = group.iloc[0]
        for later in group.iloc[1:].itertuples(index=False):
            warnings.append(_duplicate_warning(file, later, original))
    return sorted(warnings, key=lambda w: w.row or 0)


def _duplicate_warning(file: str, later, original: pd.Series) -> DataWarning:
    return DataWarning(
        file,
        int(later.line),
        f"{later.city!r} ({later.city_id}) is likely the same city as {original['city']!r} "
        f"({original['city_id']}, {file}:{int(original['line'])}): same region and country, same "
        "name apart from accents, case, punctuation and abbreviations (St./Saint, City of); one "
        "city under two ids is counted twice",
    )


def simulated_id_problems(frame: pd.DataFrame | None, file: str) -> list[Problem]:
    """Rows of an assessment file whose ``city_id`` starts with ``sim-`` (a fictional city of
    ``wwc simulate``) but whose ``simulated`` is false, as when the column is missing.

    When every row is such a row, one problem for the whole file; otherwise one per city, at its
    first line."""
    if frame is None or "city_id" not in frame.columns or "simulated" not in frame.columns:
        return []
    ids = frame["city_id"].astype(object)
    fictional = ids.str.startswith(SIMULATED_PREFIX, na=False).to_numpy(dtype=bool)
    unmarked = fictional & ~frame["simulated"].fillna(False).to_numpy(dtype=bool)
    if not unmarked.any():
        return []
    if unmarked.all():
        return [
            Problem(
                file,
                None,
                "simulated",
                None,
                f"a 'simulated' column with true on every row: every city_id starts with "
                f"{SIMULATED_PREFIX!r}, the ids of the fictional cities of wwc simulate, so these "
                "are simulated assessments (without the column a file is read as real ones)",
            )
        ]
    marked = pd.Series(frame.index[unmarked], index=ids[unmarked].to_numpy())
    firsts = marked.groupby(level=0, sort=False).min()
    return [
        Problem(
            file,
            int(line),
            "simulated",
            "false",
            f"true: {city_id} is a fictional city of wwc simulate (ids starting "
            f"{SIMULATED_PREFIX!r} are reserved for them)",
        )
        for city_id, line in firsts.items()
    ]


__all__ = [
    "SIMULATED_PREFIX",
    "likely_duplicates",
    "name_key",
    "place_key",
    "simulated_id_problems",
]
