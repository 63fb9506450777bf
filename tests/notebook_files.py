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
    """Declares year and output_dir; draws a captioned (SIMULATED) figure and saves it with
    save_figure (rendered once), saves a table with save_table, writes metrics."""
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
                    "import pandas as pd\n"
                    "from wwc_analysis.figures import style as plotting\n"
                    "from wwc_analysis.report.outputs import save_figure, save_table\n"
                    "plotting.set_style()\n"
                    "fig, ax = plt.subplots()\n"
                    "ax.bar(['Silver', 'Gold'], [3, 1],\n"
                    "       color=plotting.tier_colors(['Silver', 'Gold']))\n"
                    "ax.set_title('Cities by tier')\n"
                    "plotting.caption(fig, 'Source: test data', simulated=True)\n"
                    "save_figure(fig, 'bars', output_dir)\n"
                    "plt.show()"
                ),
                [],
            ),
            (
                "code",
                "_ = save_table(pd.DataFrame({'tier': ['Silver', 'Gold'], 'n': [3, 1]}), 'counts', "
                "output_dir, index=False)",
                [],
            ),
            ("code", RECORD_PARAMETERS, []),
        ],
        title="Tiny figure notebook",
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


# --- a finished build without a kernel (the rendering tests) --------------------------------------
#: A tiny valid PNG (1 x 1 pixel).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000005"
    "0001e2e0a3a90000000049454e44ae426082"
)
#: Annual metrics as notebook 04 writes them (metrics_json), two rounds.
ANNUAL_METRICS = {
    "year": 2024,
    "as_of": "2024-12-31",
    "year_basis": "announcement calendar year (cities label rounds by assessment year)",
    "metrics": {
        name: {"name": name, "label": label, "value": value, "basis": basis, "note": note}
        for name, label, value, basis, note in [
            ("rounds", "Rounds announced", 2, "reported", "2024-01 (23 Jan 2024)"),
            (
                "new_reported",
                "New cities (sum of reported counts)",
                21,
                "sum of reported counts",
                "12 + 9 by round; no source states the sum",
            ),
            ("new_identified", "New cities (identified)", 18, "identified", ""),
            (
                "upgraded_reported",
                "Upgraded cities (reported)",
                None,
                "reported",
                "not reported for 2024-06",
            ),
            ("upgraded_identified", "Upgraded cities (identified)", 4, "identified", ""),
            (
                "total_certified_reported",
                "Cities ever certified by end of 2024 (reported)",
                83,
                "reported",
                "",
            ),
            (
                "total_certified_identified",
                "Cities ever certified by end of 2024 (identified)",
                77,
                "identified",
                "",
            ),
            (
                "latest_silver",
                "Latest level Silver at end of 2024 (identified)",
                40,
                "identified",
                "",
            ),
            (
                "latest_unknown",
                "Latest level Unknown at end of 2024 (identified)",
                5,
                "identified",
                "",
            ),
            (
                "countries_identified",
                "Countries with a certified city by end of 2024 (identified)",
                8,
                "identified",
                "Argentina, Brazil",
            ),
        ]
    },
}
HOSTILE = 'Tiers <b>&amp; "co"'
SOURCE = "https://example.org/source-1"


def fake_build(folder: Path) -> list[dict]:
    """A finished build of two runs without a kernel: executed notebooks with a figure output
    (file and title in its metadata), a stderr warning, a checked print tagged remove-cell, a wide
    table with a source link; output folders with manifests, a PNG, CSV tables (one simulated, one
    with a hostile title). Returns the runs as (name, round_id) dicts."""
    import base64
    import json

    from wwc_analysis.report.outputs import SIMULATED_NOTE

    (folder / "executed").mkdir(parents=True)
    runs = [
        {"name": "01-levels", "round_id": None},
        {"name": "02-cohorts-2024-06", "round_id": "2024-06"},
    ]
    for i, run in enumerate(runs):
        name = run["name"]
        out = folder / name
        out.mkdir()
        (out / "levels.png").write_bytes(PNG)
        (out / "table.csv").write_bytes("\ufeffcity,n,share\nLuján de Cuyo,3,0.5\n".encode())
        (out / "sim.csv").write_bytes(f"\ufeff{SIMULATED_NOTE}\ntier,n\nSilver,4\n".encode())
        manifest = [
            {
                "file": "levels.png",
                "kind": "figure",
                "title": HOSTILE if i else "Cities by level",
                "caption": "Source: the record.",
                "simulated": False,
            },
            {
                "file": "sim.png",
                "kind": "figure",
                "title": "SIMULATED: tiers",
                "caption": "SIMULATED DATA",
                "simulated": True,
            },
            {
                "file": "table.csv",
                "kind": "table",
                "title": "Cities",
                "simulated": False,
                "note": "",
                "rows": 1,
            },
            {
                "file": "sim.csv",
                "kind": "table",
                "title": "Simulated tiers",
                "simulated": True,
                "note": "",
                "rows": 1,
            },
        ]
        (out / "sim.png").write_bytes(PNG)
        (out / "outputs.json").write_text(json.dumps({"outputs": manifest}), encoding="utf-8")
        nb = nbformat.v4.new_notebook()
        nb.metadata["title"] = "Levels of cities" if not i else "Cohorts"
        nb.metadata["wwc"] = {
            "short_title": "Levels" if not i else "Cohorts",
            "summary": "How the cities grew.",
            "round_title": "Cohorts of round {round_id}",
            "round_short_title": "Round {round_id}",
            "round_summary": "Round {round_id} in detail.",
        }
        png = base64.b64encode(PNG).decode()
        wide = (
            "<table><tr>"
            + "".join(f"<th>column {k}</th>" for k in range(12))
            + "</tr><tr>"
            + "".join(f"<td>a long cell of text {k}</td>" for k in range(11))
            + f'<td><a href="{SOURCE}" title="{SOURCE} the press release">[1]</a></td>'
            + "</tr></table>"
        )
        nb.cells = [
            nbformat.v4.new_markdown_cell(
                f"# {nb.metadata['title']}\n\n## 1. A section\n\n"
                "See [the other page](02-cohorts-2024-06.html)."
            ),
            nbformat.v4.new_code_cell(
                "save_figure(...)",
                outputs=[
                    nbformat.v4.new_output(
                        "display_data",
                        data={"image/png": png, "text/plain": "<Figure>"},
                        metadata={
                            "image/png": {
                                "width": 1,
                                "wwc": {"file": "levels.png", "title": manifest[0]["title"]},
                            }
                        },
                    ),
                    nbformat.v4.new_output(
                        "stream", name="stderr", text="UserWarning: KERNEL-NOISE\n"
                    ),
                ],
            ),
            nbformat.v4.new_code_cell(
                "print(report)",
                metadata={"tags": ["nbval-check-output", "remove-cell"]},
                outputs=[
                    nbformat.v4.new_output("stream", name="stdout", text="MONOSPACE-DUPLICATE\n")
                ],
            ),
            nbformat.v4.new_code_cell(
                "show(table)",
                outputs=[
                    nbformat.v4.new_output(
                        "display_data", data={"text/html": wide, "text/plain": "t"}
                    )
                ],
            ),
        ]
        nbformat.write(nb, folder / "executed" / f"{name}.ipynb")
    metrics = {"01-levels": ANNUAL_METRICS}
    (folder / "metrics.json").write_text(json.dumps({"notebooks": metrics}), encoding="utf-8")
    return runs
