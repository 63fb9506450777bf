"""Tables for people: readable headers, no row index, one sign for a missing value, wrapped text,
and the SIMULATED caption on frames built on simulated data (``df.attrs["simulated"]``)."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd
from pandas.api.types import infer_dtype, is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from wwc_analysis.text.words import DASH, short_day

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler


# --- tables for the report ------------------------------------------------------------------------
#: How a missing value (not reported, not known, not applicable) is shown in a table for people.
MISSING = DASH
#: Which columns a table shows: names in order, or names mapped to headers (``None`` = readable).
Columns = Mapping[str, str | None] | Iterable[str] | None
#: Per-column formats, by column name or header: a format string or a function.
Formats = Mapping[str, str | Callable] | None


_TABLE_CSS = [
    {
        "selector": "",
        "props": "border-collapse: collapse; font-size: 0.9em; margin: 0.4em 0 1.2em 0;",
    },
    # a caption wider than a narrow table stays one line
    {
        "selector": "caption",
        "props": "caption-side: top; text-align: left; font-weight: bold; "
        "padding: 0 0 6px 0; white-space: nowrap;",
    },
    {
        "selector": "th",
        "props": "text-align: left; vertical-align: bottom; padding: 3px 10px; "
        "border-bottom: 1px solid #999; white-space: nowrap;",
    },
    {
        "selector": "td",
        "props": "text-align: left; vertical-align: top; padding: 3px 10px; "
        "border-bottom: 1px solid #eee; white-space: nowrap;",
    },
]


def readable(name) -> str:
    """A column name as a header: ``'last_known_level'`` -> ``'Last known level'``, ``'total'`` ->
    ``'Total'``."""
    text = " ".join(str(name).replace("_", " ").split())
    return text[:1].upper() + text[1:]


def _cell_formatter(series: pd.Series, fmt) -> Callable[[object], str]:
    if fmt is not None:
        return fmt.format if isinstance(fmt, str) else fmt
    if is_bool_dtype(series.dtype) or infer_dtype(series, skipna=True) == "boolean":
        return lambda v: "yes" if bool(v) else ""
    if is_datetime64_any_dtype(series.dtype):
        return short_day
    if is_numeric_dtype(series.dtype) and not pd.api.types.is_integer_dtype(series.dtype):
        return lambda v: f"{v:.2f}"
    return str


def _report_frame(
    df: pd.DataFrame, columns, index, formats
) -> tuple[pd.DataFrame, list[str], dict]:
    """The display frame (all text), the headers of its numeric columns (aligned right) and the
    header of each column name."""
    names = list(df.index.names)
    named = any(n is not None for n in names)
    blank = {}  # the header of a lone unnamed index level shown: empty, as a row-label column
    if named if index is None else index:
        out = df.reset_index()
        if names.count(None) == 1:
            blank[out.columns[names.index(None)]] = ""
    else:
        out = df.reset_index(drop=True)
    if columns is None:
        columns = dict.fromkeys(out.columns)
    elif not isinstance(columns, Mapping):
        columns = dict.fromkeys(columns)
    unknown = [c for c in columns if c not in out.columns]
    if unknown:
        raise KeyError(f"no column {unknown[0]!r}; columns: {', '.join(map(str, out.columns))}")
    formats = dict(formats or {})
    text, numeric, labels = {}, [], {}
    for col, label in columns.items():
        label = labels[col] = blank.get(col, readable(col)) if label is None else str(label)
        if label in text:
            raise ValueError(
                f"two columns would have the header {label!r}: give them distinct headers"
            )
        series = out[col]
        fmt = formats.get(col, formats.get(label))
        show = _cell_formatter(series, fmt)
        text[label] = [MISSING if _missing(v) else show(v) for v in series.astype(object)]
        if is_numeric_dtype(series.dtype) and not is_bool_dtype(series.dtype):
            numeric.append(label)
    return pd.DataFrame(text, columns=list(text), dtype=object), numeric, labels


def _missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # list-like cells are never "missing"
        return False


def report_frame(
    df: pd.DataFrame, columns: Columns = None, *, index: bool | None = None, formats: Formats = None
) -> pd.DataFrame:
    """``df`` as a table for people, every cell text, with a plain 0..n-1 index.

    * ``columns``: which columns to show, in order; a mapping gives each its header (``None`` = the
      name made readable by :func:`readable`, as for every column when ``columns`` is not given);
    * ``index``: the index levels become leading columns when they are named (``None``, the
      default), always (``True``) or never (``False``): a row number or filtered ``RangeIndex`` is
      never shown; a single unnamed index level shown with ``index=True`` (row labels) gets an empty
      header;
    * booleans show as ``yes`` / blank, missing values (``NaN``, ``None``, ``<NA>``) as ``–``;
      floats with 2 decimals, dates as ``5 Jan 2026`` (no leading zero); ``formats`` overrides
      per column (by name or header), with a format string (``"{:.0%}"``) or a function.
    """
    return _report_frame(df, columns, index, formats)[0]


def report_text(
    df: pd.DataFrame, columns: Columns = None, *, index: bool | None = None, formats: Formats = None
) -> str:
    """:func:`report_frame` as plain text for ``print``: no row numbers, ``–`` for missing values,
    text aligned left and numbers right, columns two spaces apart, no trailing spaces."""
    frame, numeric, _ = _report_frame(df, columns, index, formats)
    widths = {c: max([len(c), *(len(v) for v in frame[c])]) for c in frame.columns}

    def line(values) -> str:
        cells = [
            v.rjust(widths[c]) if c in numeric else v.ljust(widths[c])
            for c, v in zip(frame.columns, values)
        ]
        return "  ".join(cells).rstrip()

    return "\n".join([line(frame.columns), *(line(row) for row in frame.itertuples(index=False))])


#: Column groups of :func:`grouped_text`: each a label over its columns, and the columns (names,
#: or names mapped to their own headers).
Groups = Sequence[tuple[str, Mapping[str, str | None] | Sequence[str]]]


def grouped_text(
    df: pd.DataFrame, groups: Groups, *, formats: Formats = None, gap: int = 1, group_gap: int = 2
) -> str:
    """A table for a terminal whose columns are grouped under a label: two header lines (the group
    labels, then each column's own header), then one line per row, as :func:`report_text` writes
    them (``–`` for missing values, text left and numbers right, no trailing spaces).

    ``groups`` is a sequence of ``(label, columns)``: a column alone may take its label as its
    whole header (``("", {"round_id": "Round"})``) or split it on two lines (``("Level",
    {"level_unknown": "unknown"})``). Columns of a group are ``gap`` spaces apart, groups
    ``group_gap``; a label longer than its columns leaves blank space after them.
    """
    # the frame's columns keep their names (headers may repeat from one group to the next)
    names = [str(c) for _, cols in groups for c in _as_mapping(cols)]
    frame, numeric, _ = _report_frame(df, dict(zip(names, names)), False, formats)
    lines: list[list[str]] = [[] for _ in range(len(frame) + 2)]
    for label, cols in groups:
        cols = _as_mapping(cols)
        heads = [readable(c) if h is None else h for c, h in cols.items()]
        widths = [max([len(h), *(len(v) for v in frame[c])]) for c, h in zip(cols, heads)]
        width = max(len(label), sum(widths) + gap * (len(widths) - 1))
        right = [c in numeric for c in cols]
        lines[0].append(label.ljust(width))
        for line, values in zip(lines[1:], [heads, *frame[list(cols)].itertuples(index=False)]):
            cells = [v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right)]
            line.append((" " * gap).join(cells).ljust(width))
    sep = " " * group_gap
    return "\n".join(sep.join(cells).rstrip() for cells in lines if "".join(cells).strip())


def _as_mapping(columns) -> Mapping[str, str | None]:
    return columns if isinstance(columns, Mapping) else dict.fromkeys(columns)


def report_table(
    df: pd.DataFrame,
    columns: Columns = None,
    *,
    index: bool | None = None,
    formats: Formats = None,
    wrap: Iterable[str] = (),
    caption: str | None = None,
    raw_html: Iterable[str] = (),
) -> Styler:
    """:func:`report_frame` as a styled table to ``display`` in a notebook (and so in the HTML
    report).

    No row index; text aligned left and numbers right; cells do not break lines except in the
    ``wrap`` columns (by name or header), which wrap long text such as a reason. ``caption`` is
    shown above the table; a frame whose ``attrs["simulated"]`` is true gets a caption saying
    SIMULATED whatever ``caption`` says. Cells, headers and caption are HTML-escaped, except the
    cells of the ``raw_html`` columns (by name or header), which already hold HTML made by the
    package (such as the numbered source links of :func:`text.annual.sources_html`) and are shown as
    is. The table's HTML id is derived from its content, so a report renders the same bytes on every
    run.
    """
    frame, numeric, labels = _report_frame(df, columns, index, formats)
    wrapped = _headers(wrap, labels, frame, "to wrap")
    trusted = _headers(raw_html, labels, frame, "to show as HTML")
    if df.attrs.get("simulated") and "SIMULATED" not in (caption or ""):
        caption = "SIMULATED DATA: fictional cities." + (f" {caption}" if caption else "")
    marked = ["\x1e", *trusted] if trusted else []
    key = "\x1f".join([frame.to_csv(index=False), caption or "", *wrapped, *marked])
    uuid = hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
    from pandas.io.formats.style import Styler

    styler = (
        Styler(frame, uuid=uuid, cell_ids=False)
        .hide(axis="index")
        .set_table_styles(_TABLE_CSS)
        .format(escape="html")
        .format_index(escape="html", axis="columns")
    )
    if trusted:
        styler = styler.format(escape=None, subset=trusted)
    per_column = {c: [{"selector": "", "props": "text-align: right;"}] for c in numeric}
    for c in wrapped:
        per_column.setdefault(c, []).append(
            {"selector": "td", "props": "white-space: normal; min-width: 14em; max-width: 36em;"}
        )
    if per_column:
        styler = styler.set_table_styles(per_column, overwrite=False)
    if caption:
        styler = styler.set_caption(html.escape(caption, quote=False))
    return styler


def _headers(names: Iterable[str], labels: Mapping, frame: pd.DataFrame, what: str) -> list[str]:
    """The headers of ``names`` (column names or headers) in a :func:`_report_frame`; a KeyError
    names the first that is not shown."""
    out = [labels.get(c, c) for c in ([names] if isinstance(names, str) else names)]
    missing = [c for c in out if c not in frame.columns]
    if missing:
        raise KeyError(f"no column {missing[0]!r} {what}; columns: {', '.join(frame.columns)}")
    return out


__all__ = ["MISSING", "grouped_text", "readable", "report_frame", "report_table", "report_text"]
