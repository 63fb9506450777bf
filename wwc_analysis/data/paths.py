"""Project paths, resolved from this file so notebooks and scripts run from any working directory."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # wwc_analysis/
PROJECT_ROOT = PACKAGE_DIR.parent
DATA_DIR = PROJECT_ROOT / "data"
SIMULATED_DIR = DATA_DIR / "simulated"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"

__all__ = ["DATA_DIR", "NOTEBOOKS_DIR", "PACKAGE_DIR", "PROJECT_ROOT", "REPORTS_DIR", "SIMULATED_DIR"]
