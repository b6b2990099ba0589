"""Checking a learner's code against a task: a graded run in the sandbox, read as a verdict.

The check module of the task runs in a sandbox of its own and reaches the learner's app only
over HTTP (see `deepdive.sandbox.worker.grading`), so the verdict cannot be forged by the code it
judges. Each test of the check is one line of the verdict: its name in words, passed or not, and
the sentence its failing assertion carries.

Tasks with `catches` also judge the learner's *tests*: they must fail against an app with the
bug and pass against the fix. Those tests import the app (`TestClient(app)`, its dependencies to
override), so they run in the same pytest process as an app, and everything a test file does
happens there: it can register hooks, rewrite pytest's reports, call `sys.exit` or `os._exit`,
write frames of its own or a whole result. The threat model is therefore that *nothing such a
run says is trusted* beyond one bit, "some test failed", and that even this bit is the learner's
code's own answer to the question "is this the app with the bug?". The design makes that
question answerable only by exercising the app:

* Each run is a fresh sandbox holding the learner's test file and one app, always saved as
  `app.py`; nothing is left from another run, and the runs are made in a random order
  (`execution_order`), so a file cannot tell which run it is in by its position or by traces.
* The apps are several: the bug as the lesson shows it and written other ways
  (`catches_also`), the reference fix and the fix written other ways (`passes_also`). A buggy
  app and a fixed one may read alike (`year < published_before + 1` has the bug, `not year >=
  published_before` has not), so a file that decides from the app's text or bytecode whether
  to fail (a faked failure, a report rewritten by a hook, an early exit) is wrong about one of
  them.
* None of them is run as the course's file says: each check runs a fresh random disguise of
  each (`deepdive.course.disguise`: other names, another route order, decoy helpers and
  comments, comparisons written the other way round), so a file that carries the exact texts
  of the course's apps recognises none of them.
* The verdict is decided here, outside every sandbox, from all the runs: the tests must fail
  against every buggy app and pass against every fixed one. A forged report helps only a file
  that already tells the apps apart, which is what catching the bug means; one that passes
  whatever happens, or fails whatever happens, is refused.
* The learner's own fix is judged like any task: the check in a sandbox of its own reaches
  their app over HTTP only.

What remains: a file that reads the app's code and works out what it does (finds the filter's
comparison and decides which way it leans) can still tell the apps apart without running them.
Judging tests that must run beside the app cannot exclude that; it costs more than the test
the task asks for.
"""

from __future__ import annotations

import random
import re
import secrets
from dataclasses import dataclass

from deepdive.course.disguise import disguise
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
        kind="grade",
        code=code,
        tests=lesson.sources[task.check],
        tests_filename=CHECK_FILENAME,
        watched_database=task.watch_database,
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


# -- tasks that judge the learner's tests too --------------------------------------------------
#
# A task with `catches` asks for a test that finds a bug, then a fix. Besides the graded run of
# the learner's app, the platform runs the learner's tests beside each app of the lesson instead
# of theirs: each app with the bug (at least one test must fail against each) and each fixed
# app, the reference first (every test must pass against each). The learner's test file is
# saved as `test_app.py` and imports the app as `app`, as in the widget.

LEARNER_TESTS = "test_app.py"


def task_runs(
    lesson: Lesson, interactive: InteractiveBase, task: Task, code: str, tests: str | None = None
) -> list[RunRequest]:
    """Every run that checks a submission: the graded run, then (for a task with `catches`)
    the learner's tests against the app with the bug and against the reference fix."""
    runs = [task_run(lesson, task, code)]
    if task.catches is not None:
        fixed = reference_code(lesson, interactive, task)
        apps = [
            *(lesson.sources[path] for path in (task.catches, *task.catches_also)),
            fixed,
            *(lesson.sources[path] for path in task.passes_also),
        ]
        # A fresh disguise of each for every check: texts no test file can carry in advance.
        rng = random.Random(secrets.randbits(64))
        for app in apps:
            runs.append(
                RunRequest(
                    kind="test",
                    code=disguise(app, rng),
                    tests=tests or "",
                    tests_filename=LEARNER_TESTS,
                )
            )
    if task.memory_margin_mib is not None:
        runs.append(task_run(lesson, task, reference_code(lesson, interactive, task)))
    return runs


