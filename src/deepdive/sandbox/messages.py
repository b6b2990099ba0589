"""The sentences a learner reads about the outcome of a run."""

from __future__ import annotations

import signal
from collections.abc import Sequence
from dataclasses import dataclass

from deepdive.sandbox.run_result import ErrorInfo, Frame, Limits


def _near(frames: list[Frame]) -> str:
    if not frames:
        return ""
    last = frames[-1]
    return f" near line {last.line} of {last.file}"


def _seconds(value: float) -> str:
    return f"{value:g} s"


def ok(kind: str, responses: int, tests: dict[str, int], not_sent: int = 0) -> str:
    """`responses`: the requests the app answered; `not_sent`: those the sandbox could not send
    (each says why)."""
    if kind == "test":
        total = sum(tests.values())
        if not total:
            return "pytest found no tests. Test functions must be named test_something."
        counts = ", ".join(f"{n} {outcome}" for outcome, n in tests.items())
        return f"pytest ran {total} test{'s' if total != 1 else ''}: {counts}."
    if kind == "session":
        return "The session ended."
    answered = f"Your app answered {responses} request{'s' if responses != 1 else ''}"
    if not not_sent:
        return f"{answered}."
    return f"{answered}; {not_sent} {'was' if not_sent == 1 else 'were'} not sent (each says why)."


@dataclass(frozen=True)
class Unfinished:
    """What the app had begun and not finished when a limit stopped the run: the requests it
    had not answered ("GET /slow"), or the lifespan phase it was in ("startup", "shutdown")."""

    requests: Sequence[str] = ()
    lifespan: str | None = None

    def said(self) -> tuple[str, str, str] | None:
        """(what never finished, where to look, what else to look for), or None."""
        if self.lifespan is not None:
            part = "up to its yield" if self.lifespan == "startup" else "after its yield"
            return (
                f"the app's {self.lifespan} never finished",
                f"in its lifespan function ({part})",
                "",
            )
        if not self.requests:
            return None
        if len(self.requests) == 1:
            listed = self.requests[0]
        else:
            shown = ", ".join(self.requests[:3])
            more = f" and {len(self.requests) - 3} more" if len(self.requests) > 3 else ""
            listed = f"{len(self.requests)} requests ({shown}{more})"
        return (
            f"{listed} never got a complete answer",
            "in the endpoint",
            ", or for a streamed body that never ends",
        )


def wall_timeout(
    limits: Limits,
    frames: list[Frame],
    cpu_seconds: float | None = None,
    others_seconds: float = 0.0,
    unfinished: Unfinished | None = None,
) -> str:
    """`cpu_seconds`: the processor time the run used, `others_seconds` of it by processes the
    learner's code started and left running."""
    stopped = f"Your code ran for more than {_seconds(limits.wall_seconds)} and was stopped."
    # A loop on a busy machine still gets far more than an eighth of a core: less than that,
    # and the code was waiting, not looping.
    busy = limits.wall_seconds / 8
    where = _near(frames)
    said = unfinished.said() if unfinished is not None else None
    if cpu_seconds is not None and cpu_seconds < busy:
        if said is not None and not where:
            what, place, more = said
            return (
                f"{stopped} It was waiting, not computing (it used {cpu_seconds:.1f} s of "
                f"processor time), and {what}: look {place} for a call that waits too long "
                f"(time.sleep, a lock, a connection that never answers){more}."
            )
        return (
            f"{stopped} It was waiting, not computing (it used {cpu_seconds:.1f} s of processor "
            f"time): look for a call that waits too long{where}, such as time.sleep, "
            "a lock or a connection that never answers."
        )
    if cpu_seconds is not None and cpu_seconds - others_seconds < busy:
        at = f" while it was at line {frames[-1].line} of {frames[-1].file}" if frames else ""
        return (
            f"{stopped} The processes it started kept computing (they used "
            f"{others_seconds:.1f} s of processor time){at}: look for a loop that never ends in "
            "the code they run, or for a loop that keeps starting processes."
        )
    hint = (
        f"Look for a loop that never ends{where}."
        if frames
        else "Look for a loop that never ends or a call that waits forever."
    )
    return f"{stopped} {hint}"


def cpu_timeout(limits: Limits, frames: list[Frame], unfinished: Unfinished | None = None) -> str:
    where = _near(frames)
    stopped = f"Your code used more than {_seconds(limits.cpu_seconds)} of processor time and was"
    said = unfinished.said() if unfinished is not None else None
    if said is not None and not where:
        what, place, more = said
        return (
            f"{stopped} stopped, and {what}: look {place} for a loop that never ends or a very "
            f"slow computation{more}."
        )
    hint = where or " or a very slow computation"
    return f"{stopped} stopped. Look for a loop that never ends{hint}."


def memory(limits: Limits, frames: list[Frame]) -> str:
    return (
        f"Your code tried to use more than {limits.memory_mib} MiB of memory and was "
        f"stopped{_near(frames)}. Look for a list or string that keeps growing."
    )


def memory_of_all_processes(limits: Limits) -> str:
    return (
        f"Your code and the processes it started used more than {limits.memory_mib} MiB of "
        "memory together, so the kernel stopped them. Look for data that keeps growing, files "
        "written to /tmp or memory files, or shared memory that is never freed."
    )


