"""Limits that the sandboxed process enforces on itself, so the learner learns *where* it stopped.

The wall-clock limit (SIGALRM), the CPU limit (SIGPROF, and SIGXCPU from the kernel at the
soft RLIMIT_CPU) and the output cap all raise `LimitExceeded` in the learner's code. It derives from
BaseException, so `except Exception` in a loop does not swallow it; a learner who catches
*everything* is stopped by the runner's hard kill a moment later, and the runner still knows the
line from the "tripped" message sent here first.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from types import FrameType
from typing import Literal, NoReturn

from deepdive.sandbox.run_result import Frame
from deepdive.sandbox.worker import chains, timers
from deepdive.sandbox.worker.files import LearnerFiles
from deepdive.sandbox.worker.tracebacks import stack_frames

Reason = Literal["wall", "cpu", "output"]


class LimitExceeded(BaseException):
    """A limit of the run was reached; `frames` is where the learner's code was at that moment."""

    def __init__(self, reason: Reason, frames: list[Frame]) -> None:
        super().__init__(f"{reason} limit exceeded")
        self.reason = reason
        self.frames = frames


class Guard:
    """Turns limits into `LimitExceeded`, remembering the first one that tripped."""

    def __init__(self, files: LearnerFiles, notify: Callable[[LimitExceeded], None]) -> None:
        self._files = files
        self._notify = notify
        self.tripped: LimitExceeded | None = None
        self._timers: list[timers.MainThreadTimer] = []

    def arm(self, wall_seconds: float, cpu_seconds: float) -> None:
        """Start both clocks, aimed at the main thread (see `timers`). The CPU clock counts every
        thread of the process; RLIMIT_CPU, in whole seconds, stays behind it as the kernel's
        backstop, and the runner's hard kill behind the wall clock."""
        for signum in (signal.SIGALRM, signal.SIGPROF, signal.SIGXCPU):
            signal.signal(signum, self._on_signal)
        # A write past the file-size limit then fails with EFBIG instead of killing the process.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        try:
            self._timers = [
                timers.MainThreadTimer(timers.CLOCK_MONOTONIC, signal.SIGALRM),
                timers.MainThreadTimer(timers.CLOCK_PROCESS_CPUTIME_ID, signal.SIGPROF),
            ]
        except (OSError, AttributeError):
            self._timers = []
            signal.setitimer(signal.ITIMER_REAL, wall_seconds)
            signal.setitimer(signal.ITIMER_PROF, cpu_seconds)
        else:
            self._timers[0].start(wall_seconds)
            self._timers[1].start(cpu_seconds)

    def disarm(self) -> None:
        for timer in self._timers:
            timer.stop()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.setitimer(signal.ITIMER_PROF, 0)
        for signum in (signal.SIGALRM, signal.SIGPROF, signal.SIGXCPU):
            signal.signal(signum, signal.SIG_IGN)

    def trip(self, reason: Reason, frame: FrameType | None = None) -> NoReturn:
        exc = LimitExceeded(reason, self._where(frame))
        if self.tripped is None:
            self.tripped = exc
            self._notify(exc)
        raise exc

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.trip("wall" if signum == signal.SIGALRM else "cpu", frame)

    def _where(self, frame: FrameType | None) -> list[Frame]:
        frames = stack_frames(frame, self._files) if frame is not None else []
        if frames:
            return frames
        # The main thread may be waiting for a worker thread (a plain `def` endpoint runs in one).
        for other in sys._current_frames().values():
            frames = stack_frames(other, self._files)
            if frames:
                return frames
        return []


def find_limit(exc: BaseException | None) -> LimitExceeded | None:
    """The LimitExceeded in `exc`, also inside exception groups (anyio) and chained causes."""
    return chains.find(exc, LimitExceeded)
