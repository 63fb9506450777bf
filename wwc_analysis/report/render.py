"""Rendering a finished build: one HTML page per executed notebook, the index page, the PDF.

Pages come from nbconvert's ``HTMLExporter`` without code or prompts (figures are embedded base64
PNGs, so a page is one file). The index page is the Jinja2 template ``templates/index.html.j2``
shipped in this package (every value HTML-escaped). The PDF is WeasyPrint on one rendered page.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

FIGURE_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg")
TABLE_SUFFIXES = (".csv",)
INDEX_TEMPLATE = "index.html.j2"


# -------------------------------------------------------------------------------------- pages


def _render_page(executed: Path, target: Path) -> str:
    """Write the HTML page of an executed notebook without code or prompts; return its title."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": executed.stem}})
    target.write_text(body, encoding="utf-8")
    return str(nb.metadata.get("title") or executed.stem)


def _is_simulated(executed: Path) -> bool:
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    return bool(nb.metadata.get("wwc", {}).get("simulated", False))


def _outputs(build: Path, name: str, suffixes: tuple[str, ...]) -> list[str]:
    folder = build / name
    if not folder.is_dir():
        return []
    found = [p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes]
    return sorted(p.relative_to(build).as_posix() for p in found)


def render_pages(build: Path, names: Sequence[str]) -> list[dict[str, Any]]:
    """Write ``build/<name>.html`` for every executed notebook ``build/executed/<name>.ipynb``.

    Returns one entry per page for the index: ``name``, ``title`` (the notebook's metadata title,
    else its name), ``html`` and ``executed`` (links relative to ``build``), ``simulated`` (the
    notebook's ``wwc.simulated`` metadata), ``figures`` and ``tables`` (files of its output folder).
    """
    pages = []
    for name in names:
        executed = build / "executed" / f"{name}.ipynb"
        title = _render_page(executed, build / f"{name}.html")
        pages.append(
            {
                "name": name,
                "title": title,
                "html": f"{name}.html",
                "executed": f"executed/{name}.ipynb",
                "simulated": _is_simulated(executed),
                "figures": _outputs(build, name, FIGURE_SUFFIXES),
                "tables": _outputs(build, name, TABLE_SUFFIXES),
            }
        )
    return pages


# -------------------------------------------------------------------------------------- index


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """(dotted key, shown value) rows of a metrics object, in order."""
    if isinstance(value, dict):
        rows: list[tuple[str, str]] = []
        for key, item in value.items():
            rows.extend(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return rows
    if isinstance(value, float):
        return [(prefix, f"{value:,.4g}")]
    if isinstance(value, (list, tuple)):
        return [(prefix, json.dumps(value))]
    return [(prefix, str(value))]


def _escape(value: Any) -> Markup:
    """Every ``{{ value }}`` of the template: HTML-escaped with quotes (``html.escape``), except
    the markup the template's own macros produce."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value)))


def _environment() -> jinja2.Environment:
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


def _parameter(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) if value else "(none)"
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def provenance_view(p: Mapping[str, Any]) -> dict[str, Any]:
    """The provenance of a report (:func:`wwc_analysis.report.provenance.provenance`) as the
    words and rows the index page shows (template ``_provenance.html.j2``)."""
    record = p.get("record")
    if record and record.get("edition") is not None:
        said = f"{record.get('title') or 'the record'}, edition {record['edition']}"
        said += f" of {record['date']}" if record.get("date") else ""
        said += f" (version {record['version']})" if record.get("version") else ""
    else:
        said = "edition not stated: the data folder has no readable datapackage.json"
    git = p.get("git")
    if git:
        state = "with uncommitted changes" if git["dirty"] else "no uncommitted changes"
        code = f"git commit {git['commit'][:12]} ({state})"
    else:
        code = "not built from a git checkout: no commit recorded"
    python = p.get("python", {})
    return {
        "record": said,
        "data_path": p["data"]["path"],
        "files": [
            {"file": f["file"], "size": _size(int(f["bytes"])), "sha256": f["sha256"]}
            for f in p["data"]["files"]
        ],
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


def index_html(
    year: int,
    built_at: str,
    data_dir: Path | str,
    pages: Sequence[Mapping[str, Any]],
    metrics: Mapping[str, dict],
    provenance: Mapping[str, Any] | None = None,
) -> str:
    """The index page: year, build time, data folder, then every page with its figures, tables
    and flattened metrics (see :func:`render_pages` for ``pages``), and, given a ``provenance``,
    what the report was built from (``templates/_provenance.html.j2``)."""
    entries = [
        {**page, "metrics": _flatten(metrics[page["name"]]) if page["name"] in metrics else None}
        for page in pages
    ]
    template = _environment().get_template(INDEX_TEMPLATE)
    return template.render(
        year=year,
        built_at=built_at,
        data_dir=str(data_dir),
        pages=entries,
        view=provenance_view(provenance) if provenance is not None else None,
    )


def write_index(
    build: Path,
    year: int,
    built_at: str,
    data_dir: Path | str,
    pages: Sequence[Mapping[str, Any]],
    metrics: Mapping[str, dict],
    provenance: Mapping[str, Any] | None = None,
) -> None:
    """Write ``build/index.html`` (see :func:`index_html`)."""
    text = index_html(year, built_at, data_dir, pages, metrics, provenance)
    (build / "index.html").write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------------- PDF


def write_pdf(page: Path, target: Path) -> None:
    """Print the HTML ``page`` to the PDF ``target`` with WeasyPrint."""
    import logging

    import weasyprint

    # WeasyPrint warns about every CSS property of the JupyterLab theme it does not support.
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        weasyprint.HTML(filename=str(page)).write_pdf(str(target))
    finally:
        logger.setLevel(level)
