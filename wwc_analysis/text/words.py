"""Words for computed prose: counts with their nouns, number words, lists joined with "and", dates,
and the one sign for a missing value."""

from __future__ import annotations

import pandas as pd

#: How a missing value (not reported, not known, not applicable) is shown to a reader.
DASH = "\u2013"
_SMALL = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """'1 country', '3 countries', '0 rounds': a count with its noun for computed prose."""
    if int(n) == 1:
        return f"{int(n)} {singular}"
    if plural_form is None:
        consonant_y = singular.endswith("y") and singular[-2:-1] not in "aeiou"
        plural_form = singular[:-1] + "ies" if consonant_y else singular + "s"
    return f"{int(n)} {plural_form}"


def number_word(n: int) -> str:
    """'no', 'one' ... 'ten', then digits: for counts in running prose."""
    return _SMALL[n] if 0 <= n < len(_SMALL) else str(n)


def count_words(n: int, noun: str) -> str:
    """'two rounds', 'one round', '12 rounds'."""
    return f"{number_word(n)} {noun}" if n == 1 else f"{number_word(n)} {noun}s"


def join_and(items) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def day(ts: pd.Timestamp, approximate: bool = False, with_year: bool = True) -> str:
    """'23 January 2024'; 'about 23 January 2024' when the day is approximate."""
    text = f"{ts.day} {ts:%B}" + (f" {ts.year}" if with_year else "")
    return f"about {text}" if approximate else text


def short_day(ts: pd.Timestamp) -> str:
    """'1 Dec 2026' (no leading zero): figure titles and table cells, where months are short."""
    return f"{ts.day} {ts:%b} {ts.year}"


def display(value) -> str:
    """A value as text for a reader: missing is the dash, a whole float loses its '.0'."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return DASH
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


__all__ = ["DASH", "count_words", "day", "display", "join_and", "number_word", "plural"]
