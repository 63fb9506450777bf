"""Words that match the record, read from built reports of the shipped data (every notebook):
a reconstructed round (2022-03) is never announced by the program nor counted as reported; a sum of
several rounds' reported counts (2024) is labelled a sum of reported counts; every sentence about
simulated cities says so itself, in every simulated section; every table and metrics key resting
on simulated data carries the label; the 2025 report shows edition 2's 18 of 21 new cities and 97
cities identified after 2025-02; every report records its provenance.

The years: 2018 (a round the simulation does not cover), 2022 (the reconstructed round), 2024 (two
rounds: sums) and 2025 (edition 2's round). One build each, module-scoped; 2024's with its PDF,
whose text must keep every page, every source link and every column header of the HTML pages.
"""

from __future__ import annotations

import json
import re

import pypdf
import pytest
from bs4 import BeautifulSoup

from wwc_analysis.data import paths
from wwc_analysis.report.build import build_report, discover_notebooks, plan_runs

YEARS = (2018, 2022, 2024, 2025)
#: Sentences of the first edition's reports that must never come back.
GONE = (
    "the program announced one round (about 30 March 2022)",
    "In 2022 the program announced",
    "Round 2022-03: announced",
    "**Round 2022-03**, announced",
    "21 new cities (12 + 9)",
    "10 upgraded cities (6 + 4)",
    "New cities (reported)\n21",
    "has only 0 upgraded",
)
#: A sentence about simulated cities: it speaks of cities, assessments or tiers reached, with a
#: number.
ABOUT_CITIES = re.compile(r"\b(cities|assessments|applicants|tiers? (?:reached|the))\b", re.I)
SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z*\d])")


@pytest.fixture(scope="module")
def reports(tmp_path_factory, record):
    out = tmp_path_factory.mktemp("words")
    return {
        year: build_report(
            year, record.rounds, paths.DATA_DIR, out_dir=out, pdf=year == 2024, progress=lambda _: 0
        )
        for year in YEARS
    }


def _page_text(path) -> str:
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    return " ".join(soup.get_text(" ").split())


def _simulated_outputs(path) -> list[tuple[str, str]]:
    """(section heading, text) of every paragraph, list item and caption that a notebook printed
    (its outputs, not its Markdown cells) in a section whose heading says simulated."""
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    found, heading = [], None
    for el in soup.find_all(["h2", "p", "li", "caption"]):
        if el.name == "h2":
            text = el.get_text(" ", strip=True)
            heading = text if "simulated" in text.lower() else None
            continue
        in_output = el.find_parent(class_="jp-OutputArea-output") is not None
        if heading and in_output and el.find_parent("blockquote") is None:
            found.append((heading, " ".join(el.get_text(" ").split())))
    return found


