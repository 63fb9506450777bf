"""Reports of randomly thinned copies of the record (issue 11): valid data gives a report, or
``wwc report`` refuses it before any kernel with a clear validation error; never a notebook that
fails, never a traceback.

A copy keeps a random share of the certification events (the crosswalk rows of the cities that
disappear go with them, as a careful researcher would do), and may lose a whole round, its reach
tables (the reach page is then left out) or its simulated assessments (the shipped file stands in,
and is checked against the copy). Each example is a whole report build of the real notebooks
(half a minute on two cores), so the default and ``ci`` profiles run only one or two generated
examples besides an explicit one, seeded (``derandomize``); ``WWC_THINNED_EXAMPLES=20`` runs more.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.csv_edits import read_rows, write_rows
from wwc_analysis.data import paths

CI = os.environ.get("HYPOTHESIS_PROFILE") == "ci"
#: Generated examples, besides the explicit one (a round dropped, its own simulated assessments).
EXAMPLES = int(os.environ.get("WWC_THINNED_EXAMPLES", "2" if CI else "1"))
YEAR = 2024
REFUSED = "no notebook was run and nothing was published"


def _keep(path: Path, column: str, keep) -> set[str]:
    """Keep the rows of a CSV file whose ``column`` passes ``keep``; return the dropped values of
    its first column."""
    rows = read_rows(path)
    at = rows[0].index(column)
    kept = [r for r in rows[1:] if keep(r[at])]
    write_rows(path, [rows[0], *kept])
    return {r[0] for r in rows[1:]} - {r[0] for r in kept}


def thinned_copy(
    target: Path, seed: int, share: float, drop_round: str | None, reach: bool, simulated: bool
) -> Path:
    """The shipped data, thinned: see the module docstring."""
    shutil.copytree(
        paths.DATA_DIR, target, ignore=shutil.ignore_patterns("universe", "README.md", "*.md")
    )
    rng = random.Random(seed)
    certifications = target / "certifications.csv"
    rows = read_rows(certifications)
    at = rows[0].index("round_id")
    kept = [r for r in rows[1:] if rng.random() < share and r[at] != drop_round]
    write_rows(certifications, [rows[0], *kept])
    if drop_round is not None:
        _keep(target / "rounds.csv", "round_id", lambda r: r != drop_round)
        if simulated:  # its simulated assessments go too (the shipped ones stay as they are)
            _keep(target / "simulated" / "assessments.csv", "round_id", lambda r: r != drop_round)
    remaining = {r[0] for r in kept}
    _keep(target / "crosswalk.csv", "city_id", lambda c: not c or c in remaining)
    if not reach:
        for name in ("universe.csv", "crosswalk.csv"):
            (target / name).unlink()
    if not simulated:
        shutil.rmtree(target / "simulated")
    return target


def _wwc(*args: str) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("wwc")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "wwc_analysis.cli"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=900, check=False
    )


@pytest.mark.slow
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 2**16),
    # the first values are the simplest to hypothesis: the first examples build whole reports
    share=st.sampled_from([0.7, 0.3, 1.0, 0.0]),
    drop_round=st.sampled_from([None, "2024-06", "2024-01"]),
    reach=st.booleans(),
    simulated=st.booleans(),
)
@example(seed=7, share=0.3, drop_round="2024-06", reach=True, simulated=True)
def test_a_thinned_record_gives_a_report_or_a_clear_refusal(
    tmp_path_factory, seed, share, drop_round, reach, simulated
):
    tmp = tmp_path_factory.mktemp("thinned")
    data = thinned_copy(tmp / "data", seed, share, drop_round, reach, simulated)
    out = tmp / "reports"
    said = f"share {share}, seed {seed}, without {drop_round}, reach {reach}, simulated {simulated}"
    done = _wwc("report", "--year", str(YEAR), "--data", str(data), "--out", str(out))
    assert "Traceback" not in done.stderr, said
    if done.returncode == 0:
        assert (out / str(YEAR) / "index.html").is_file(), said
        if not reach:
            assert "Not in this report: <b>05-reach</b>" in (
                out / str(YEAR) / "index.html"
            ).read_text(encoding="utf-8")
        return
    last = done.stderr.strip().splitlines()[-1]
    assert done.returncode == 1 and REFUSED in last, f"{said}:\n{done.stderr[-3000:]}"
    assert not (out / str(YEAR)).exists(), said
    validated = _wwc("validate", str(data))
    fallback_misfit = "does NOT fit this folder" in validated.stdout
    assert validated.returncode == 1 or fallback_misfit, (
        f"{said}: refused by wwc report, accepted by wwc validate without a word:\n"
        f"{validated.stdout}"
    )
