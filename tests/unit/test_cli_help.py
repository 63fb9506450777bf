"""``wwc --help``, every command's ``--help`` and ``wwc --version``, in-process: plain words (no
reStructuredText backticks), an examples block whose every line is a command the parser accepts,
and the package version."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest

from wwc_analysis import __version__
from wwc_analysis.cli.app import build_parser, main

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)


def help_text(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


def examples(text: str) -> list[str]:
    """The commands of the examples block (each line: the command, two spaces or more, what it
    does)."""
    block = text.split("\nexamples:\n", 1)[1]
    return [re.split(r"\s{2,}", line.strip())[0] for line in block.splitlines() if line.strip()]


def test_every_command_is_covered():
    want = {"rounds", "score", "validate", "diff", "whatif", "robustness", "simulate", "reach"}
    assert want | {"report"} <= set(COMMANDS)


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_in_plain_words_with_examples(capsys, command):
    text = help_text(capsys, *([command] if command else []))
    assert "`" not in text  # no reStructuredText markup
    assert "\nexamples:\n" in text
    found = examples(text)
    assert found and all(line.startswith(f"wwc {command}".strip()) for line in found)
    assert "docs/whatif-\n" not in text  # a path is never broken at its hyphen


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_every_example_is_a_command_the_parser_accepts(capsys, command):
    """Each example parses (options spelled right, values of the right kind); a redirection
    (``> out.csv``) is the shell's, and ``wwc COMMAND --help`` is the top level's pointer."""
    parser = build_parser()
    for line in examples(help_text(capsys, *([command] if command else []))):
        argv = shlex.split(line)[1:]
        argv = argv[: argv.index(">")] if ">" in argv else argv
        if "COMMAND" in argv:
            continue
        args = parser.parse_args(argv)
        assert args.command == (command or argv[0]), line


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"wwc {__version__} (wwc-analysis)\n"
    # the version the package says is the one it is installed as
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert __version__ == project["version"]


def test_the_assessments_option_reads_the_same_in_whatif_and_robustness():
    """Both commands read --assessments with the same loader (CSV or Excel); wwc whatif's help
    said 'long CSV' only."""
    subparsers = build_parser()._subparsers._group_actions[0].choices
    helps = {
        name: next(a.help for a in subparsers[name]._actions if "--assessments" in a.option_strings)
        for name in ("whatif", "robustness")
    }
    assert helps["whatif"] == helps["robustness"]
    assert ".xlsx" in helps["whatif"]
