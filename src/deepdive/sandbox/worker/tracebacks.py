"""Exceptions reduced to the learner's own files and lines.

A traceback through FastAPI is mostly Starlette and anyio; the learner needs the frames in *their*
files, and the last of those is where an editor should put its error marker.
"""

from __future__ import annotations

import linecache
import traceback
from types import FrameType, TracebackType

from deepdive.sandbox.run_result import ErrorInfo, Frame
from deepdive.sandbox.worker.files import LearnerFiles

_MAX_MESSAGE = 2000


def learner_frames(tb: TracebackType | None, files: LearnerFiles) -> list[Frame]:
    frames: list[Frame] = []
    for summary in traceback.extract_tb(tb):
        name = files.display_name(summary.filename)
        if name is not None and summary.lineno is not None:
            code = (summary.line or "").strip()
            frames.append(Frame(file=name, line=summary.lineno, function=summary.name, code=code))
    return frames


def stack_frames(frame: FrameType | None, files: LearnerFiles) -> list[Frame]:
    """The learner's frames on a live stack (outermost first), e.g. where a signal struck."""
    frames: list[Frame] = []
    while frame is not None:
        name = files.display_name(frame.f_code.co_filename)
        if name is not None:
            line = frame.f_lineno or 0
            code = linecache.getline(frame.f_code.co_filename, line).strip()
            frames.append(Frame(file=name, line=line, function=frame.f_code.co_name, code=code))
        frame = frame.f_back
    frames.reverse()
    return frames


def error_info(exc: BaseException, files: LearnerFiles) -> ErrorInfo:
    """Describe `exc` in the learner's terms (a SyntaxError points at its own line and column)."""
    message = _message(exc)
    if isinstance(exc, SyntaxError) and files.owns(exc.filename):
        name = files.display_name(exc.filename)
        text = (exc.text or "").rstrip("\n")
        frames = [Frame(file=name or "", line=exc.lineno or 0, function="<module>", code=text)]
        caret = " " * max((exc.offset or 1) - 1, 0) + "^" if text else ""
        shown = f'  File "{name}", line {exc.lineno}\n    {text.strip()}\n'
        if caret:
            indent = len(text) - len(text.lstrip())
            shown += "    " + caret[indent:] + "\n"
        return ErrorInfo(
            type=type(exc).__name__,
            message=exc.msg or message,
            file=name,
            line=exc.lineno,
            column=exc.offset,
            frames=frames,
            traceback=f"{shown}{type(exc).__name__}: {exc.msg}",
        )
    frames = learner_frames(exc.__traceback__, files)
    last = frames[-1] if frames else None
    return ErrorInfo(
        type=type(exc).__name__,
        message=message,
        file=last.file if last else None,
        line=last.line if last else None,
        frames=frames,
        traceback=format_traceback(exc, frames),
    )


def format_traceback(exc: BaseException, frames: list[Frame]) -> str:
    lines = ["Traceback (most recent call last, your files only):"]
    for frame in frames:
        lines.append(f'  File "{frame.file}", line {frame.line}, in {frame.function}')
        if frame.code:
            lines.append(f"    {frame.code}")
    message = _message(exc)
    lines.append(f"{type(exc).__name__}: {message}" if message else type(exc).__name__)
    return "\n".join(lines)


def _message(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:  # a learner's __str__ may itself be broken
        text = "<the exception's message could not be shown>"
    return text if len(text) <= _MAX_MESSAGE else text[:_MAX_MESSAGE] + "…"
