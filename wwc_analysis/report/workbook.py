"""``tables.xlsx``: every table of a report in one Excel workbook, a sheet per table, and a README
sheet saying what the report was built from and which sheets hold SIMULATED data.

The tables are read back from the CSV files the notebooks wrote (their manifests, ``outputs.json``,
give each table's title, whether it rests on simulated data and its note), so a sheet holds exactly
the CSV's cells: whole numbers and decimals as numbers, everything else as text, an empty cell
empty. A simulated table's sheet starts with the SIMULATED line in bold red, as its CSV does.

Sheet names are at most 31 characters and unique (Excel's rules): the page's number, the round
for a per-round page, and the table's file name. The file's timestamps are the build time, so the
same build gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import zipfile
from collections.abc import Mapping, Sequence
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wwc_analysis.report.outputs import CSV_ENCODING, SIMULATED_NOTE

if TYPE_CHECKING:
    from wwc_analysis.report.document import Report

WORKBOOK = "tables.xlsx"
README = "README"
MAX_SHEET = 31
_BAD = re.compile(r"[\[\]:*?/\\]")
#: Shorter words for sheet names that would be over 31 characters.
_SHORTER = {"simulated": "sim", "geography": "geo", "robustness": "robust", "criteria": "crit"}
_INT = re.compile(r"-?(0|[1-9]\d{0,14})")
_FLOAT = re.compile(r"-?\d+\.\d+(e-?\d+)?")
SIMULATED_FILL = "8B0000"


def sheet_names(entries: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """``{href: sheet name}`` for every table of the pages ``entries`` (see
    :func:`wwc_analysis.report.render.page_entries`): unique, at most 31 characters, without the
    characters Excel refuses."""
    names: dict[str, str] = {}
    taken = {README.casefold()}
    for entry in entries:
        prefix = entry["name"][:2] + (f" {entry['round_id']}" if entry.get("round_id") else "")
        for table in entry["tables"]:
            base = _BAD.sub("-", _fit(prefix, Path(table["file"]).stem))
            name, n = base, 2
            while name.casefold() in taken:
                suffix = f" ~{n}"
                name, n = base[: MAX_SHEET - len(suffix)] + suffix, n + 1
            taken.add(name.casefold())
            names[table["href"]] = name
    return names


def _fit(prefix: str, stem: str) -> str:
    """``prefix stem`` in at most 31 characters: long words shortened, then the last words of the
    stem dropped (never cut inside a word)."""
    name = f"{prefix} {stem}"
    if len(name) <= MAX_SHEET:
        return name
    words = [_SHORTER.get(w, w) for w in stem.split("-")]
    while len(words) > 1 and len(f"{prefix} {'-'.join(words)}") > MAX_SHEET:
        words.pop()
    return f"{prefix} {'-'.join(words)}"[:MAX_SHEET]


def _cell(text: str) -> Any:
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text if text != "" else None


def read_table(path: Path) -> tuple[list[str], list[list[Any]]]:
    """(comment lines, rows) of a CSV table the notebooks wrote: the leading ``# `` lines (the
    SIMULATED label, a note) apart, every other line a row of cells."""
    text = path.read_text(encoding=CSV_ENCODING)
    lines = text.splitlines(keepends=True)
    comments = []
    while lines and lines[0].startswith("# "):
        comments.append(lines.pop(0).strip()[2:])
    rows = [[_cell(c) for c in row] for row in csv.reader(io.StringIO("".join(lines)))]
    return comments, rows


def _widths(rows: Sequence[Sequence[Any]]) -> dict[int, int]:
    """Column widths (characters) that fit the first 200 rows, between 6 and 60."""
    widths: dict[int, int] = {}
    for row in rows[:200]:
        for j, value in enumerate(row, start=1):
            widths[j] = max(widths.get(j, 6), min(60, len(str(value or "")) + 2))
    return widths


def _styled(sheet, value: Any, font) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


def _table_sheet(wb, name: str, table: Mapping[str, Any], folder: Path):
    """A sheet of the table: its comment lines (the SIMULATED one bold red), its header in bold
    and frozen, its rows; columns as wide as their first 200 cells. Rows are written as they come
    (a write-only workbook): the widths and the frozen header are set first."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = wb.create_sheet(name)
    comments, rows = read_table(folder / table["href"])
    for j, width in _widths(rows).items():
        sheet.column_dimensions[get_column_letter(j)].width = width
    sheet.freeze_panes = f"A{len(comments) + 2}"  # below the header
    for line in comments:
        simulated = ("# " + line) == SIMULATED_NOTE
        font = Font(bold=simulated, color=SIMULATED_FILL if simulated else "444444")
        sheet.append([_styled(sheet, line, font)])
    if rows:
        bold = Font(bold=True)
        sheet.append([_styled(sheet, value, bold) for value in rows[0]])
    for row in rows[1:]:
        sheet.append(row)
    return sheet


def readme_rows(report: Report, entries: Sequence[Mapping[str, Any]], names: Mapping) -> list:
    """The README sheet: title, build, record, the SIMULATED rule, then a row per sheet."""
    p = report.provenance or {}
    record = p.get("record") or {}
    edition = (
        f"{record.get('title') or 'the record'}, edition {record['edition']} of "
        f"{record.get('date', '')}"
        if record.get("edition") is not None
        else "edition not stated (no datapackage.json in the data folder)"
    )
    git = p.get("git")
    code = f"git commit {git['commit'][:12]}" if git else "no git commit recorded"
    rows: list[list[Any]] = [
        [f"What Works Cities Certification: report {report.year}, tables"],
        [f"{report.built_words}; counts as of {report.as_of.day} {report.as_of:%B %Y}"],
        [f"Data: {edition}; folder {p.get('data', {}).get('path', '')}"],
        [f"Package: {p.get('package', {}).get('version', '')}; {code}"],
        [
            "Sheets marked SIMULATED hold fictional cities generated by wwc_analysis.simulate, "
            "not real certification results. '–' in a table means not known or not reported."
        ],
        [],
        ["Sheet", "Table", "Page", "CSV file", "Rows", "Simulated", "Note"],
    ]
    for entry in entries:
        for t in entry["tables"]:
            rows.append(
                [
                    names[t["href"]],
                    t.get("title", ""),
                    entry["short_title"],
                    t["href"],
                    t.get("rows"),
                    "SIMULATED" if t.get("simulated") else "",
                    t.get("note") or "",
                ]
            )
    return rows


def _readme(sheet, rows: list, header_row: int = 7) -> None:
    """The README sheet (made first, so it is the first tab; written last, when the provenance is
    known): the title large and bold, the header of the sheet list bold, SIMULATED in bold red."""
    from openpyxl.styles import Font

    for col, width in zip("ABCDEFG", (26, 44, 24, 48, 7, 11, 60)):
        sheet.column_dimensions[col].width = width
    fonts = {1: Font(bold=True, size=14), header_row: Font(bold=True)}
    simulated = Font(bold=True, color=SIMULATED_FILL)
    for i, row in enumerate(rows, start=1):
        font = fonts.get(i)
        sheet.append(
            [
                _styled(sheet, value, font if font else simulated)
                if font or value == "SIMULATED"
                else value
                for value in row
            ]
        )


def _save(wb, path: Path, when) -> None:
    """Save ``wb`` as openpyxl's ``Workbook.save`` does, but keeping the modification time it was
    given (``save`` sets it to the clock, so two builds of the same report would differ) and with
    ``when`` as the time of every zip entry (:class:`_StampedZip`), in one pass."""
    from openpyxl.writer.excel import ExcelWriter

    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    with _StampedZip(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        archive.stamp = stamp
        ExcelWriter(wb, archive).write_data()


class _StampedZip(zipfile.ZipFile):
    """A zip file whose every entry has the time ``stamp`` (not the clock's)."""

    stamp: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        name = getattr(zinfo_or_arcname, "filename", zinfo_or_arcname)
        entry = zipfile.ZipInfo(name, date_time=self.stamp)
        entry.compress_type = zipfile.ZIP_DEFLATED
        super().writestr(entry, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as source:  # a worksheet openpyxl wrote to a temporary file
            self.writestr(arcname or filename, source.read(), compress_type, compresslevel)


class WorkbookBuilder:
    """``tables.xlsx`` built as the runs finish: :meth:`add` writes the sheets of a finished run's
    tables while other notebooks still run (a write-only workbook serialises rows as they are
    added); :meth:`finish` names the sheets (:func:`sheet_names`, which needs every table), puts
    them in page order after the README, writes the README and saves. One thread at a time; the
    file is the same, byte for byte, whatever order the runs finished in."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.wb: Any = None  # made by prepare(): importing openpyxl takes 0.1 s
        self.readme: Any = None
        self.sheets: dict[str, Any] = {}  # table href -> its sheet
        self._lock = threading.Lock()

    def prepare(self) -> None:
        """Make the workbook and its README tab (first use, or ahead of it)."""
        with self._lock:
            self._prepare()

    def _prepare(self) -> None:
        if self.wb is None:
            from openpyxl import Workbook

            self.wb = Workbook(write_only=True)
            self.readme = self.wb.create_sheet(README)  # the first tab

    def add(self, tables: Sequence[Mapping[str, Any]]) -> None:
        """Write a sheet for each of ``tables`` (manifest entries with their ``href``) that has
        none yet, under a provisional name."""
        with self._lock:
            self._prepare()
            for table in tables:
                if table["href"] not in self.sheets:
                    provisional = f"~{len(self.sheets) + 1}"  # no final name starts with "~"
                    self.sheets[table["href"]] = _table_sheet(
                        self.wb, provisional, table, self.folder
                    )

    def finish(self, report: Report, entries: Sequence[Mapping[str, Any]]) -> dict[str, str]:
        """Write ``tables.xlsx`` into the report folder; return ``{table href: sheet name}``."""
        names = sheet_names(entries)
        self.add([table for entry in entries for table in entry["tables"]])
        with self._lock:
            self._prepare()
            for href in [h for h in self.sheets if h not in names]:  # a table no page lists
                self.wb.remove(self.sheets.pop(href))
            for position, (href, name) in enumerate(names.items(), start=1):
                sheet = self.sheets[href]
                sheet.title = name
                self.wb.move_sheet(name, position - self.wb.index(sheet))  # by its name
            wb = self.wb
            when = report.built_at.astimezone(UTC).replace(tzinfo=None)
            wb.properties.created = wb.properties.modified = when
            wb.properties.creator = "wwc-analysis"
            wb.properties.title = f"WWC Certification report {report.year}: tables"
            _readme(self.readme, readme_rows(report, entries, names))
            path = report.folder / WORKBOOK
            _save(wb, path, when)
        return names


__all__ = [
    "README",
    "WORKBOOK",
    "WorkbookBuilder",
    "read_table",
    "readme_rows",
    "sheet_names",
]
