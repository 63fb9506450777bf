"""What a data directory is, as a whole: its edition (``datapackage.json``) and the files a
report is built from, with their SHA-256 checksums (for the provenance of every report).

``data/datapackage.json`` is a Frictionless Data Package: every file of the record as a resource
with its Table Schema (types, constraints, keys), licence and sources; ``version`` and ``created``
name the record's edition (``edition`` holds its number and date). A test keeps it in step with the
pandera schemas of :mod:`~wwc_analysis.data.schemas`. A researcher's own folder may have none: the
edition is then unknown (``None``), never guessed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from wwc_analysis.data import paths
from wwc_analysis.data.paths import (
    ASSESSMENTS_FILE,
    CRITERIA_GLOB,
    FILES,
    REACH_TABLES,
    resolve_data_dir,
)

PACKAGE_FILE = "datapackage.json"


def record_edition(data_dir: str | Path | None = None) -> dict | None:
    """``{"version", "created", "edition", "date", "title"}`` from the folder's
    ``datapackage.json``, or ``None`` when it has none or it cannot be read as a JSON object."""
    path = resolve_data_dir(data_dir) / PACKAGE_FILE
    try:
        package = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(package, dict):
        return None
    edition = package.get("edition") if isinstance(package.get("edition"), dict) else {}
    return {
        "title": package.get("title"),
        "version": package.get("version"),
        "created": package.get("created"),
        "edition": edition.get("number"),
        "date": edition.get("date"),
    }


def data_files(data_dir: str | Path | None = None) -> list[Path]:
    """The files of the folder that the loaders read (those present), then ``datapackage.json``:
    criteria, standards, rounds, certifications, unplaced, the reach tables (universe, crosswalk),
    the simulated assessments. (``universe/``'s files are inputs of the script that builds
    ``universe.csv``; nothing at run time reads them.)"""
    folder = resolve_data_dir(data_dir)
    found = sorted(p for p in folder.glob(CRITERIA_GLOB) if p.is_file())
    tables = ("standards", "rounds", "certifications", "unplaced", *REACH_TABLES)
    found += [folder / FILES[name] for name in tables]
    found += [folder / ASSESSMENTS_FILE, folder / PACKAGE_FILE]
    return [p for p in found if p.is_file()]


def simulated_source(data_dir: str | Path | None = None) -> tuple[Path, bool]:
    """Where the simulated assessments of the folder's analyses come from: ``(path, fallback)``.

    The folder's own ``simulated/assessments.csv`` when it has one (``fallback`` False); else the
    project's shipped file (``fallback`` True), which the notebooks then read, checked against the
    folder's rounds and criteria. A fallback is never silent: ``wwc validate`` and ``wwc report``
    say it and check that file, and the report's provenance names it.
    """
    own = resolve_data_dir(data_dir) / ASSESSMENTS_FILE
    if own.is_file():
        return own, False
    return paths.SIMULATED_DIR / "assessments.csv", True


def sha256(path: Path, chunk: int = 1 << 20) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def checksums(data_dir: str | Path | None = None) -> list[dict]:
    """``[{"file", "bytes", "sha256"}]`` of :func:`data_files`, ``file`` relative to the folder
    (``simulated/assessments.csv``)."""
    folder = resolve_data_dir(data_dir)
    return [
        {
            "file": path.relative_to(folder).as_posix(),
            "bytes": path.stat().st_size,
            "sha256": sha256(path),
        }
        for path in data_files(folder)
    ]


__all__ = [
    "PACKAGE_FILE",
    "checksums",
    "data_files",
    "record_edition",
    "sha256",
    "simulated_source",
]
