"""`validation-sandbox`: a model editor and a JSON body editor; the body is sent as typed to the
first preset's method and path, and each of FastAPI's errors is shown beside its field."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from deepdive.course.interactives.base import InteractiveBase, Location, Strict, WalkRun


class ValidationSandboxOptions(Strict):
    """The validation sandbox has no settings of its own: its presets are its bodies."""


class ValidationSandbox(InteractiveBase):
    kind: Literal["validation-sandbox"]
    options: ValidationSandboxOptions = Field(default_factory=ValidationSandboxOptions)

    instruments: ClassVar[tuple[str, ...]] = ("validation",)
    summary: ClassVar[str] = (
        "A model editor and a JSON body editor. Every preset is a body (`json:` or `body:`) sent "
        "to the first preset's method and path; each validation error appears beside its field "
        "and on its line of the body."
    )

    @model_validator(mode="after")
    def _presets_are_bodies_for_one_route(self) -> ValidationSandbox:
        if not self.requests:
            raise ValueError("a validation sandbox needs at least one preset: its first body")
        return self

    def check(self, sources: Mapping[str, str]) -> Iterator[tuple[Location, str]]:
        yield from super().check(sources)
        target = self.requests[0]
        for index, preset in enumerate(self.requests):
            if preset.json_body is None and preset.body is None:
                yield ("requests", index), "each preset of a validation sandbox gives a body"
            if (preset.method, preset.path) != (target.method, target.path):
                yield (
                    ("requests", index, "path"),
                    f"every body is sent to {target.method} {target.path} (the first preset's "
                    f"route), not {preset.method} {preset.path}",
                )

    def walk(self, sources: Mapping[str, str]) -> list[WalkRun]:
        # The widget sends a body preset as JSON text with a JSON content type, as typed.
        runs = super().walk(sources)
        for run in runs:
            for request in run.requests:
                if request.body is not None:
                    request.headers.setdefault("content-type", "application/json")
        return runs
