"""Where things are: the project's directories, resolved from this file so notebooks and scripts run
from any working directory, and the file names of the tables inside a data directory."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # wwc_analysis/
PROJECT_ROOT = PACKAGE_DIR.parent
DATA_DIR = PROJECT_ROOT / "data"
SIMULATED_DIR = DATA_DIR / "simulated"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"

#: The variable naming a report build's folder of charts drawn once for all its pages
#: (:mod:`wwc_analysis.figures.shared`), set for the build's kernels, and that folder's name.
FIGURE_STORE_ENV = "WWC_FIGURE_STORE"
FIGURE_STORE_DIR = ".figures"

#: File name of each single-file table, relative to the data directory.
FILES: dict[str, str] = {
    "standards": "standards.csv",
    "rounds": "rounds.csv",
    "certifications": "certifications.csv",
    "unplaced": "unplaced.csv",
    "universe": "universe.csv",
    "crosswalk": "crosswalk.csv",
}
#: The reach tables (the approximate eligible universe and the crosswalk of the record to it):
#: optional in a data directory, but both or neither.
REACH_TABLES = ("universe", "crosswalk")
#: Criteria files: one per standard, ``criteria_<standard>.csv``.
CRITERIA_GLOB = "criteria_*.csv"
CRITERIA_NAME = re.compile(r"^criteria_(?P<standard>.+)\.csv$")
#: The simulated assessments that ``load()`` picks up when present.
ASSESSMENTS_FILE = "simulated/assessments.csv"
#: Order in which tables (and their problems) are reported.
TABLE_ORDER = (
    "standards",
    "criteria",
    "rounds",
    "certifications",
    "unplaced",
    "assessments",
    "universe",
    "crosswalk",
)


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    """``data_dir`` as a path; ``None`` means the project's :data:`DATA_DIR`."""
    return DATA_DIR if data_dir is None else Path(data_dir)


__all__ = [
    "ASSESSMENTS_FILE",
    "CRITERIA_GLOB",
    "CRITERIA_NAME",
    "DATA_DIR",
    "FILES",
    "NOTEBOOKS_DIR",
    "PACKAGE_DIR",
    "PROJECT_ROOT",
    "REACH_TABLES",
    "REPORTS_DIR",
    "SIMULATED_DIR",
    "TABLE_ORDER",
    "resolve_data_dir",
]
