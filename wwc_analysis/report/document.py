"""What a finished build is, for the modules that render it (pages, workbook, index, PDF): the
options, the runs in order and the report with its build time, as-of date, metrics and provenance.
Data only; :mod:`wwc_analysis.report.render` renders it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

EXECUTED = "executed"


@dataclass(frozen=True)
class Options:
    """What to render besides the pages and the index: ``pdf`` (the whole report as one PDF),
    ``single_file`` (pages that carry their stylesheet and figures)."""

    pdf: bool = False
    single_file: bool = False


@dataclass(frozen=True)
class RunPage:
    """A run to render: its ``name`` (page ``<name>.html``, outputs ``<name>/``), its ``source``
    notebook and, for a per-round run, its ``round_id``."""

    name: str
    source: Path
    round_id: str | None = None


@dataclass(frozen=True)
class Report:
    """A finished build to render: the folder, the year, the build time, the as-of date, the runs
    in order, each run's metrics and the provenance."""

    folder: Path
    year: int
    built_at: datetime
    as_of: date
    runs: Sequence[RunPage]
    metrics: Mapping[str, dict]
    provenance: Mapping[str, Any] | None = None

    @property
    def built_words(self) -> str:
        """'Built 1 December 2026 at 16:55 (UTC+00:00)'."""
        when = self.built_at
        return f"Built {when.day} {when:%B %Y} at {when:%H:%M} ({when:%Z})".replace(" ()", "")


__all__ = ["EXECUTED", "Options", "Report", "RunPage"]
