"""A wall clock the run can move forward, for requests that must happen "later" (token expiry).

Moving the clock changes what the learner's code reads as the current time, and nothing else:
`time.time()`, `time.time_ns()`, the no-argument forms of `time.localtime`, `gmtime`, `ctime`,
`asctime` and `strftime`, `datetime.datetime.now/utcnow/today` and `datetime.date.today` all
answer the moved time; monotonic clocks (`time.monotonic`, `perf_counter`, asyncio's loop, the
sandbox's own limits) keep running as they are.

`datetime.datetime.now()` reads the system clock in C, so the clock replaces the `datetime`
class by a subclass whose `now`/`utcnow` read the moved time. The subclass passes for the
original everywhere it is looked at: `isinstance` and `issubclass` accept instances made by
the original class (Pydantic, for one, makes those), and its name, module and `repr` are the
original's. Modules that imported the class or `time.time` under their own name before the
clock was installed (`from datetime import datetime`, as PyJWT does) are updated too.
"""

from __future__ import annotations

import datetime as _datetime
import sys
import time as _time
import warnings
from collections.abc import Callable
from typing import Any

_real_time = _time.time
_real_time_ns = _time.time_ns
_real_localtime = _time.localtime
_real_gmtime = _time.gmtime
_real_ctime = _time.ctime
_real_asctime = _time.asctime
_real_strftime = _time.strftime
_RealDateTime = _datetime.datetime
_RealDate = _datetime.date
_offset = 0.0
_installed = False


def offset_seconds() -> float:
    """How far the clock has been moved forward in this run."""
    return _offset


def now() -> float:
    """The wall-clock time the learner's code reads (the real time plus the moves)."""
    return _now()


def advance(seconds: float) -> None:
    """Move the wall clock forward by `seconds` (installing the moved clock on first use)."""
    global _offset
    if seconds <= 0:
        return
    install()
    _offset += seconds


def _now() -> float:
    return _real_time() + _offset


def _now_ns() -> int:
    return _real_time_ns() + int(_offset * 1_000_000_000)


def _defaulting(function: Callable[..., Any], make_default: Callable[[], Any]) -> Any:
    def moved(*args: Any) -> Any:
        return function(*args) if args else function(make_default())

    moved.__name__ = function.__name__
    moved.__qualname__ = function.__qualname__
    moved.__doc__ = function.__doc__
    return moved


class _PassesForTheOriginal(type):
    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, cls.__mro__[1])

    def __subclasscheck__(cls, subclass: type) -> bool:
        return issubclass(subclass, cls.__mro__[1])


class _MovedDateTime(_RealDateTime, metaclass=_PassesForTheOriginal):
    @classmethod
    def now(cls, tz: _datetime.tzinfo | None = None) -> _MovedDateTime:
        return cls.fromtimestamp(_now(), tz)

    @classmethod
    def utcnow(cls) -> _MovedDateTime:
        if sys.version_info >= (3, 12):
            warnings.warn(
                "datetime.datetime.utcnow() is deprecated and scheduled for removal in a future "
                "version. Use timezone-aware objects to represent datetimes in UTC: "
                "datetime.datetime.now(datetime.UTC).",
                DeprecationWarning,
                stacklevel=2,
            )
        return cls.fromtimestamp(_now(), _datetime.UTC).replace(tzinfo=None)

    @classmethod
    def today(cls) -> _MovedDateTime:
        return cls.fromtimestamp(_now())

    def __repr__(self) -> str:
        return "datetime." + _RealDateTime.__repr__(self)


class _MovedDate(_RealDate, metaclass=_PassesForTheOriginal):
    @classmethod
    def today(cls) -> _MovedDate:
        return cls.fromtimestamp(_now())

    def __repr__(self) -> str:
        return "datetime." + _RealDate.__repr__(self)


for _moved, _real in ((_MovedDateTime, _RealDateTime), (_MovedDate, _RealDate)):
    _moved.__name__ = _real.__name__
    _moved.__qualname__ = _real.__qualname__
    _moved.__module__ = _real.__module__


def install() -> None:
    """Replace the clock's readers everywhere they are reachable (once per run)."""
    global _installed
    if _installed:
        return
    _installed = True
    replacements: dict[int, Any] = {
        id(_real_time): _now,
        id(_real_time_ns): _now_ns,
        id(_real_localtime): _defaulting(_real_localtime, _now),
        id(_real_gmtime): _defaulting(_real_gmtime, _now),
        id(_real_ctime): _defaulting(_real_ctime, _now),
        id(_real_asctime): _defaulting(_real_asctime, lambda: _real_localtime(_now())),
        id(_RealDateTime): _MovedDateTime,
        id(_RealDate): _MovedDate,
    }

    def strftime(format: str, *args: Any) -> str:
        return _real_strftime(format, *args) if args else _real_strftime(format, _localnow())

    replacements[id(_real_strftime)] = strftime
    originals = {
        id(_real_time),
        id(_real_time_ns),
        id(_real_localtime),
        id(_real_gmtime),
        id(_real_ctime),
        id(_real_asctime),
        id(_real_strftime),
        id(_RealDateTime),
        id(_RealDate),
    }
    for name, module in list(sys.modules.items()):
        if module is None or name.startswith("deepdive.") or name == __name__:
            continue
        try:
            namespace = vars(module)
        except TypeError:
            continue
        for attribute, value in list(namespace.items()):
            if id(value) in originals:
                try:
                    setattr(module, attribute, replacements[id(value)])
                except (AttributeError, TypeError):
                    continue


def _localnow() -> _time.struct_time:
    return _real_localtime(_now())
