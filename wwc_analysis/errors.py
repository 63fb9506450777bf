"""Validation problems and the error that carries all of them at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    ``row`` is the line number in the file as a text editor shows it (the header is line 1), or ``None``
    when the problem concerns the whole file (missing column, empty file, bad encoding...).
    """

    file: str
    row: int | None
    column: str | None
    value: object
    expected: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        parts = [where]
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.value is not None:
            parts.append(f"value {self.value!r}")
        parts.append(f"expected {self.expected}")
        return ": ".join(parts)


class DataValidationError(ValueError):
    """Raised when input data fails validation; ``problems`` lists every failure found (lazy mode)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found in the input data:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))
