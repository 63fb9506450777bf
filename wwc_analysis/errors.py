"""Errors that carry their explanation: validation problems (all of them at once), user errors."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    ``row`` is the line number in the file as a text editor shows it (the header is line 1), or
    ``None`` when the problem concerns the whole file (missing column, empty file, bad encoding...).
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


@dataclass(frozen=True)
class DataWarning:
    """Something in an input file that is allowed but probably wrong (two ids that look like one
    city): ``wwc validate`` lists it and exits 0, or 1 with ``--strict``. ``row`` is the line as in
    :class:`Problem`."""

    file: str
    row: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        return f"{where}: warning: {self.message}"


class DataValidationError(ValueError):
    """Raised when input data fails validation; ``problems`` lists every failure found (lazy)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found in the input data:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class UserError(Exception):
    """An error in the user's input (bad option, unknown name, missing file): the command line
    prints the message on one line, without a traceback, and exits with ``code``."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code
