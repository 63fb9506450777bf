"""The bad-input suite, run as a user runs it: every command in a child process, on broken data
folders (the reach tables too), hostile assessment, scenario and robustness spec files and bad
options. Each must end in exit 1 or 2 with
plain words on stderr: no traceback, no "unexpected error" (every input is foreseen), no raw
control character, in reasonable time (issue 11). The same inputs in-process, with their exact
messages: tests/unit/test_hardening_data.py, test_structured.py, test_cli_errors.py."""

from __future__ import annotations

import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import REACH_DIR, TINY_DIR
from tests.csv_edits import read_rows, set_cell, write_rows

#: Characters that must never reach the terminal raw.
RAW_CONTROL = ("\x00", "\x07", "\x1b", "\x9b", "\u202e")


def _wwc() -> list[str]:
    script = Path(sys.executable).with_name("wwc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "wwc_analysis.cli"]


def _tiny(root: Path, name: str) -> Path:
    target = root / name
    target.mkdir()
    for path in TINY_DIR.glob("*.csv"):
        (target / path.name).write_bytes(path.read_bytes())
    return target


def _data_dirs(root: Path) -> dict[str, Path]:
    """Broken copies of the tiny record, one fault each."""
    dirs = {}
    d = dirs["criteria of an unlisted standard"] = _tiny(root, "c2030")
    rows = read_rows(d / "criteria_2022.csv")
    write_rows(d / "criteria_2030.csv", [rows[0], *[["2030", *r[1:]] for r in rows[1:]]])
    d = dirs["duplicated criterion code"] = _tiny(root, "dup")
    set_cell("criteria_2022.csv", 4, "code", "DM2")(d)
    d = dirs["escape sequences in notes"] = _tiny(root, "ansi")
    set_cell("certifications.csv", 3, "notes", "\x1b[2J\x1b[31mred\x07\u202e")(d)
    d = dirs["NUL in a city"] = _tiny(root, "nul")
    set_cell("unplaced.csv", 3, "city", "Fort\x00Worth")(d)
    d = dirs["random bytes as certifications"] = _tiny(root, "garbage")
    (d / "certifications.csv").write_bytes(bytes(range(256)) * 20)
    d = dirs["a folder named rounds.csv"] = _tiny(root, "folder")
    (d / "rounds.csv").unlink()
    (d / "rounds.csv").mkdir()
    dirs["missing folder"] = root / "nowhere"
    dirs["a file as the folder"] = root / "file-not-folder.csv"
    dirs["a file as the folder"].write_text("x\n")
    return dirs


def _reach_dirs(root: Path) -> dict[str, Path]:
    """The tiny record with the made-up reach tables (``good``), and broken copies of them."""
    dirs = {}

    def copy(name: str) -> Path:
        target = _tiny(root, name)
        for path in REACH_DIR.glob("*.csv"):
            (target / path.name).write_bytes(path.read_bytes())
        return target

    dirs["good"] = copy("reach-good")
    d = dirs["random bytes as universe"] = copy("reach-garbage")
    (d / "universe.csv").write_bytes(bytes(range(256)) * 20)
    d = dirs["a link to no place"] = copy("reach-link")
    set_cell("crosswalk.csv", 2, "geonameid", "999999")(d)
    d = dirs["a population not a number"] = copy("reach-pop")
    set_cell("universe.csv", 3, "population", "lots")(d)
    d = dirs["escape sequences in a place name"] = copy("reach-ansi")
    set_cell("universe.csv", 2, "name", "\x1b[2JRosario\u202e")(d)
    d = dirs["universe without crosswalk"] = copy("reach-alone")
    (d / "crosswalk.csv").unlink()
    d = dirs["an empty crosswalk"] = copy("reach-empty")
    (d / "crosswalk.csv").write_bytes(b"")
    return dirs


def _spec_files(root: Path) -> dict[str, Path]:
    """Robustness specs: the hostile files of issue 11 and malformed content."""
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
    )
    ok = "uncertain: {outcome: 0.5}\n"
    texts: dict[str, tuple[str, str | bytes]] = {
        "JSON nested 100,000 deep": (".json", "[" * 100_000 + "]" * 100_000),
        "YAML nested 100,000 deep": (".yaml", "[" * 100_000 + "]" * 100_000),
        "alias bomb under name": (".yaml", ok + bomb.replace("i: &i", "name: &i")),
        "duplicate keys": (".yaml", ok + "name: a\nname: b\n"),
        "duplicate JSON keys": (".json", '{"uncertain": {"outcome": 0.5}, "uncertain": {}}'),
        "latin-1": (".yaml", (ok + "name: caf\u00e9\n").encode("latin-1")),
        "random bytes": (".yaml", bytes(range(256)) * 8),
        "python tag": (".yaml", ok + "name: !!python/object/apply:os.system ['echo hi']\n"),
        "escape in a string": (".yaml", ok + 'name: "\\e[31mred"\n'),
        "a list": (".yaml", "- a\n- b\n"),
        "empty": (".yaml", ""),
        "broken YAML": (".yaml", "uncertain: {outcome: 0.5\n"),
        "broken JSON": (".json", '{"uncertain": '),
        "NaN and infinite probabilities": (".yaml", "uncertain: {outcome: .nan, core: .inf}\n"),
        "NaN bounds": (".yaml", "uncertain: {thresholds: {gold: [.nan, 70]}}\n"),
        "values of the wrong kind": (".yaml", ok + "name: {a: 1}\nseed: x\nstandard: [1]\n"),
        "misspelt keys": (".yaml", "uncertian: {treshold: 3}\n"),
        "an unknown criterion": (".yaml", "uncertain: {criteria: {EVAL9: 0.5}}\n"),
        "too many runs": (".yaml", "uncertain: {criteria: 0.9}\nsamples: 1073741824\n"),
    }
    files = {}
    for i, (name, (suffix, text)) in enumerate(texts.items()):
        path = root / f"spec-{i}{suffix}"
        (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
        files[name] = path
    files["50 MB"] = root / "spec-big.yaml"
    with files["50 MB"].open("wb") as handle:
        handle.truncate(50_000_000)  # sparse: refused by its size, never read
    files["missing"] = root / "missing-spec.yaml"
    files["a folder"] = root / "folder-spec.yaml"
    files["a folder"].mkdir()
    return files


def _assessment_files(root: Path) -> dict[str, Path]:
    files = {}
    files["empty"] = root / "empty.csv"
    files["empty"].write_bytes(b"")
    files["random bytes"] = root / "garbage.csv"
    files["random bytes"].write_bytes(bytes(range(256)) * 40)
    files["NUL bytes"] = root / "nul.csv"
    files["NUL bytes"].write_bytes(b"city_id,round_id,criterion,met,outcome_met\n\x00\x00,\x00\n")
    files["a folder"] = root / "folder.csv"
    files["a folder"].mkdir()
    files["old .xls"] = root / "old.xls"
    files["old .xls"].write_bytes(b"\xd0\xcf\x11\xe0")
    files["corrupt .xlsx"] = root / "corrupt.xlsx"
    files["corrupt .xlsx"].write_bytes(b"PK\x03\x04 not really")
    files["missing"] = root / "missing.csv"
    files["sheet of 5 M rows"] = _huge_sheet(root / "huge.xlsx")
    return files


def _huge_sheet(path: Path) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["city_id", "round_id", "criterion", "met", "outcome_met"])
    workbook.active.append(["a-b", "2024-01", "DM1", "=TRUE()", True])
    source = path.with_suffix(".src.xlsx")
    workbook.save(source)
    row = b'<row r="5000000"><c r="A5000000" t="inlineStr"><is><t>x</t></is></c></row>'
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            data = src.read(name)
            if name.startswith("xl/worksheets/"):
                data = data.replace(b"</sheetData>", row + b"</sheetData>")
            out.writestr(name, data)
    return path


