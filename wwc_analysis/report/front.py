"""``index.html``, the report's front page (the Jinja2 template ``templates/index.html.j2``).

It opens with the year's headline numbers as cards (:mod:`wwc_analysis.text.front`: each figure
marked reported, sum of reported counts, identified or approximate, with the gap between reported
and identified), then the pages with a one-line summary each, the figures as thumbnails under their
titles, the tables (CSV and the sheet of ``tables.xlsx``), the downloads, and what the report was
built from (``templates/_provenance.html.j2``). ``metrics.json`` is a link, never dumped. A
SIMULATED badge marks exactly the figures and tables whose manifest entry says they rest on
simulated data. Every value is HTML-escaped.
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from wwc_analysis.report.pages import STYLESHEET, stylesheet
from wwc_analysis.report.workbook import WORKBOOK
from wwc_analysis.text import front as words

if TYPE_CHECKING:
    from wwc_analysis.report.document import Options, Report

INDEX_TEMPLATE = "index.html.j2"
_SIMULATED_PREFIX = re.compile(r"^SIMULATED\b[\s:—–-]*", re.IGNORECASE)
PDF = "report.pdf"


def _escape(value: Any) -> Markup:
    """Every ``{{ value }}`` of the template: HTML-escaped with quotes (``html.escape``), except
    the markup the template's own macros produce."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value)))


@functools.cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the report's own templates (index, provenance, PDF): one per
    process, so a template is compiled once (and again only when its file changes)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("wwc_analysis.report", "templates"),
        autoescape=True,
        finalize=_escape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def _size(n: int) -> str:
    return f"{n:,} bytes" if n < 10_000 else f"{n / 1024:,.0f} KiB"


def _file_size(path: Path) -> str:
    return _size(path.stat().st_size) if path.is_file() else ""


def _parameter(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) if value else "(none)"
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def record_words(p: Mapping[str, Any] | None) -> str:
    """The record's edition in words (or why it is not known)."""
    record = (p or {}).get("record")
    if record and record.get("edition") is not None:
        said = f"{record.get('title') or 'the record'}, edition {record['edition']}"
        said += f" of {record['date']}" if record.get("date") else ""
        return said + (f" (version {record['version']})" if record.get("version") else "")
    return "edition not stated: the data folder has no readable datapackage.json"


def _stand_in_words(stand_in: Mapping[str, Any] | None) -> str:
    """The shipped simulated assessments standing in for a data folder's own, in words; ``""``
    when the folder had its own."""
    if not stand_in:
        return ""
    return (
        f"the data folder has none: the project's shipped {stand_in['file']} stands in "
        f"(SIMULATED; {_size(int(stand_in['bytes']))}, SHA-256 {stand_in['sha256']}), checked "
        "against the folder's rounds and criteria"
    )


def provenance_view(p: Mapping[str, Any]) -> dict[str, Any]:
    """The provenance of a report (:func:`wwc_analysis.report.provenance.provenance`) as the
    words and rows the index page shows (template ``_provenance.html.j2``)."""
    git = p.get("git")
    if git:
        state = "with uncommitted changes" if git["dirty"] else "no uncommitted changes"
        code = f"git commit {git['commit'][:12]} ({state})"
    else:
        code = "not built from a git checkout: no commit recorded"
    python = p.get("python", {})
    return {
        "record": record_words(p),
        "data_path": p["data"]["path"],
        "files": [
            {"file": f["file"], "size": _size(int(f["bytes"])), "sha256": f["sha256"]}
            for f in p["data"]["files"]
        ],
        "simulated": _stand_in_words(p.get("simulated")),
        "package": f"{p['package']['name']} {p['package']['version']}",
        "code": code,
        "python": f"{python.get('implementation', 'Python')} {python.get('version', '')}".strip(),
        "libraries": ", ".join(f"{k} {v}" for k, v in p.get("libraries", {}).items()),
        "built_at": p.get("built_at", ""),
        "notebooks": [
            {"name": name, "params": [(k, _parameter(v)) for k, v in params.items()]}
            for name, params in p.get("notebooks", {}).items()
        ],
    }


def headline_cards(metrics: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The cards of the front page from the runs' metrics: the annual summary's (a run whose
    metrics hold ``metrics`` and ``year_basis``) and the reach's residents (a run whose metrics
    hold ``reach``); none when no run wrote them."""
    cards: list[dict[str, Any]] = []
    for value in metrics.values():
        if isinstance(value.get("metrics"), dict) and "year_basis" in value:
            cards = words.annual_cards(value["metrics"]) + cards
        elif isinstance(value.get("reach"), dict):
            cards.append(words.reach_card(value["reach"]))
    return cards


def shown_title(item: Mapping[str, Any]) -> str:
    """An output's title beside its SIMULATED badge: without a leading "SIMULATED:" (the badge
    says it), first letter capitalised."""
    title = str(item.get("title", ""))
    if item.get("simulated"):
        title = _SIMULATED_PREFIX.sub("", title) or title
    return title[:1].upper() + title[1:]


def _page_view(entry: Mapping[str, Any], sheets: Mapping[str, str]) -> dict[str, Any]:
    figures = [{**f, "shown": shown_title(f)} for f in entry["figures"]]
    tables = [
        {**t, "sheet": sheets.get(t["href"], ""), "shown": shown_title(t)} for t in entry["tables"]
    ]
    outputs = [*figures, *tables]
    return {
        **entry,
        "figures": figures,
        "tables": tables,
        "simulated_count": sum(bool(o.get("simulated")) for o in outputs),
        "output_count": len(outputs),
    }


def index_html(
    report: Report,
    entries: Sequence[Mapping[str, Any]],
    sheets: Mapping[str, str],
    options: Options,
) -> str:
    """The front page of ``report`` (see the module docstring); ``entries`` are the pages
    (:func:`wwc_analysis.report.render.page_entries`), ``sheets`` the workbook's sheet of each
    table."""
    folder = report.folder
    downloads = []
    if options.pdf:
        downloads.append({"href": PDF, "text": "The whole report (PDF)", "size": ""})
    if (folder / WORKBOOK).is_file():
        size = _file_size(folder / WORKBOOK)
        downloads.append({"href": WORKBOOK, "text": "Every table (Excel)", "size": size})
    downloads.append({"href": "metrics.json", "text": "Metrics (JSON)", "size": ""})
    p = report.provenance
    template = environment().get_template(INDEX_TEMPLATE)
    return template.render(
        year=report.year,
        built=report.built_words,
        as_of=f"{report.as_of.day} {report.as_of:%B %Y}",
        record=record_words(p),
        cards=headline_cards(report.metrics),
        pages=[_page_view(e, sheets) for e in entries],
        not_run=sorted((p or {}).get("not_run", {}).items()),
        downloads=downloads,
        css=stylesheet() if options.single_file else None,
        css_href=STYLESHEET,
        view=provenance_view(p) if p is not None else None,
    )


def prepare_index() -> None:
    """Compile the front page's template ahead (``wwc report`` does it while notebooks run)."""
    environment().get_template(INDEX_TEMPLATE)


def write_index(
    report: Report,
    entries: Sequence[Mapping[str, Any]],
    sheets: Mapping[str, str],
    options: Options,
) -> None:
    """Write ``index.html`` into the report folder (see :func:`index_html`)."""
    text = index_html(report, entries, sheets, options)
    (report.folder / "index.html").write_text(text, encoding="utf-8")


__all__ = [
    "INDEX_TEMPLATE",
    "PDF",
    "environment",
    "headline_cards",
    "index_html",
    "prepare_index",
    "provenance_view",
    "record_words",
    "write_index",
]
