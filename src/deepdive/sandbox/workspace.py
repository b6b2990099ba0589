"""What a runner claims for itself on a machine it may share with other runners.

* Its private directory in the temporary directory: a runner keeps its sandboxes' mount point
  and scratch directories in one `deepdive-sandbox-*` directory and holds an exclusive `flock` on
  the `lock` file inside for as long as it lives; the kernel drops the lock when the runner dies,
  however it dies. A runner starting up removes every such directory of its own user whose lock
  it can take: their runner is gone.
* As root, a range of host user IDs for its sandboxes (one ID per live sandbox), locked the same
  way in a directory every runner on the machine sees, so that no two runners hand out the same
  IDs.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from dataclasses import dataclass

_PREFIX = "deepdive-sandbox-"
_LOCK = "lock"


@dataclass
class Workspace:
    path: str
    _lock: int

    def release(self) -> None:
        """Delete the directory and drop the lock."""
        shutil.rmtree(self.path, ignore_errors=True)
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1


def remove_stale(parent: str) -> list[str]:
    """Remove the directories of runners that have died; returns their paths."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(parent):
            if not entry.name.startswith(_PREFIX) or not entry.is_dir(follow_symlinks=False):
                continue
            if entry.stat(follow_symlinks=False).st_uid != os.geteuid():
                continue
            try:
                lock = os.open(os.path.join(entry.path, _LOCK), os.O_RDWR | os.O_NOFOLLOW)
            except OSError:
                continue  # no lock file: not a directory this code made
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # its runner is alive
            else:
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(entry.path)
            finally:
                os.close(lock)
    return removed


@dataclass
class UidRange:
    ids: range
    _lock: int

    def release(self) -> None:
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1


def _lock_directory() -> str:
    fallback = os.path.join(tempfile.gettempdir(), "deepdive-uids")
    for candidate in ("/run/deepdive-sandbox", fallback):
        with contextlib.suppress(OSError):
            os.makedirs(candidate, mode=0o700, exist_ok=True)
            if os.access(candidate, os.W_OK):
                return candidate
    raise OSError("no directory to keep user ID locks in")


def claim_uids(first: int, size: int, ranges: int = 4096) -> UidRange:
    """The first free range of `size` user IDs from `first` (range k starts at first + k*size)."""
    directory = _lock_directory()
    for index in range(ranges):
        path = os.path.join(directory, f"uids-{first + index * size}.lock")
        lock = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(lock)
            continue
        start = first + index * size
        return UidRange(range(start, start + size), lock)
    raise OSError(f"all {ranges} user ID ranges are taken by other runners")


def claim() -> Workspace:
    """Clean up after dead runners, then make and lock this runner's own directory."""
    parent = tempfile.gettempdir()
    remove_stale(parent)
    path = tempfile.mkdtemp(prefix=_PREFIX, dir=parent)
    # Locked before it gets its name, so no other runner ever sees it unlocked.
    pending = os.path.join(path, ".lock")
    lock = os.open(pending, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    os.rename(pending, os.path.join(path, _LOCK))
    return Workspace(path, lock)
