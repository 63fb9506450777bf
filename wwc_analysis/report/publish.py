"""Publishing a build: the atomic swap into ``OUT/YYYY``, and keeping a failed build for debugging.

A build folder is made beside its target (``OUT/.build-YYYY-xxxx``), so every move here is a rename
on one file system: readers of ``OUT/YYYY`` see the old report or the new one, never a mix (and,
where ``renameat2(RENAME_EXCHANGE)`` exists, never neither: see :mod:`.folders`). A failed
build goes to ``OUT/.failed-YYYY`` (replacing an earlier failed build of that year); the next
successful build of the year removes it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

from wwc_analysis.errors import Terminated
from wwc_analysis.report.folders import exchange

#: The signals :func:`held_signals` holds back.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def publish(build: Path, final: Path) -> None:
    """Swap ``build`` in as ``final`` (same file system), then remove the old report.

    With an old report in place the two are exchanged atomically where the system can (the old one
    then sits at ``build``'s name); otherwise the old one is renamed aside, the new one in, and if
    that fails the old one is put back and the error re-raised. Run it holding
    :func:`.folders.out_lock`.
    """
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(build, 0o777 & ~umask)  # the build folder was made 0700
    if final.is_dir() and not final.is_symlink() and exchange(build, final):
        shutil.rmtree(build, ignore_errors=True)
        return
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


@contextlib.contextmanager
def held_signals() -> Iterator[list[int]]:
    """While the block runs, SIGINT and SIGTERM are noted (in the list given), not raised: a
    publish is never cut between its renames, and a run told it published nothing has not."""
    held: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield held
        return
    previous = {s: signal.signal(s, lambda n, _: held.append(n)) for s in STOP_SIGNALS}
    try:
        yield held
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def interrupted_after_publishing(signum: int, final: Path) -> KeyboardInterrupt:
    """The interrupt of a signal held while publishing; ``published`` says the report is out."""
    exc = Terminated(signum) if signum == signal.SIGTERM else KeyboardInterrupt()
    exc.published = final  # type: ignore[attr-defined]
    return exc
