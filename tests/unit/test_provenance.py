"""The provenance of a report (report.provenance) and how the index page shows it
(front.provenance_view, templates/_provenance.html.j2), without a build or a git process."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from wwc_analysis.data import paths
from wwc_analysis.data.package import checksums, record_edition
from wwc_analysis.report import front
from wwc_analysis.report import provenance as prov
from wwc_analysis.report.document import Options, Report


def _index(folder: Path, p) -> str:
    """The front page of an empty build in ``folder`` with the provenance ``p``."""
    built = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    report = Report(folder, 2024, built, date(2024, 12, 31), [], {}, p)
    return front.index_html(report, [], {}, Options())


def test_paths_inside_the_project_are_relative(tmp_path):
    assert prov.shown_path(paths.DATA_DIR) == "data"
    assert prov.shown_path(paths.PROJECT_ROOT / "data" / ".." / "data") == "data"
    assert prov.shown_path(paths.PROJECT_ROOT) == "."
    assert prov.shown_path(tmp_path) == tmp_path.resolve().as_posix()


def _fake_git(monkeypatch, outputs: dict[str, str] | Exception):
    calls = []

    def run(cmd, **kwargs):
        calls.append(cmd)
        if isinstance(outputs, Exception):
            raise outputs
        return subprocess.CompletedProcess(cmd, 0, stdout=outputs[cmd[-1]], stderr="")

    monkeypatch.setattr(prov.subprocess, "run", run)
    return calls


@pytest.mark.parametrize(("status", "dirty"), [(" M data/rounds.csv\n", True), ("", False)])
def test_git_state_of_a_checkout(monkeypatch, status, dirty):
    outputs = {"--show-toplevel": "/repo\n", "HEAD": "ab12" * 10 + "\n", "--porcelain": status}
    calls = _fake_git(monkeypatch, outputs)
    assert prov.git_state(Path("/repo")) == {"commit": "ab12" * 10, "dirty": dirty}
    assert [c[3:] for c in calls] == [
        ["rev-parse", "--show-toplevel"],
        ["rev-parse", "HEAD"],
        ["status", "--porcelain"],
    ]
    assert all(c[:3] == ["git", "-C", "/repo"] for c in calls)


@pytest.mark.parametrize(
    "failure",
    [
        FileNotFoundError("git"),
        subprocess.CalledProcessError(128, ["git"], stderr="not a git repository"),
        subprocess.TimeoutExpired(["git"], 10),
    ],
)
def test_no_git_is_no_failure(monkeypatch, failure):
    _fake_git(monkeypatch, failure)
    assert prov.git_state(Path("/nowhere")) is None


def test_notebook_parameters_as_they_ran(tmp_path):
    report = tmp_path / ".build-2024-x"
    defaults = {"year": "2026", "met": '["DM1", "LC1"]', "gold": "70", "odd": "f(1)"}
    passed = {"year": 2024, "data_dir": str(paths.DATA_DIR), "output_dir": str(report / "03-x")}
    got = prov.notebook_record(defaults, passed, report)
    assert got == {
        "year": 2024,
        "met": ["DM1", "LC1"],
        "gold": 70,
        "odd": "f(1)",  # not a literal: kept as written
        "data_dir": "data",
        "output_dir": "03-x",
    }


def test_provenance_of_the_shipped_data(monkeypatch):
    monkeypatch.setattr(prov, "git_state", lambda root=None: {"commit": "abc" * 13, "dirty": False})
    p = prov.provenance(paths.DATA_DIR, {"04-x": {"year": 2024}}, "2026-12-01T10:00:00+00:00")
    assert p["record"] == record_edition() and p["record"]["edition"] == 2
    assert p["data"] == {"path": "data", "files": checksums(paths.DATA_DIR)}
    files = [f["file"] for f in p["data"]["files"]]
    assert files[:5] == [
        "criteria_2022.csv",
        "standards.csv",
        "rounds.csv",
        "certifications.csv",
        "unplaced.csv",
    ]
    assert files[5:7] == ["universe.csv", "crosswalk.csv"]  # the reach tables: notebooks 04, 05
    assert "simulated/assessments.csv" in files and "datapackage.json" in files
    assert all(len(f["sha256"]) == 64 for f in p["data"]["files"])
    assert p["package"]["name"] == "wwc-analysis" and p["package"]["version"]
    assert set(p["libraries"]) == set(prov.LIBRARIES)
    assert p["notebooks"] == {"04-x": {"year": 2024}}
    assert p["python"]["version"].count(".") == 2


def test_library_versions_are_those_installed():
    """Read from the installed metadata without importing the libraries, they are the versions the
    imported modules report."""
    import pandas

    got = prov.library_versions()
    assert set(got) == set(prov.LIBRARIES) and got["pandas"] == pandas.__version__


def test_the_index_shows_the_provenance_escaped(monkeypatch, tmp_path):
    commit = "0123456789abcdef" * 2 + "01234567"
    monkeypatch.setattr(prov, "git_state", lambda root=None: {"commit": commit, "dirty": True})
    p = prov.provenance(paths.DATA_DIR, {"03-<w>": {"met": ["DM1", "LC1"], "x": None}}, "now")
    page = _index(tmp_path, p)
    assert "What this report was built from" in page
    assert "the public record, edition 2 of 2026-12-01 (version 2.0.0)" in page
    assert "git commit 0123456789ab (with uncommitted changes)" in page
    for f in p["data"]["files"]:
        assert f"<code>{f['sha256']}</code>" in page
    assert "03-&lt;w&gt;" in page and "<code>DM1, LC1</code>" in page
    assert "<code>not set</code>" in page
    assert "None" not in page and "null" not in page
    assert page.count('id="provenance"') == 1


def test_what_a_folder_without_an_edition_or_git_shows(tiny):
    p = {
        "record": None,
        "data": {"path": "/my/data", "files": checksums(tiny.data_dir)},
        "package": {"name": "wwc-analysis", "version": "0.1.0"},
        "git": None,
        "python": {"version": "3.11.7", "implementation": "CPython"},
        "libraries": {"pandas": "3.1.1"},
        "notebooks": {},
        "built_at": "now",
    }
    view = front.provenance_view(p)
    assert view["record"].startswith("edition not stated")
    assert view["code"].startswith("not built from a git checkout")
    assert view["files"][0]["size"].endswith("bytes")


def test_without_a_provenance_the_index_has_no_block(tmp_path):
    page = _index(tmp_path, None)
    assert 'id="provenance"' not in page
