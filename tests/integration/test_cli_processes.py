"""The ``wwc`` command in a child process, as a user runs it: the help, and ``wwc validate`` on a
broken copy of the tiny record, on the shipped data and with a bad assessment file. (The commands
run in-process in tests/unit.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import TINY_DIR
from tests.csv_edits import break_three_files, write_rows
from wwc_analysis.data import Dataset, load_criteria, validate_dir


def _wwc() -> list[str]:
    script = Path(sys.executable).with_name("wwc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "wwc_analysis.cli"]


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*_wwc(), *args], check=False, capture_output=True, text=True, timeout=120, cwd=cwd
    )


def test_help_lists_every_command():
    proc = subprocess.run(
        [sys.executable, "-m", "wwc_analysis.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for command in ("rounds", "score", "validate", "diff", "whatif", "simulate", "report"):
        assert command in proc.stdout


def test_wwc_validate_on_broken_dir_exits_1_with_one_line_per_problem(tiny_copy: Path):
    break_three_files(tiny_copy)
    expected = validate_dir(tiny_copy)
    assert len(expected) == 3
    result = _run("validate", str(tiny_copy))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines[:-1] == [str(p) for p in expected]
    assert lines[-1] == f"3 problems found in {tiny_copy}"
    assert (
        "certifications.csv:3: column 'level': value 'Bronze': expected one of Silver"
        in result.stderr
    )


def test_wwc_validate_on_shipped_data_exits_0(tmp_path: Path, record: Dataset):
    """From another folder, ``wwc validate`` checks the project's data and prints the size of each
    table (the sizes themselves: tests/record)."""
    result = _run("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    summary = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()[1:-1]}
    sizes = {
        name: str(len(getattr(record, name)))
        for name in ("criteria", "standards", "rounds", "certifications", "unplaced")
    }
    assert {name: summary[name] for name in sizes} == sizes


def test_wwc_validate_with_bad_assessments_file(tmp_path: Path):
    path = tmp_path / "mine.csv"
    codes = load_criteria(TINY_DIR)["code"].tolist()
    rows = [["testville-tx-us", "2024-01", code, "true", "true"] for code in codes]
    rows[0][3] = "maybe"
    write_rows(path, [["city_id", "round_id", "criterion", "met", "outcome_met"], *rows])
    result = _run("validate", str(TINY_DIR), "--assessments", str(path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{path}:2: column 'met': value 'maybe'" in result.stderr


def test_wwc_report_on_a_broken_copy_stops_before_any_notebook(tiny_copy: Path, tmp_path: Path):
    """Fail fast, as a user runs it: the problems as wwc validate prints them, exit 1, no
    traceback, nothing built or published (no build folder, no report)."""
    break_three_files(tiny_copy)
    out = tmp_path / "reports"
    result = _run("report", "--data", str(tiny_copy), "--out", str(out))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines[:3] == [str(p) for p in validate_dir(tiny_copy)]
    assert lines[-1].startswith(f"wwc report: error: the data in {tiny_copy.resolve()}")
    assert "no notebook was run and nothing was published" in lines[-1]
    assert not out.exists()
    assert "notebook" not in result.stdout  # no progress line: no notebook started


def test_wwc_report_refuses_an_out_it_cannot_use_in_one_line(tmp_path):
    """Issue 11, item 5: an --out that is a file, or on a file system that refuses writes (here
    /sys, where not even root may make a folder), ended in an OSError or FileExistsError
    traceback."""
    target = tmp_path / "reports"
    target.write_text("a file")
    refused = [(str(target), f"{target} exists and is not a folder")]
    if Path("/sys").is_dir() and sys.platform.startswith("linux"):
        refused.append(("/sys/wwc-reports", "cannot write in the reports folder /sys/wwc-reports"))
    for out, said in refused:
        proc = _run("report", "--year", "2024", "--out", out)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.count("\n") == 1 and said in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
    assert target.read_text() == "a file"
    assert not Path("/sys/wwc-reports").exists()