def _scenario_files(root: Path) -> dict[str, Path]:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
    )
    texts: dict[str, tuple[str, str | bytes]] = {
        "JSON nested 100,000 deep": (".json", "[" * 100_000 + "]" * 100_000),
        "YAML nested 100,000 deep": (".yaml", "[" * 100_000 + "]" * 100_000),
        "alias bomb under name": (".yaml", bomb.replace("i: &i", "name: &i")),
        "duplicate keys": (".yaml", "name: a\nmark_met: [DM1]\nname: b\n"),
        "duplicate JSON keys": (".json", '{"name": "a", "name": "b"}'),
        "latin-1": (".yaml", "name: caf\u00e9\n".encode("latin-1")),
        "random bytes": (".yaml", bytes(range(256)) * 8),
        "python tag": (".yaml", "name: !!python/object/apply:os.system ['echo hi']\n"),
        "escape in a string": (".yaml", 'name: "\\e[31mred"\n'),
        "city with cities": (".yaml", "cities: [a]\ncity: {met: [DM1]}\n"),
        "a list": (".yaml", "- a\n- b\n"),
        "2 MB": (".yaml", "name: x\n" + "#" * 2_000_000 + "\n"),
        "100,001 cities": (".json", '{"cities": [' + ",".join(['"c"'] * 100_001) + "]}"),
        "thresholds of the wrong type": (".yaml", "thresholds: {gold: [1]}\n"),
        "weights not numbers": (".yaml", "city: {met: [DM1], weights: {DM1: .nan}}\n"),
        "broken YAML": (".yaml", "mark_met: [EVAL2\n"),
        "broken JSON": (".json", '{"name": '),
    }
    files = {}
    for i, (name, (suffix, text)) in enumerate(texts.items()):
        path = root / f"scenario-{i}{suffix}"
        (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
        files[name] = path
    files["missing"] = root / "missing.yaml"
    files["a folder"] = root / "folder.yaml"
    files["a folder"].mkdir()
    return files


def _cases(root: Path) -> list[tuple[str, list[str]]]:
    out = root / "reports"
    cases = []
    for name, d in _data_dirs(root).items():
        cases += [
            (f"validate: {name}", ["validate", str(d)]),
            (f"rounds: {name}", ["rounds", "--data", str(d)]),
        ]
        if name in ("criteria of an unlisted standard", "random bytes as certifications"):
            cases += [
                (f"score: {name}", ["score", "--met", "DM1", "--data", str(d)]),
                (f"simulate: {name}", ["simulate", "--calibration", "--data", str(d)]),
            ]
        if name in ("a folder named rounds.csv", "missing folder"):
            cases.append((f"report: {name}", ["report", "--data", str(d), "--out", str(out)]))
    for name, path in _assessment_files(root).items():
        cases += [
            (f"score --file: {name}", ["score", "--file", str(path), "--data", str(TINY_DIR)]),
            (f"validate --assessments: {name}", ["validate", str(TINY_DIR), "--assessments",
                                                 str(path)]),
        ]  # fmt: skip
    garbage = root / "garbage.csv"
    for name, path in _scenario_files(root).items():
        cases.append((f"whatif: {name}", ["whatif", "--file", str(path)]))
    cases += [
        ("whatif: bad assessments", ["whatif", "--file", str(root / "scenario-3.yaml"),
                                     "--assessments", str(garbage)]),
        ("report --jobs abc", ["report", "--jobs", "abc"]),
        ("report --year abc", ["report", "--year", "abc"]),
        ("report: a year without a round", ["report", "--year", "1999", "--data", str(TINY_DIR),
                                            "--out", str(out)]),
        ("score --count abc", ["score", "--count", "abc"]),
        ("score: a standard with escapes", ["score", "--standard", "\x1b[31m", "--met", "DM1"]),
        ("score: unknown code", ["score", "--met", "DM1,\x1b[2JXX9", "--data", str(TINY_DIR)]),
        ("simulate --n-cities 0", ["simulate", "--n-cities", "0", "--out", str(root / "s")]),
        ("--max-rows 0", ["score", "--file", str(garbage), "--max-rows", "0"]),
        ("--max-file-mb x", ["whatif", "--file", str(garbage), "--max-file-mb", "x"]),
        ("no command", []),
        ("unknown command", ["frobnicate"]),
    ]  # fmt: skip
    return cases + _diff_reach_robustness_cases(root, garbage)


def _diff_reach_robustness_cases(root: Path, garbage: Path) -> list[tuple[str, list[str]]]:
    """The commands that came after the suite (issues 9 and 12, and wwc diff)."""
    tiny = str(TINY_DIR)
    reach = _reach_dirs(_folder(root / "reach"))
    good = str(reach.pop("good"))
    broken = _data_dirs(_folder(root / "for-diff"))
    cases = []
    for name, d in {**broken, **reach}.items():
        cases.append((f"diff: old folder: {name}", ["diff", str(d), tiny]))
    for name, d in [*reach.items(), *((n, broken[n]) for n in ("missing folder", "NUL in a city"))]:
        cases.append((f"diff: new folder: {name}", ["diff", good, str(d)]))
    for name in (*reach, "a folder named rounds.csv", "missing folder"):
        d = reach.get(name) or broken[name]
        cases.append((f"reach: {name}", ["reach", "--year", "2025", "--data", str(d)]))
    for name, argv in {
        "--year abc": ["--year", "abc"],
        "--year empty": ["--year", ""],
        "--year with escapes": ["--year", "\x1b[2J2025"],
        "a year without a round": ["--year", "1999"],
        "--year missing": [],
        "--by city": ["--year", "2025", "--by", "city"],
        "--format xml": ["--year", "2025", "--format", "xml"],
        "--as-of not a date": ["--year", "2025", "--as-of", "2025-13-45"],
        "--as-of before the first round": ["--year", "2018", "--as-of", "2017-01-01"],
        "--max-rows 5": ["--year", "2025", "--max-rows", "5"],
    }.items():
        cases.append((f"reach: {name}", ["reach", *argv, "--data", good]))
    cases += [
        ("reach: a record without reach tables", ["reach", "--year", "2025", "--data", tiny]),
        ("diff: one folder", ["diff", tiny]),
        ("diff: --format xml", ["diff", tiny, good, "--format", "xml"]),
        ("diff: a file as a folder", ["diff", str(TINY_DIR / "rounds.csv"), tiny]),
        ("diff: --max-rows 5", ["diff", tiny, good, "--max-rows", "5"]),
    ]
    return cases + _robustness_cases(root, garbage)


def _robustness_cases(root: Path, garbage: Path) -> list[tuple[str, list[str]]]:
    specs = _spec_files(_folder(root / "specs"))
    cases = [(f"robustness: {name}", ["robustness", "--file", str(path)])
             for name, path in specs.items()]  # fmt: skip
    spec = root / "specs" / "good.yaml"
    spec.write_text("uncertain: {outcome: 0.5}\nsamples: 8\nsensitivity: false\n")
    run = ["robustness", "--file", str(spec)]
    assessments = _assessment_files(_folder(root / "for-robustness"))
    for name, path in assessments.items():
        cases.append((f"robustness --assessments: {name}", [*run, "--assessments", str(path)]))
    broken = _data_dirs(_folder(root / "for-robustness-data"))
    for name in ("criteria of an unlisted standard", "missing folder", "a file as the folder"):
        cases.append((f"robustness --data: {name}", [*run, "--data", str(broken[name])]))
    cases += [
        ("robustness: no simulated assessments", [*run, "--data", str(TINY_DIR)]),
        ("robustness: no --file", ["robustness"]),
        ("robustness: --format xml", [*run, "--format", "xml"]),
        ("robustness: --max-file-mb x", [*run, "--max-file-mb", "x"]),
        ("robustness: --max-items 0", [*run, "--max-items", "0"]),
        ("robustness: --max-rows 5", [*run, "--max-rows", "5"]),
        ("robustness: a city not assessed", ["robustness", "--file", str(_city_spec(root))]),
    ]
    return cases


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def _city_spec(root: Path) -> Path:
    path = root / "specs" / "city.yaml"
    path.write_text("uncertain: {outcome: 0.5}\nsamples: 8\nsensitivity: false\ncity: nobody\n")
    return path


def _run(argv: list[str]) -> subprocess.CompletedProcess:
    start = time.perf_counter()
    proc = subprocess.run(
        [*_wwc(), *argv], capture_output=True, text=True, errors="replace", timeout=120, check=False
    )
    proc.seconds = time.perf_counter() - start  # type: ignore[attr-defined]
    return proc


def test_no_command_ends_in_a_traceback_for_any_bad_input(tmp_path: Path):
    cases = _cases(tmp_path)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda case: _run(case[1]), cases))
    failures = []
    for (name, _), proc in zip(cases, results):
        text = proc.stdout + proc.stderr
        wrong = []
        if proc.returncode not in (1, 2):
            wrong.append(f"exit {proc.returncode}")
        if "Traceback" in text:
            wrong.append("a traceback")
        if "unexpected error" in text:
            wrong.append("an unforeseen error")
        if not proc.stderr.strip():
            wrong.append("no message")
        if any(ch in text for ch in RAW_CONTROL):
            wrong.append("raw control characters")
        if wrong:
            failures.append(f"{name}: {', '.join(wrong)}\n{proc.stderr[-600:]}")
    slowest = sorted(zip((p.seconds for p in results), (c[0] for c in cases)), reverse=True)[:5]
    print("slowest cases:", ", ".join(f"{name} {s:.1f} s" for s, name in slowest))
    assert not failures, f"{len(failures)} of {len(cases)} cases:\n" + "\n".join(failures)
    assert len(cases) > 150