def _metrics(final) -> dict:
    return json.loads((final / "metrics.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("year", YEARS)
def test_no_sentence_of_the_first_edition_survives(reports, year):
    pages = {p.name: _page_text(p) for p in reports[year].glob("*.html")}
    raw = {p.name: p.read_text(encoding="utf-8") for p in reports[year].glob("*.html")}
    for name, text in pages.items():
        for gone in GONE:
            assert gone not in text and gone not in raw[name], (year, name, gone)
        # no simulated count read as a real round's: "round 2024-06 has only 4 upgraded, 9 ..."
        assert not re.search(r"round \d{4}-\d{2} has only \d+ upgraded, \d+", text), (year, name)


@pytest.mark.parametrize("year", YEARS)
def test_every_sentence_about_simulated_cities_says_so(reports, year):
    checked = 0
    for page in sorted(reports[year].glob("0*.html")):
        for heading, text in _simulated_outputs(page):
            for sentence in SPLIT.split(text):
                if sentence.startswith("Rule:") or not re.search(r"\d", sentence):
                    continue
                if ABOUT_CITIES.search(sentence):
                    checked += 1
                    assert re.search(r"simulat|fictional", sentence, re.I), (
                        page.name,
                        heading,
                        sentence,
                    )
    assert checked >= 5, "the simulated sections were not found"


def test_the_reconstructed_round_of_2022(reports):
    final = reports[2022]
    summary = _page_text(final / "04-annual-summary.html")
    assert (
        "The record places one round in 2022 (about 30 March 2022), reconstructed from other "
        "public sources: no program announcement of it was found."
    ) in summary
    assert "Round 2022-03: reconstructed, dated about 30 March 2022" in summary
    rounds = _metrics(final)["notebooks"]["04-annual-summary"]["metrics"]["rounds"]
    assert rounds["basis"] == "identified" and "reconstructed" in rounds["label"]
    cohorts = _page_text(final / "02-cohort-comparison-2022-03.html")  # the year's one round
    assert "Round 2022-03 , reconstructed (no program announcement of it was found)" in cohorts
    levels = _page_text(final / "01-tier-distribution.html")
    assert "6 rounds: 5 announced by the program and 1 reconstructed round (2022-03)" in levels


def test_sums_of_reported_counts_in_2024(reports):
    final = reports[2024]
    metrics = _metrics(final)["notebooks"]["04-annual-summary"]["metrics"]
    for cohort in ("new", "upgraded"):
        m = metrics[f"{cohort}_reported"]
        assert m["basis"] == "sum of reported counts", cohort
        assert m["label"].endswith("(sum of reported counts)") and "no source states" in m["note"]
    assert metrics["recertified_reported"]["value"] is None  # not every part reported: no sum
    summary = _page_text(final / "04-annual-summary.html")
    assert "12 new cities in January and 9 in June (sum of reported counts: 21)" in summary
    headline = (final / "04-annual-summary" / "headline-numbers.csv").read_text(encoding="utf-8")
    assert "New cities (sum of reported counts),21,sum of reported counts" in headline


@pytest.mark.parametrize("year", YEARS)
def test_what_rests_on_simulated_data_carries_the_label(reports, year):
    final = reports[year]
    for csv in final.rglob("*.csv"):
        first = csv.read_text(encoding="utf-8-sig").splitlines()[0]  # Excel's BOM first
        if csv.name.startswith("simulated-") or csv.name in (
            "tier-probabilities.csv",
            "paths-to-higher-tiers.csv",
        ):
            assert first.startswith("# SIMULATED"), csv
    whatif = _metrics(final)["notebooks"]["03-what-if-scoring"]
    for key in ("paths", "tier_probabilities", "simulated"):
        assert whatif[key].get("simulated", True) is True, key
        assert "SIMULATED" in whatif[key]["note"], key


def test_the_2025_report_shows_edition_2(reports):
    final = reports[2025]
    summary = _page_text(final / "04-annual-summary.html")
    assert "2025-02: identified 18 of 21 new cities" in summary
    assert "Cities ever certified by the end of 2025: identified 97 of 104 reported" in summary
    metrics = _metrics(final)["notebooks"]["04-annual-summary"]["metrics"]
    assert metrics["total_certified_identified"]["value"] == 97
    assert metrics["total_certified_reported"]["value"] == 104


@pytest.mark.parametrize("year", YEARS)
def test_every_report_records_its_provenance(reports, year, record):
    m = _metrics(reports[year])
    p = m["provenance"]
    assert (p["record"]["edition"], p["data"]["path"]) == (2, "data")
    assert m["data_dir"] == "data"
    used = {"certifications.csv", "rounds.csv", "universe.csv", "crosswalk.csv"}
    assert {f["file"] for f in p["data"]["files"]} >= used
    runs = plan_runs(discover_notebooks(), year, record.rounds)  # a cohort run per round
    assert set(p["notebooks"]) == {r.name for r in runs}
    assert all(n["year"] == year for n in p["notebooks"].values())
    index = (reports[year] / "index.html").read_text(encoding="utf-8")
    assert "What this report was built from" in index and "edition 2 of 2026-12-01" in index


def test_the_2024_report_has_a_cohort_page_for_each_round(reports):
    final = reports[2024]
    for round_id in ("2024-01", "2024-06"):
        text = _page_text(final / f"02-cohort-comparison-{round_id}.html")
        assert f"Round {round_id} , announced" in text, round_id  # its own round, not the last
        assert f"Cities of round {round_id}" in text, round_id
        index = (final / "index.html").read_text(encoding="utf-8")
        assert f'href="02-cohort-comparison-{round_id}.html"' in index, round_id


def _flat(text: str) -> str:
    """Text without white space: the PDF breaks long addresses and headers across lines."""
    return re.sub(r"\s+", "", text)


def test_the_2024_pdf_keeps_every_page_source_link_and_column(reports):
    final = reports[2024]
    reader = pypdf.PdfReader(final / "report.pdf")
    texts = [page.extract_text() for page in reader.pages]
    flat = _flat("".join(texts))
    targets = {
        annot.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annot in page.get("/Annots") or []
        if "/URI" in annot.get_object().get("/A", {})
    }
    # page numbers on every page, the build date on the cover
    assert all(f"Page {n} of {len(texts)}" in t for n, t in enumerate(texts, 1))
    assert "Built " in texts[0]
    pages = sorted(final.glob("0*.html"))
    assert len(pages) == 6  # five notebooks, the cohort comparison once per round
    checked = {"links": 0, "headers": 0}
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        title = soup.title.string.split(" · ")[0]
        assert _flat(title) in flat, f"{page.name}: the page is missing from the PDF"
        for a in soup.find_all("a", href=re.compile(r"^https?://")):
            # listed with its full address under "Sources and links", and still a link
            assert _flat(a["href"]) in flat and a["href"] in targets, (page.name, a["href"])
            checked["links"] += 1
        for th in soup.select("table th"):
            header = _flat(th.get_text())
            assert header in flat, (page.name, th.get_text())
            checked["headers"] += bool(header)
    assert checked["links"] > 50 and checked["headers"] > 100, checked
