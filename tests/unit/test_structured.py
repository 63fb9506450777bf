"""The bounded reader of YAML and JSON files (``wwc_analysis.data.structured``) and the scenario
files read through it (issue 11, items 3, 4, 10, 11, 12): hostile files end in one clear error
naming the file and line, fast and without exhausting memory; genuine files read as before."""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path

import pytest

from tests.conftest import TINY_DIR
from wwc_analysis.cli.app import main
from wwc_analysis.data.structured import (
    ReadLimits,
    StructuredFileError,
    parse_structured,
    read_structured,
)
from wwc_analysis.errors import UserError
from wwc_analysis.whatif import ScenarioError, load_scenario_file

#: A YAML alias bomb ("billion laughs"): nine levels of nine aliases, 9**9 strings if expanded.
BOMB = "".join(
    [
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n',
        *(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n"
            for i in range(8)
        ),
    ]
)


def _bomb_in(key: str) -> str:
    """The bomb kept under an allowed key: anchors are defined inside ``cities``' list."""
    lines = BOMB.replace(": &", ": &").splitlines()
    anchors = "\n".join(f"  - {line.split(': ', 1)[1]}" for line in lines)
    return f"mark_unmet:\n{anchors}\n{key}: *i\n"


def _error(text: str | bytes, json_format: bool = False, **limits) -> StructuredFileError:
    with pytest.raises(StructuredFileError) as info:
        parse_structured(text, "s.json" if json_format else "s.yaml", ReadLimits(**limits),
                         json_format=json_format)  # fmt: skip
    return info.value


# ------------------------------------------------------------------ genuine files


def test_plain_files_read_as_data():
    text = "name: g70\nthresholds: {gold: 70}\nmark_met: [DM1, LC1]\ncity:\n  met: [DM1]\n"
    assert parse_structured(text, "s.yaml") == {
        "name": "g70",
        "thresholds": {"gold": 70},
        "mark_met": ["DM1", "LC1"],
        "city": {"met": ["DM1"]},
    }
    data = {"name": "g70", "thresholds": {"gold": 70}, "cities": ["a", "b"]}
    assert parse_structured(json.dumps(data), "s.json", json_format=True) == data
    assert parse_structured("\ufeffname: bom\n", "s.yaml") == {"name": "bom"}
    assert parse_structured("name: 'tab\there'\n", "s.yaml") == {"name": "tab\there"}


def test_aliases_and_merge_keys_within_the_limits_are_read():
    text = "base: &b {gold: 70}\nthresholds:\n  <<: *b\n  silver: 50\ncopy: *b\n"
    assert parse_structured(text, "s.yaml") == {
        "base": {"gold": 70},
        "thresholds": {"gold": 70, "silver": 50},
        "copy": {"gold": 70},
    }


def test_limits_are_checked_and_named():
    with pytest.raises(ValueError, match="max_items must be a whole number >= 1"):
        ReadLimits(max_items=0)
    assert "raise it with ReadLimits(max_depth=...)" in ReadLimits().exceeded("max_depth")
    with_options = ReadLimits(options={"max_bytes": "--max-file-mb"})
    assert with_options.exceeded("max_bytes").endswith("raise it with --max-file-mb")
    assert with_options.exceeded("max_depth") == "the limit is 32 levels of nesting"
    assert issubclass(StructuredFileError, UserError) and issubclass(
        StructuredFileError, ValueError
    )


# ------------------------------------------------------------------ item 3: deep nesting


@pytest.mark.parametrize("json_format", [False, True], ids=["yaml", "json"])
def test_nesting_100000_levels_deep_is_refused(json_format):
    """It ended in a RecursionError traceback."""
    error = _error("[" * 100_000 + "]" * 100_000, json_format)
    assert "nested too deeply; the limit is 32 levels of nesting" in str(error)
    assert error.line == 1


def test_block_nesting_names_the_line():
    text = "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 40))
    error = _error(text)
    assert error.line == 32 and str(error).startswith("s.yaml:32: nested too deeply")
    assert parse_structured(text, "s.yaml", ReadLimits(max_depth=64))["a"]["k1"]["k2"]


# ------------------------------------------------------------------ item 4: alias bomb


