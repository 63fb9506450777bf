"""The report's pages: one HTML page per executed notebook, without code, prompts or warnings.

nbconvert's ``HTMLExporter`` renders the cells with the ``wwc-page`` template shipped in
``templates/nbconvert/`` (the ``lab`` template's cells in a shell of our own): no script, style or
font from the network (the default template loads require.js, MathJax and Mermaid from CDNs and
inlines ~260 KB of JupyterLab CSS), the one shared stylesheet ``report.css``, navigation (the
index, the previous and the next page), a ``<title>`` with the year, and each figure as the PNG
file :func:`~wwc_analysis.report.outputs.save_figure` wrote, with the figure's title as alt text.
With ``single_file`` a page carries the stylesheet and the figures (the same PNG bytes) inside
itself instead.

Cells tagged ``remove-cell`` run (and nbval checks their printed text) but readers do not see them:
the plain-text summaries that repeat a formatted table. ``remove-output`` hides a cell's outputs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().parent / "templates"
PAGE_TEMPLATE = "wwc-page"
STYLESHEET = "report.css"
#: Tags of cells that run but are not shown on a page (nbval still checks their output).
REMOVE_CELL_TAGS = ("remove-cell",)
#: Tags of cells whose outputs are not shown on a page.
REMOVE_OUTPUT_TAGS = ("remove-output",)


@dataclass(frozen=True)
class PageInfo:
    """What the navigation of a page needs: its file, full title and short title."""

    name: str
    title: str
    short_title: str

    @property
    def href(self) -> str:
        return f"{self.name}.html"


def stylesheet() -> str:
    """The text of the shared stylesheet."""
    return (TEMPLATES / STYLESHEET).read_text(encoding="utf-8")


#: What nbconvert's ``HTMLExporter`` puts on an image without alt text (the page does the same).
NO_ALT = "No description has been provided for this image"
_DIV = re.compile(r"<div\b[^>]*>")
_IMG = re.compile(r"<img\b[^>]*>")
_CLASSES = re.compile(r'\bclass="([^"]*)"')
#: The blocks a keyboard user can move to and scroll (nbconvert makes them focusable).
_FOCUSABLE = frozenset({"jp-Cell-inputWrapper", "jp-OutputArea-output"})


def _with_attribute(tag: str, attribute: str) -> str:
    """``tag`` (``<name ...>`` or ``<name .../>``) with ``attribute`` added last."""
    end = len(tag) - (2 if tag.endswith("/>") else 1)
    return f"{tag[:end].rstrip()} {attribute}{tag[end:]}"


def _focusable(tag: re.Match) -> str:
    text = tag.group(0)
    classes = _CLASSES.search(text)
    if classes is None or "tabindex=" in text or not _FOCUSABLE & set(classes.group(1).split()):
        return text
    return _with_attribute(text, 'tabindex="0"')


def _with_alt(tag: re.Match) -> str:
    text = tag.group(0)
    return text if re.search(r"\salt=", text) else _with_attribute(text, f'alt="{NO_ALT}"')


def finish_page(html: str) -> str:
    """What nbconvert's ``HTMLExporter`` does last to a page, without parsing it again with
    BeautifulSoup (two thirds of a page's time): the cells' inputs and outputs focusable
    (``tabindex="0"``, so a keyboard user can reach and scroll a wide table) and a placeholder
    alt text on an image that has none (every figure has its title)."""
    start = html.find('<main class="jp-Notebook"')
    if start < 0:
        start = 0
    body = _DIV.sub(_focusable, html[start:])
    return html[:start] + _IMG.sub(_with_alt, body)


def exporter():
    """An ``HTMLExporter`` with the ``wwc-page`` template and the tag filters (one per build: it
    takes a while to set up). It renders as nbconvert's does, then :func:`finish_page` instead of
    nbconvert's last pass (which parses the page again with BeautifulSoup)."""
    from nbconvert import HTMLExporter, TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from nbconvert.preprocessors import TagRemovePreprocessor

    class PageExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            # HTMLExporter.from_notebook_node (nbconvert 7) up to its BeautifulSoup pass
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight)
            self.register_filter("filter_data_type", data_type)
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return finish_page(html), resources

    html = PageExporter(
        template_name=PAGE_TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES / "nbconvert")],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    html.register_preprocessor(
        TagRemovePreprocessor(
            remove_cell_tags=set(REMOVE_CELL_TAGS),
            remove_all_outputs_tags=set(REMOVE_OUTPUT_TAGS),
        ),
        enabled=True,
    )
    return html


