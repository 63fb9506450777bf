"""``report.pdf``: the whole report as one document (WeasyPrint), for reading and for the record.

Every page of the report, in order, after a cover (the year, the build date, the record's
edition, the as-of date) and a table of contents with page numbers; then the sources and links
cited, and what the report was built from. Each page of the PDF carries the report's name, the
build date and its number ("Page 3 of 58").

The pages are the report's own HTML pages (``<run>.html``), their ``<main>`` taken as they are,
with three changes for paper (:func:`prepare_section`):

- ids are prefixed by the page's name, so two pages' "Reading these results" stay apart, and links
  between pages point inside the document;
- every link to the web keeps its target (the PDF link) and gets a number that the appendix
  *Sources and links* lists with the full address: the source links of the city tables ("[1]
  [2]") are renumbered to the appendix's numbers, other links get the number after them. No source
  is lost on paper;
- a table too wide for a portrait page is set on a landscape page (CSS named pages), and every
  table's cells wrap, so no column is cut.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from wwc_analysis.report.front import environment, provenance_view, record_words
from wwc_analysis.report.pages import stylesheet

if TYPE_CHECKING:
    from wwc_analysis.report.document import Report

PDF = "report.pdf"
PDF_TEMPLATE = "pdf.html.j2"
#: Estimated characters of a table row (the longest cell of each column, up to 40) above which
#: the table goes on a landscape page.
WIDE_TABLE = 120
_CELL_CAP = 40
_NUMBERED = re.compile(r"^\[\d+\]$")


@dataclass
class Links:
    """The web links of the document, numbered in order of first appearance."""

    numbers: dict[str, int] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)

    def number(self, url: str, title: str = "") -> int:
        if url not in self.numbers:
            self.numbers[url] = len(self.numbers) + 1
        if title and url not in self.titles:
            self.titles[url] = title
        return self.numbers[url]

    def listed(self) -> list[dict[str, Any]]:
        """The appendix: number, address and, when the link's title says more, that text."""
        out = []
        for url, n in self.numbers.items():
            title = self.titles.get(url, "")
            rest = title[len(url) :].strip(" -–;,") if title.startswith(url) else title
            out.append({"n": n, "url": url, "title": rest})
        return out


def _table_width(table) -> int:
    """A table's estimated width in characters: per column, its longest cell (capped)."""
    widths: dict[int, int] = {}
    for row in table.find_all("tr"):
        for j, cell in enumerate(row.find_all(["td", "th"])):
            text = " ".join(cell.get_text(" ").split())
            widths[j] = max(widths.get(j, 0), min(len(text), _CELL_CAP))
    return sum(widths.values()) + 2 * len(widths)


def _number_links(soup, links: Links) -> None:
    for a in soup.find_all("a", href=True):
        url = a["href"]
        if not url.startswith(("http://", "https://")):
            continue
        n = links.number(url, a.get("title", ""))
        if _NUMBERED.match(a.get_text().strip()):
            a.string = f"[{n}]"
        else:
            ref = soup.new_tag("sup", attrs={"class": "ref"})
            ref.string = f"[{n}]"
            a.insert_after(ref)


def _landscape(table) -> None:
    """Set ``table``'s output on a landscape page, with the short heading shown just before it
    (a one-paragraph output of the same cell), so the two stay together."""
    child = table.find_parent(class_="jp-OutputArea-child")
    wrapper = child or table.find_parent(class_="jp-OutputArea-output") or table
    wrapper["class"] = [*wrapper.get("class", []), "landscape"]
    before = child.find_previous_sibling(class_="jp-OutputArea-child") if child else None
    paragraphs = before.find_all(["p", "table", "img", "ul"]) if before else []
    if len(paragraphs) == 1 and paragraphs[0].name == "p" and len(before.get_text()) < 200:
        before["class"] = [*before.get("class", []), "landscape"]


def prepare_section(html: str, name: str, page_names: Sequence[str], links: Links):
    """The ``<main>`` of a rendered page, ready for the PDF (see the module docstring); returns
    (body HTML, title, headings: [{id, text}])."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    main = soup.find("main") or soup.body
    for tag in main.find_all(id=True):
        tag["id"] = f"{name}--{tag['id']}"
    for a in main.find_all("a", href=True):
        href = a["href"]
        if href.startswith("#"):
            a["href"] = f"#{name}--{href[1:]}"
        elif href.removesuffix(".html") in page_names and href.endswith(".html"):
            a["href"] = f"#{href.removesuffix('.html')}"
    for anchor in main.select("a.anchor-link"):
        anchor.decompose()
    _number_links(main, links)
    for table in main.find_all("table"):
        if _table_width(table) > WIDE_TABLE:
            _landscape(table)
    h1 = main.find("h1")
    title = " ".join(h1.get_text(" ").split()) if h1 else name
    headings = [
        {"id": h["id"], "text": " ".join(h.get_text(" ").split())}
        for h in main.find_all("h2")
        if h.get("id")
    ]
    return Markup(main.decode_contents()), title, headings


def document_html(report: Report, entries: Sequence[Mapping[str, Any]]) -> str:
    """The whole report as one HTML document for WeasyPrint (template ``pdf.html.j2``)."""
    names = [e["name"] for e in entries]
    links, sections = Links(), []
    for entry in entries:
        page = (report.folder / entry["html"]).read_text(encoding="utf-8")
        body, title, headings = prepare_section(page, entry["name"], names, links)
        sections.append(
            {"id": entry["name"], "title": entry["title"], "body": body, "headings": headings}
        )
    p = report.provenance
    return (
        environment()
        .get_template(PDF_TEMPLATE)
        .render(
            year=report.year,
            built=report.built_words,
            built_date=report.built_words.removeprefix("Built "),
            created=report.built_at.isoformat(timespec="seconds"),
            as_of=f"{report.as_of.day} {report.as_of:%B %Y}",
            record=record_words(p),
            sections=sections,
            links=links.listed(),
            css=Markup(stylesheet()),
            view=provenance_view(p) if p is not None else None,
        )
    )


def write_pdf(report: Report, entries: Sequence[Mapping[str, Any]]) -> None:
    """Write ``report.pdf`` into the report folder (figures read from the folder)."""
    import weasyprint

    text = document_html(report, entries)
    # WeasyPrint warns of every CSS property it does not support (the tables' own styles).
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        document = weasyprint.HTML(string=text, base_url=str(report.folder) + "/")
        document.write_pdf(str(report.folder / PDF))
    finally:
        logger.setLevel(level)


__all__ = ["PDF", "WIDE_TABLE", "Links", "document_html", "prepare_section", "write_pdf"]
