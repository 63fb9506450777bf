"""The real annual summary notebook built into a report, end to end (papermill + nbconvert).

One build of the 2024 report with only ``04-annual-summary`` (module-scoped, a few seconds); the
checks compare what a reader gets (metrics.json, the HTML page, the saved outputs) with the
package's own numbers and sentences, so the notebook cannot drift from ``wwc_analysis.history`` and
``wwc_analysis.text``. The numbers themselves are the record tier's (tests/record/expected.yaml).
"""

from __future__ import annotations

import html
import json
import re

import papermill as pm
import pytest
from papermill.exceptions import PapermillExecutionError

from wwc_analysis.data.paths import NOTEBOOKS_DIR
from wwc_analysis.history import annual as summary
from wwc_analysis.history.rounds import years_with_rounds
from wwc_analysis.report.build import ReportError, build_report
from wwc_analysis.text import annual as summary_text

NAME = "04-annual-summary"
NOTEBOOK = NOTEBOOKS_DIR / f"{NAME}.ipynb"
YEAR = 2024


@pytest.fixture(scope="module")
def report(tmp_path_factory, record):
    out = tmp_path_factory.mktemp("reports")
    return build_report(
        YEAR,
        record.rounds,
        record.data_dir,
        out_dir=out,
        notebooks=[NOTEBOOK],
        progress=lambda _: None,
    )


@pytest.fixture(scope="module")
def page(report):
    return (report / f"{NAME}.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page_text(page):
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL | re.IGNORECASE)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_metrics_json_agrees_with_the_package(report, record):
    merged = json.loads((report / "metrics.json").read_text(encoding="utf-8"))
    assert merged["year"] == YEAR
    got = merged["notebooks"][NAME]
    assert got == json.loads(json.dumps(summary.metrics_json(YEAR, record)))
    m = got["metrics"]
    in_year = [r for r in record.rounds["round_id"] if r.startswith(str(YEAR))]
    assert (m["rounds"]["value"], m["rounds"]["rounds"]) == (len(in_year), in_year)
    # two rounds in 2024: their counts added are a sum of reported counts, not a reported figure
    for name in ("new_reported", "upgraded_reported"):
        assert m[name]["basis"] == "sum of reported counts", name
    assert m["total_certified_reported"]["basis"] == "reported"
    assert m["total_certified_identified"]["basis"] == "identified"
    assert {x["basis"] for x in m.values()} == {"reported", "sum of reported counts", "identified"}


def test_page_has_no_code_and_embeds_figures(page):
    # no code cell input
    assert 'class="jp-CodeMirrorEditor' not in page and 'class="highlight' not in page
    assert "summary.headline_sentences(" not in page and "plt.show()" not in page
    # the figures are the PNG files (levels, growth, countries, simulated tiers), with titles
    images = re.findall(r'<img alt="([^"]+)"[^>]*src="04-annual-summary/([a-z-]+\.png)"', page)
    images += re.findall(r'<img[^>]*src="04-annual-summary/([a-z-]+\.png)"[^>]*alt="([^"]+)"', page)
    assert len(images) >= 4 and "data:image/png" not in page
    assert "No description has been provided" not in page
    for junk in ("Traceback", "PosixPath(", "&lt;NA&gt;", "<Axes:", "<Figure size"):
        assert junk not in page, junk


def test_page_states_reported_vs_identified(page_text, record):
    """The page says what text.annual says: the headline sentences and the coverage lines."""
    for sentence in summary_text.headline_sentences(YEAR, record):
        assert " ".join(html.unescape(sentence).replace("**", "").split()) in page_text, sentence
    # the data coverage statement
    total = [
        line
        for line in summary_text.coverage_lines(YEAR, record)
        if line.startswith(f"Cities ever certified by the end of {YEAR}")
    ]
    assert len(total) == 1 and total[0] in page_text
    # announcement year vs assessment year
    assert 'cities call their "2023" certification' in page_text


def test_simulated_section_is_labelled(report, page, page_text):
    start = page_text.index(
        "SIMULATED DATA: fictional cities. Criteria-level results of real cities"
    )
    section = page_text[start:]
    assert "SIMULATED: gate failures of the fictional applicants, rounds of 2024" in section
    assert "SIMULATED 2024-01:" not in section, "the checked print is not shown: the figure is"
    assert 'alt="SIMULATED: tier reached by fictional applicants' in page
    table = report / NAME / "simulated-tiers.csv"
    assert table.read_text(encoding="utf-8-sig").startswith("# SIMULATED DATA")
    # on the front page the badge marks the simulated outputs, and only those
    manifest = json.loads((report / NAME / "outputs.json").read_text(encoding="utf-8"))["outputs"]
    simulated = {o["file"] for o in manifest if o["simulated"]}
    assert simulated == {"simulated-tiers.png", "simulated-tiers.csv", "simulated-gates.csv"}
    index = (report / "index.html").read_text(encoding="utf-8")
    assert index.count('<span class="badge" title=') == len(simulated)


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


def test_year_without_round_is_a_clear_error(tmp_path, record):
    years = years_with_rounds(record)
    before = years[0] - 1
    with pytest.raises(
        ReportError,
        match=rf"no round was announced in {before}; years with a round: {years[0]}, "
        rf"{years[1]}, .*{years[-1]}",
    ):
        build_report(
            before,
            record.rounds,
            record.data_dir,
            out_dir=tmp_path,
            notebooks=[NOTEBOOK],
            progress=lambda _: None,
        )
    # the notebook itself refuses the year too (a researcher running it by hand)
    with pytest.raises(
        PapermillExecutionError,
        match=rf"no certification round was announced in {before}; years with a round: {years[0]}",
    ):
        pm.execute_notebook(
            str(NOTEBOOK),
            str(tmp_path / "out.ipynb"),
            parameters={"year": before},
            kernel_name="python3",
            cwd=str(NOTEBOOKS_DIR),
            progress_bar=False,
            execution_timeout=120,
        )
