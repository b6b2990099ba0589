"""The runner's private directory in the temporary directory, and the clean-up of dead runners'.

A runner keeps its sandboxes' mount point and scratch directories in one `deepdive-sandbox-*`
directory. It holds an exclusive `flock` on the `lock` file inside for as long as it lives; the
kernel drops the lock when the runner dies, however it dies. A runner starting up removes every
such directory of its own user whose lock it can take: their runner is gone.
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
