"""Throwaway notebooks for the report tests (unit: the pieces; integration: real builds).

``ROUNDS`` is a small rounds table (years 2018 and 2024) passed to the report functions, so these
tests depend neither on the real notebooks nor on the data.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd

ROUNDS = pd.DataFrame(
    {
        "round_id": ["2018-01", "2024-01", "2024-06"],
        "announced": pd.to_datetime(["2018-01-25", "2024-01-23", "2024-06-17"]),
    }
)
SOURCE_MARKER = "SOURCE-MARKER-only-in-code-7f3a"
PARAMETER_NAMES = ("year", "as_of", "data_dir", "output_dir")


def write_notebook(path: Path, cells: list[tuple[str, str, list[str]]], **metadata) -> Path:
    """Write a notebook of (kind, source, tags) cells with the python3 kernelspec."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata.update(metadata)
    for kind, source, tags in cells:
        cell = (
            nbformat.v4.new_markdown_cell(source)
            if kind == "md"
            else nbformat.v4.new_code_cell(source)
        )
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


RECORD_PARAMETERS = (
    "import json, pathlib\n"
    f"seen = {{n: globals()[n] for n in {PARAMETER_NAMES!r} if n in globals()}}\n"
    "pathlib.Path(output_dir, 'metrics.json').write_text(json.dumps({'parameters': seen}))\n"
)


def figure_notebook(path: Path) -> Path:
    """Declares year and output_dir; draws a captioned figure, saves PNG + CSV, writes metrics."""
    return write_notebook(
        path,
        [
            ("md", "# Tiny figure\nA throwaway notebook for the report tests.", []),
            ("code", "year = 2000\noutput_dir = ''", ["parameters"]),
            (
                "code",
                (
                    f"# {SOURCE_MARKER}\n"
                    "import matplotlib.pyplot as plt\n"
                    "from wwc_analysis.figures import style as plotting\n"
                    "plotting.set_style()\n"
                    "fig, ax = plt.subplots()\n"
                    "ax.bar(['Silver', 'Gold'], [3, 1],\n"
                    "       color=plotting.tier_colors(['Silver', 'Gold']))\n"
                    "plotting.caption(fig, 'Source: test data', simulated=True)\n"
                    "fig.savefig(output_dir + '/bars.png')\n"
                    "plt.show()"
                ),
                [],
            ),
            (
                "code",
                "open(output_dir + '/counts.csv', 'w').write('tier,n\\nSilver,3\\nGold,1\\n')",
                [],
            ),
            ("code", RECORD_PARAMETERS, []),
        ],
        title="Tiny figure notebook",
        wwc={"simulated": True},
    )


def all_parameters_notebook(path: Path) -> Path:
    """Declares every report parameter; records them; named like the annual summary (PDF source)."""
    return write_notebook(
        path,
        [
            ("code", "year = 0\nas_of = ''\ndata_dir = ''\noutput_dir = ''", ["parameters"]),
            ("code", RECORD_PARAMETERS, []),
            ("code", "print('summary for', year)", []),
        ],
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
