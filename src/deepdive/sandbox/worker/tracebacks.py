"""Exceptions reduced to the learner's own files and lines.

A traceback through FastAPI is mostly Starlette and anyio; the learner needs the frames in *their*
files, and the last of those is where an editor should put its error marker.
"""

from __future__ import annotations

import ast
import linecache
import socket
import traceback
from types import FrameType, TracebackType

from deepdive.sandbox.messages import NETWORK_SOCKET
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
    refused = _refused_response(exc, files)
    if refused is not None:
        return refused
    frames = learner_frames(exc.__traceback__, files)
    last = frames[-1] if frames else None
    if isinstance(exc, PermissionError) and _raised_in_socket_module(exc.__traceback__):
        message = f"{message} {NETWORK_SOCKET}"
    return ErrorInfo(
        type=type(exc).__name__,
        message=message,
        file=last.file if last else None,
        line=last.line if last else None,
        frames=frames,
        traceback=format_traceback(exc, frames),
    )


def _raised_in_socket_module(tb: TracebackType | None) -> bool:
    """Whether the innermost frame is the standard library's `socket` module (creating one)."""
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and tb.tb_frame.f_code.co_filename == socket.__file__


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


def _refused_response(exc: BaseException, files: LearnerFiles) -> ErrorInfo | None:
    """FastAPI's ResponseValidationError, said in words: what the endpoint returned and what its
    declared type wanted, marked on the endpoint's `return` (not its decorator)."""
    from fastapi.exceptions import ResponseValidationError

    if not isinstance(exc, ResponseValidationError):
        return None
    name = files.display_name(exc.endpoint_file)
    function = exc.endpoint_function or "the endpoint"
    errors = list(exc.errors())
    problems = []
    for error in errors[:5]:
        where = ".".join(str(part) for part in error.get("loc", ()) if part != "response")
        got = repr(error.get("input"))
        got = got if len(got) <= 80 else got[:80] + "…"
        problems.append(f"{where or 'the value'}: {error.get('msg', 'not allowed')} (it was {got})")
    if len(errors) > 5:
        problems.append(f"and {len(errors) - 5} more")
    message = (
        f"{function}() returned a value that its declared response type does not allow, so "
        f"FastAPI refused to send it and the client got a 500. {'; '.join(problems)}."
    )
    if name is None or exc.endpoint_line is None:
        return ErrorInfo(type=type(exc).__name__, message=message, traceback=message)
    line = _return_line(exc.endpoint_file or "", function, exc.endpoint_line) or exc.endpoint_line
    code = linecache.getline(exc.endpoint_file or "", line).strip()
    frame = Frame(file=name, line=line, function=function, code=code)
    shown = f'  File "{name}", line {line}, in {function}\n    {code}\n'
    return ErrorInfo(
        type=type(exc).__name__,
        message=message,
        file=name,
        line=line,
        frames=[frame],
        traceback=f"{shown}{type(exc).__name__}: {message}",
    )


def _return_line(path: str, function: str, near: int) -> int | None:
    """The line of the only `return` of `function` (defined at or below line `near`)."""
    try:
        tree = ast.parse(linecache.getline(path, 1) and "".join(linecache.getlines(path)))
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == function:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            if not first <= near <= (node.end_lineno or near):
                continue
            returns = [n for n in _own_nodes(node) if isinstance(n, ast.Return)]
            return returns[0].lineno if len(returns) == 1 else None
    return None


def _own_nodes(function: ast.AST) -> list[ast.AST]:
    """The nodes of a function's body, not those of functions or classes nested in it."""
    found: list[ast.AST] = []
    pending = list(ast.iter_child_nodes(function))
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        found.append(node)
        pending.extend(ast.iter_child_nodes(node))
    return found
