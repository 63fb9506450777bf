"""nbval harness for the notebooks in this folder.

``make test`` runs pytest with ``testpaths = ["tests", "notebooks"]`` and, from pyproject's
``addopts``, ``--nbval-lax --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg
--nbval-cell-timeout=600``: every cell of every notebook here must run without error, and the cells
tagged ``nbval-check-output`` must print what their committed outputs say, after the regexes of
``sanitize.cfg``.

This file lives beside the notebooks, not in ``tests/``: pytest applies a conftest's collection
hooks only to the files under its own folder, so hooks in ``tests/conftest.py`` never see these
notebooks. The hooks:

* add ``text/html`` (pandas' HTML repr drifts between versions: check
  ``print(df.round(2).to_string())`` instead) and ``stderr`` (warnings, ipykernel's TCP notice) to
  what nbval does not compare;
* mark every notebook cell ``slow``, so ``make test-fast`` (``-m "not slow"``) leaves the notebook
  runs out;
* resolve a relative ``--nbval-sanitize-with`` against the project root when it does not exist
  from the working directory, so ``pytest`` works from any folder of the project;
* keep the cells of one notebook on one pytest-xdist worker: they share the notebook's kernel, so a
  notebook cannot be split over workers. pyproject's ``addopts`` say ``--dist loadfile`` (one file,
  one worker; ``make test`` adds ``-n logical``); a ``-n N`` run given a ``--dist`` that would split
  a file (``load``, ``worksteal``, or ``loadgroup``, whose groups pytest >= 9.2 drops silently:
  pytest-xdist issue 1386) is switched back to ``loadfile``;
* give the kernels of this test process an IPython profile folder of their own (as
  tests/conftest.py does): no two workers' kernels share one history database, and no user's
  ~/.ipython startup file runs in the notebooks.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

try:
    from nbval.plugin import IPyNbCell, IPyNbFile
except ImportError:  # nbval not installed: no notebook collection, nothing to adjust
    IPyNbCell = IPyNbFile = None

NBVAL_SKIP_COMPARE = ("text/html", "stderr")


#: pytest-xdist distribution modes that keep every test of a file on one worker.
WHOLE_FILES = ("no", "loadfile", "loadscope")


def pytest_configure(config):
    """Make the sanitize file path independent of the working directory; keep notebooks whole; a
    private IPython folder for the kernels."""
    dist = getattr(config.option, "dist", "no")
    if getattr(config.option, "numprocesses", None) and dist not in WHOLE_FILES:
        config.option.dist = "loadfile"
    if os.environ.get("WWC_TEST_IPYTHONDIR_PID") != str(os.getpid()):
        folder = tempfile.mkdtemp(prefix="wwc-test-ipython-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ.update(IPYTHONDIR=folder, WWC_TEST_IPYTHONDIR_PID=str(os.getpid()))
    sanitize = getattr(config.option, "nbval_sanitize_with", None)
    if sanitize and not Path(sanitize).is_absolute() and not Path(sanitize).exists():
        candidate = Path(config.rootpath, sanitize)
        if candidate.exists():
            config.option.nbval_sanitize_with = str(candidate)


def pytest_collectstart(collector):
    """Add text/html and stderr to what nbval does not compare, for every notebook collected."""
    if IPyNbFile is not None and isinstance(collector, IPyNbFile):
        missing = tuple(key for key in NBVAL_SKIP_COMPARE if key not in collector.skip_compare)
        collector.skip_compare = (*collector.skip_compare, *missing)


def pytest_collection_modifyitems(config, items):
    """Notebook cells start a kernel and run the analysis: mark them slow."""
    if IPyNbCell is None:
        return
    for item in items:
        if isinstance(item, IPyNbCell):
            item.add_marker(pytest.mark.slow)