@pytest.mark.parametrize("key", ["name", "mark_met"])
def test_alias_bomb_under_an_allowed_key_is_refused_at_once(key):
    """It ran ~70 s into a MemoryError traceback."""
    start = time.perf_counter()
    error = _error(_bomb_in(key))
    assert time.perf_counter() - start < 1
    assert "aliases expand to too many values" in str(error)
    assert "the limit is 1,000,000 values in all" in str(error)


def test_aliases_can_be_refused_altogether():
    """A robustness spec refuses every alias (it has no use for them); the message names the kind
    of file and the alias's line."""
    text = "a: &x [1]\nb: *x\n"
    with pytest.raises(StructuredFileError) as info:
        parse_structured(text, "s.yaml", what="spec file", aliases=False)
    assert str(info.value) == "s.yaml:2: aliases (*name) are not allowed in a spec file"
    assert parse_structured(text, "s.yaml") == {"a": [1], "b": [1]}


def test_invalid_files_name_what_they_are():
    error = _error("a: [1\n")
    assert "s.yaml:2: the file is not valid YAML: while parsing a flow sequence" in str(error)
    error = _error('{"a": ', json_format=True)
    assert str(error) == "s.json:1: the file is not valid JSON: Expecting value"


def test_alias_loop_and_python_tags_are_refused():
    assert "an alias inside the value it refers to" in str(_error("a: &x [1, *x]\n"))
    error = _error("name: !!python/object/apply:os.system ['echo hi']\n")
    assert "could not determine a constructor" in str(error) and error.line == 1


# ------------------------------------------------------------------ item 10: size


def test_large_file_is_refused_before_it_is_read(tmp_path: Path):
    """A 50 MB scenario reached 1.7 GB of memory; now the size is checked first."""
    path = tmp_path / "big.yaml"
    with path.open("w") as handle:
        handle.write("mark_met:\n")
        handle.write("  - DM1\n" * 7_000_000)  # 56 MB
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(StructuredFileError) as info:
        read_structured(path, what="scenario file")
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 50
    assert "the scenario file is 56,000,010 bytes; the limit is 1,048,576 bytes" in str(info.value)


@pytest.mark.parametrize("json_format", [False, True], ids=["yaml", "json"])
def test_long_collections_are_refused_and_the_limit_can_be_raised(json_format):
    items = [f"c{i}" for i in range(100_001)]
    text = (
        json.dumps({"cities": items})
        if json_format
        else "cities:\n" + "".join(f"  - {c}\n" for c in items)
    )
    error = _error(text, json_format, max_bytes=4 << 20)
    assert "a list with too many entries; the limit is 100,000 entries" in str(error)
    raised = ReadLimits(max_items=200_000, max_bytes=4 << 20)
    assert len(parse_structured(text, "s", raised, json_format=json_format)["cities"]) == 100_001
    assert "too many values" in str(_error(text, json_format, max_values=1000, max_bytes=4 << 20))


# ------------------------------------------------------------------ item 11: duplicate keys


@pytest.mark.parametrize(
    "text, json_format, key, lines",
    [
        ("name: a\nmark_met: [DM1]\nname: b\n", False, "name", (1, 3)),
        ("city:\n  met: [DM1]\n  met: [LC1]\n", False, "met", (2, 3)),
        ('{"name": "a",\n "thresholds": {"gold": 70},\n "name": "b"}', True, "name", (1, 3)),
        ('{"thresholds": {"gold": 70,\n "gold": 80}}', True, "gold", (1, 2)),
    ],
)
def test_duplicate_keys_are_refused_naming_key_and_lines(text, json_format, key, lines):
    """The last one silently won."""
    error = _error(text, json_format)
    assert f"key {key!r} is given twice (lines {lines[0]} and {lines[1]})" in str(error)
    assert error.line == lines[1]


def test_same_key_in_two_mappings_is_fine():
    text = '{"a": {"x": 1}, "b": {"x": 2}}'
    assert parse_structured(text, "s.json", json_format=True) == {"a": {"x": 1}, "b": {"x": 2}}
    assert parse_structured("a: {x: 1}\nb: {x: 2}\n", "s.yaml") == {"a": {"x": 1}, "b": {"x": 2}}


