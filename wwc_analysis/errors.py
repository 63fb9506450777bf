"""Errors that carry their explanation: validation problems (all of them at once), user errors."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Characters that must never reach a terminal raw: C0 controls (tab and newline aside), DEL, C1
#: controls and the bidirectional overrides that reorder how a line reads. A data file could
#: otherwise drive the terminal that prints its problems (ANSI escapes) or hide text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_OR_NEWLINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: object, keep_newlines: bool = True) -> str:
    """``text`` with every control character written as an escape (``\\x1b``, ``\\u202e``), so
    that printing it cannot drive a terminal; tabs are kept, and newlines unless
    ``keep_newlines`` is false (a one-line message)."""
    pattern = CONTROL_CHARACTERS if keep_newlines else _CONTROL_OR_NEWLINE
    return pattern.sub(_escape, str(text))


_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


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
        """One line: ``file:row: column 'c': value 'v': expected ...``, control characters of
        any part escaped (a value quoted from a file may hold them)."""
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        parts = [where]
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        if self.value is not None:
            parts.append(f"value {self.value!r}")
        parts.append(f"expected {self.expected}")
        return printable(": ".join(parts), keep_newlines=False)


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


class Terminated(KeyboardInterrupt):
    """A termination signal (SIGTERM, e.g. ``kill PID`` or a job scheduler stopping the run),
    raised in the main thread by the handler the command line installs. It is a
    ``KeyboardInterrupt``, so whatever cleans up after Ctrl-C cleans up after it too; the command
    exits 128 + the signal number (143)."""

    def __init__(self, signum: int = 15):
        super().__init__(f"terminated by signal {signum}")
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum
