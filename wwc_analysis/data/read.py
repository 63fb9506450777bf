"""Reading a table file into raw strings: bytes -> decoded text -> records -> a frame of strings.

No typing happens here (see :mod:`wwc_analysis.data.convert`): every cell stays the text the file
holds, so that a problem can quote it. Each record keeps its line number as an editor shows it
(header = line 1; a quoted field spanning several lines counts all its lines, and the record is
numbered by the line it starts on); for an Excel workbook it is the worksheet row. Every failure is
a :class:`~wwc_analysis.errors.Problem`: encoding (one per invalid byte sequence, up to
``_MAX_ENCODING_PROBLEMS``), malformed CSV, wrong delimiter, unknown, repeated or missing columns,
and rows with the wrong number of fields (named and left out of the frame).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from pathlib import Path

import pandas as pd

from wwc_analysis.data.schemas import COLUMNS, OPTIONAL_COLUMNS
from wwc_analysis.errors import Problem

#: The records of a file: ``(line, fields)`` per non-blank record, the header first.
Records = list[tuple[int, list[str]]]
#: File suffixes read as Excel workbooks (assessment files only).
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: The most data rows a table file may hold unless the caller raises it (``max_rows``): far above
#: any real table (the 20,000-city simulated export has 1.24 M rows), low enough that a hostile file
#: is refused before it exhausts memory.
DEFAULT_MAX_ROWS = 2_000_000
#: The rows of an Excel worksheet (its own limit: a sheet that claims more was not made by Excel).
EXCEL_MAX_ROWS = 1_048_576
_MAX_ENCODING_PROBLEMS = 10


def decode(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """Decode UTF-8 (BOM allowed); if invalid, a problem per bad byte sequence (line, offset)."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    problems: list[Problem] = []
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    count = 0
    while start < len(data):
        try:
            data[start:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            offset = start + exc.start
            bad = data[offset : start + exc.end]
            count += 1
            if count <= _MAX_ENCODING_PROBLEMS:
                line = data.count(b"\n", 0, offset) + 1
                in_line = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
                problems.append(
                    Problem(
                        file,
                        line,
                        None,
                        "0x" + bad.hex(),
                        f"UTF-8 text: byte {'0x' + bad[:1].hex()} at byte offset {offset} "
                        f"of the file (byte {in_line} of line {line}) is not valid UTF-8; "
                        "save the file as UTF-8",
                    )
                )
            start = start + exc.end
    if count > _MAX_ENCODING_PROBLEMS:
        problems.append(
            Problem(
                file,
                None,
                None,
                None,
                f"UTF-8 text: {count - _MAX_ENCODING_PROBLEMS} more invalid byte sequences "
                "not listed",
            )
        )
    return None, problems


def csv_records(
    path: Path, file: str, max_rows: int = DEFAULT_MAX_ROWS
) -> tuple[Records | None, list[Problem]]:
    """Records of a CSV file as ``(line, fields)``; ``None`` when the file cannot be read at all
    or has more than ``max_rows`` data rows."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(file, None, None, None, f"the file to exist (not found: {path})")]
    except IsADirectoryError:
        return None, [Problem(file, None, None, None, f"a file, but {path} is a directory")]
    except OSError as exc:
        return None, [Problem(file, None, None, None, f"a readable file ({exc.strerror or exc})")]
    if not data:
        return None, [
            Problem(
                file,
                None,
                None,
                None,
                "a header row and data rows, but the file is empty (0 bytes)",
            )
        ]
    text, problems = decode(data, file)
    if text is None:
        return None, problems
    records: Records = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous = 0
    try:
        for fields in reader:
            start, previous = previous + 1, reader.line_num
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # blank line: no data
            if len(records) > max_rows:  # the header and max_rows data rows are in
                return None, [_too_many_rows(file, max_rows, "file")]
            records.append((start, fields))
    except csv.Error as exc:
        problems.append(
            Problem(
                file,
                previous + 1,
                None,
                None,
                f"well-formed CSV with standard double-quote quoting ({exc}); "
                "this record and everything after it could not be read",
            )
        )
    return records, problems


def _cell_text(value: object) -> str:
    """An Excel cell as the text a CSV file would hold (real booleans become true/false)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value)


