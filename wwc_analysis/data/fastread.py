"""The fast path of reading a CSV table: pandas' C parser, for the common case of a plain file.

:func:`fast_raw_frame` returns the cells of a file as :func:`~wwc_analysis.data.read.csv_records`
and :func:`~wwc_analysis.data.read.raw_frame` would read them, at the same line numbers, or
``None`` when it cannot be sure of that; the caller then takes the slow path, which reads record by
record and names every problem at its line. Columns of identifiers, codes and flags come back as
categoricals (the parser factorizes them while reading, so that the checks work on integer codes),
free text as strings. The fast path is sure only of a file in which every record is one line
holding exactly the header's fields:

- the bytes are UTF-8 (a byte-order mark is accepted) without NUL or a lone carriage return;
- the header is unquoted and names only known columns, each once, every required one present;
- every ``"`` belongs to a well-formed quoted field (``"..."`` with ``""`` inside, directly between
  delimiters), checked on the positions of the quotes: the Python reader refuses some forms that
  the C parser accepts;
- no line is blank, no row has too many or too few fields: the commas outside quoted fields are
  ``(fields - 1) x records`` and the parser's rows are the file's records (a quoted field may
  span lines: its record is numbered by the line it starts on, as the slow path numbers it);
- no field is longer than the Python reader's limit (``csv.field_size_limit()``);
- a categorical column's values are read as text (pandas turns a column of true/false words into
  booleans: accepted only for a boolean column, where the words mean just that);
- at most ``max_rows`` data rows.

Anything else, a broken file or only an unusual one, goes the slow way: a fast answer is never a
different answer (tests/unit/test_fast_path.py holds both paths to that).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from wwc_analysis.data.schemas import COLUMNS, OPTIONAL_COLUMNS, SCHEMAS

_BOM = b"\xef\xbb\xbf"
_COMMA, _QUOTE, _LF, _CR = ord(","), ord('"'), ord("\n"), ord("\r")


def fast_raw_frame(
    path: Path, table: str, max_rows: int, categorical: bool = True
) -> pd.DataFrame | None:
    """The cells of ``path`` (index ``line``), or ``None`` when the file is not plain enough to be
    parsed in bulk with certainly the same result as the slow path. Without ``categorical``
    every column is text, exactly the slow path's frame of raw strings."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    header = _plain_header(data, table)
    if header is None or b"\x00" in data:
        return None
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None
    lines = _record_lines(data, len(header), max_rows)
    if lines is None:
        return None
    frame = _parse(data, header, categorical_columns(table) if categorical else set())
    if frame is None or frame.shape != (len(lines), len(header)):
        return None
    if not _text_kept(frame, table, header):
        return None
    frame.columns = header
    frame.index = pd.Index(lines, name="line")
    return frame[[name for name in COLUMNS[table] if name in header]]


def _plain_header(data: bytes, table: str) -> list[str] | None:
    """The header's names when it is unquoted and names each known column once, with every
    required column; ``None`` otherwise (the slow path reports what is wrong)."""
    end = data.find(b"\n")
    first = data[: len(data) if end < 0 else end].removeprefix(_BOM).removesuffix(b"\r")
    if b'"' in first:
        return None
    try:
        header = next(csv.reader([first.decode("utf-8")]))
    except (UnicodeDecodeError, StopIteration, csv.Error):
        return None
    columns, optional = COLUMNS[table], OPTIONAL_COLUMNS.get(table, {})
    required = [c for c in columns if c not in optional]
    if len(set(header)) != len(header) or not set(required) <= set(header) <= set(columns):
        return None
    return header


def categorical_columns(table: str) -> set[str]:
    """The columns read as categoricals: flags, levels, and the text columns of keys (ids,
    codes), which repeat. Numbers, dates and standards stay text (pandas would turn a column of
    number words into numbers: "012" would become 12, "2022" 2022), and so does free text (names,
    notes, sources)."""
    keyed = set(SCHEMAS[table].unique or []) - {"standard"}
    return {
        name
        for name, dtype in COLUMNS[table].items()
        if dtype == "bool" or isinstance(dtype, pd.CategoricalDtype) or name in keyed
    }


def _parse(data: bytes, header: list[str], categorical: set[str]) -> pd.DataFrame | None:
    dtypes = {i: "category" if name in categorical else object for i, name in enumerate(header)}
    try:
        return pd.read_csv(
            io.BytesIO(data),
            header=None,
            skiprows=1,
            dtype=dtypes,
            na_filter=False,
            encoding="utf-8",
            encoding_errors="strict",
            engine="c",
            quotechar='"',
            doublequote=True,
        )
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError):
        return None


