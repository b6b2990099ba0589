"""`test-runner`: two editors, the app and its tests; real pytest runs them in the sandbox and
each test's result (outcome, duration, pytest's assertion message, captured output) appears as
soon as that test is over."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar, Literal

from pydantic import Field

from deepdive.course.interactives.base import (
    InteractiveBase,
    Location,
    RelativeFile,
    Strict,
    WalkRun,
)

# What the sandbox names the two editors' files: the tests import the app as `app`.
APP_FILENAME = "app.py"
TESTS_FILENAME = "test_app.py"


class TestRunnerOptions(Strict):
    tests: RelativeFile = Field(description="The test module the learner starts from")
    solution_tests: RelativeFile | None = Field(
        default=None, description="The tests that go with the interactive's solution"
    )


class TestRunner(InteractiveBase):
    __test__ = False  # a content model, not a pytest class

    kind: Literal["test-runner"]
    options: TestRunnerOptions

    summary: ClassVar[str] = (
        "An app editor and a test editor; real pytest runs the tests in the sandbox and every "
        "test's outcome, duration, assertion message and captured output appear as it finishes."
    )

    def option_files(self) -> Iterator[tuple[Location, str]]:
        yield ("tests",), self.options.tests
        if self.options.solution_tests is not None:
            yield ("solution_tests",), self.options.solution_tests

    def starter_tests(self) -> str | None:
        return self.options.tests

    def walk(self, sources: Mapping[str, str]) -> list[WalkRun]:
        pairs = [("starter", self.starter, self.options.tests)]
        if self.solution is not None:
            pairs.append(
                ("solution", self.solution, self.options.solution_tests or self.options.tests)
            )
        return [
            WalkRun(
                description=f"{name} {app} with {tests}",
                code=sources[app],
                requests=[],
                instruments=[],
                file=app,
                kind="test",
                tests=sources[tests],
            )
            for name, app, tests in pairs
        ]
