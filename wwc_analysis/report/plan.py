"""Planning a report: the year, the notebooks and their runs (one per round for a per-round
notebook), and the notebooks that cannot run on a data folder (a table they need is absent). The
steps that follow are in :mod:`wwc_analysis.report.build`."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from wwc_analysis.data import paths
from wwc_analysis.report.run import parameter_defaults

if TYPE_CHECKING:
    import pandas as pd

NOTEBOOK_PATTERN = "[0-9][0-9]-*.ipynb"


class ReportError(Exception):
    """A report build that cannot go on; ``exit_code`` is what ``wwc report`` exits with.

    2 means the request itself is wrong (unknown year, missing notebook, bad option); 1 means the
    build failed (a notebook raised, publishing failed).
    """

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


# --------------------------------------------------------------------------------------- years


def report_years(rounds: pd.DataFrame) -> list[int]:
    """Calendar years in which at least one round was announced, ascending.

    ``rounds`` is the rounds table (``announced`` datetime64), e.g. ``Dataset.rounds``.
    """
    announced = rounds["announced"].dropna()
    return sorted({int(y) for y in announced.dt.year})


def resolve_year(year: int | None, rounds: pd.DataFrame) -> int:
    """``year`` if a round was announced in it, else the latest such year when ``year`` is None.

    Raises ``ReportError`` (exit code 2) listing the years that have a round.
    """
    years = report_years(rounds)
    if not years:
        raise ReportError(
            "the rounds table has no announced round, so there is no year to report", 2
        )
    if year is None:
        return years[-1]
    if year not in years:
        listed = ", ".join(str(y) for y in years)
        raise ReportError(f"no round was announced in {year}; years with a round: {listed}", 2)
    return int(year)


def as_of_date(year: int, built_at: datetime) -> date:
    """The date a report of ``year`` measures at: 31 December, or the build date for a year not
    over yet (a report never speaks of a day after it was built)."""
    return min(date(int(year), 12, 31), built_at.date())


# ----------------------------------------------------------------------------------- notebooks


def discover_notebooks(notebooks_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """The report notebooks: ``NN-*.ipynb`` in ``notebooks_dir`` (default ``paths.NOTEBOOKS_DIR``),
    sorted by name."""
    folder = Path(notebooks_dir) if notebooks_dir is not None else paths.NOTEBOOKS_DIR
    return sorted(p.resolve() for p in folder.glob(NOTEBOOK_PATTERN) if p.is_file())


def _resolve_notebooks(notebooks: Iterable[str | os.PathLike[str]] | None) -> list[Path]:
    found = discover_notebooks() if notebooks is None else [Path(p).resolve() for p in notebooks]
    if not found:
        where = paths.NOTEBOOKS_DIR if notebooks is None else "the given list"
        raise ReportError(f"no notebooks to run in {where}", 2)
    missing = [str(p) for p in found if not p.is_file()]
    if missing:
        raise ReportError(f"notebook not found: {', '.join(missing)}", 2)
    stems = [p.stem for p in found]
    duplicated = sorted({s for s in stems if stems.count(s) > 1})
    if duplicated:
        raise ReportError(f"two notebooks share a name (outputs would collide): {duplicated}", 2)
    return found


@dataclass(frozen=True)
class Run:
    """One notebook run of a report: its ``name`` (the notebook's, or ``<notebook>-<round>``),
    the ``source`` notebook and, for a per-round run, the ``round_id``."""

    name: str
    source: Path
    round_id: str | None = None


def year_rounds(year: int, rounds: pd.DataFrame) -> list[str]:
    """The ids of the rounds announced in ``year``, in date order."""
    in_year = rounds[rounds["announced"].dt.year == int(year)].sort_values("announced")
    return [str(r) for r in in_year["round_id"]]


def _wwc_metadata(source: Path) -> dict:
    """The ``"wwc"`` metadata of a notebook, from its JSON as it is (nbformat is not needed to read
    a metadata key, and an up-to-date report is recognised without importing it)."""
    meta = json.loads(source.read_text(encoding="utf-8")).get("metadata", {}).get("wwc", {})
    return meta if isinstance(meta, dict) else {}


def plan_runs(sources: Sequence[Path], year: int, rounds: pd.DataFrame) -> list[Run]:
    """One run per notebook, and one per round of ``year`` for a notebook whose metadata says
    ``"wwc": {"per_round": true}`` and which declares a ``round_id`` parameter."""
    out: list[Run] = []
    for source in sources:
        meta = _wwc_metadata(source)
        if meta.get("per_round") and "round_id" in parameter_defaults(source):
            out += [Run(f"{source.stem}-{r}", source, r) for r in year_rounds(year, rounds)]
        else:
            out.append(Run(source.stem, source))
    return out


def unmet_needs(source: Path, data_dir: Path) -> str:
    """Why ``source`` cannot run on ``data_dir``, or ``""``: the files its metadata says it needs
    (``"wwc": {"needs": ["universe.csv", ...]}``, optional tables) that the folder lacks."""
    needs = _wwc_metadata(source).get("needs", [])
    missing = [str(n) for n in needs if not (data_dir / str(n)).is_file()]
    if not missing:
        return ""
    return f"the data folder has no {' and no '.join(missing)}, which it needs"


def _require_weasyprint() -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        raise ReportError(
            "--pdf needs WeasyPrint, which is not importable here "
            f"({type(exc).__name__}: {exc}); install the pdf extra: pip install -e '.[pdf]'",
            2,
        ) from exc
