"""Grading a fix for an incident: screened here, judged by the hidden tests in the sandbox.

Each test of the incident's check is worth its points. The learner sees, test by test, whether it
passed; the message of a failing test only when the test is visible (a hidden test stays a name
and a verdict, so the tests cannot be reverse-engineered from their messages). A fix that could
not be served or judged (it deleted the app, looped forever, printed megabytes, crashed at
import) scores 0 with the sandbox's sentence saying why.

The screening before the run is a course rule, not a security boundary (the sandbox is that):
a fix may not import what an incident's fix never needs and what could only be used to
interfere with the judge (processes, sockets, signals, the test framework itself).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from deepdive.course.grading import CheckLine, judge_task
from deepdive.course.incidents import Incident
from deepdive.sandbox import RunResult

FORBIDDEN_MODULES = frozenset(
    {"ctypes", "multiprocessing", "pytest", "_pytest", "signal", "socket", "subprocess", "pty"}
)


@dataclass(frozen=True)
class TestLine:
    name: str
    points: int
    visibility: str
    passed: bool
    # Empty for passing tests and for hidden ones.
    message: str


@dataclass(frozen=True)
class IncidentVerdict:
    score: int
    total: int
    message: str
    tests: tuple[TestLine, ...]
    # The fix was refused before it ran, or could not be judged: nothing was tested.
    refused: bool = False

    @property
    def solved(self) -> bool:
        return self.total > 0 and self.score == self.total

    @property
    def first_failure(self) -> str | None:
        return next((line.name for line in self.tests if not line.passed), self.message or None)


def forbidden_import(code: str) -> str | None:
    """The first forbidden module `code` imports (statically visible), or None."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # the sandbox reports a syntax error with its line
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("__import__", "import_module") and isinstance(node.args[0].value, str):
                names = [node.args[0].value]
        for name in names:
            if name.split(".")[0] in FORBIDDEN_MODULES:
                return name
    return None


def refuse(incident: Incident, code: str) -> IncidentVerdict | None:
    """A verdict of 0 for a fix that is not run at all, or None when it may be graded."""
    if not code.strip():
        return _zero(incident, "Your fix is empty: the service needs its code back. Reset it.")
    module = forbidden_import(code)
    if module is not None:
        return _zero(
            incident,
            f"Your fix imports {module}, which no fix needs (processes, sockets, signals and "
            "the test framework are off limits here). Nothing was run; remove that import.",
        )
    return None


def _zero(incident: Incident, message: str) -> IncidentVerdict:
    tests = tuple(
        TestLine(name, t.points, t.visibility, passed=False, message="")
        for name, t in zip(shown_test_names(incident), incident.meta.tests, strict=True)
    )
    return IncidentVerdict(0, incident.total_points, message, tests, refused=True)


def shown_test_names(incident: Incident) -> list[str]:
    """What the learner reads for each test: visible ones by name, hidden ones by number only
    (a hidden test's name would say what it checks)."""
    names, hidden = [], 0
    for test in incident.meta.tests:
        if test.visibility == "hidden":
            hidden += 1
            names.append(f"Hidden test {hidden}")
        else:
            names.append(_words(test.name))
    return names


def _words(name: str) -> str:
    text = name.removeprefix("test_").replace("_", " ")
    return text[:1].upper() + text[1:]


def judge_incident(incident: Incident, result: RunResult) -> IncidentVerdict:
    """Read a graded run of a fix: points for each declared test that passed."""
    task_verdict = judge_task(result)
    if result.outcome != "ok":
        return _zero(incident, f"Your fix could not be tested, so it scores 0: {result.message}")
    ran: dict[str, CheckLine] = {}
    for case, line in zip(
        (c for c in result.tests if c.outcome != "skipped"), task_verdict.checks, strict=True
    ):
        ran[case.name.split("[", 1)[0]] = line
    lines = []
    for name, test in zip(shown_test_names(incident), incident.meta.tests, strict=True):
        line = ran.get(test.name)
        passed = line is not None and line.passed
        message = ""
        if not passed and test.visibility == "visible":
            message = line.message if line else "This test did not run."
        lines.append(TestLine(name, test.points, test.visibility, passed, message))
    score = sum(line.points for line in lines if line.passed)
    total = incident.total_points
    if score == total:
        message = f"Fixed: every test passed ({score} of {total} points)."
    else:
        failed = sum(not line.passed for line in lines)
        message = (
            f"Not fixed yet: {failed} of {len(lines)} tests failed ({score} of {total} points)."
        )
    return IncidentVerdict(score, total, message, tuple(lines))
