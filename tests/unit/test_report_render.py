"""Rendering a finished build without a kernel (tests/notebook_files.fake_build): the pages
(offline, navigation, figures as files with alt text, no stderr, no hidden cell), the front page
(headline numbers first, no raw keys, badges only on simulated outputs, escaping), the workbook
(sheets, README, numbers, same bytes for the same build) and the PDF's preparation of a page (ids,
links, landscape tables). The PDF itself is built in tests/integration."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from tests.notebook_files import ANNUAL_METRICS, HOSTILE, SOURCE, fake_build
from wwc_analysis.report import front, pages, pdf, render, workbook
from wwc_analysis.report.document import Options, Report, RunPage

#: An HTML attribute or CSS that makes the browser fetch something (links to read are fine).
LOADS = re.compile(
    r"""(?:<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc|<link\b[^>]*\bhref)"""
    r"""\s*=\s*["']?(?:https?:)?//|@import\s+(?:url\()?["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//""",
    re.IGNORECASE,
)
BUILT = datetime(2026, 12, 1, 16, 55, tzinfo=timezone(timedelta(hours=1)))


def _report(folder: Path, runs) -> Report:
    return Report(
        folder=folder,
        year=2024,
        built_at=BUILT,
        as_of=date(2024, 12, 31),
        runs=[RunPage(r["name"], folder / "x.ipynb", r["round_id"]) for r in runs],
        metrics={"01-levels": ANNUAL_METRICS},
        provenance=None,
    )


@pytest.fixture
def built(tmp_path):
    """The fake build rendered: pages, workbook and index (no PDF)."""
    folder = tmp_path / "2024"
    runs = fake_build(folder)
    report = _report(folder, runs)
    render.write_all(report, Options(), lambda _: None)
    return report


def loads_from_network(html: str) -> list[str]:
    """Every place where ``html`` would make a browser load something from the network."""
    return [m.group(0) for m in LOADS.finditer(html)]


def test_the_network_check_finds_what_loads():
    assert loads_from_network('<script src="https://cdn.example/require.js"></script>')
    assert loads_from_network('<link rel="stylesheet" href="//fonts.example/css">')
    assert loads_from_network("<style>@import url('https://fonts.example/x.css');</style>")
    assert loads_from_network('<img alt="x" src="http://example.org/a.png">')
    assert not loads_from_network('<a href="https://example.org/source">[1]</a>')
    assert not loads_from_network('<img src="01-levels/levels.png"><link href="report.css">')


def test_pages_stand_alone(built):
    folder = built.folder
    first = (folder / "01-levels.html").read_text(encoding="utf-8")
    second = (folder / "02-cohorts-2024-06.html").read_text(encoding="utf-8")
    for page in (first, second):
        assert loads_from_network(page) == []
        assert "<script" not in page and "MathJax" not in page and "require.js" not in page
        links = BeautifulSoup(page, "html.parser").find_all("link")
        assert [(x["rel"], x["href"]) for x in links] == [(["stylesheet"], "report.css")]
        assert "data:image/png" not in page  # the figure is its PNG file
        assert "KERNEL-NOISE" not in page, "stderr is for the executed notebook"
        assert "MONOSPACE-DUPLICATE" not in page, "a remove-cell print is not shown"
        assert "save_figure(" not in page, "no code"
        assert len(page.encode()) < 300_000
    soup = BeautifulSoup(first, "html.parser")
    assert soup.title.string == "Levels of cities · WWC Certification report 2024"
    title = BeautifulSoup(second, "html.parser").title.string
    assert title == "Cohorts of round 2024-06 · WWC Certification report 2024"
    img = soup.find("img")
    assert img["src"] == "01-levels/levels.png" and img["alt"] == "Cities by level"
    hostile = BeautifulSoup(second, "html.parser").find("img")
    assert hostile["alt"] == HOSTILE  # escaped in the markup, the same text once parsed
    # navigation: the index, the next page; page numbers
    assert soup.find("a", class_="wwc-home")["href"] == "index.html"
    assert soup.find("a", rel="next")["href"] == "02-cohorts-2024-06.html"
    assert soup.find("a", rel="prev") is None
    assert "page 1 of 2" in first and "Built 1 December 2026 at 16:55" in first
    back = BeautifulSoup(second, "html.parser").find("a", rel="prev")
    assert back["href"] == "01-levels.html" and back.get_text().endswith("Levels")
    assert (folder / "report.css").read_text(encoding="utf-8") == pages.stylesheet()
    assert loads_from_network(pages.stylesheet()) == []


