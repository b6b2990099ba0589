"""POSIX timers that signal the *main* thread, via ctypes (timer_create with SIGEV_THREAD_ID).

`setitimer` signals the process, and the kernel may hand the signal to any thread: to one busy
in C code, while the main thread sleeps in `thread.join()` and never notices. Python runs signal
handlers only in the main thread, so the limits aim their signals straight at it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading

CLOCK_MONOTONIC = 1
CLOCK_PROCESS_CPUTIME_ID = 2
_SIGEV_THREAD_ID = 4

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


class _SigEvent(ctypes.Structure):
    _fields_ = (
        ("value", ctypes.c_void_p),
        ("signo", ctypes.c_int),
        ("notify", ctypes.c_int),
        ("tid", ctypes.c_int),
        ("_pad", ctypes.c_int * 11),
    )


class _TimeSpec(ctypes.Structure):
    _fields_ = (("seconds", ctypes.c_long), ("nanoseconds", ctypes.c_long))


class _ITimerSpec(ctypes.Structure):
    _fields_ = (("interval", _TimeSpec), ("value", _TimeSpec))


def _spec(seconds: float) -> _ITimerSpec:
    whole = int(seconds)
    return _ITimerSpec(_TimeSpec(0, 0), _TimeSpec(whole, int((seconds - whole) * 1e9)))


class MainThreadTimer:
    """A one-shot timer on `clock` that sends `signum` to the calling (main) thread."""

    def __init__(self, clock: int, signum: int) -> None:
        self._id = ctypes.c_void_p()
        event = _SigEvent(None, signum, _SIGEV_THREAD_ID, threading.get_native_id())
        if _libc.timer_create(clock, ctypes.byref(event), ctypes.byref(self._id)) != 0:
            raise OSError(ctypes.get_errno(), "timer_create failed")

    def start(self, seconds: float) -> None:
        if _libc.timer_settime(self._id, 0, ctypes.byref(_spec(max(seconds, 1e-3))), None) != 0:
            raise OSError(ctypes.get_errno(), "timer_settime failed")

    def stop(self) -> None:
        _libc.timer_settime(self._id, 0, ctypes.byref(_spec(0)), None)
