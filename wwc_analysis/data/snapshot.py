"""A validated Dataset handed from ``wwc report`` to the kernels of its notebooks.

Every notebook of the report starts with ``wwc.load(data_dir)``: five kernels read and validate the
same files the report has just read (0.1-0.2 s each, most of a notebook's own start). So the report
loads the data folder once, in a thread while the kernels start
(:func:`~wwc_analysis.data.dataset.write_snapshot`), and writes the validated
:class:`~wwc_analysis.data.dataset.Dataset` as a pickle in its build folder, with the size and
SHA-256 of every data file as it was read (:func:`~wwc_analysis.data.package.checksums`). It names
that file in the environment of its workers, and so of their kernels (:data:`ENV`).

:func:`~wwc_analysis.data.dataset.load` takes the snapshot instead of reading the files only when
all of these hold, and otherwise loads as always (so a kernel that starts before the snapshot is
written, or a snapshot of other data, changes nothing but the time):

- :data:`ENV` names a readable snapshot of this format (:data:`FORMAT`);
- it was taken of the same folder (resolved path) with the same row limit;
- every data file has the same size and SHA-256 now as then (2-3 ms for the record's files): a file
  changed since, even in the same second, is read again.

Outside a report (JupyterLab, nbval, scripts) :data:`ENV` is not set and nothing here runs. The
snapshot is never published: the build removes it before it swaps the report in.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

from wwc_analysis.data.package import checksums

#: The variable of a report's workers and kernels that names the snapshot file.
ENV = "WWC_DATA_SNAPSHOT"
#: The snapshot's file name in a build folder.
FILE_NAME = ".dataset.pickle"
#: The version of the snapshot's layout; a snapshot of another is not used.
FORMAT = 1


def write(path: Path, dataset: Any, data_dir: Path, files: list[dict], max_rows: int) -> Path:
    """Write the snapshot of ``dataset`` (loaded from ``data_dir`` with ``max_rows``; ``files``
    the :func:`~wwc_analysis.data.package.checksums` of the files it was read from) to ``path``,
    atomically: a kernel never reads half a snapshot."""
    payload = {
        "format": FORMAT,
        "data_dir": str(Path(data_dir).resolve()),
        "max_rows": int(max_rows),
        "files": list(files),
        "dataset": dataset,
    }
    part = path.with_name(path.name + ".part")
    part.write_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(part, path)
    return path


def matching(data_dir: Path, max_rows: int) -> Any | None:
    """The Dataset of the snapshot :data:`ENV` names if it was taken of ``data_dir`` with
    ``max_rows`` and no data file has changed since; ``None`` otherwise (no snapshot, another
    folder, a changed file, an unreadable snapshot)."""
    where = os.environ.get(ENV)
    if not where:
        return None
    try:
        payload = pickle.loads(Path(where).read_bytes())
        if (
            not isinstance(payload, dict)
            or payload.get("format") != FORMAT
            or payload.get("data_dir") != str(Path(data_dir).resolve())
            or payload.get("max_rows") != int(max_rows)
            or payload.get("files") != checksums(data_dir)
        ):
            return None
        return payload.get("dataset")
    except Exception:  # noqa: BLE001 - any unusable snapshot: the files are read as usual
        return None


__all__ = ["ENV", "FILE_NAME", "FORMAT", "matching", "write"]