def _nbconvert_page(executed: Path, target: Path, context) -> str:
    """The page as nbconvert's own ``HTMLExporter`` renders it (with its BeautifulSoup pass)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    plain = HTMLExporter(
        template_name=pages.PAGE_TEMPLATE,
        extra_template_basedirs=[str(pages.TEMPLATES / "nbconvert")],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    tags = TagRemovePreprocessor(
        remove_cell_tags=set(pages.REMOVE_CELL_TAGS),
        remove_all_outputs_tags=set(pages.REMOVE_OUTPUT_TAGS),
    )
    plain.register_preprocessor(tags, enabled=True)
    pages.render_page(plain, executed, target, context)
    return target.read_text(encoding="utf-8")


def test_pages_are_nbconvert_s_without_its_second_parse(built, tmp_path):
    """The page exporter skips nbconvert's last pass (BeautifulSoup, most of a page's time) and
    does what it did itself: once parsed, the same page, focusable blocks and alt texts
    included."""
    html = pages.exporter()
    context = pages.page_context([pages.PageInfo("01-levels", "Levels", "Levels")], 0, 2024, "x")
    executed = built.folder / "executed" / "01-levels.ipynb"
    ours = tmp_path / "01-levels.html"
    pages.render_page(html, executed, ours, context)
    theirs = _nbconvert_page(executed, tmp_path / "theirs" / "01-levels.html", context)
    ours_soup = BeautifulSoup(ours.read_text(encoding="utf-8"), "html.parser")
    assert str(ours_soup) == str(BeautifulSoup(theirs, "html.parser"))
    assert ours_soup.select('div.jp-OutputArea-output[tabindex="0"]')


def test_finish_page_makes_blocks_focusable_and_gives_images_alt_text():
    page = (
        '<nav><div class="jp-OutputArea-output">not in the notebook</div></nav>'
        '<main class="jp-Notebook"><div class="jp-Cell-inputWrapper">a</div>'
        '<div class="jp-RenderedImage jp-OutputArea-output wwc-figure" tabindex="-1">'
        '<img src="a.png" alt="A chart"></div><div class="jp-OutputArea-output-other">b</div>'
        '<div class="x jp-OutputArea-output"><img src="b.png"></div><img src="c.png" /></main>'
    )
    done = pages.finish_page(page)
    assert done == (
        '<nav><div class="jp-OutputArea-output">not in the notebook</div></nav>'
        '<main class="jp-Notebook"><div class="jp-Cell-inputWrapper" tabindex="0">a</div>'
        '<div class="jp-RenderedImage jp-OutputArea-output wwc-figure" tabindex="-1">'
        '<img src="a.png" alt="A chart"></div><div class="jp-OutputArea-output-other">b</div>'
        '<div class="x jp-OutputArea-output" tabindex="0">'
        f'<img src="b.png" alt="{pages.NO_ALT}"></div>'
        f'<img src="c.png" alt="{pages.NO_ALT}"/></main>'
    )


def test_single_file_pages_carry_their_stylesheet_and_figures(tmp_path):
    folder = tmp_path / "2024"
    report = _report(folder, fake_build(folder))
    render.write_all(report, Options(single_file=True), lambda _: None)
    page = (folder / "01-levels.html").read_text(encoding="utf-8")
    assert "report.css" not in page and ".wwc-nav" in page  # the stylesheet inside
    assert 'src="data:image/png;base64,' in page and loads_from_network(page) == []
    assert not (folder / "report.css").exists()
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "<style>" in index and 'href="report.css"' not in index


def _text(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["style", "script"]):
        tag.decompose()
    return " ".join(soup.get_text(" ").split())


def test_the_front_page_opens_with_the_headline_numbers(built):
    index = (built.folder / "index.html").read_text(encoding="utf-8")
    text = _text(index)
    assert loads_from_network(index) == []
    assert text.index("Headline numbers 2024") < text.index("The pages") < text.index("Figures")
    assert text.index("Figures") < text.index("Tables")
    # each figure marked with its basis, the gaps said in words, a missing value the dash
    assert "21 sum of reported counts 18 identified" in text
    assert "identified 18 of 21: 3 cities not in the record" in text
    assert "Upgraded cities – reported 4 identified" in text
    assert "identified 77 of 83: 6 certified cities not in the record" in text
    assert "Cities ever certified by end of 2024" in text  # the label without its basis
    # never the raw metrics
    for raw in ("new_reported", "total_certified", "None", "null", "{", "year_basis"):
        assert raw not in text, raw
    assert 'href="metrics.json"' in index and 'href="tables.xlsx"' in index


def test_badges_only_on_simulated_outputs(built):
    soup = BeautifulSoup((built.folder / "index.html").read_text(encoding="utf-8"), "html.parser")
    figures = soup.select("#figures figure")
    assert len(figures) == 4
    marked = [f.figcaption.get_text(" ", strip=True) for f in figures if f.select(".badge")]
    assert marked == ["Tiers SIMULATED", "Tiers SIMULATED"]  # "SIMULATED:" left to the badge
    rows = soup.select("#tables tbody tr")
    marked = [r.td.get_text(" ", strip=True) for r in rows if r.select(".badge")]
    assert marked == ["Tiers SIMULATED", "Tiers SIMULATED"]  # "Simulated" left to the badge
    assert not soup.select("#headline .badge") and not soup.select("h1 .badge")
    # the figures' titles, never their file names, and the hostile one escaped
    captions = [f.figcaption.get_text(" ", strip=True) for f in figures]
    assert captions[0] == "Cities by level" and HOSTILE in captions
    assert all(".png" not in c for c in captions)
    index = (built.folder / "index.html").read_text(encoding="utf-8")
    assert "<b>" not in index and "&lt;b&gt;&amp;amp;" in index


def test_pages_are_listed_with_their_summaries(built):
    soup = BeautifulSoup((built.folder / "index.html").read_text(encoding="utf-8"), "html.parser")
    items = soup.select("ol.pages > li")
    assert [li.a["href"] for li in items] == ["01-levels.html", "02-cohorts-2024-06.html"]
    assert items[1].a.get_text() == "Cohorts of round 2024-06"
    assert "Round 2024-06 in detail." in items[1].get_text()
    assert "2 of these 4 rest on simulated data" in " ".join(items[0].get_text().split())


def test_the_workbook(built):
    from openpyxl import load_workbook

    wb = load_workbook(built.folder / "tables.xlsx")
    # the build time, never the clock (openpyxl's save would write the clock: not the same bytes)
    built_utc = BUILT.astimezone(UTC).replace(tzinfo=None)
    assert wb.properties.created == wb.properties.modified == built_utc
    assert wb.sheetnames == [
        "README",
        "01 table",
        "01 sim",
        "02 2024-06 table",
        "02 2024-06 sim",
    ]
    readme = [[c for c in row if c is not None] for row in wb["README"].iter_rows(values_only=True)]
    assert readme[0] == ["What Works Cities Certification: report 2024, tables"]
    assert any("SIMULATED" in str(v) for v in readme[4])
    rows = {r[0]: r for r in readme[7:]}
    assert rows["01 sim"][5] == "SIMULATED" and rows["01 table"][3] == "01-levels/table.csv"
    table = list(wb["01 table"].iter_rows(values_only=True))
    assert table == [("city", "n", "share"), ("Luján de Cuyo", 3, 0.5)]
    sim = list(wb["01 sim"].iter_rows(values_only=True))
    assert sim[0][0].startswith("SIMULATED DATA") and sim[1] == ("tier", "n")


def test_the_same_build_gives_the_same_bytes(built):
    before = {p.name: p.read_bytes() for p in built.folder.iterdir() if p.is_file()}
    render.write_all(built, Options(), lambda _: None)
    after = {p.name: p.read_bytes() for p in built.folder.iterdir() if p.is_file()}
    assert after == before


def test_every_entry_of_the_workbook_has_the_build_time(built):
    """Not the clock's: two builds of the same report give the same bytes, whenever they run."""
    import zipfile

    utc = BUILT.astimezone(UTC)
    stamp = (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second // 2 * 2)
    with zipfile.ZipFile(built.folder / workbook.WORKBOOK) as archive:
        entries = archive.infolist()
        assert len(entries) > 5 and {e.date_time for e in entries} == {stamp}
        assert {e.compress_type for e in entries} == {zipfile.ZIP_DEFLATED}
        assert archive.testzip() is None


@pytest.mark.parametrize(
    ("prefix", "stem", "name"),
    [
        ("01", "latest-levels", "01 latest-levels"),
        ("02 2024-01", "cohort-geography-country", "02 2024-01 cohort-geo-country"),
        ("02 2024-01", "simulated-separating-criteria", "02 2024-01 sim-separating-crit"),
    ],
)
def test_sheet_names_fit(prefix, stem, name):
    assert workbook._fit(prefix, stem) == name and len(name) <= workbook.MAX_SHEET


def test_sheet_names_are_unique_and_legal():
    tables = [{"file": f"{s}.csv", "href": f"x/{i}"} for i, s in enumerate(["a:b", "a-b", "A-B"])]
    entries = [{"name": "01-x", "round_id": None, "tables": tables}]
    names = list(workbook.sheet_names(entries).values())
    assert names == ["01 a-b", "01 a-b ~2", "01 A-B ~3"]


def test_the_pdf_keeps_every_link_and_column(built):
    html = (built.folder / "01-levels.html").read_text(encoding="utf-8")
    links = pdf.Links()
    body, title, headings = pdf.prepare_section(
        html, "01-levels", ["01-levels", "02-cohorts-2024-06"], links
    )
    soup = BeautifulSoup(str(body), "html.parser")
    assert title == "Levels of cities"
    assert headings == [{"id": "01-levels--1.-A-section", "text": "1. A section"}]
    # the source link keeps its target and takes its number in the appendix
    a = soup.find("a", href=SOURCE)
    assert a.get_text() == "[1]" and links.listed() == [
        {"n": 1, "url": SOURCE, "title": "the press release"}
    ]
    # a link to another page points inside the document
    assert soup.find("a", string="the other page")["href"] == "#02-cohorts-2024-06"
    # the 12-column table goes on a landscape page, every column kept
    table = soup.find("table")
    assert "landscape" in table.find_parent(class_="jp-OutputArea-child")["class"]
    assert len(table.find_all("th")) == 12
    assert front.record_words(None).startswith("edition not stated")


# --------------------------------------------------- pages written as their notebooks finish


def test_pages_written_one_by_one_are_the_pages_written_at_the_end(tmp_path):
    """``wwc report`` writes each page and its tables' sheets as its run finishes, in any order,
    titles taken from the source notebooks; the bytes are those of a rendering of the finished
    build."""
    folder = tmp_path / "2024"
    report = _report(folder, fake_build(folder))
    sources = [
        RunPage(r.name, folder / "executed" / f"{r.name}.ipynb", r.round_id) for r in report.runs
    ]
    early = Report(**{**report.__dict__, "runs": sources})
    writer = render.PageWriter(early, single_file=False)
    for run in reversed(sources):
        writer.finished(run.name)  # its page, and its tables' sheets
    lines: list[str] = []
    render.write_all(early, Options(), lines.append, writer)
    assert lines == [
        "writing tables.xlsx and index.html (the 2 page(s) were written as their notebooks "
        "finished) ..."
    ]
    files = [f"{r.name}.html" for r in sources] + ["tables.xlsx", "index.html"]
    written = {name: (folder / name).read_bytes() for name in files}
    render.write_all(report, Options(), lines.append)  # all at the end, as before
    assert lines[-1].startswith("rendering 2 page(s),")
    assert {name: (folder / name).read_bytes() for name in files} == written


def test_a_page_written_with_other_titles_is_written_again(tmp_path):
    folder = tmp_path / "2024"
    report = _report(folder, fake_build(folder))
    source = tmp_path / "source.ipynb"
    nb = nbformat.read(folder / "executed" / "01-levels.ipynb", as_version=4)
    nb.metadata["title"] = "A title the run does not have"
    nbformat.write(nb, source)
    runs = [RunPage(r.name, source, r.round_id) for r in report.runs]
    writer = render.PageWriter(Report(**{**report.__dict__, "runs": runs}), single_file=False)
    writer.write("01-levels")
    assert "A title the run does not have" in (folder / "01-levels.html").read_text()
    lines: list[str] = []
    render.write_all(report, Options(), lines.append, writer)
    assert lines[0].startswith("rendering 2 page(s),")
    assert "A title the run does not have" not in (folder / "01-levels.html").read_text()


def test_a_workbook_built_as_runs_finish_is_the_same_file(built):
    """Sheets written run by run, in any order, give the bytes of the workbook written at once."""
    entries = render.page_entries(built)
    at_once = (built.folder / workbook.WORKBOOK).read_bytes()
    book = workbook.WorkbookBuilder(built.folder)
    for entry in reversed(entries):
        book.add(entry["tables"])
    names = book.finish(built, entries)
    assert list(names.values()) == ["01 table", "01 sim", "02 2024-06 table", "02 2024-06 sim"]
    assert (built.folder / workbook.WORKBOOK).read_bytes() == at_once