def link_figures(nb, folder: str) -> int:
    """Point every figure :func:`~wwc_analysis.report.outputs.save_figure` showed at its file
    ``<folder>/<file>`` (nbconvert's ``filenames`` metadata), so the page references the PNG
    instead of embedding it; returns how many."""
    linked = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("image/png", {})
            saved = meta.get("wwc", {}) if isinstance(meta, Mapping) else {}
            if "image/png" in output.get("data", {}) and saved.get("file"):
                output.setdefault("metadata", {})["filenames"] = {
                    "image/png": f"{folder}/{saved['file']}"
                }
                linked += 1
    return linked


def notebook_titles(nb, name: str, round_id: str | None = None) -> tuple[str, str]:
    """(title, short title) of a notebook's page, from its metadata: ``title`` and
    ``wwc.short_title``; a per-round run uses ``wwc.round_title`` / ``wwc.round_short_title``
    with ``{round_id}`` filled in."""
    meta = nb.metadata.get("wwc", {})
    title = str(nb.metadata.get("title") or name)
    short = str(meta.get("short_title") or title)
    if round_id is not None:
        title = str(meta.get("round_title", title + " ({round_id})")).format(round_id=round_id)
        short = str(meta.get("round_short_title", short + " {round_id}")).format(round_id=round_id)
    return title, short


def render_page(
    html_exporter,
    executed: Path,
    target: Path,
    context: Mapping[str, Any],
    single_file: bool = False,
):
    """Write the page of the executed notebook ``executed`` to ``target``; returns the notebook as
    read. ``context`` is the template's ``resources.wwc`` (see the template); ``single_file``
    embeds the stylesheet and the figures."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    wwc = dict(context)
    if single_file:
        wwc["css"] = stylesheet()
    else:
        link_figures(nb, target.stem)
        wwc.setdefault("css_href", STYLESHEET)
    resources = {"metadata": {"name": target.stem}, "wwc": wwc}
    body, _ = html_exporter.from_notebook_node(nb, resources=resources)
    target.write_text(body, encoding="utf-8")
    return nb


def page_context(pages: Sequence[PageInfo], i: int, year: int, built: str) -> dict[str, Any]:
    """The template context of page ``i`` of ``pages``: its titles, the year, its neighbours."""
    page = pages[i]

    def step(j: int) -> dict[str, str] | None:
        if 0 <= j < len(pages):
            return {"href": pages[j].href, "title": pages[j].short_title}
        return None

    return {
        "title": page.title,
        "short_title": page.short_title,
        "year": int(year),
        "page": i + 1,
        "pages": len(pages),
        "prev": step(i - 1),
        "next": step(i + 1),
        "index": "index.html",
        "built": built,
    }


def write_stylesheet(folder: Path) -> Path:
    """Copy the shared stylesheet into the report folder."""
    target = folder / STYLESHEET
    target.write_text(stylesheet(), encoding="utf-8")
    return target


__all__ = [
    "PAGE_TEMPLATE",
    "REMOVE_CELL_TAGS",
    "REMOVE_OUTPUT_TAGS",
    "STYLESHEET",
    "PageInfo",
    "exporter",
    "link_figures",
    "notebook_titles",
    "page_context",
    "render_page",
    "stylesheet",
    "write_stylesheet",
]
