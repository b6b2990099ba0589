"""Deciding a run's outcome, message and error from everything that happened."""

from __future__ import annotations

from dataclasses import dataclass

from deepdive.sandbox import messages
from deepdive.sandbox.run_result import ErrorInfo, HttpResponse, Limits, Outcome
from deepdive.sandbox.worker import chains
from deepdive.sandbox.worker.asgi import LifespanError
from deepdive.sandbox.worker.files import LearnerFiles
from deepdive.sandbox.worker.guard import LimitExceeded
from deepdive.sandbox.worker.loader import LoadError
from deepdive.sandbox.worker.tracebacks import error_info


@dataclass
class Verdict:
    outcome: Outcome
    message: str
    error: ErrorInfo | None = None


def limit_verdict(
    tripped: LimitExceeded,
    limits: Limits,
    cpu_seconds: float | None = None,
    others_seconds: float = 0.0,
    unfinished: messages.Unfinished | None = None,
) -> Verdict:
    """`cpu_seconds`: the processor time the learner's code used, measured in the sandbox;
    `others_seconds` of it by processes it started that were still running; `unfinished`: what
    the app had begun and not finished."""
    last = tripped.frames[-1] if tripped.frames else None
    if tripped.reason == "output":
        text = messages.output(limits, tripped.frames)
        error = ErrorInfo(
            type="OutputLimitExceeded",
            message=text,
            file=last.file if last else None,
            line=last.line if last else None,
            frames=tripped.frames,
        )
        return Verdict("output_limit", text, error if last else None)
    text = (
        messages.wall_timeout(limits, tripped.frames, cpu_seconds, others_seconds, unfinished)
        if tripped.reason == "wall"
        else messages.cpu_timeout(limits, tripped.frames, unfinished)
    )
    error = ErrorInfo(
        type="TimeLimitExceeded",
        message=text,
        file=last.file if last else None,
        line=last.line if last else None,
        frames=tripped.frames,
    )
    return Verdict("timeout", text, error)


def decide(
    *,
    kind: str,
    limits: Limits,
    files: LearnerFiles,
    tripped: LimitExceeded | None,
    failure: BaseException | None,
    responses: list[HttpResponse],
    tests: dict[str, int],
    raw_overflow: bool,
    cpu_seconds: float | None = None,
    others_seconds: float = 0.0,
    unfinished: messages.Unfinished | None = None,
) -> Verdict:
    if tripped is not None:
        return limit_verdict(tripped, limits, cpu_seconds, others_seconds, unfinished)
    memory = chains.find(failure, MemoryError)
    if memory is None:
        memory_errors = [r.error for r in responses if r.error and r.error.type == "MemoryError"]
        if memory_errors:
            info = memory_errors[0]
            return Verdict("memory_limit", messages.memory(limits, info.frames), info)
    else:
        info = error_info(memory, files)
        return Verdict("memory_limit", messages.memory(limits, info.frames), info)
    if isinstance(failure, LoadError):
        return Verdict(
            failure.outcome, messages.error(failure.outcome, failure.error, limits), failure.error
        )
    if isinstance(failure, LifespanError):
        if failure.original is not None:
            info = error_info(failure.original, files)
        else:
            info = ErrorInfo(type="LifespanError", message=str(failure)[-2000:])
        info.message = f"the app's {failure.phase} failed: {info.message}"
        return Verdict("runtime_error", messages.error("runtime_error", info, limits), info)
    if failure is not None:
        info = error_info(failure, files)
        return Verdict("runtime_error", messages.error("runtime_error", info, limits), info)
    for response in responses:
        if response.error is not None:
            text = f"{response.method} {response.path} failed with " + messages.error(
                "runtime_error", response.error, limits
            )
            return Verdict("runtime_error", text, response.error)
    if raw_overflow:
        return Verdict("output_limit", messages.output(limits))
    not_sent = sum(1 for response in responses if response.skipped is not None)
    return Verdict("ok", messages.ok(kind, len(responses) - not_sent, tests, not_sent))
