"""What a report was built from, in real builds: ``metrics.json`` (``provenance``) and
``index.html`` carry the record's edition, the SHA-256 of every data file, the package, the git
commit and dirty flag, Python and the libraries, each notebook's parameters and the build time;
two builds from the same commit and data give the same provenance but for the build time. And the
git state of a real repository, clean and dirty."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.notebook_files import ROUNDS, all_parameters_notebook, figure_notebook
from wwc_analysis.data import paths
from wwc_analysis.data.package import checksums
from wwc_analysis.report.build import build_report
from wwc_analysis.report.provenance import git_state


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """Two builds of two throwaway notebooks from one copy of the shipped data."""
    tmp = tmp_path_factory.mktemp("provenance")
    data = tmp / "data"
    shutil.copytree(paths.DATA_DIR, data)
    notebooks = [
        figure_notebook(tmp / "01-figure.ipynb"),
        all_parameters_notebook(tmp / "02-annual-summary.ipynb"),
    ]
    out = []
    for i in range(2):
        final = build_report(
            2024, ROUNDS, data, out_dir=tmp / f"out{i}", notebooks=notebooks, progress=lambda _: 0
        )
        out.append(final)
    return {"data": data.resolve(), "finals": out}


def _metrics(final) -> dict:
    return json.loads((final / "metrics.json").read_text(encoding="utf-8"))


def test_metrics_json_records_the_provenance(builds):
    m = _metrics(builds["finals"][0])
    p = m["provenance"]
    assert p["record"]["edition"] == 2 and p["record"]["date"] == "2026-12-01"
    assert p["data"]["path"] == builds["data"].as_posix()  # outside the project: absolute
    assert p["data"]["files"] == checksums(builds["data"])
    assert p["package"]["name"] == "wwc-analysis"
    assert p["git"] == git_state()
    assert p["python"]["version"] and p["libraries"]["pandas"]
    assert p["notebooks"]["02-annual-summary"] == {
        "year": 2024,
        "as_of": "2024-12-31",
        "data_dir": builds["data"].as_posix(),
        "output_dir": "02-annual-summary",
    }
    assert p["notebooks"]["01-figure"] == {"year": 2024, "output_dir": "01-figure"}
    assert p["built_at"] == m["built_at"]


def test_two_builds_from_the_same_commit_and_data_agree(builds):
    a, b = (_metrics(f)["provenance"] for f in builds["finals"])
    assert [f["sha256"] for f in a["data"]["files"]] == [f["sha256"] for f in b["data"]["files"]]
    a.pop("built_at"), b.pop("built_at")
    assert a == b


def test_index_shows_the_provenance(builds):
    final = builds["finals"][0]
    index = (final / "index.html").read_text(encoding="utf-8")
    p = _metrics(final)["provenance"]
    assert "What this report was built from" in index
    assert "edition 2 of 2026-12-01" in index
    for f in p["data"]["files"]:
        assert f["sha256"] in index
    if p["git"]:
        assert p["git"]["commit"][:12] in index


def _git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_git_state_of_a_real_repository(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "a.txt").write_text("one\n")
    _git(repo, "add", "a.txt")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "one")
    state = git_state(repo)
    assert state is not None and len(state["commit"]) == 40 and state["dirty"] is False
    (repo / "a.txt").write_text("two\n")
    assert git_state(repo) == {"commit": state["commit"], "dirty": True}
    assert git_state(tmp_path / "not-a-repo") is None
