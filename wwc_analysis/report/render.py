"""Rendering a finished build: the pages, the Excel workbook, the index and the PDF, in that order.

- :mod:`~wwc_analysis.report.pages`: one HTML page per run (nbconvert, the ``wwc-page`` template)
  and the shared stylesheet;
- :mod:`~wwc_analysis.report.workbook`: ``tables.xlsx``, every table of the manifests;
- :mod:`~wwc_analysis.report.front`: ``index.html``, the front page;
- :mod:`~wwc_analysis.report.pdf`: ``report.pdf``, the whole report (with ``--pdf``).

Everything is rendered from the build folder (executed notebooks, output folders and their
manifests, metrics) and the build time, never from the clock: two renderings of the same build
with the same build time give the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wwc_analysis.report import front, pages, workbook
from wwc_analysis.report.document import EXECUTED, Options, Report, RunPage
from wwc_analysis.report.outputs import read_manifest
from wwc_analysis.report.run import Progress


def page_entries(report: Report) -> list[dict[str, Any]]:
    """One entry per page, in order: ``name``, ``title``, ``short_title``, ``summary``, ``html``,
    ``executed``, ``round_id``, ``figures`` and ``tables`` (the manifest's entries, each with its
    path ``href`` relative to the report)."""
    import nbformat

    out = []
    for run in report.runs:
        nb = nbformat.read(report.folder / EXECUTED / f"{run.name}.ipynb", as_version=4)
        title, short = pages.notebook_titles(nb, run.name, run.round_id)
        meta = nb.metadata.get("wwc", {})
        summary = str(meta.get("round_summary" if run.round_id else "summary", "") or "")
        manifest = [
            {**e, "href": f"{run.name}/{e['file']}", "page": run.name}
            for e in read_manifest(report.folder / run.name)
        ]
        out.append(
            {
                "name": run.name,
                "title": title,
                "short_title": short,
                "summary": summary.format(round_id=run.round_id) if run.round_id else summary,
                "html": f"{run.name}.html",
                "executed": f"{EXECUTED}/{run.name}.ipynb",
                "round_id": run.round_id,
                "figures": [e for e in manifest if e.get("kind") == "figure"],
                "tables": [e for e in manifest if e.get("kind") == "table"],
            }
        )
    return out


def render_pages(report: Report, entries: Sequence[Mapping[str, Any]], single_file: bool) -> None:
    """Write ``<name>.html`` for every run, and the shared stylesheet (unless single-file)."""
    infos = [pages.PageInfo(e["name"], e["title"], e["short_title"]) for e in entries]
    html = pages.exporter()
    for i, entry in enumerate(entries):
        context = pages.page_context(infos, i, report.year, report.built_words)
        executed = report.folder / entry["executed"]
        pages.render_page(html, executed, report.folder / entry["html"], context, single_file)
    if not single_file:
        pages.write_stylesheet(report.folder)


def write_all(report: Report, options: Options, progress: Progress) -> None:
    """Render the build: pages, ``tables.xlsx``, with ``options.pdf`` ``report.pdf``, then
    ``index.html`` (which links them)."""
    entries = page_entries(report)
    progress(f"rendering {len(entries)} page(s), tables.xlsx and index.html ...")
    render_pages(report, entries, options.single_file)
    sheets = workbook.write_workbook(report, entries)
    if options.pdf:
        from wwc_analysis.report import pdf

        progress("writing report.pdf (every page, a table of contents, page numbers) ...")
        pdf.write_pdf(report, entries)
    front.write_index(report, entries, sheets, options)


__all__ = ["EXECUTED", "Options", "Report", "RunPage", "page_entries", "render_pages", "write_all"]
