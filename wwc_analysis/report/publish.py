"""Publishing a build: the atomic swap into ``OUT/YYYY``, and keeping a failed build for debugging.

A build folder is made beside its target (``OUT/.build-YYYY-xxxx``), so every move here is a rename
on one file system: readers of ``OUT/YYYY`` see the old report or the new one, never a mix. A failed
build goes to ``OUT/.failed-YYYY`` (replacing an earlier failed build of that year); the next
successful build of the year removes it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path


def publish(build: Path, final: Path) -> None:
    """Swap ``build`` in as ``final`` (same file system): old aside, new in, old removed.

    If the new folder cannot be renamed in, the old one is put back and the error re-raised.
    """
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(build, 0o777 & ~umask)  # mkdtemp made it 0700
    old = None
    if final.exists() or final.is_symlink():
        old = final.with_name(f".old-{final.name}-{uuid.uuid4().hex[:8]}")
        os.replace(final, old)
    try:
        os.replace(build, final)
    except OSError:
        if old is not None:
            os.replace(old, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def failed_dir(out_dir: Path, year: int) -> Path:
    """Where the failed build of ``year`` is kept: ``out_dir/.failed-YYYY``."""
    return out_dir / f".failed-{year}"


def keep_failed(build: Path, out_dir: Path, year: int) -> Path:
    """Move the failed ``build`` to ``out_dir/.failed-YYYY``, replacing an earlier one; return
    the new place."""
    failed = failed_dir(out_dir, year)
    if failed.exists():
        shutil.rmtree(failed)
    os.replace(build, failed)
    return failed


def drop_failed(out_dir: Path, year: int) -> None:
    """Remove the kept failed build of ``year``, if any (after a successful build of that year)."""
    stale = failed_dir(out_dir, year)
    if stale.exists():
        shutil.rmtree(stale, ignore_errors=True)