def output(limits: Limits, frames: list[Frame] | None = None) -> str:
    where = f" It was printing{_near(frames)}." if frames else ""
    return (
        f"Your code printed more than {limits.output_kib} KiB, so the run was stopped.{where} "
        f"The first {limits.output_kib} KiB are shown."
    )


def error(outcome: str, info: ErrorInfo, limits: Limits | None = None) -> str:
    where = f" on line {info.line} of {info.file}" if info.line and info.file else ""
    if info.file and not info.line:
        where = f" in {info.file}"
    if outcome == "syntax_error":
        return (
            f"Python could not read your code: {info.message}{where}. Check that line and the "
            "one before it for a missing bracket, colon or quote."
        )
    if outcome == "import_error":
        hint = ""
        if info.type == "ModuleNotFoundError":
            hint = (
                ". It must be one of your files or a package the sandbox carries; the course "
                "lists those on its packages page (/packages)"
            )
        elif "relative import with no known parent package" in info.message:
            hint = (
                ". A relative import (`from . import models`) works only inside a package: a "
                "folder with an `__init__.py`, its app named as Uvicorn takes it "
                "(`shop.main:app`). For files side by side, import them by name (`import models`)"
            )
        return f"An import failed{where}: {info.message}{hint}"
    hints = _latin1_hint(info) + _room_hint(info, limits) + _network_hint(info) + _input_hint(info)
    return f"{info.type}{where}: {info.message}{hints}"


# Said after the error of a socket the sandbox refused to open (any but a local one; see
# `worker.tracebacks.error_info`).
NETWORK_SOCKET = "(opening a network socket)"
# What a program that reaches for the network meets in the sandbox, whose filter refuses every
# socket but a local one and which has no name resolver.
_NO_NETWORK = (
    NETWORK_SOCKET,
    "Name or service not known",  # EAI_NONAME
    "Temporary failure in name resolution",  # EAI_AGAIN
    "No address associated with hostname",
)


def _input_hint(info: ErrorInfo) -> str:
    if info.type != "EOFError" or "when reading a line" not in info.message:
        return ""
    return (
        ". Nobody types into the sandbox (nor into a server): input() has nothing to read. An "
        "app takes what it needs from the request: its path, query, headers or body"
    )


def _network_hint(info: ErrorInfo) -> str:
    if not any(sign in info.message for sign in _NO_NETWORK):
        return ""
    return (
        ". The sandbox has no network: code in it reaches nothing outside (no website, API or "
        "database server). Use SQLite for a database, and a stand-in function for a service "
        "your app would call"
    )


def _room_hint(info: ErrorInfo, limits: Limits | None) -> str:
    """What a sandbox's file-size limit (EFBIG) or its small writable disks (ENOSPC) mean."""
    if info.message.startswith("[Errno 27]") and limits is not None:
        return (
            f". A file the sandbox writes may hold at most {limits.file_mib} MiB (its "
            "file-size limit; /dev/shm, where shared memory lives, included)"
        )
    if info.message.startswith("[Errno 28]"):
        return (
            ". The sandbox's own folder and /tmp are small, and they are full: "
            "write less, or delete what is no longer needed"
        )
    return ""


def _latin1_hint(info: ErrorInfo) -> str:
    """What to do when text outside Latin-1 went into a header: the one place an ASGI app
    encodes a str as Latin-1 (Starlette's headers, a cookie's too)."""
    if info.type != "UnicodeEncodeError" or "'latin-1' codec" not in info.message:
        return ""
    return (
        ". A header's value (a cookie's too) is sent as Latin-1 bytes, so it cannot hold "
        "this character: put such text in the body, or encode it first (urllib.parse.quote, "
        "or filename*=UTF-8''... in a Content-Disposition)"
    )


def crash_signal(signum: int) -> str:
    names = {
        signal.SIGSEGV: "a segmentation fault: something read memory it should not",
        signal.SIGABRT: "an abort",
        signal.SIGBUS: "a bus error",
        signal.SIGILL: "an illegal instruction",
        signal.SIGFPE: "a floating point exception",
        signal.SIGSYS: "a forbidden system call",
        signal.SIGKILL: "it was killed",
    }
    what = names.get(signum) or f"signal {signal.Signals(signum).name}"
    return (
        f"The Python process running your code crashed ({what}). "
        "This usually comes from ctypes, a C extension or a very deep recursion."
    )


def crash_exit(code: int) -> str:
    return (
        f"Your code ended the Python process (exit status {code}) before the run finished, "
        "for example with os._exit()."
    )


def after_the_last_test(name: str) -> str:
    """Said of a test run that ended without a report, after the tests it had finished."""
    return f" The last test to finish was {name}: what ended the run came after it."


def channel_misuse() -> str:
    return (
        "Your code wrote to the sandbox's own control channel (a descriptor it inherited), so "
        "the run was stopped. Leave descriptors your code did not open alone."
    )


def event_flood() -> str:
    return (
        "Your app sent messages faster than they could be delivered (too many were waiting), "
        "so the run was stopped. Send less, or wait for the client between messages."
    )


def isolation_warning(missing: dict[str, str]) -> str:
    names = ", ".join(name.replace("_", " ") for name in sorted(missing))
    return (
        "This machine could not fully isolate your code (missing: "
        f"{names}). It still ran under resource limits, but treat it like code on your own "
        "computer."
    )


def graded(passed: int, total: int) -> str:
    if total == 0:
        return "The check found nothing to test."
    if passed == total:
        return f"Every check passed ({total} of {total})."
    return f"{passed} of {total} checks passed."