def execution_order(count: int) -> list[int]:
    """The order to make `count` runs of `task_runs` in: the graded run first, the others
    shuffled, so that no run of the learner's tests can tell which app it has by its place."""
    rest = list(range(1, count))
    secrets.SystemRandom().shuffle(rest)
    return [0, *rest][:count]


def reference_tests(lesson: Lesson, task: Task) -> str | None:
    return lesson.sources[task.solution_tests] if task.solution_tests else None


def _tests_line(name: str, results: list[RunResult], *, should_fail: bool) -> CheckLine:
    """One line for the runs against the buggy apps (`should_fail`) or the fixed ones."""
    for index, result in enumerate(results):
        line = _tests_run_line(name, result, should_fail=should_fail, other_way=index > 0)
        if not line.passed:
            return line
    return CheckLine(name, True, "")


def _tests_run_line(
    name: str, result: RunResult, *, should_fail: bool, other_way: bool
) -> CheckLine:
    failing = [case for case in result.tests if case.outcome in ("failed", "error")]
    if result.outcome != "ok":
        return CheckLine(name, False, f"Your tests could not run: {result.message}")
    if not result.tests:
        return CheckLine(name, False, "pytest found no test in your test file: name one test_…")
    which = " (the same bug, written another way)" if other_way else ""
    if should_fail and not failing:
        return CheckLine(
            name,
            False,
            f"All {len(result.tests)} of your tests passed against the app that still has the "
            f"bug{which}: add a test that asserts what the app should do there.",
        )
    if not should_fail and failing:
        first = failing[0]
        return CheckLine(
            name,
            False,
            f"{first.name} fails against the fixed app{which.replace('bug', 'fix')} "
            f"({_sentence(first)}): a test should describe what the app must do, not the bug.",
        )
    return CheckLine(name, True, "")


def _memory_line(task: Task, app: RunResult, reference: RunResult) -> CheckLine:
    name = "Your app's peak memory"
    margin = task.memory_margin_mib or 0.0
    used, expected = app.usage.max_memory_mib, reference.usage.max_memory_mib
    # Both figures are the runner's own (see `SandboxProcess._measure`): 0.0 is "not measured".
    if reference.outcome != "ok" or expected <= 0 or used <= 0:
        return CheckLine(name, False, "The sandbox could not measure memory on this machine.")
    if used > expected + margin:
        return CheckLine(
            name,
            False,
            f"Your app peaked at {used:.1f} MiB while the check ran, {used - expected:.1f} MiB "
            f"more than a version that reads the file in chunks ({expected:.1f} MiB): the whole "
            "file is still in memory at once somewhere.",
        )
    return CheckLine(name, True, "")


def judge_task_runs(task: Task, results: list[RunResult]) -> TaskVerdict:
    """Read the runs of `task_runs`: the graded run's checks, then the two test runs (a task
    with `catches`) and the reference's graded run (a task with `memory_margin_mib`)."""
    verdict = judge_task(results[0])
    lines: tuple[CheckLine, ...] = ()
    if task.catches is not None:
        buggy = 1 + len(task.catches_also)
        fixed = 1 + len(task.passes_also)
        lines += (
            _tests_line("Your tests catch the bug", results[1 : 1 + buggy], should_fail=True),
            _tests_line(
                "Your tests pass against the fixed app",
                results[1 + buggy : 1 + buggy + fixed],
                should_fail=False,
            ),
        )
    if task.memory_margin_mib is not None and results[0].outcome == "ok":
        lines += (_memory_line(task, results[0], results[-1]),)
    if not lines:
        return verdict
    checks = lines + verdict.checks
    passed = verdict.passed and all(line.passed for line in lines)
    if results[0].outcome != "ok" or passed:
        message = verdict.message
    else:
        failed = sum(not line.passed for line in checks)
        message = f"Not yet: {failed} of {len(checks)} checks did not pass."
    return TaskVerdict(passed=passed, message=message, checks=checks)
