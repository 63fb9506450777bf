"""The shared look inside a Jupyter kernel (a child process): ``set_style`` in a kernel that
inherited ``MPLBACKEND=Agg`` still draws its figures, once, as PNG."""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat


def test_set_style_in_a_kernel_that_inherited_agg_still_draws(tmp_path):
    """The pitfall: MPLBACKEND=Agg in the runner's environment drops every figure of a kernel."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\n"
            "from wwc_analysis.figures import style as plotting\n"
            "plotting.set_style()\n"
            "fig, ax = plt.subplots()\n"
            "ax.plot([1, 2], [3, 4])\n"
            "plotting.caption(fig, 'Source: test')\n"
            "plt.show()"
        )
    ]
    source, executed = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, source)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "papermill",
            "-k",
            "python3",
            "--no-progress-bar",
            str(source),
            str(executed),
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    outputs = nbformat.read(executed, as_version=4).cells[0].outputs
    mimes = [mime for out in outputs for mime in out.get("data", {})]
    assert mimes.count("image/png") == 1, mimes  # drawn once, as PNG (not SVG)
    assert "image/svg+xml" not in mimes
