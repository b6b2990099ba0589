"""What every interactive has, whatever its kind: the shared fields, presets and checks.

A kind is a subclass of `InteractiveBase` with `kind: Literal[...]`, its own `options` model, the
sandbox instruments its widget reads, and (where its options name files, labels or snippets) the
cross-references the loader checks once the lesson's files are read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import ConfigDict, Field, model_validator

from deepdive.course.interactives.fields import (
    Location,
    RelativeFile,
    Slug,
    Strict,
    require_unique,
)
from deepdive.course.interactives.tasks import Task, check_tasks
from deepdive.sandbox.run_request import HttpRequest


class RequestPreset(HttpRequest):
    """A request the learner can send with one click: the sandbox's `HttpRequest` plus a label.

    In YAML the JSON body is written as `json:` (a value) or `body:` (text sent as it is, broken
    JSON included).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1, max_length=60)
    path: str = Field(pattern=r"^/", max_length=500)
    json_body: Any = Field(default=None, alias="json")

    def to_request(self) -> HttpRequest:
        """The request as the sandbox receives it (the label stays on the page)."""
        return HttpRequest.model_validate(self.model_dump(exclude={"label"}))


@dataclass(frozen=True)
class WalkRun:
    """One run that the course walk makes for an interactive: code, requests, expectations."""

    description: str
    code: str
    requests: list[HttpRequest]
    instruments: list[str]
    # Another file of the lesson that the widget also runs (a variant), for messages.
    file: str = ""
    concurrent: bool = False
    files: dict[str, str] = field(default_factory=dict)
    # A test run (`kind="test"`) runs pytest on `tests` beside the code instead of requests.
    kind: str = "app"
    tests: str | None = None


class InteractiveBase(Strict):
    """Fields shared by every kind. `options` is redefined by each kind with its own model."""

    kind: str
    id: Slug
    title: str = Field(min_length=1, max_length=120)
    starter: RelativeFile
    solution: RelativeFile | None = None
    requests: list[RequestPreset] = Field(default_factory=list)
    try_this: list[str] = Field(default_factory=list)
    # Further files of the lesson that the widget shows or runs (variants, helper modules).
    files: list[RelativeFile] = Field(default_factory=list)
    # A challenge of the lesson (its `id`) that this interactive presents above its editor.
    challenge: Slug | None = None
    # Checked tasks: each a prompt, a check run in the sandbox, hints and known wrong answers.
    tasks: list[Task] = Field(default_factory=list, max_length=8)

    # The sandbox instruments the widget asks for on every run (and the course walk checks).
    instruments: ClassVar[tuple[str, ...]] = ()
    # One sentence for content/README.md and `deepdive check-content`.
    summary: ClassVar[str] = ""

    @model_validator(mode="after")
    def _unique_preset_labels(self) -> InteractiveBase:
        require_unique("request labels", [preset.label for preset in self.requests])
        return self

    # -- what the page needs -------------------------------------------------------------------

    @property
    def template(self) -> str:
        return f"widgets/{self.kind}.html"

    @property
    def script(self) -> str:
        return f"js/widgets/{self.kind}/main.js"

    @property
    def stylesheet(self) -> str:
        return f"css/widgets/{self.kind}.css"

    def preset(self, label: str) -> RequestPreset | None:
        return next((preset for preset in self.requests if preset.label == label), None)

    # -- what the loader checks ----------------------------------------------------------------

    def named_files(self) -> Iterator[tuple[Location, str]]:
        """Every file of the lesson this interactive names, with where it is named."""
        yield ("starter",), self.starter
        if self.solution:
            yield ("solution",), self.solution
        for position, extra in enumerate(self.files):
            yield ("files", position), extra
        for index, task in enumerate(self.tasks):
            for location, relative in task.named_files(self.solution):
                yield ("tasks", index, *location), relative

    def starter_tests(self) -> str | None:
        """The test file the learner starts from, for kinds with a test editor."""
        return None

    def task(self, task_id: str) -> Task | None:
        return next((task for task in self.tasks if task.id == task_id), None)

    def option_files(self) -> Iterator[tuple[Location, str]]:
        """Files named inside `options`; each must also be the starter, solution or in `files`."""
        return iter(())

    def check(self, sources: Mapping[str, str]) -> Iterator[tuple[Location, str]]:
        """Cross-references that need the lesson's files (`sources`: path -> text)."""
        yield from check_tasks(self.tasks, self.solution)
        own = {relative for _, relative in self.named_files()}
        for location, relative in self.option_files():
            if relative not in own:
                yield (
                    ("options", *location),
                    f"{relative!r} is not one of this interactive's files: name it in `files`",
                )

    # -- what the course walk runs ---------------------------------------------------------------

    def walk(self, sources: Mapping[str, str]) -> list[WalkRun]:
        """The runs that prove this interactive works: by default, the starter (and the
        solution) with every preset request."""
        runs = []
        for name, relative in (("starter", self.starter), ("solution", self.solution)):
            if relative is None:
                continue
            for preset in self.requests or [None]:
                requests = [preset.to_request()] if preset else []
                label = preset.label if preset else "no request"
                runs.append(
                    WalkRun(
                        description=f"{name} {relative} · {label}",
                        code=sources[relative],
                        requests=requests,
                        instruments=list(self.instruments),
                        file=relative,
                    )
                )
        return runs
