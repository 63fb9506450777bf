"""A data folder without simulated assessments (issue 11, item 8): the project's shipped file
stands in for the notebooks, and that is never silent. ``wwc validate`` says it and whether the
file fits the folder; ``wwc report`` checks it with the folder before any kernel starts (a round
removed from the folder made every simulated section fail after the notebooks had run), says it on
stdout, and the report's provenance names it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.csv_edits import read_rows, write_rows
from wwc_analysis.cli.app import main as cli_main
from wwc_analysis.data import paths
from wwc_analysis.data.package import simulated_source
from wwc_analysis.report.front import provenance_view
from wwc_analysis.report.provenance import provenance, simulated_stand_in

SHIPPED = paths.SIMULATED_DIR / "assessments.csv"


def _drop_round(folder: Path, round_id: str) -> None:
    """Remove a round from a record copy, with its certifications and the crosswalk rows of the
    cities certified only in it: the folder still validates."""
    only_then = set()
    for name in ("rounds.csv", "certifications.csv"):
        rows = read_rows(folder / name)
        column = rows[0].index("round_id")
        gone = [r for r in rows[1:] if r[column] == round_id]
        if name == "certifications.csv":
            others = {r[0] for r in rows[1:] if r[column] != round_id}
            only_then = {r[0] for r in gone} - others
        write_rows(folder / name, [rows[0], *(r for r in rows[1:] if r[column] != round_id)])
    rows = read_rows(folder / "crosswalk.csv")
    column = rows[0].index("city_id")
    write_rows(
        folder / "crosswalk.csv", [rows[0], *(r for r in rows[1:] if r[column] not in only_then)]
    )


def test_the_shipped_file_stands_in_only_for_a_folder_without_its_own(record_copy):
    assert simulated_source(paths.DATA_DIR) == (SHIPPED, False)  # the shipped data's own
    assert simulated_source(record_copy) == (SHIPPED, True)
    assert simulated_stand_in(paths.DATA_DIR) is None
    stand_in = simulated_stand_in(record_copy)
    assert stand_in["file"] == "data/simulated/assessments.csv"
    assert stand_in["fallback"] is True and len(stand_in["sha256"]) == 64


def test_validate_says_which_file_the_report_would_use(record_copy, capsys):
    assert cli_main(["validate", str(record_copy)]) == 0
    out = capsys.readouterr().out
    assert (
        f"(no simulated/assessments.csv; wwc report would use the project's shipped {SHIPPED}, "
        "which fits this folder)"
    ) in out
    assert out.endswith("OK: no problems found\n")


def test_a_folder_the_shipped_file_does_not_fit_is_refused_before_any_kernel(
    record_copy, tmp_path, capsys
):
    _drop_round(record_copy, "2026-01")
    assert cli_main(["validate", str(record_copy)]) == 0  # the folder itself is valid...
    out = capsys.readouterr().out
    assert f"which does NOT fit this folder (201 problems: wwc validate {record_copy}" in out
    assert "wwc report refuses to run)" in out

    out_dir = tmp_path / "reports"
    assert cli_main(["report", "--data", str(record_copy), "--out", str(out_dir)]) == 1
    printed = capsys.readouterr()
    assert printed.out.startswith(f"note: {record_copy} has no simulated/assessments.csv; ")
    assert f"{SHIPPED}:30833: column 'round_id': value '2026-01'" in printed.err
    last = printed.err.splitlines()[-1]
    assert last.startswith(f"wwc report: error: the data in {record_copy} does not validate")
    assert f"the simulated assessments it would use instead of its own, {SHIPPED}" in last
    assert "no notebook was run and nothing was published" in last
    assert not out_dir.exists()


@pytest.mark.parametrize("own", [False, True])
def test_the_provenance_names_a_stand_in(record_copy, own):
    folder = paths.DATA_DIR if own else record_copy
    origin = provenance(folder, {}, "2026-12-01T00:00:00")
    stand_in = simulated_stand_in(folder)
    if stand_in is not None:
        origin["simulated"] = stand_in
    words = provenance_view(origin)["simulated"]
    if own:
        assert words == ""
    else:
        assert words.startswith(
            "the data folder has none: the project's shipped data/simulated/assessments.csv "
            "stands in (SIMULATED; "
        )
