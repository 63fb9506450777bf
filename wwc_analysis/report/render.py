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

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from wwc_analysis.report import front, pages, workbook
from wwc_analysis.report.document import EXECUTED, Options, Report, RunPage
from wwc_analysis.report.outputs import read_manifest
from wwc_analysis.report.run import Progress


def run_outputs(folder: Path, name: str) -> list[dict[str, Any]]:
    """The figures and tables of the run ``name`` (its manifest), each with its path ``href``
    relative to the report and its ``page``."""
    return [
        {**e, "href": f"{name}/{e['file']}", "page": name} for e in read_manifest(folder / name)
    ]


def page_entries(report: Report, read: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """One entry per page, in order: ``name``, ``title``, ``short_title``, ``summary``, ``html``,
    ``executed``, ``round_id``, ``figures`` and ``tables`` (the manifest's entries, each with its
    path ``href`` relative to the report). ``read`` holds executed notebooks already read (by
    name): not read again."""
    import nbformat

    out = []
    for run in report.runs:
        nb = (read or {}).get(run.name) or nbformat.read(
            report.folder / EXECUTED / f"{run.name}.ipynb", as_version=4
        )
        title, short = pages.notebook_titles(nb, run.name, run.round_id)
        meta = nb.metadata.get("wwc", {})
        summary = str(meta.get("round_summary" if run.round_id else "summary", "") or "")
        manifest = run_outputs(report.folder, run.name)
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


class PageWriter:
    """Writes the page of each run of a build, one page at a time, as soon as its executed
    notebook is there, and the workbook's sheets of its tables (:attr:`book`): ``wwc report``
    does it while the last notebooks still run, on a core that has no notebook left to run
    (:func:`wwc_analysis.report.run.execute_all`).

    The navigation of a page names its neighbours, so the titles of every page come first, from
    the *source* notebooks' metadata (papermill leaves it as it is); :func:`write_all` checks them
    against the executed notebooks and writes every page again if one differs.
    """

    def __init__(self, report: Report, single_file: bool) -> None:
        self.report, self.single_file = report, single_file
        self.infos: list[pages.PageInfo] = []
        self.written: set[str] = set()
        self.read: dict[str, Any] = {}  # executed notebooks read to write their pages
        self.book = workbook.WorkbookBuilder(report.folder)
        self._lock = threading.Lock()
        self._html = None

    def prepare(self) -> None:
        """What every page and the index need, ahead of the first (``wwc report`` does it on a
        core with no notebook left to start): the titles, the HTML exporter, the workbook and the
        front page's template."""
        with self._lock:
            self._prepare()
        self.book.prepare()
        front.prepare_index()

    def _prepare(self) -> None:
        if not self.infos:
            self.infos = self._source_infos()
        if self._html is None:
            self._html = pages.exporter()

    def finished(self, name: str) -> None:
        """The run ``name`` is over: write its page and the workbook's sheets of its tables."""
        self.write(name)
        tables = [e for e in run_outputs(self.report.folder, name) if e.get("kind") == "table"]
        self.book.add(tables)

    def _source_infos(self) -> list[pages.PageInfo]:
        import nbformat

        return [
            pages.PageInfo(
                run.name,
                *pages.notebook_titles(
                    nbformat.read(run.source, as_version=4), run.name, run.round_id
                ),
            )
            for run in self.report.runs
        ]

    def write(self, name: str) -> None:
        """Write the page of the run ``name`` (again, if it was written)."""
        report = self.report
        with self._lock:
            self._prepare()
            i = next(i for i, info in enumerate(self.infos) if info.name == name)
            context = pages.page_context(self.infos, i, report.year, report.built_words)
            executed = report.folder / EXECUTED / f"{name}.ipynb"
            target = report.folder / self.infos[i].href
            self.read[name] = pages.render_page(
                self._html, executed, target, context, self.single_file
            )
            self.written.add(name)

    def discard(self) -> None:
        """Remove every page written (the build failed: none of it is rendered)."""
        with self._lock:
            for info in self.infos:
                if info.name in self.written:
                    (self.report.folder / info.href).unlink(missing_ok=True)
            self.written = set()

    def settle(self, entries: Sequence[Mapping[str, Any]]) -> None:
        """Take the titles of ``entries`` (read from the executed notebooks); if one is not the
        title the pages were written with, every page is to be written again."""
        final = [pages.PageInfo(e["name"], e["title"], e["short_title"]) for e in entries]
        if final != self.infos:
            self.infos, self.written = final, set()

    def write_rest(self, entries: Sequence[Mapping[str, Any]]) -> None:
        """Write the pages not written yet (all of them if :meth:`settle` says so), then the
        stylesheet."""
        self.settle(entries)
        for info in self.infos:
            if info.name not in self.written:
                self.write(info.name)
        if not self.single_file:
            pages.write_stylesheet(self.report.folder)


def _rendering_line(pages_in_all: int, early: int) -> str:
    """The progress line of the rendering: the pages left and those already written."""
    if not early:
        return f"rendering {pages_in_all} page(s), tables.xlsx and index.html ..."
    if early == pages_in_all:
        return (
            f"writing tables.xlsx and index.html (the {early} page(s) were written as their "
            "notebooks finished) ..."
        )
    return (
        f"rendering {pages_in_all - early} more page(s) ({early} written as their notebooks "
        "finished), tables.xlsx and index.html ..."
    )


def write_all(
    report: Report, options: Options, progress: Progress, written: PageWriter | None = None
) -> None:
    """Render the build: pages (those ``written`` has not written yet), ``tables.xlsx``, with
    ``options.pdf`` ``report.pdf``, then ``index.html`` (which links them)."""
    entries = page_entries(report, written.read if written is not None else None)
    writer = written if written is not None else PageWriter(report, options.single_file)
    writer.settle(entries)
    progress(_rendering_line(len(entries), len(writer.written)))
    writer.write_rest(entries)
    sheets = writer.book.finish(report, entries)
    if options.pdf:
        from wwc_analysis.report import pdf

        progress("writing report.pdf (every page, a table of contents, page numbers) ...")
        pdf.write_pdf(report, entries)
    front.write_index(report, entries, sheets, options)


__all__ = [
    "EXECUTED",
    "Options",
    "PageWriter",
    "Report",
    "RunPage",
    "page_entries",
    "run_outputs",
    "write_all",
]
