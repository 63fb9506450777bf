"""Every ``wwc`` command ends in exit 0, 1 or 2 with plain words: an unexpected exception becomes
one line (a traceback only with ``--debug``), control characters from a data file are never printed
raw, and option errors name what was expected, not an internal function (issue 11). The same
commands in child processes, on the whole bad-input suite: tests/integration/test_no_traceback.py.
"""

from __future__ import annotations

import pytest

from tests.conftest import TINY_DIR
from wwc_analysis.cli import app
from wwc_analysis.cli import rounds as rounds_cli

TINY = ("--data", str(TINY_DIR))


def _boom(exc: BaseException):
    def run(args) -> int:
        raise exc

    return run


@pytest.mark.parametrize(
    "exc, words",
    [
        (RuntimeError("boom"), "boom"),
        (TypeError("unhashable type: 'Series'"), "unhashable type"),
        (MemoryError(), "out of memory"),
        (RecursionError("maximum recursion depth exceeded"), "nested too deeply"),
        (PermissionError(13, "Permission denied", "/x/y"), "Permission denied: /x/y"),
        (KeyError("level"), "'level'"),
    ],
)
def test_unexpected_exception_is_one_plain_line(monkeypatch, capsys, exc, words):
    monkeypatch.setattr(rounds_cli, "cmd_rounds", _boom(exc))
    code = app.main(["rounds", *TINY])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("wwc rounds: ")
    assert words in err and "--debug" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback(monkeypatch, where):
    monkeypatch.setattr(rounds_cli, "cmd_rounds", _boom(RuntimeError("boom")))
    argv = ["--debug", "rounds", *TINY] if where == "before" else ["rounds", "--debug", *TINY]
    with pytest.raises(RuntimeError, match="boom"):
        app.main(argv)


def test_interrupt_is_one_line_and_exit_130(monkeypatch, capsys):
    monkeypatch.setattr(rounds_cli, "cmd_rounds", _boom(KeyboardInterrupt()))
    assert app.main(["rounds", *TINY]) == 130
    assert capsys.readouterr().err == "wwc rounds: interrupted\n"


def test_messages_never_print_control_characters(monkeypatch, capsys):
    from wwc_analysis.errors import UserError

    monkeypatch.setattr(rounds_cli, "cmd_rounds", _boom(UserError("bad name 'a\x1b[31mb\x00c'")))
    assert app.main(["rounds", *TINY]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x00" not in err
    assert "a\\x1b[31mb\\x00c" in err


def test_jobs_error_names_what_is_expected(capsys):
    with pytest.raises(SystemExit) as info:
        app.main(["report", "--jobs", "abc"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "_positive_int" not in err
    assert "--jobs: expected a whole number of at least 1, got 'abc'" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["whatif", "--file", "/tmp/no\x1b[31m.yaml"],
        ["validate", "/tmp/no\x1b[2Jdir"],
        ["report", "--data", "/tmp/no\x1b[2Jdir", "--out", "/tmp/no\x1b[2Jout"],
        ["score", "--file", "/tmp/no\x1b[31m.csv", *TINY],
        ["rounds", "--data", "/tmp/no\x1b[2Jdir"],
    ],
)
def test_paths_with_escape_sequences_are_printed_escaped(capsys, argv):
    code = app.main(argv)
    err = capsys.readouterr().err
    assert code in (1, 2) and err
    assert "\x1b" not in err and "\\x1b" in err
