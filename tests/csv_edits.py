"""Edits of a data directory's CSV files for the bad-input tests: each breaker changes one thing.

Line numbers are those an editor shows: the header is line 1, the first data row line 2 (the tiny
record of tests/fixtures/tiny has no field spanning several lines).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

Breaker = Callable[[Path], None]


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def set_cell(file: str, line: int, column: str, value: str) -> Breaker:
    """Set one cell; ``line`` is the file line (the shipped files have no multi-line fields)."""

    def run(d: Path) -> None:
        rows = read_rows(d / file)
        rows[line - 1][rows[0].index(column)] = value
        write_rows(d / file, rows)

    return run


def drop_column(file: str, column: str) -> Breaker:
    def run(d: Path) -> None:
        rows = read_rows(d / file)
        i = rows[0].index(column)
        write_rows(d / file, [row[:i] + row[i + 1 :] for row in rows])

    return run


def add_column(file: str, column: str, value: str) -> Breaker:
    def run(d: Path) -> None:
        rows = read_rows(d / file)
        write_rows(d / file, [rows[0] + [column]] + [row + [value] for row in rows[1:]])

    return run


def rename_column(file: str, old: str, new: str) -> Breaker:
    def run(d: Path) -> None:
        rows = read_rows(d / file)
        rows[0][rows[0].index(old)] = new
        write_rows(d / file, rows)

    return run


def append_copy_of_line(file: str, line: int) -> Breaker:
    def run(d: Path) -> None:
        rows = read_rows(d / file)
        write_rows(d / file, rows + [list(rows[line - 1])])

    return run


def delete_line(file: str, line: int) -> Breaker:
    def run(d: Path) -> None:
        rows = read_rows(d / file)
        del rows[line - 1]
        write_rows(d / file, rows)

    return run


def edit_row(file: str, line: int, edit: Callable[[list[str]], list[str]]) -> Breaker:
    def run(d: Path) -> None:
        rows = read_rows(d / file)
        rows[line - 1] = edit(rows[line - 1])
        write_rows(d / file, rows)

    return run


def write_bytes(file: str, data: bytes) -> Breaker:
    def run(d: Path) -> None:
        (d / file).write_bytes(data)

    return run


def transform_bytes(file: str, fn: Callable[[bytes], bytes]) -> Breaker:
    def run(d: Path) -> None:
        (d / file).write_bytes(fn((d / file).read_bytes()))

    return run


def remove(file: str) -> Breaker:
    def run(d: Path) -> None:
        (d / file).unlink()

    return run


def break_three_files(d: Path) -> None:
    """Three problems in three files: a level, a negative count, an empty file."""
    set_cell("certifications.csv", 3, "level", "Bronze")(d)
    set_cell("rounds.csv", 4, "reported_new", "-1")(d)
    write_bytes("unplaced.csv", b"")(d)


def add_simulated(folder: Path, round_id: str = "2024-01", standard: str = "2022") -> Path:
    """Give a record copy a small ``simulated/assessments.csv`` of its own that fits it (two
    fictional cities, every criterion of ``standard``, in ``round_id``): ``wwc report`` then reads
    it rather than the project's shipped file, which fits only the shipped record."""
    rows = read_rows(folder / f"criteria_{standard}.csv")
    codes = [r[rows[0].index("code")] for r in rows[1:]]
    out = [["city_id", "round_id", "criterion", "met", "outcome_met", "simulated"]]
    out += [
        [c, round_id, k, "true", "true", "true"] for c in ("sim-0001", "sim-0002") for k in codes
    ]
    (folder / "simulated").mkdir(exist_ok=True)
    write_rows(folder / "simulated" / "assessments.csv", out)
    return folder / "simulated" / "assessments.csv"