def test_debug_shows_the_traceback_of_an_unforeseen_error(tmp_path: Path):
    """An unforeseen error, made on purpose (a command replaced by one that raises): one plain
    line and exit 1; with --debug, the traceback."""
    code = (
        "import sys\n"
        "from wwc_analysis.cli import app, rounds\n"
        "def boom(args):\n"
        "    raise RuntimeError('made on purpose')\n"
        "rounds.cmd_rounds = boom\n"
        "sys.exit(app.main(sys.argv[1:]))\n"
    )
    plain = subprocess.run(
        [sys.executable, "-c", code, "rounds"], capture_output=True, text=True, check=False
    )
    assert plain.returncode == 1 and "Traceback" not in plain.stderr
    assert plain.stderr.startswith("wwc rounds: unexpected error (RuntimeError: made on purpose)")
    debug = subprocess.run(
        [sys.executable, "-c", code, "--debug", "rounds"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (
        debug.returncode == 1 and "Traceback" in debug.stderr and "made on purpose" in debug.stderr
    )


@pytest.mark.parametrize("argv", [["rounds"], ["validate"], ["score", "--count", "30"]])
def test_good_input_still_exits_0(argv):
    proc = _run([*argv, *(["--data", str(TINY_DIR)] if argv[0] != "validate" else [str(TINY_DIR)])])
    assert proc.returncode == 0, proc.stderr
