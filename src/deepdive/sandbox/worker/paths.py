"""Where a sandbox keeps the learner's files, its temporary files, and its home.

With a private filesystem these are the sandbox's own tmpfs mounts (/sandbox and /tmp). In
degraded mode (no mount namespace) they live in a scratch directory the runner created for this
sandbox alone, and deletes when the sandbox is gone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from deepdive.sandbox.isolation.filesystem import WORK_DIR


@dataclass(frozen=True)
class SandboxPaths:
    work: str
    tmp: str

    @property
    def code(self) -> str:
        """The learner's files. Created only when a run arrives (pytest must not see it early)."""
        return os.path.join(self.work, "code")

    @classmethod
    def choose(cls, private_filesystem: bool, scratch: str) -> SandboxPaths:
        if private_filesystem:
            return cls(work=WORK_DIR, tmp="/tmp")  # noqa: S108  (the sandbox's own tmpfs)
        return cls(work=scratch, tmp=os.path.join(scratch, "tmp"))

    def prepare(self) -> None:
        for path in (self.work, self.tmp):
            os.makedirs(path, mode=0o700, exist_ok=True)
