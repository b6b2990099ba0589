"""Keeping the runner's secrets out of reach of the sandboxes it forks.

Every sandbox starts as a copy of the runner's memory, so the runner must not *hold* secrets:
it keeps only a hash of its token, removes everything but a few harmless variables from its
environment, and overwrites the block where the kernel placed the original environment (what
/proc/<pid>/environ shows, in every forked copy too).
"""

from __future__ import annotations

import ctypes
import hashlib
import hmac
import os

_KEEP = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "HOME", "USER", "LOGNAME", "TERM")


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def token_matches(offered: object, digest: bytes | None) -> bool:
    if digest is None:
        return True
    return isinstance(offered, str) and hmac.compare_digest(token_digest(offered), digest)


def forget_environment() -> None:
    """Drop every environment variable but a few harmless ones, here and in /proc."""
    kept = {name: os.environ[name] for name in _KEEP if name in os.environ}
    os.environ.clear()
    _wipe_initial_environment()
    os.environ.update(kept)


def _wipe_initial_environment() -> None:
    try:
        with open("/proc/self/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        # Fields 50 and 51 of stat(5): env_start and env_end; `fields` starts at field 3.
        start, end = int(fields[47]), int(fields[48])
    except (OSError, IndexError, ValueError):
        return
    if 0 < start < end and end - start < 16 * 1024 * 1024:
        ctypes.memset(start, 0, end - start)