# ------------------------------------------------------------------ text


@pytest.mark.parametrize(
    "text, json_format",
    [('name: "\\e[31mred"\n', False), ('{"name": "\\u001b[31mred"}', True),
     ('name: "nul\\0"\n', False), ("name: \x1b\n", False)],
)  # fmt: skip
def test_control_characters_are_refused(text, json_format):
    error = _error(text, json_format)
    assert error.line == 1 and "\x1b" not in str(error) and "\x00" not in str(error)


def test_non_utf8_file_is_named(tmp_path: Path):
    """The error did not name the file."""
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(StructuredFileError) as info:
        read_structured(path, what="scenario file")
    assert str(info.value).startswith(f"{path}:1: the scenario file is not UTF-8 text: byte 0xe9")


def test_numbers_too_long_to_read_are_plain_errors():
    error = _error("gold: " + "7" * 5000 + "\n")
    assert "more digits than can be read" in str(error) and "sys." not in str(error)


# ------------------------------------------------------------------ scenario files and commands


def test_scenario_file_errors_are_scenario_errors(tmp_path: Path, tiny):
    path = tmp_path / "s.yaml"
    path.write_text("name: a\nname: b\n")
    with pytest.raises(ScenarioError, match=r"s.yaml:2: key 'name' is given twice"):
        load_scenario_file(path, tiny)
    with pytest.raises(ScenarioError, match="is empty"):
        path.write_text("")
        load_scenario_file(path, tiny)


def _whatif(tmp_path: Path, capsys, text: str | bytes, *extra: str, suffix: str = ".yaml"):
    path = tmp_path / f"scenario{suffix}"
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
    code = main(["whatif", "--file", str(path), *extra])
    out, err = capsys.readouterr()
    return code, out, err, path


@pytest.mark.parametrize(
    "text, suffix, words",
    [
        ("[" * 100_000 + "]" * 100_000, ".json", "nested too deeply"),
        ("[" * 100_000 + "]" * 100_000, ".yaml", "nested too deeply"),
        (_bomb_in("name"), ".yaml", "aliases expand to too many values"),
        ("name: a\nname: b\n", ".yaml", "key 'name' is given twice (lines 1 and 2)"),
        ("name: caf\u00e9\n".encode("latin-1"), ".yaml", "scenario.yaml:1: the scenario file is"),
        ("cities: [a]\ncity: {met: [DM1]}\n", ".yaml", "'cities' cannot be combined with 'city'"),
    ],
)
def test_whatif_refuses_hostile_scenario_files_plainly(tmp_path, capsys, text, suffix, words):
    code, out, err, _ = _whatif(tmp_path, capsys, text, suffix=suffix)
    assert code == 2 and out == ""
    assert words in err and "Traceback" not in err and "none is given" not in err
    assert err.count("\n") == 1


def test_whatif_limits_are_options(tmp_path, capsys):
    code, _, err, path = _whatif(tmp_path, capsys, "name: x\n" + "#" * 2_000_000 + "\n")
    assert code == 2 and "raise it with --max-file-mb" in err
    code, _, err, _ = _whatif(tmp_path, capsys, path.read_text(), "--max-file-mb", "3")
    assert "--max-file-mb" not in err
    cities = "cities: [" + ", ".join(f"c{i}" for i in range(100_001)) + "]\nmark_met: [DM1]\n"
    code, _, err, _ = _whatif(tmp_path, capsys, cities, "--max-file-mb", "2")
    assert code == 2 and "raise it with --max-items" in err
    with pytest.raises(SystemExit) as info:
        _whatif(tmp_path, capsys, "a: 1\n", "--max-items", "0")
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert "--max-items: expected a whole number of at least 1, got '0'" in err


def test_scenario_reader_is_public_for_other_commands():
    """``wwc robustness --file`` (issue 12) reads its spec with the same reader and options."""
    from wwc_analysis.cli.common import add_read_limits, read_limits
    from wwc_analysis.data import ReadLimits as exported
    from wwc_analysis.data import read_structured as exported_reader

    assert exported is ReadLimits and exported_reader is read_structured
    assert callable(add_read_limits) and callable(read_limits)
    assert TINY_DIR.exists()