def _text_kept(frame: pd.DataFrame, table: str, header: list[str]) -> bool:
    """Every cell is the text of the file: categories are strings (or booleans, in a boolean
    column: pandas reads a column of true/false words so) and no field is longer than the Python
    reader accepts."""
    limit = csv.field_size_limit() - 1
    for position, name in enumerate(header):
        values = frame.iloc[:, position]
        if isinstance(values.dtype, pd.CategoricalDtype):
            categories = values.cat.categories
            if categories.dtype == bool and COLUMNS[table][name] == "bool":
                continue
            if not pd.api.types.is_string_dtype(categories.dtype):
                return False
            texts = categories.to_numpy(dtype=object)
        else:
            texts = values.to_numpy(dtype=object)
        if len(texts) and max(map(len, texts)) >= limit:
            return False
    return True


def _record_lines(data: bytes, width: int, max_rows: int) -> np.ndarray | None:
    """The line on which each data record starts, when every record holds ``width`` fields and
    every quote belongs to a well-formed quoted field; ``None`` otherwise, or beyond ``max_rows``.

    Records end at the line breaks outside quoted fields. The commas outside quoted fields must
    number ``(width - 1)`` per record: a record with too many fields stops the parser, one with
    too few (or a blank line) leaves the count short.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    if b'"' not in data:
        records = int(np.count_nonzero(raw == _LF)) + (0 if data.endswith(b"\n") else 1)
        commas = int(np.count_nonzero(raw == _COMMA))
        if not 1 < records <= max_rows + 1 or commas != (width - 1) * records:
            return None
        return np.arange(2, records + 1)
    spans = _quoted_spans(raw)
    if spans is None:
        return None
    commas = np.flatnonzero(raw == _COMMA)
    newlines = np.flatnonzero(raw == _LF)
    quoted_commas = np.searchsorted(commas, spans[1]) - np.searchsorted(commas, spans[0])
    # each newline inside a quoted field continues its record
    change = np.zeros(len(newlines) + 1, dtype=np.int64)
    np.add.at(change, np.searchsorted(newlines, spans[0]), 1)
    np.add.at(change, np.searchsorted(newlines, spans[1]), -1)
    ends = np.flatnonzero(np.cumsum(change)[:-1] == 0)  # indices of the newlines ending records
    records = len(ends) + (0 if data.endswith(b"\n") else 1)
    outside = len(commas) - int(quoted_commas.sum())
    if not 1 < records <= max_rows + 1 or outside != (width - 1) * records:
        return None
    return ends[: records - 1] + 2  # record i starts after the (i+1)-th record end


def _quoted_spans(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Start and stop positions of the quoted fields when every quote belongs to a well-formed
    one; ``None`` otherwise.

    Quotes come in runs of consecutive quotes. A run after a field boundary (``,``, a line break
    or the start) opens a field: it is the opening quote and escaped pairs (odd length), or a
    whole field of quotes when a boundary also follows it (even length). A run before a boundary
    closes a field (pairs, then the closing quote: odd). A run between two other characters is
    escaped pairs inside a field (even). Opening and closing runs must alternate, pairs inside.
    """
    quotes = np.flatnonzero(raw == _QUOTE)
    breaks = np.flatnonzero(np.diff(quotes) != 1) + 1
    first = quotes[np.r_[0, breaks]]
    length = np.diff(np.r_[0, breaks, len(quotes)])
    after = first + length
    before_char = np.where(first > 0, raw[np.maximum(first - 1, 0)], _LF)
    after_char = np.where(after < len(raw), raw[np.minimum(after, len(raw) - 1)], _LF)
    opens = np.isin(before_char, (_COMMA, _LF))
    closes = np.isin(after_char, (_COMMA, _LF, _CR))
    odd = length % 2 == 1
    start, stop = opens & ~closes, closes & ~opens
    whole, inner = opens & closes, ~opens & ~closes
    if not (odd[start].all() and odd[stop].all() and not odd[whole].any() and not odd[inner].any()):
        return None
    depth = np.cumsum(start.astype(np.int64) - stop.astype(np.int64))
    entered = depth - start + stop  # the depth before each run
    if (
        (depth < 0).any()
        or (depth > 1).any()
        or (len(depth) and depth[-1] != 0)
        or (entered[start | whole] != 0).any()
        or (entered[stop | inner] != 1).any()
    ):
        return None
    return first[start], after[stop]
