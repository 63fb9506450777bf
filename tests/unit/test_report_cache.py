"""The report's cache of executed notebooks (report.cache), the plan of runs (one per round of the
year for a per-round notebook), the as-of date of a year in progress, a report that is up to date,
and the progress note of a long notebook; without a kernel."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from tests.notebook_files import ROUNDS, write_notebook
from wwc_analysis.report import build, cache, run
from wwc_analysis.report.document import Options

FILES = [{"file": "rounds.csv", "sha256": "a" * 64}]


@pytest.fixture
def notebook(tmp_path):
    return write_notebook(tmp_path / "01-n.ipynb", [("code", "year = 0", ["parameters"])])


def test_a_key_changes_with_each_input(notebook):
    key = cache.run_key(notebook, {"year": 2024, "output_dir": "/a"}, FILES, "code")
    # where the run writes is not what it computes
    assert cache.run_key(notebook, {"year": 2024, "output_dir": "/b"}, FILES, "code") == key
    others = [
        cache.run_key(notebook, {"year": 2025}, FILES, "code"),
        cache.run_key(
            notebook, {"year": 2024}, [{"file": "rounds.csv", "sha256": "b" * 64}], "code"
        ),
        cache.run_key(notebook, {"year": 2024}, FILES, "other code"),
    ]
    notebook.write_text(notebook.read_text().replace("year = 0", "year = 1"))
    others.append(cache.run_key(notebook, {"year": 2024}, FILES, "code"))
    assert len({key, *others}) == 5


def test_the_code_fingerprint_covers_the_package_and_the_lock(tmp_path):
    (tmp_path / "wwc_analysis").mkdir()
    (tmp_path / "wwc_analysis" / "a.py").write_text("x = 1\n")
    (tmp_path / "requirements.lock").write_text("pandas==3.1.1\n")
    first = cache.code_fingerprint(tmp_path)
    cache.code_fingerprint.cache_clear()
    (tmp_path / "requirements.lock").write_text("pandas==3.1.2\n")
    second = cache.code_fingerprint(tmp_path)
    cache.code_fingerprint.cache_clear()
    (tmp_path / "wwc_analysis" / "a.py").write_text("x = 2\n")
    third = cache.code_fingerprint(tmp_path)
    cache.code_fingerprint.cache_clear()
    assert len({first, second, third}) == 3


def _run_output(folder, text="done"):
    executed = folder / "executed.ipynb"
    executed.write_text(text)
    out = folder / "out"
    out.mkdir()
    (out / "table.csv").write_text("a\n1\n")
    return executed, out


def test_store_lookup_restore_and_prune(tmp_path):
    reports = tmp_path / "reports"
    executed, out = _run_output(tmp_path)
    assert cache.lookup(reports, 2024, "01-n", "k1") is None
    cache.store(reports, 2024, "01-n", "k1", executed, out, 12.5)
    entry = cache.lookup(reports, 2024, "01-n", "k1")
    assert entry is not None and cache.lookup(reports, 2024, "01-n", "k2") is None
    assert cache.lookup(reports, 2025, "01-n", "k1") is None  # another year's run
    assert cache.last_seconds(reports, 2024, "01-n") == 12.5
    target = tmp_path / "build"
    (target / "01-n").mkdir(parents=True)
    (target / "01-n" / "stale.csv").write_text("x")
    cache.restore(entry, target / "01-n.ipynb", target / "01-n")
    assert (target / "01-n.ipynb").read_text() == "done"
    assert sorted(p.name for p in (target / "01-n").iterdir()) == ["table.csv"]
    # a new key replaces the entry: one entry per run
    cache.store(reports, 2024, "01-n", "k2", executed, out)
    assert cache.lookup(reports, 2024, "01-n", "k1") is None
    assert sorted(p.name for p in (reports / ".cache" / "2024").iterdir()) == ["01-n"]
    cache.store(reports, 2024, "02-gone", "k", executed, out)
    cache.prune(reports, 2024, ["01-n"])
    assert sorted(p.name for p in (reports / ".cache" / "2024").iterdir()) == ["01-n"]


def test_a_damaged_entry_is_a_miss(tmp_path):
    reports = tmp_path / "reports"
    executed, out = _run_output(tmp_path)
    cache.store(reports, 2024, "01-n", "k", executed, out)
    (reports / ".cache" / "2024" / "01-n" / "executed.ipynb").unlink()
    assert cache.lookup(reports, 2024, "01-n", "k") is None
    (reports / ".cache" / "2024" / "01-n" / "seconds").write_text("soon")
    assert cache.last_seconds(reports, 2024, "01-n") is None


def test_a_failed_store_does_not_fail_the_build(tmp_path):
    executed, out = _run_output(tmp_path)
    blocked = tmp_path / "reports"
    blocked.write_text("a file where the reports folder should be")
    cache.store(blocked, 2024, "01-n", "k", executed, out)  # no exception
    assert cache.lookup(blocked, 2024, "01-n", "k") is None


def test_one_run_per_round_of_the_year(tmp_path):
    per_round = write_notebook(
        tmp_path / "02-cohorts.ipynb",
        [("code", "year = 0\nround_id = None", ["parameters"])],
        wwc={"per_round": True},
    )
    plain = write_notebook(tmp_path / "01-a.ipynb", [("code", "year = 0", ["parameters"])])
    runs = build.plan_runs([plain, per_round], 2024, ROUNDS)
    assert [(r.name, r.round_id) for r in runs] == [
        ("01-a", None),
        ("02-cohorts-2024-01", "2024-01"),
        ("02-cohorts-2024-06", "2024-06"),
    ]
    assert [r.name for r in build.plan_runs([per_round], 2018, ROUNDS)] == ["02-cohorts-2018-01"]
    # without a round_id parameter the metadata alone does not split a notebook
    odd = write_notebook(
        tmp_path / "03-odd.ipynb", [("code", "year = 0", ["parameters"])], wwc={"per_round": True}
    )
    assert [r.name for r in build.plan_runs([odd], 2024, ROUNDS)] == ["03-odd"]


def test_the_as_of_date_is_never_after_the_build():
    assert build.as_of_date(2024, datetime(2026, 12, 1, 9)) == date(2024, 12, 31)
    assert build.as_of_date(2026, datetime(2026, 12, 1, 9)) == date(2026, 12, 1)


def test_a_report_is_up_to_date_only_for_the_same_key(tmp_path):
    keys = {"01-a": "k1", "02-b": "k2"}
    key = build.report_key(keys, 2024, Options(), None)
    assert build.report_key(keys, 2024, Options(pdf=True), None) != key
    assert build.report_key({"01-a": "k1", "02-b": "k3"}, 2024, Options(), None) != key
    assert build.report_key(keys, 2024, Options(), datetime(2026, 12, 1)) != key
    final = tmp_path / "2024"
    assert not build.up_to_date(final, key)
    final.mkdir()
    (final / build.REPORT_KEY).write_text(key + "\n")
    assert not build.up_to_date(final, key), "no index.html: not a report"
    (final / "index.html").write_text("<html>")
    assert build.up_to_date(final, key) and not build.up_to_date(final, "other")


def test_the_progress_note_of_a_long_notebook(tmp_path):
    job = {"progress": str(tmp_path / "p"), "name": "03-w"}
    assert run._progress_note(job) == ""
    (tmp_path / "p").write_text("22 33 robust = whatif.run_robustness(spec)")
    assert run._progress_note(job) == "cell 22 of 33 (robust = whatif.run_robustness(spec))"
    (tmp_path / "p").write_text("4 9 ")
    assert run._progress_note(job) == "cell 4 of 9"
    # caught half-written by the notebook's process (a build under load ended in ValueError):
    # nothing to say this time, never an error
    for partial in ("", "2", "22 "):
        (tmp_path / "p").write_text(partial)
        assert run._progress_note(job) == "", partial
    json.dumps(job)


def test_the_progress_file_is_replaced_whole(tmp_path, monkeypatch):
    """The notebook's process writes the progress file to a temporary name and renames it: the
    parent never reads it empty or half-written."""
    target = tmp_path / "p"
    target.write_text("1 9 old")
    seen: list[str] = []
    real_replace = run.os.replace

    def replace(src, dst):
        seen.append(target.read_text())  # what a reader sees just before the swap
        real_replace(src, dst)

    monkeypatch.setattr(run.os, "replace", replace)
    run._write_progress(str(target), 2, 9, "x = 1")
    assert seen == ["1 9 old"] and target.read_text() == "2 9 x = 1"
    assert [p.name for p in tmp_path.iterdir()] == ["p"]


@pytest.mark.parametrize("text", ["", "2", "2 ", "22 3x robust", "\x00\x00"])
def test_a_progress_note_read_half_written_is_no_note(tmp_path, text):
    """The parent read the progress file while the worker was rewriting it (truncated, then
    written): "not enough values to unpack" ended a whole build as an unexpected error."""
    (tmp_path / "p").write_text(text)
    assert run._progress_note({"progress": str(tmp_path / "p"), "name": "03-w"}) == ""
