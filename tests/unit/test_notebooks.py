"""Structure of the committed notebooks, read from the files (no kernel).

nbval (collected from notebooks/ by pytest) checks the tagged outputs with the default parameters;
these tests check what nbval cannot: the parameters cell, the kernel name, the stripped outputs and
how thin the notebooks are. tests/integration/test_notebook_runs.py runs each one headless with
other parameters.
"""

from __future__ import annotations

import re

import nbformat
import papermill as pm
import pytest

from wwc_analysis.data.paths import NOTEBOOKS_DIR

EXPECTED_PARAMETERS = {
    "01-tier-distribution": {"year", "as_of", "country", "region", "data_dir", "output_dir"},
    "02-cohort-comparison": {"year", "round_id", "data_dir", "output_dir"},
    "03-what-if-scoring": {
        "year",
        "as_of",
        "met",
        "outcome_met",
        "self_assessment",
        "scenario_gold",
        "scenario_standard",
        "data_dir",
        "output_dir",
    },
    "04-annual-summary": {"year", "as_of", "data_dir", "output_dir"},
    "05-reach": {"year", "as_of", "country", "data_dir", "output_dir"},
}

NAMES = sorted(EXPECTED_PARAMETERS)


def _path(name: str):
    path = NOTEBOOKS_DIR / f"{name}.ipynb"
    assert path.exists(), f"{path} is missing"
    return path


def test_no_unexpected_notebooks():
    assert sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_parameters_cell(name):
    path = _path(name)
    params = pm.inspect_notebook(str(path))
    assert set(params) == EXPECTED_PARAMETERS[name]
    # plain `name = literal` lines: no annotations papermill would warn about
    for p in params.values():
        assert p["inferred_type_name"] == "None", p
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)


@pytest.mark.parametrize("name", NAMES)
def test_metadata_and_stripped_outputs(name):
    nb = nbformat.read(_path(name), as_version=4)
    assert nb.metadata.kernelspec.name == "python3"
    assert nb.metadata.get("title")
    assert "papermill" not in nb.metadata
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("#")
    checked = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        if "nbval-check-output" in tags:
            checked += 1
            assert cell.metadata.get("keep_output") is True
            assert cell.outputs, "a checked cell must keep its reference output"
            assert cell.execution_count is not None
            # small text only: figures and HTML do not belong in references
            for out in cell.outputs:
                assert out.output_type in ("stream", "execute_result")
                if out.output_type == "execute_result":
                    assert set(out.data) <= {"text/plain"}
        else:
            assert not cell.outputs, (
                f"cell {cell.source[:40]!r} should be stripped (nbstripout --keep-count)"
            )
    assert 2 <= checked <= 6


@pytest.mark.parametrize("name", NAMES)
def test_only_checked_prints_are_hidden_from_the_report(name):
    """A cell the report's pages leave out (tag remove-cell) is a plain-text print that nbval
    checks, and the page shows the same numbers formatted: nothing else is hidden from readers."""
    nb = nbformat.read(_path(name), as_version=4)
    hidden = [c for c in nb.cells if "remove-cell" in c.metadata.get("tags", [])]
    for cell in hidden:
        assert "nbval-check-output" in cell.metadata["tags"], cell.source[:60]
        assert cell.source.lstrip().startswith("print("), cell.source[:60]
    assert not any("remove-output" in c.metadata.get("tags", []) for c in nb.cells)


@pytest.mark.parametrize("name", NAMES)
def test_titles_and_summaries_for_the_report(name):
    """The index and the navigation need a short title and a one-line summary of every page (and of
    each round's page for a notebook run once per round)."""
    meta = nbformat.read(_path(name), as_version=4).metadata["wwc"]
    assert 0 < len(meta["short_title"]) <= 30
    assert 60 <= len(meta["summary"]) <= 260
    if meta.get("per_round"):
        assert "{round_id}" in meta["round_title"] and "{round_id}" in meta["round_summary"]
        assert "round_id" in pm.inspect_notebook(str(_path(name)))


# --- thin notebooks: parameters, a load, then calls -----------------------------------------------
HISTORY_NOTEBOOKS = ("01-tier-distribution", "02-cohort-comparison", "04-annual-summary")
#: Code lines (non-blank, non-comment) the three notebooks may hold together: half of the 645 they
#: had.
MAX_CODE_LINES = 320


def _code_lines(name: str) -> list[str]:
    nb = nbformat.read(_path(name), as_version=4)
    code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    return [
        line
        for source in code
        for line in source.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def test_history_notebooks_are_thin():
    total = sum(len(_code_lines(name)) for name in HISTORY_NOTEBOOKS)
    assert total <= MAX_CODE_LINES, (
        f"notebooks 01, 02, 04 hold {total} code lines (at most {MAX_CODE_LINES})"
    )


#: Notebooks held to the same rules as the history notebooks (not counted in their line budget).
REACH_NOTEBOOKS = ("05-reach",)


@pytest.mark.parametrize("name", HISTORY_NOTEBOOKS + REACH_NOTEBOOKS)
def test_charts_palettes_and_cohorts_come_from_the_package(name):
    """Every chart is one call to wwc_analysis.figures (one growth chart, one palette module), every
    cohort name and label comes from the package (one vocabulary), and no file is read directly."""
    code = "\n".join(_code_lines(name))
    drawing = ["plt.subplots", "ax.", "sns.", "fig.", ".plot(", ".plot.", "PALETTE", "caption("]
    assert not [d for d in drawing if d in code], "draw charts with wwc_analysis.figures"
    assert not re.search(r"#[0-9A-Fa-f]{6}\b", code), "colours come from wwc_analysis.figures.style"
    assert "recertified" not in code and "COHORT" not in code, "cohorts come from the package"
    reads = [r for r in ("open(", "read_csv", "read_excel", "Path(") if r in code]
    assert not reads, "notebooks never read files"
    assert code.count("wwc.load(") == 1
