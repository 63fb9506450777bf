"""Reusing executed notebooks: a rebuild whose inputs did not change runs no kernel.

A notebook run is fully determined by its inputs: the notebook file, the parameters it receives
(the output folder aside, which is a fresh build folder each time), the data files it can read,
the package's source code, the pinned dependencies (``requirements.lock``, else the installed
versions of the libraries) and the Python version. :func:`run_key` hashes all of them; the cache
keeps, per run, the executed notebook and its output folder under that key, in
``OUT/.cache/YYYY/<run>/`` beside the reports. ``wwc report --force`` runs every notebook again (and
refreshes the cache).

One entry is kept per run of a year (the latest), so the cache holds about one report's worth of
files per year. An entry is written to a temporary folder and renamed into place: a crash never
leaves a half-written entry behind, and an unreadable entry is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from wwc_analysis.data import paths

CACHE_DIR = ".cache"
#: Bump when what an entry holds changes: every older entry is then a miss.
FORMAT = 1
_KEY_FILE = "key"
_EXECUTED = "executed.ipynb"
_OUTPUTS = "outputs"
_SECONDS = "seconds"
#: Parameters that name where a run writes, not what it computes.
VOLATILE_PARAMETERS = ("output_dir",)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=4)
def code_fingerprint(root: Path | None = None) -> str:
    """A hash of the package's Python source (every ``wwc_analysis/**/*.py``) and of the pinned
    dependencies (``requirements.lock`` beside the package, else the installed library versions),
    with the Python version. Computed once per process."""
    package = (root or paths.PROJECT_ROOT) / "wwc_analysis"
    digest = hashlib.sha256(f"python {platform.python_version()}\n".encode())
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    lock = (root or paths.PROJECT_ROOT) / "requirements.lock"
    if lock.is_file():
        digest.update(b"lock\0" + lock.read_bytes())
    else:
        from wwc_analysis.report.provenance import library_versions

        digest.update(json.dumps(library_versions(), sort_keys=True).encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def templates_fingerprint() -> str:
    """A hash of the report's templates and stylesheet (``report/templates/``): they change the
    pages, not what the notebooks compute."""
    folder = Path(__file__).resolve().parent / "templates"
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def run_key(
    notebook: Path,
    parameters: Mapping[str, Any],
    data_files: Sequence[Mapping[str, Any]],
    code: str,
) -> str:
    """The key of one notebook run: the notebook's bytes, its parameters (``output_dir`` aside),
    the SHA-256 of every data file (``data.package.checksums``) and the code fingerprint."""
    payload = {
        "format": FORMAT,
        "notebook": _sha256_file(notebook),
        "parameters": {k: v for k, v in sorted(parameters.items()) if k not in VOLATILE_PARAMETERS},
        "data": [[f["file"], f["sha256"]] for f in data_files],
        "code": code,
    }
    text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _entry(out_dir: Path, year: int, name: str) -> Path:
    return out_dir / CACHE_DIR / str(year) / name


def lookup(out_dir: Path, year: int, name: str, key: str) -> Path | None:
    """The cache entry of run ``name`` of ``year`` if it holds ``key``, else None."""
    entry = _entry(out_dir, year, name)
    try:
        stored = (entry / _KEY_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if stored != key or not (entry / _EXECUTED).is_file() or not (entry / _OUTPUTS).is_dir():
        return None
    return entry


def restore(entry: Path, executed: Path, output_dir: Path) -> None:
    """Copy a cache entry into a build: the executed notebook and the run's output folder."""
    shutil.copyfile(entry / _EXECUTED, executed)
    if output_dir.exists():
        shutil.rmtree(output_dir)
    shutil.copytree(entry / _OUTPUTS, output_dir)


def last_seconds(out_dir: Path, year: int, name: str) -> float | None:
    """How long the run's cached entry took to run (whatever its key), or None: the build starts
    the longest notebooks first."""
    try:
        return float((_entry(out_dir, year, name) / _SECONDS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store(
    out_dir: Path,
    year: int,
    name: str,
    key: str,
    executed: Path,
    output_dir: Path,
    seconds: float = 0.0,
) -> None:
    """Keep a successful run under ``key`` (and how long it took), replacing the run's earlier
    entry (atomically: a new folder renamed in). Failing to write the cache never fails a
    build."""
    cache = out_dir / CACHE_DIR / str(year)
    tmp: Path | None = None
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=cache))
        shutil.copyfile(executed, tmp / _EXECUTED)
        shutil.copytree(output_dir, tmp / _OUTPUTS)
        (tmp / _SECONDS).write_text(f"{seconds:.3f}\n", encoding="utf-8")
        (tmp / _KEY_FILE).write_text(key + "\n", encoding="utf-8")
        entry = cache / name
        old = cache / f".old-{name}-{uuid.uuid4().hex[:8]}"
        if entry.exists():
            os.replace(entry, old)
        os.replace(tmp, entry)
        shutil.rmtree(old, ignore_errors=True)
    except OSError:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def prune(out_dir: Path, year: int, keep: Iterable[str]) -> None:
    """Remove the entries of ``year`` whose runs are not in ``keep`` (a notebook renamed or
    removed, a round no longer in the year): the cache does not grow."""
    cache = out_dir / CACHE_DIR / str(year)
    if not cache.is_dir():
        return
    keep = set(keep)
    for entry in cache.iterdir():
        if entry.name not in keep:
            shutil.rmtree(entry, ignore_errors=True)


__all__ = [
    "CACHE_DIR",
    "FORMAT",
    "VOLATILE_PARAMETERS",
    "code_fingerprint",
    "templates_fingerprint",
    "last_seconds",
    "lookup",
    "prune",
    "restore",
    "run_key",
    "store",
]
