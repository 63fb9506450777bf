"""Build folders that a killed run cannot leave behind for long, and the reports folder's lock.

A build runs in ``OUT/.build-YYYY-xxxxxxxx`` beside its target. Its lock file,
``OUT/.build-YYYY-xxxxxxxx.lock``, is created (and locked with ``fcntl.flock``) *before* the folder
and held by the building process until the folder is published or removed. The kernel releases a
flock when its holder dies, whatever killed it (SIGKILL included), so a lock that can be taken
belongs to no live run: :func:`remove_stale` (called at the start of every build) removes the
folders of such locks, and only those. A ``.build-YYYY-*`` folder without a lock file (left by a
version before the locks) is removed once it is over an hour old. Nothing else in ``OUT`` is
touched: only names of this exact shape, and only folders (never what a symbolic link points to).

A ``flock`` on the folder ``OUT`` itself serialises the short steps that rename or remove folders
in it (removing stale builds, publishing, keeping a failed build), so that one run's clean-up never
meets another's publish half done; it leaves no file behind. Publishing swaps the build folder
and ``OUT/YYYY`` in one ``renameat2(RENAME_EXCHANGE)`` where the system has it (Linux): readers,
and a run killed at any instant, see the old report or the new one, never none. Elsewhere the old
report is renamed aside first (``OUT/.old-YYYY-xxxxxxxx``); a run killed between the two renames
leaves it there and the next run puts it back.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import re
import shutil
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

LOCK_SUFFIX = ".lock"
#: A build folder's name: ``.build-YYYY-`` and 8 letters, digits or ``_`` (``tempfile.mkdtemp``'s
#: alphabet, which earlier versions used, and hex).
BUILD_NAME = re.compile(r"^\.build-\d{4}-[a-z0-9_]{8}$")
#: The old report renamed aside while publishing without an atomic exchange.
OLD_NAME = re.compile(r"^\.old-(\d{4})-[0-9a-f]{8}$")
#: A build folder without a lock file is removed once this old (seconds): none is made since locks.
UNLOCKED_AGE = 3600.0
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@contextlib.contextmanager
def out_lock(out: Path) -> Iterator[None]:
    """Hold a lock on the folder ``out`` (exclusive, waiting for it) while the block runs."""
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class BuildFolder:
    """A fresh ``OUT/.build-YYYY-xxxxxxxx`` folder (mode 0700) with its lock held until
    :meth:`release`. Raises ``OSError`` when ``out`` cannot be written."""

    def __init__(self, out: Path, year: int):
        for _ in range(100):
            name = f".build-{int(year)}-{uuid.uuid4().hex[:8]}"
            self.lock = out / (name + LOCK_SUFFIX)
            try:
                flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
                self._fd: int | None = os.open(self.lock, flags, 0o644)
            except FileExistsError:
                continue
            break
        else:  # pragma: no cover - 100 collisions of 32 random bits
            raise FileExistsError(errno.EEXIST, "no free build folder name", str(out))
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.write(self._fd, f"{os.getpid()}\n".encode())
            self.path = out / name
            self.path.mkdir(mode=0o700)
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        """Remove the lock file and let the lock go (the folder must be gone or published)."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            self.lock.unlink()
        os.close(self._fd)
        self._fd = None


def _remove_if_free(lock: Path) -> bool:
    """Remove the build folder of ``lock`` and the lock file when no live run holds the lock."""
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return False  # a live run holds it
    try:
        folder = lock.with_name(lock.name[: -len(LOCK_SUFFIX)])
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            lock.unlink()
    finally:
        os.close(fd)
    return True


def _unlocked_and_old(folder: Path, now: float) -> bool:
    if folder.is_symlink() or not folder.is_dir():
        return False
    if folder.with_name(folder.name + LOCK_SUFFIX).exists():
        return False
    try:
        return now - folder.stat().st_mtime > UNLOCKED_AGE
    except OSError:
        return False


def remove_stale(out: Path) -> list[str]:
    """Remove what killed runs left in ``out``: build folders no live run holds, and an old report
    renamed aside by a publish cut short (put back when ``OUT/YYYY`` is missing, else removed).
    Returns the names removed or restored."""
    if not out.is_dir():
        return []
    done: list[str] = []
    now = time.time()
    with out_lock(out):
        for entry in sorted(out.iterdir()):
            name = entry.name
            if name.endswith(LOCK_SUFFIX) and BUILD_NAME.match(name[: -len(LOCK_SUFFIX)]):
                if _remove_if_free(entry):
                    done.append(name[: -len(LOCK_SUFFIX)])
            elif BUILD_NAME.match(name) and _unlocked_and_old(entry, now):
                shutil.rmtree(entry, ignore_errors=True)
                done.append(name)
            elif (old := OLD_NAME.match(name)) and entry.is_dir() and not entry.is_symlink():
                final = out / old.group(1)
                if final.exists() or final.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    os.replace(entry, final)
                done.append(name)
    return done


def exchange(a: Path, b: Path) -> bool:
    """Swap the names ``a`` and ``b`` in one atomic step (Linux ``renameat2``); False where the
    system or the file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    path, fd = ctypes.c_char_p, ctypes.c_int
    renameat2.argtypes = [fd, path, fd, path, ctypes.c_uint]
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


__all__ = ["BuildFolder", "exchange", "out_lock", "remove_stale"]