def excel_records(
    path: Path, file: str, max_rows: int = DEFAULT_MAX_ROWS
) -> tuple[Records | None, list[Problem]]:
    """Records of the ``assessments`` sheet (or the first sheet) as ``(excel row, fields)``.

    The sheet is streamed (read-only mode), at most ``max_rows`` data rows and never more than
    Excel's own 1,048,576 rows: a small file whose sheet claims millions of rows is refused at the
    limit, without building them. A formula is never evaluated: each formula cell is a problem
    naming it (its field is left empty), not a silently empty cell.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not path.exists():
        return None, [Problem(file, None, None, None, f"the file to exist (not found: {path})")]
    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        return None, [Problem(file, None, None, None, f"a readable .xlsx workbook ({exc})")]
    try:
        names = workbook.sheetnames
        sheet = workbook["assessments"] if "assessments" in names else workbook.worksheets[0]
        sheet.reset_dimensions()  # every row the sheet holds, not the range its header claims
        records, problems = _sheet_records(sheet, file, min(max_rows, EXCEL_MAX_ROWS))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        return None, [Problem(file, None, None, None, f"a readable .xlsx workbook ({exc})")]
    finally:
        workbook.close()
    if not records:
        return None, problems or [
            Problem(file, None, None, None, "a header row and data rows, but the sheet is empty")
        ]
    return records, problems


def _sheet_records(sheet, file: str, max_rows: int) -> tuple[Records, list[Problem]]:
    """The non-blank rows of a read-only sheet, a problem per formula cell, and one for a sheet
    longer than ``max_rows`` data rows (then no row is kept: the file is not read)."""
    records: Records = []
    problems: list[Problem] = []
    header: list[str] = []
    for number, row in enumerate(sheet.iter_rows(min_row=1), start=1):
        if number > max_rows + 1:
            return [], [_too_many_rows(file, max_rows, "sheet")]
        fields = []
        for i, cell in enumerate(row):
            if getattr(cell, "data_type", None) == "f":
                column = header[i] if i < len(header) else f"column {i + 1}"
                problems.append(_formula_problem(file, number, column, cell.value))
                fields.append("")
            else:
                fields.append(_cell_text(cell.value))
        while fields and not fields[-1].strip():
            fields.pop()
        if fields:
            header = header or fields
            records.append((number, fields))
    return records, problems


def _formula_problem(file: str, row: int, column: str, formula: object) -> Problem:
    text = getattr(formula, "text", formula)  # an array formula keeps its text there
    return Problem(
        file,
        row,
        column,
        str(text),
        "a plain value, but the cell holds a formula, which is not evaluated: replace the "
        "formulas by their values (copy, then paste values) or save the sheet as CSV",
    )


def _too_many_rows(file: str, max_rows: int, what: str) -> Problem:
    return Problem(
        file,
        None,
        None,
        None,
        f"at most {max_rows:,} rows of data, but the {what} has more; nothing was read (a "
        "genuine file can be read with a higher limit: max_rows, or --max-rows on the command "
        "line)",
    )


def raw_frame(
    records: Records, table: str, file: str, excel: bool = False
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Check the header and field counts; return the known columns' raw strings (index: line)."""
    columns = COLUMNS[table]
    if not records:
        return None, [Problem(file, None, None, None, "a header row, but the file has no content")]
    header_line, header = records[0]
    wrong_delimiter = _delimiter_problem(header_line, header, file)
    if wrong_delimiter is not None:
        return None, [wrong_delimiter]
    position, problems = _header_problems(header, table, file)
    if len(records) == 1:
        problems.append(
            Problem(
                file, None, None, None, "at least one data row, but the file has only a header row"
            )
        )
    width = len(header)
    data = records[1:]
    if excel:
        data = [(line, fields + [""] * (width - len(fields))) for line, fields in data]
    data, count_problems = _field_count_problems(data, width, header_line, file)
    problems += count_problems
    lines = [line for line, _ in data]
    rows = [fields for _, fields in data]
    by_position = list(zip(*rows)) if rows else [()] * width
    known = {name: by_position[i] for name, i in position.items() if name in columns}
    raw = pd.DataFrame(known, index=pd.Index(lines, name="line"), dtype=object)
    return raw, problems


def _delimiter_problem(header_line: int, header: list[str], file: str) -> Problem | None:
    """A header read as one field that holds ';' or tabs: the file uses another delimiter."""
    if len(header) == 1:
        for sep, label in ((";", "';'"), ("\t", "tabs")):
            if sep in header[0]:
                return Problem(
                    file,
                    header_line,
                    None,
                    header[0][:60],
                    f"comma-separated values, but the header is one field split by {label}; "
                    "save the file with ',' as the delimiter",
                )
    return None


def _header_problems(
    header: list[str], table: str, file: str
) -> tuple[dict[str, int], list[Problem]]:
    """Position of each column name (its first occurrence) and the problems of the header:
    repeated and unknown names (in header order, with a hint for near misses), then missing required
    columns."""
    columns = COLUMNS[table]
    optional = OPTIONAL_COLUMNS.get(table, {})
    problems: list[Problem] = []
    expected_list = ", ".join(columns)
    position: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in position:
            continue
        position[name] = i
        if header.count(name) > 1:
            problems.append(
                Problem(
                    file,
                    None,
                    name,
                    name,
                    f"each column once, but {name!r} appears {header.count(name)} times "
                    "in the header",
                )
            )
        if name not in columns:
            hint = ""
            if name.strip() in columns:
                hint = " (it has blanks around the name)"
            elif name.lower() in columns:
                hint = " (column names are lowercase)"
            problems.append(
                Problem(
                    file,
                    None,
                    name,
                    name,
                    f"only the columns {expected_list}; {name!r} is not one of them{hint}",
                )
            )
    for name in columns:
        if name not in position and name not in optional:
            problems.append(
                Problem(
                    file,
                    None,
                    name,
                    None,
                    f"a column {name!r} in the header (required columns: "
                    f"{', '.join(c for c in columns if c not in optional)})",
                )
            )
    return position, problems


def _field_count_problems(
    data: Records, width: int, header_line: int, file: str
) -> tuple[Records, list[Problem]]:
    """The data records with ``width`` fields, and a problem for those without. When every data row
    has the same other count, the header is the odd one out: one problem, and no row is read."""
    problems: list[Problem] = []
    counts = {len(fields) for _, fields in data}
    if len(data) > 1 and len(counts) == 1 and width not in counts:
        (count,) = counts
        first, last = data[0][0], data[-1][0]
        problems.append(
            Problem(
                file,
                header_line,
                None,
                f"{width} header fields",
                "a header with as many fields as the data rows: every data row "
                f"(lines {first}-{last}, {len(data)} rows) has {count} fields; none was read",
            )
        )
        data = []
    if counts - {width}:
        for line, fields in data:
            if len(fields) != width:
                what = "too many" if len(fields) > width else "too few"
                problems.append(
                    Problem(
                        file,
                        line,
                        None,
                        f"{len(fields)} fields",
                        f"{width} fields as in the header ({what} fields: a comma or quote is "
                        "probably missing or extra); the row was not read",
                    )
                )
        data = [(line, fields) for line, fields in data if len(fields) == width]
    return data, problems
