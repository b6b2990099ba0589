"""`lifecycle-trace`: one request through the learner's whole middleware stack, layer by layer on
the way in and on the way out (timings, the headers each layer added or changed, the layer that
answered and those it skipped), the log records emitted on the way, and a CORS verdict for a
preflight; other stacks of the lesson can be loaded into the editor to compare."""

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


class StackToLoad(Strict):
    """A button that replaces the editor's code with another file of the lesson."""

    label: str = Field(min_length=1, max_length=80)
    file: RelativeFile


class LifecycleTraceOptions(Strict):
    load: list[StackToLoad] = Field(default_factory=list, max_length=6)


class LifecycleTrace(InteractiveBase):
    kind: Literal["lifecycle-trace"]
    options: LifecycleTraceOptions = Field(default_factory=LifecycleTraceOptions)

    instruments: ClassVar[tuple[str, ...]] = ("middleware_trace",)
    summary: ClassVar[str] = (
        "A request traced through every layer of the app's real middleware stack, in and out, "
        "with timings, the headers each layer added or changed and the layers an early answer "
        "skipped; the log records beside it; a CORS preflight shown allowed or refused."
    )

    def option_files(self) -> Iterator[tuple[Location, str]]:
        for index, stack in enumerate(self.options.load):
            yield ("load", index, "file"), stack.file

    def walk(self, sources: Mapping[str, str]) -> list[WalkRun]:
        runs = super().walk(sources)
        for stack in self.options.load:
            for preset in self.requests:
                runs.append(
                    WalkRun(
                        description=f"{stack.file} (loaded by “{stack.label}”) · {preset.label}",
                        code=sources[stack.file],
                        requests=[preset.to_request()],
                        instruments=list(self.instruments),
                        file=stack.file,
                    )
                )
        return runs
