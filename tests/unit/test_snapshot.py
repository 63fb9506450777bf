"""The validated Dataset that ``wwc report`` hands its kernels (wwc_analysis.data.snapshot): used
by ``load`` only for the same folder, row limit and file contents; anything else (no variable,
another folder, a changed file, a broken or foreign snapshot) reads the files as always."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from wwc_analysis.data import load, snapshot
from wwc_analysis.data.package import checksums
from wwc_analysis.data.read import DEFAULT_MAX_ROWS
from wwc_analysis.report.run import _child_env

MARK = "from the snapshot"


@pytest.fixture
def taken(tiny_copy: Path, tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """A snapshot of ``tiny_copy`` whose rounds carry a mark (so a test can tell where a Dataset
    came from), named by the variable; returns (data folder, snapshot file)."""
    data = load(tiny_copy)
    data = dataclasses.replace(data, rounds=data.rounds.assign(mark=MARK))
    target = tmp_path / snapshot.FILE_NAME
    snapshot.write(target, data, tiny_copy, checksums(tiny_copy), DEFAULT_MAX_ROWS)
    monkeypatch.setenv(snapshot.ENV, str(target))
    return tiny_copy, target


def _from_snapshot(folder: Path, **kw) -> bool:
    return "mark" in load(folder, **kw).rounds.columns


def test_load_takes_the_snapshot_of_the_same_unchanged_folder(taken):
    folder, _ = taken
    assert _from_snapshot(folder)
    same = folder.parent / folder.name / ".." / folder.name
    assert _from_snapshot(same)  # the same folder, resolved
    assert load(same).data_dir == same  # named as the caller named it


def test_without_the_variable_the_files_are_read(taken, monkeypatch):
    folder, _ = taken
    monkeypatch.delenv(snapshot.ENV)
    assert not _from_snapshot(folder)


def test_a_changed_file_is_read_again(taken):
    folder, _ = taken
    rounds = folder / "rounds.csv"
    rounds.write_text(rounds.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # a blank line
    assert not _from_snapshot(folder)


def test_another_folder_or_row_limit_is_not_served(taken, tmp_path, tiny):
    folder, _ = taken
    other = tmp_path / "other"
    other.mkdir()
    for f in folder.iterdir():
        (other / f.name).write_bytes(f.read_bytes())  # the same bytes, another folder
    assert not _from_snapshot(other)
    assert not _from_snapshot(folder, max_rows=1000)


@pytest.mark.parametrize(
    "payload",
    [b"not a pickle", pickle.dumps(["a list"]), pickle.dumps({"format": snapshot.FORMAT + 1})],
    ids=["garbage", "not a dict", "another format"],
)
def test_an_unusable_snapshot_is_ignored(taken, payload):
    folder, target = taken
    target.write_bytes(payload)
    assert not _from_snapshot(folder)
    target.unlink()  # a missing file too
    assert not _from_snapshot(folder)


def test_a_snapshot_is_written_whole_or_not_at_all(taken):
    folder, target = taken
    assert not target.with_name(target.name + ".part").exists()
    assert pickle.loads(target.read_bytes())["files"] == checksums(folder)


def test_workers_name_the_snapshot_of_their_build_only(monkeypatch, tmp_path):
    monkeypatch.setenv(snapshot.ENV, "/somewhere/else.pickle")
    assert _child_env(str(tmp_path))[snapshot.ENV] == str(tmp_path / snapshot.FILE_NAME)
    assert snapshot.ENV not in _child_env("")  # no build: nothing inherited is passed on


def test_write_snapshot_only_of_a_valid_folder_unchanged_since_the_start(tiny_copy, tmp_path):
    from wwc_analysis.data.dataset import write_snapshot

    target = tmp_path / snapshot.FILE_NAME
    started = checksums(tiny_copy)
    assert write_snapshot(target, tiny_copy, started, DEFAULT_MAX_ROWS)
    assert pickle.loads(target.read_bytes())["dataset"].certifications.shape[0] == 22
    target.unlink()
    rounds = tiny_copy / "rounds.csv"
    rounds.write_text(rounds.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not write_snapshot(target, tiny_copy, started, DEFAULT_MAX_ROWS)  # changed meanwhile
    rounds.write_text("round_id\nnot a round\n", encoding="utf-8")
    assert not write_snapshot(target, tiny_copy, checksums(tiny_copy), DEFAULT_MAX_ROWS)
    assert not target.exists()
