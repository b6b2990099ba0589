"""Checked tasks: what an interactive asks the learner to do, and how the sandbox decides.

A task's `check` is a small pytest module beside the lesson (`tasks/check_<something>.py`). It
never runs beside the learner's code: the learner's app is served in one sandbox, the check runs
in another and reaches the app only over HTTP (the `client` fixture), so nothing the learner
writes can read the check or change its verdict. Each assertion carries the sentence the learner
reads when it fails:

    def test_version_route(client):
        response = client.get("/version")
        assert response.status_code == 200, "GET /version should answer 200; add the route"

The loader reads every file a task names; the course walk proves, for every task, that the
starter fails its check, that the reference solution passes it, and that each known wrong answer
fails with its own message.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from deepdive.course.interactives.fields import (
    Location,
    RelativeFile,
    Slug,
    Strict,
    require_unique,
)


class WrongAnswer(Strict):
    """A submission that must fail the check, and (part of) the message the learner then reads."""

    file: RelativeFile
    # For a task that also judges the learner's tests: the test file submitted with `file`.
    tests: RelativeFile | None = None
    message: str = Field(min_length=3, max_length=400)


class Task(Strict):
    id: Slug
    title: str = Field(min_length=3, max_length=100)
    prompt: str = Field(min_length=10, max_length=800, description="Inline Markdown")
    xp: int = Field(default=20, ge=0, le=200)
    check: RelativeFile
    # The reference solution of this task (defaults to the interactive's own solution).
    solution: RelativeFile | None = None
    hints: list[str] = Field(min_length=1, max_length=5)
    wrong: list[WrongAnswer] = Field(min_length=1, max_length=6)
    # A task that also judges the learner's tests (widgets with a test editor): their tests
    # must fail against `catches` (an app with the bug) and pass against the reference fix.
    catches: RelativeFile | None = None
    # The same bug written other ways, and the fix written other ways: the learner's tests
    # must fail against each of `catches_also` and pass against each of `passes_also`, so a
    # test file cannot tell the apps apart by their text, only by what they do.
    catches_also: list[RelativeFile] = Field(default_factory=list, max_length=4)
    passes_also: list[RelativeFile] = Field(default_factory=list, max_length=4)
    # The tests of the reference solution, for a task with `catches`.
    solution_tests: RelativeFile | None = None
    # A task about memory: the reference solution is served and checked too, and the learner's
    # app may use at most this many MiB more than it at its peak (measured by the runner).
    memory_margin_mib: float | None = Field(default=None, gt=0, le=256)
    # A task about the SQL the app sends: its `sqlite3` connections reach a database in the
    # check's sandbox, which counts the statements (the check's `database` fixture).
    watch_database: bool = False

    def named_files(self, solution: str | None) -> Iterator[tuple[Location, str]]:
        yield ("check",), self.check
        if self.solution:
            yield ("solution",), self.solution
        if self.catches:
            yield ("catches",), self.catches
        for index, path in enumerate(self.catches_also):
            yield ("catches_also", index), path
        for index, path in enumerate(self.passes_also):
            yield ("passes_also", index), path
        if self.solution_tests:
            yield ("solution_tests",), self.solution_tests
        for index, answer in enumerate(self.wrong):
            yield ("wrong", index, "file"), answer.file
            if answer.tests:
                yield ("wrong", index, "tests"), answer.tests

    def reference(self, interactive_solution: str | None) -> str | None:
        return self.solution or interactive_solution


def check_tasks(tasks: list[Task], solution: str | None) -> Iterator[tuple[Location, str]]:
    """Problems a list of tasks has on its own (the files are checked by the loader)."""
    try:
        require_unique("task ids", [task.id for task in tasks])
    except ValueError as problem:
        yield ("tasks",), str(problem)
    for index, task in enumerate(tasks):
        if task.reference(solution) is None:
            yield (
                ("tasks", index),
                "a task needs a reference solution: give it `solution`, or the interactive one",
            )
        if (task.catches_also or task.passes_also) and not task.catches:
            yield (
                ("tasks", index, "catches"),
                "`catches_also` and `passes_also` need `catches`, the app with the bug",
            )
        if task.catches and not task.solution_tests:
            yield (
                ("tasks", index, "solution_tests"),
                "a task that judges the learner's tests (`catches`) needs `solution_tests`",
            )
