"""The real annual summary notebook built into a report, end to end (papermill + nbconvert).

One build of the 2024 report with only ``04-annual-summary`` (module-scoped, about 15 s); the checks
compare what a reader gets (metrics.json, the HTML page, the saved outputs) with the package's own
numbers, so the notebook cannot drift from ``wwc_analysis.history.annual``.
"""

from __future__ import annotations

import html
import json
import re

import nbformat
import papermill as pm
import pytest
from papermill.exceptions import PapermillExecutionError

import wwc_analysis
from wwc_analysis.data.paths import NOTEBOOKS_DIR
from wwc_analysis.history import annual as summary
from wwc_analysis.report.build import ReportError, build_report

pytestmark = pytest.mark.slow

NAME = "04-annual-summary"
NOTEBOOK = NOTEBOOKS_DIR / f"{NAME}.ipynb"
YEAR = 2024


@pytest.fixture(scope="module")
def data():
    return wwc_analysis.load()


@pytest.fixture(scope="module")
def report(tmp_path_factory, data):
    out = tmp_path_factory.mktemp("reports")
    return build_report(
        YEAR, data.rounds, data.data_dir, out_dir=out, notebooks=[NOTEBOOK], progress=lambda _: None
    )


@pytest.fixture(scope="module")
def page(report):
    return (report / f"{NAME}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page_text(page):
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL | re.IGNORECASE)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_metrics_json_agrees_with_the_package(report, data):
    merged = json.loads((report / "metrics.json").read_text(encoding="utf-8"))
    assert merged["year"] == YEAR
    got = merged["notebooks"][NAME]
    assert got == json.loads(json.dumps(summary.metrics_json(YEAR, data)))
    m = got["metrics"]
    assert (m["rounds"]["value"], m["rounds"]["rounds"]) == (2, ["2024-01", "2024-06"])
    expected = {
        "new_reported": (21, "reported", "12 + 9 by round"),
        "upgraded_reported": (10, "reported", "6 + 4 by round"),
        "total_certified_reported": (83, "reported", "as stated after 2024-06"),
        "total_certified_identified": (77, "identified", "identified 77 of 83 (gap 6)"),
    }
    for name, (value, basis, note) in expected.items():
        assert (m[name]["value"], m[name]["basis"], m[name]["note"]) == (value, basis, note), name
    assert m["recertified_reported"]["value"] is None  # not reported for June 2024: no sum invented
    assert {x["basis"] for x in m.values()} == {"reported", "identified"}


def test_page_has_no_code_and_embeds_figures(page):
    # no code cell input
    assert 'class="jp-CodeMirrorEditor' not in page and 'class="highlight' not in page
    assert "summary.headline_sentences(" not in page and "plt.show()" not in page
    assert page.count("data:image/png;base64") >= 4  # levels, growth, countries, simulated tiers
    for junk in ("Traceback", "PosixPath(", "&lt;NA&gt;", "<Axes:", "<Figure size"):
        assert junk not in page, junk


def test_page_states_reported_vs_identified(page_text):
    assert "In 2024 the program announced two rounds (23 January and 17 June 2024)." in page_text
    assert "21 new cities (12 + 9)" in page_text and "10 upgraded cities (6 + 4)" in page_text
    assert (
        "the program reported 83 cities certified in all; the record identifies 77 of them"
    ) in page_text
    # the data coverage statement
    assert "identified 77 of 83 reported (6 not in the record)" in page_text
    # announcement year vs assessment year
    assert 'cities call their "2023" certification' in page_text


def test_simulated_section_is_labelled(report, page_text):
    start = page_text.index(
        "SIMULATED DATA: fictional cities. Criteria-level results of real cities"
    )
    section = page_text[start:]
    assert "SIMULATED: gate failures of the fictional applicants, rounds of 2024" in section
    assert "SIMULATED 2024-01:" in section
    table = report / NAME / "simulated-tiers.csv"
    assert table.read_text(encoding="utf-8").startswith("# SIMULATED DATA")
    nb = nbformat.read(report / "executed" / f"{NAME}.ipynb", as_version=4)
    assert nb.metadata["wwc"]["simulated"] is True
    assert "SIMULATED DATA" in (report / "index.html").read_text(encoding="utf-8")


def test_outputs_written(report):
    folder = report / NAME
    pngs = {p.stem for p in folder.glob("*.png")}
    assert {"tier-distribution", "cumulative-growth", "countries", "simulated-tiers"} <= pngs
    tables = {p.stem for p in folder.glob("*.csv")}
    assert {
        "headline-numbers",
        "rounds-summary",
        "round-2024-01-cities",
        "round-2024-06-cities",
        "countries",
    } <= tables


def test_year_without_round_is_a_clear_error(tmp_path, data):
    with pytest.raises(
        ReportError,
        match=r"no round was announced in 2017; years with a round: 2018, 2019, .*2026",
    ):
        build_report(
            2017,
            data.rounds,
            data.data_dir,
            out_dir=tmp_path,
            notebooks=[NOTEBOOK],
            progress=lambda _: None,
        )
    # the notebook itself refuses the year too (a researcher running it by hand)
    with pytest.raises(
        PapermillExecutionError,
        match=r"no certification round was announced in 2017; years with a round: 2018",
    ):
        pm.execute_notebook(
            str(NOTEBOOK),
            str(tmp_path / "out.ipynb"),
            parameters={"year": 2017},
            kernel_name="python3",
            cwd=str(NOTEBOOKS_DIR),
            progress_bar=False,
            execution_timeout=120,
        )
