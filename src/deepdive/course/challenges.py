"""Challenges: the learner answers, a real run in the sandbox decides.

No answer is stored anywhere. For a `dependency-calls` challenge the lesson's app is run with the
`resolution` instrument, the challenge's request is sent, and the calls FastAPI really made are
counted; the learner is right when their number matches that count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deepdive.course.models import Challenge, Lesson
from deepdive.sandbox import HttpRequest, RunRequest, RunResult

_MAX_ANSWER = 1000


class ChallengeAnswerError(ValueError):
    """The answer cannot be checked (not a number, ...); the message says what to send."""


class ChallengeRunError(RuntimeError):
    """The run that decides did not produce a count; the message is for the learner."""


@dataclass(frozen=True)
class ChallengeVerdict:
    correct: bool
    measured: int
    trace: dict[str, Any]


def parse_answer(answer: object) -> int:
    text = str(answer).strip()
    if not text.isdigit() or int(text) > _MAX_ANSWER:
        raise ChallengeAnswerError(f"Answer with a whole number from 0 to {_MAX_ANSWER}, like 3.")
    return int(text)


def check_run(lesson: Lesson, challenge: Challenge) -> RunRequest:
    """The sandbox run that measures the answer."""
    check = challenge.check
    preset = check.request.model_dump(exclude_none=True, exclude={"label"})
    return RunRequest(
        kind="app",
        code=lesson.sources[check.app],
        requests=[HttpRequest.model_validate(preset)],
        instruments=["resolution"],
    )


def judge(challenge: Challenge, answer: int, result: RunResult) -> ChallengeVerdict:
    """Compare `answer` with what the run counted."""
    data = result.instrumentation.get("resolution") or {}
    traces = data.get("requests") if isinstance(data, dict) else None
    if result.outcome != "ok" or not traces:
        problem = data.get("error") if isinstance(data, dict) else None
        raise ChallengeRunError(
            "The run that checks your answer did not finish normally "
            f"({problem or result.message}). Nothing was recorded; try again in a moment."
        )
    trace = traces[0]
    measured = int(trace.get("calls", {}).get(challenge.check.dependency, 0))
    return ChallengeVerdict(correct=answer == measured, measured=measured, trace=trace)
