"""What a report was built from: the provenance recorded in ``metrics.json`` (key ``provenance``)
and shown on ``index.html`` (the template ``templates/_provenance.html.j2``).

:func:`provenance` gathers, as plain JSON values:

- ``record``: the edition of the data (``datapackage.json``: title, version, edition, date);
  ``None`` for a folder without one (a researcher's own data);
- ``data``: the folder (relative to the project when inside it) and the SHA-256 and size of every
  data file the notebooks read (:func:`wwc_analysis.data.package.checksums`);
- ``package``: the name and version of ``wwc-analysis``;
- ``git``: the commit of the project and whether its tree had uncommitted changes (``dirty``), or
  ``None`` outside a git checkout (or without git);
- ``python`` and ``libraries``: the interpreter and the versions of the key libraries;
- ``notebooks``: each notebook's parameters as it ran (its defaults, then what the report passed;
  paths relative: the data folder as above, ``output_dir`` relative to the report);
- ``built_at``: the build time.

Two builds from the same commit and data differ only in ``built_at``.
"""

from __future__ import annotations

import ast
import platform
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wwc_analysis.data import paths
from wwc_analysis.data.package import checksums, record_edition, sha256, simulated_source

#: The libraries whose versions a report records (those the analysis and the rendering use).
LIBRARIES = (
    "numpy",
    "pandas",
    "pandera",
    "matplotlib",
    "seaborn",
    "papermill",
    "nbconvert",
    "jinja2",
    "ipykernel",
)
GIT_TIMEOUT = 10  # seconds


def shown_path(path: str | Path, root: Path | None = None) -> str:
    """``path`` relative to the project (``root``, default the project folder) when inside it,
    else absolute; POSIX separators."""
    root = (root or paths.PROJECT_ROOT).resolve()
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(root).as_posix() or "."
    except ValueError:
        return resolved.as_posix()


def git_state(root: Path | None = None) -> dict | None:
    """``{"commit", "dirty"}`` of the git checkout at ``root`` (default the project folder);
    ``None`` when it is not one, or git is missing or fails. ``dirty``: tracked files changed or
    untracked files present (ignored files aside)."""
    root = root or paths.PROJECT_ROOT

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            check=True,
        )
        return done.stdout

    try:
        if git("rev-parse", "--show-toplevel").strip() == "":
            return None
        commit = git("rev-parse", "HEAD").strip()
        dirty = bool(git("status", "--porcelain").strip())
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "dirty": dirty}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def installed_versions() -> dict[str, str]:
    """``{distribution: version}`` of the packages installed on ``sys.path``, read from the names of
    their ``*.dist-info`` folders (``pandas-3.1.1.dist-info``): no library is imported, so a
    report rebuilt from its cache does not pay for importing matplotlib and seaborn."""
    found: dict[str, str] = {}
    for entry in sys.path:
        folder = Path(entry or ".")
        if not folder.is_dir():
            continue
        for info in folder.glob("*.dist-info"):
            dist, _, version = info.name.removesuffix(".dist-info").rpartition("-")
            found.setdefault(_norm(dist), version)
    return found


def library_versions() -> dict[str, str]:
    """The version of each of :data:`LIBRARIES` (all of them dependencies of the package), from
    their installed metadata (:func:`installed_versions`), else from the imported module."""
    installed = installed_versions()
    if all(_norm(name) in installed for name in LIBRARIES):
        return {name: installed[_norm(name)] for name in LIBRARIES}
    import ipykernel
    import jinja2
    import matplotlib
    import nbconvert
    import numpy
    import pandas
    import pandera
    import papermill
    import seaborn

    modules = (numpy, pandas, pandera, matplotlib, seaborn, papermill, nbconvert, jinja2, ipykernel)
    return {m.__name__: str(getattr(m, "__version__", "unknown")) for m in modules}


def _literal(text: str) -> Any:
    """A parameters-cell default as its value (the cell holds plain literals), else its text."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def notebook_record(
    defaults: Mapping[str, str],
    passed: Mapping[str, Any],
    report_dir: Path,
    root: Path | None = None,
) -> dict[str, Any]:
    """One notebook's parameters as it ran: its ``defaults`` (name -> the literal's source, as
    ``papermill.inspect_notebook`` gives them) overridden by what the report ``passed``; the data
    folder shown as :func:`shown_path`, ``output_dir`` relative to ``report_dir``."""
    params: dict[str, Any] = {name: _literal(text) for name, text in defaults.items()}
    for name, value in passed.items():
        if name == "data_dir" and value is not None:
            value = shown_path(value, root)
        elif name == "output_dir" and value is not None:
            try:
                value = Path(value).resolve().relative_to(report_dir.resolve()).as_posix()
            except ValueError:
                value = str(value)
        params[name] = value
    return params


def provenance(
    data_dir: str | Path,
    notebooks: Mapping[str, Mapping[str, Any]],
    built_at: str,
    root: Path | None = None,
    files: list[dict] | None = None,
) -> dict[str, Any]:
    """The provenance of a report built from ``data_dir`` (see the module docstring);
    ``notebooks`` maps each notebook to its parameters (:func:`notebook_record`); ``files``: the
    data files' checksums when the caller has them already (``checksums(data_dir)``)."""
    from wwc_analysis import __version__

    return {
        "record": record_edition(data_dir),
        "data": {
            "path": shown_path(data_dir, root),
            "files": files if files is not None else checksums(data_dir),
        },
        "package": {"name": "wwc-analysis", "version": __version__},
        "git": git_state(root),
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
        },
        "libraries": library_versions(),
        "notebooks": {name: dict(params) for name, params in notebooks.items()},
        "built_at": built_at,
    }


def simulated_stand_in(data_dir: str | Path) -> dict | None:
    """When ``data_dir`` has no simulated assessments: the project's shipped file that the
    notebooks read instead (``file``, ``bytes``, ``sha256``, ``fallback``: True, ``why``), for the
    provenance and the runs' cache keys; None when the folder has its own."""
    path, fallback = simulated_source(data_dir)
    if not fallback or not path.is_file():
        return None
    return {
        "file": shown_path(path),
        "bytes": path.stat().st_size,
        "sha256": sha256(path),
        "fallback": True,
        "why": "the data folder has no simulated/assessments.csv; the project's shipped file "
        "stands in, checked against the folder's rounds and criteria",
    }


__all__ = [
    "LIBRARIES",
    "git_state",
    "library_versions",
    "notebook_record",
    "provenance",
    "shown_path",
    "simulated_stand_in",
]
