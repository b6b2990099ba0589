"""Checking a learner's code against a task: a graded run in the sandbox, read as a verdict.

The check module of the task runs in a sandbox of its own and reaches the learner's app only
over HTTP (see `deepdive.sandbox.worker.grading`), so the verdict cannot be forged by the code it
judges. Each test of the check is one line of the verdict: its name in words, passed or not, and
the sentence its failing assertion carries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from deepdive.course.interactives.base import InteractiveBase
from deepdive.course.interactives.tasks import Task
from deepdive.course.models import Lesson
from deepdive.sandbox import CaseResult, RunRequest, RunResult

CHECK_FILENAME = "test_check.py"
_ASSERT_DETAIL = re.compile(r"\nassert .*", re.S)


@dataclass(frozen=True)
class CheckLine:
    name: str
    passed: bool
    message: str


@dataclass(frozen=True)
class TaskVerdict:
    passed: bool
    message: str
    checks: tuple[CheckLine, ...]

    @property
    def first_failure(self) -> str | None:
        return next((line.message for line in self.checks if not line.passed), None)


def task_run(lesson: Lesson, task: Task, code: str) -> RunRequest:
    """The graded run that checks `code` (the learner's app) against `task`."""
    return RunRequest(
        kind="grade", code=code, tests=lesson.sources[task.check], tests_filename=CHECK_FILENAME
    )


def reference_code(lesson: Lesson, interactive: InteractiveBase, task: Task) -> str:
    reference = task.reference(interactive.solution)
    assert reference is not None  # the loader insists on one
    return lesson.sources[reference]


def _words(case: CaseResult) -> str:
    name = case.name.split("[", 1)[0].removeprefix("test_").replace("_", " ")
    return name[:1].upper() + name[1:]


def _sentence(case: CaseResult) -> str:
    """What a failed check says: its assertion's message, without pytest's rewritten detail."""
    text = _ASSERT_DETAIL.sub("", case.message or "").strip()
    return text or "This check did not pass."


def judge_task(result: RunResult) -> TaskVerdict:
    """Read a graded run: passed when it ran, found checks, and every one of them passed."""
    checks = tuple(
        CheckLine(
            name=_words(case),
            passed=case.outcome == "passed",
            message="" if case.outcome == "passed" else _sentence(case),
        )
        for case in result.tests
        if case.outcome != "skipped"
    )
    passed = result.outcome == "ok" and bool(checks) and all(line.passed for line in checks)
    if result.outcome != "ok":
        message = f"Your app could not be checked: {result.message}"
    elif passed:
        message = "Done: every check passed."
    else:
        failed = sum(not line.passed for line in checks)
        message = f"Not yet: {failed} of {len(checks)} checks did not pass."
    return TaskVerdict(passed=passed, message=message, checks=checks)
