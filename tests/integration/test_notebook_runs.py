"""Each notebook runs headless (papermill, a kernel) with other parameters than its defaults, from
another working directory: no error, figures as PNG, saved into ``output_dir``. (nbval runs them
with their defaults; their structure: tests/unit/test_notebooks.py.)"""

from __future__ import annotations

import subprocess
import sys

import nbformat
import papermill as pm
import pytest

from wwc_analysis.data.paths import NOTEBOOKS_DIR

# Non-default parameters for one headless run of each notebook.
OTHER_PARAMETERS = {
    "01-tier-distribution": {"year": 2024, "as_of": "2024-06-30", "country": "United States"},
    "02-cohort-comparison": {"year": 2024, "round_id": "2024-01"},
    "03-what-if-scoring": {
        "year": 2024,
        "met": ["DM1", "LC1", "PA1", "DM2", "DM3", "OD1"],
        "outcome_met": False,
        "scenario_gold": 72,
        "scenario_standard": "2018",
    },
    "04-annual-summary": {"year": 2024},
    "05-reach": {"year": 2024, "as_of": "2024-06-30", "country": "Brazil"},
}


@pytest.mark.parametrize("name", sorted(OTHER_PARAMETERS))
def test_runs_with_other_parameters(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # paths must resolve from the package, not the working directory
    out_dir = tmp_path / "out"
    params = dict(OTHER_PARAMETERS[name])
    source = NOTEBOOKS_DIR / f"{name}.ipynb"
    if "output_dir" in pm.inspect_notebook(str(source)):
        params["output_dir"] = str(out_dir)
    executed = tmp_path / f"{name}.ipynb"
    pm.execute_notebook(
        str(source),
        str(executed),
        parameters=params,
        kernel_name="python3",
        cwd=str(NOTEBOOKS_DIR),
        progress_bar=False,
        execution_timeout=600,
    )
    nb = nbformat.read(executed, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    pngs = sum(1 for o in outputs if "image/png" in o.get("data", {}))
    assert pngs >= 1, "figures must reach the notebook as PNG"
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors
    # A bare `sns.histplot(...)` or `fig` as the last line leaves an <Axes ...> / <Figure ...> text
    # result (or a second copy of the figure); a figure shown by plt.show() carries its PNG beside
    # the text.
    texts = [
        o.get("data", {}).get("text/plain", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type in ("execute_result", "display_data")
        and "image/png" not in o.get("data", {})
    ]
    drawn_twice = [t for t in texts if "<Axes" in t or "<Figure" in t]
    assert not drawn_twice, "plot cells must end with plt.show()"
    written = list(out_dir.glob("*.png")) if out_dir.exists() else []
    assert written, "figures are saved as PNG into output_dir"


def test_every_notebook_is_run_here():
    assert sorted(OTHER_PARAMETERS) == sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb"))


@pytest.mark.parametrize(
    "given",
    [
        ["-y", "met: [DM1, LC1]"],  # a YAML list
        ["-p", "met", "DM1,LC1"],  # one string of codes (papermill -p passes a string)
    ],
    ids=["yaml-list", "comma-separated"],
)
def test_a_list_parameter_from_the_papermill_command_line(given, tmp_path):
    """The README's two ways of giving `met` to papermill score the same two criteria."""
    executed = tmp_path / "out.ipynb"
    command = [sys.executable, "-m", "papermill", "-k", "python3", "--no-progress-bar"]
    command += ["--cwd", str(NOTEBOOKS_DIR), str(NOTEBOOKS_DIR / "03-what-if-scoring.ipynb")]
    command += [str(executed), "-p", "year", "2024", "-p", "output_dir", str(tmp_path / "out")]
    run = subprocess.run([*command, *given], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    nb = nbformat.read(executed, as_version=4)
    printed = " ".join(
        o.get("text", "") + o.get("data", {}).get("text/markdown", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert "2 of 43 criteria met" in printed, printed[:2000]
    assert "median simulated applicant" not in printed
