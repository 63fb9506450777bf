"""No process outlives a report run cut short: the notebook workers, their kernels and whatever
the kernels started (see :mod:`wwc_analysis.report.run`, which starts the workers).

Each worker starts a session (process group) of its own. :class:`Workers` keeps the running ones
of a build; :meth:`Workers.stop_all` stops each with :func:`stop_process_tree` (the processes under
it are listed first, as jupyter_client starts a kernel in a session of its own). In the worker,
:func:`on_terminate` (its SIGTERM handler) kills the kernel before exiting, and
:func:`die_with_parent` asks Linux for SIGTERM when the parent dies (``PR_SET_PDEATHSIG``), so a
SIGKILLed ``wwc report`` takes its workers and kernels with it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
from typing import Any

#: Seconds a stopped worker gets to stop its kernel before everything left is killed.
STOP_GRACE = 1.0


def kill_children(pid: int, timeout: float = STOP_GRACE) -> None:
    """SIGKILL every process under ``pid`` (children first listed, then waited for)."""
    import psutil

    try:
        tree = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return
    for child in tree:
        with contextlib.suppress(psutil.Error):
            child.kill()
    psutil.wait_procs(tree, timeout=timeout)


def on_terminate(signum: int, frame: object) -> None:
    """The worker's SIGTERM handler: kill the kernel (and all under it), exit 128 + signum."""
    signal.signal(signum, signal.SIG_IGN)
    kill_children(os.getpid())
    os._exit(128 + signum)


def die_with_parent(parent_pid: int | None) -> None:
    """Get SIGTERM when the parent dies (Linux), and stop now if it died already."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PDEATHSIG
    if parent_pid and os.getppid() != parent_pid:
        os._exit(128 + signal.SIGTERM)


def stop_process_tree(proc: subprocess.Popen, grace: float = STOP_GRACE) -> None:
    """Stop a worker started in a session of its own, and every process under it.

    The processes under it are listed first (a kernel is in a session of its own, and a killed
    worker's children would be lost to it); the worker's group gets SIGTERM (on which it kills its
    kernel) and ``grace`` seconds, then whatever is left of the group and of the list is killed.
    """
    import psutil

    try:
        tree = psutil.Process(proc.pid).children(recursive=True)
    except psutil.Error:
        tree = []
    if proc.poll() is None:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    with contextlib.suppress(OSError):
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    for child in tree:
        with contextlib.suppress(psutil.Error):
            child.kill()
    proc.wait()
    psutil.wait_procs(tree, timeout=grace)


class Workers:
    """The workers of one :func:`execute_all`: each started in a session of its own, all stopped
    (with their kernels) when the run is cut short; none starts after that."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen] = set()
        self._stopped = False

    def start(self, args: list[str], **kwargs: Any) -> subprocess.Popen | None:
        with self._lock:
            if self._stopped:
                return None
            proc = subprocess.Popen(args, start_new_session=True, **kwargs)
            self._running.add(proc)
            return proc

    def finished(self, proc: subprocess.Popen) -> None:
        with self._lock:
            self._running.discard(proc)

    def stop_all(self) -> None:
        with self._lock:
            self._stopped = True
            running = list(self._running)
        for proc in running:
            stop_process_tree(proc)


__all__ = [
    "STOP_GRACE",
    "Workers",
    "die_with_parent",
    "kill_children",
    "on_terminate",
    "stop_process_tree",
]
