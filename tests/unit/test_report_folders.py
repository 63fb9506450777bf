"""Build folders and their locks (issue 11, item 13), the reports folder refused when it cannot be
used (item 5), and SIGTERM turned into a clean interrupt: no kernel, the pieces one at a time."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from tests.notebook_files import ROUNDS, snapshot
from wwc_analysis.cli import app
from wwc_analysis.errors import Terminated
from wwc_analysis.report import build as build_module
from wwc_analysis.report import folders, publish
from wwc_analysis.report.build import ReportError, build_report


def _held_elsewhere(lock: Path) -> subprocess.Popen:
    """A child process holding ``lock`` (as a live build does) until it is killed."""
    code = (
        "import fcntl, os, sys, time\n"
        "fd = os.open(sys.argv[1], os.O_RDWR)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(lock)], stdout=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b"held"
    return proc


def _killed_build(out: Path, year: int = 2024) -> Path:
    """What a SIGKILLed build leaves: its folder with files, and its lock file, held by nobody."""
    holder = folders.BuildFolder(out, year)
    (holder.path / "executed").mkdir()
    (holder.path / "executed" / "01.ipynb").write_text("{}")
    os.close(holder._fd)  # the process died: the kernel lets the lock go, the file stays
    holder._fd = None
    return holder.path


def test_a_build_folder_is_locked_from_before_it_exists_until_released(tmp_path):
    holder = folders.BuildFolder(tmp_path, 2024)
    assert folders.BUILD_NAME.match(holder.path.name)
    assert holder.lock == tmp_path / (holder.path.name + ".lock")
    assert holder.path.is_dir() and (holder.path.stat().st_mode & 0o777) == 0o700
    assert folders.remove_stale(tmp_path) == []  # held by this live process
    assert holder.path.is_dir()
    holder.path.rmdir()
    holder.release()
    assert not holder.lock.exists()
    holder.release()  # twice is harmless


def test_stale_build_folders_of_killed_runs_are_removed(tmp_path):
    stale = _killed_build(tmp_path)
    assert folders.remove_stale(tmp_path) == [stale.name]
    assert not stale.exists() and not stale.with_name(stale.name + ".lock").exists()


def test_a_build_folder_held_by_another_live_process_is_kept(tmp_path):
    stale = _killed_build(tmp_path)
    holder = _held_elsewhere(stale.with_name(stale.name + ".lock"))
    try:
        assert folders.remove_stale(tmp_path) == []
        assert (stale / "executed" / "01.ipynb").is_file()
    finally:
        holder.kill()
        holder.wait()
    assert folders.remove_stale(tmp_path) == [stale.name]


def test_only_the_projects_own_folders_are_touched(tmp_path):
    keep = [
        tmp_path / "2024",
        tmp_path / ".build-notes",
        tmp_path / ".build-2024-ABCDEFGH",  # not mkdtemp's alphabet
        tmp_path / "build-2024-abcdefgh",
        tmp_path / ".failed-2024",
    ]
    for path in keep:
        path.mkdir()
        (path / "f.txt").write_text("mine")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "f.txt").write_text("not the project's")
    link = tmp_path / ".build-2024-linkedxx"
    link.symlink_to(outside, target_is_directory=True)
    # a lock file whose "folder" is a symbolic link: the link's target is never removed
    (tmp_path / ".build-2024-linkedxx.lock").write_text("")
    old = time.time() - 2 * folders.UNLOCKED_AGE
    for path in [*keep, link]:
        os.utime(path, (old, old), follow_symlinks=False)
    folders.remove_stale(tmp_path)
    assert all((p / "f.txt").read_text() == "mine" for p in keep)
    assert (outside / "f.txt").is_file()


def test_an_unlocked_build_folder_goes_only_when_old(tmp_path):
    legacy = tmp_path / ".build-2024-k2j4_x9q"  # tempfile.mkdtemp's name, before the locks
    young = tmp_path / ".build-2023-abc12345"
    for path in (legacy, young):
        path.mkdir()
    old = time.time() - 2 * folders.UNLOCKED_AGE
    os.utime(legacy, (old, old))
    assert folders.remove_stale(tmp_path) == [legacy.name]
    assert young.is_dir()


def test_an_old_report_left_aside_by_a_cut_publish_is_put_back(tmp_path):
    aside = tmp_path / ".old-2024-0123abcd"
    aside.mkdir()
    (aside / "index.html").write_text("previous")
    assert folders.remove_stale(tmp_path) == [aside.name]
    assert (tmp_path / "2024" / "index.html").read_text() == "previous"
    again = tmp_path / ".old-2024-89abcdef"
    again.mkdir()
    folders.remove_stale(tmp_path)  # 2024 is there: the copy aside is removed
    assert not again.exists() and (tmp_path / "2024" / "index.html").is_file()


def test_publish_exchanges_the_old_report_and_the_new_atomically(tmp_path):
    final, new = tmp_path / "2024", tmp_path / ".build-2024-00000000"
    final.mkdir()
    (final / "index.html").write_text("old")
    new.mkdir()
    (new / "index.html").write_text("new")
    assert folders.exchange(new, final)  # this machine's kernel and file system can
    assert (final / "index.html").read_text() == "new"
    assert (new / "index.html").read_text() == "old"
    publish.publish(new, final)
    assert (final / "index.html").read_text() == "old" and not new.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2024"]


def test_publish_without_exchange_still_swaps(tmp_path, monkeypatch):
    monkeypatch.setattr(publish, "exchange", lambda a, b: False)
    final, new = tmp_path / "2024", tmp_path / ".build-2024-00000000"
    final.mkdir()
    (final / "old.txt").write_text("old")
    new.mkdir()
    (new / "index.html").write_text("new")
    publish.publish(new, final)
    assert sorted(p.name for p in final.iterdir()) == ["index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2024"]


# ------------------------------------------------------------------------ the reports folder


def _build(out: Path, **kwargs):
    return build_report(
        2024, ROUNDS, out.parent, out_dir=out, notebooks=[], progress=lambda _: None, **kwargs
    )


def test_out_pointing_at_a_file_is_refused_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(build_module, "_resolve_notebooks", lambda _: [])
    monkeypatch.setattr(build_module, "plan_runs", lambda *_: [])
    target = tmp_path / "reports.txt"
    target.write_text("keep me")
    with pytest.raises(ReportError) as caught:
        _build(target)
    assert caught.value.exit_code == 2
    assert str(caught.value).startswith(f"{target} exists and is not a folder")
    assert "\n" not in str(caught.value)
    assert target.read_text() == "keep me"
    out = tmp_path / "reports"
    out.mkdir()
    (out / "2024").write_text("a file where the report goes")
    with pytest.raises(ReportError, match="2024 exists and is not a folder") as caught:
        _build(out)
    assert caught.value.exit_code == 2
    assert sorted(p.name for p in out.iterdir()) == ["2024"]


@pytest.mark.parametrize("where", ["mkdir", "folder"])
def test_an_unwritable_reports_folder_is_refused_in_one_line(tmp_path, monkeypatch, where):
    monkeypatch.setattr(build_module, "_resolve_notebooks", lambda _: [])
    monkeypatch.setattr(build_module, "plan_runs", lambda *_: [])

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    if where == "mkdir":
        monkeypatch.setattr(Path, "mkdir", read_only)
    else:
        monkeypatch.setattr(folders, "BuildFolder", read_only)
    out = tmp_path / "reports"
    with pytest.raises(ReportError) as caught:
        _build(out, built_at=datetime(2026, 1, 1))
    message = str(caught.value)
    assert caught.value.exit_code == 2
    assert message == (
        f"cannot write in the reports folder {out.resolve()}: Read-only file system; "
        "nothing was built"
    )
    before = snapshot(tmp_path)
    assert not any(".build-" in name for name in before)


# ----------------------------------------------------------------------------------- SIGTERM


def test_sigterm_raises_terminated_in_the_main_thread_once(monkeypatch):
    seen = []

    def command(args):
        with pytest.raises(Terminated) as caught:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)
        seen.append(caught.value.exit_code)
        os.kill(os.getpid(), signal.SIGTERM)  # a second one while cleaning up is ignored
        raise caught.value

    before = signal.getsignal(signal.SIGTERM)
    from wwc_analysis.cli import rounds as rounds_cli

    monkeypatch.setattr(rounds_cli, "cmd_rounds", command)
    assert app.main(["rounds"]) == 143
    assert seen == [143]
    assert signal.getsignal(signal.SIGTERM) == before


# ------------------------------------------------------------------ one error printed once (14)


def test_one_error_in_every_notebook_is_printed_once(tmp_path):
    from wwc_analysis.report.run import NotebookRun

    error = {"ok": False, "seconds": 1.0, "ename": "KeyError", "evalue": "'cohort'"}
    failures = [
        NotebookRun("01-tiers", cell_index=3, cell_first_line="load()", **error),
        NotebookRun("02-cohorts-2024-01", cell_index=4, **error),
        NotebookRun("04-annual", ename="ValueError", evalue="empty", ok=False, seconds=1.0),
    ]
    build = build_module._Build(
        2024, tmp_path, tmp_path, tmp_path / ".build-2024-x", datetime(2026, 1, 1)
    )
    message = build_module._failure_message(build, failures, ["05-reach"], tmp_path / ".failed")
    assert message.count("KeyError: 'cohort'") == 1
    assert "  the same error in 2 notebooks: KeyError: 'cohort'\n" in message
    assert "    in 01-tiers.ipynb, cell 3 ('load()')\n" in message
    assert "    in 02-cohorts-2024-01.ipynb, cell 4\n" in message
    assert "  04-annual.ipynb: ValueError: empty\n" in message
    assert message.startswith("report 2024 not published: 3 notebook(s) failed\n")
