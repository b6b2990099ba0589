"""`dependency-chain`: step through one request's dependency resolution (calls, cache hits,
teardown), with switches that edit the code: `use_cache=False` per declaration and, optionally,
a `dependency_overrides` snippet taken from another file of the lesson."""

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


class OverrideSwitch(Strict):
    """A switch that appends the end of `file`, from the line containing `start`, to the code."""

    file: RelativeFile
    start: str = Field(min_length=1, max_length=200)
    label: str = Field(min_length=1, max_length=200)

    def snippet(self, sources: Mapping[str, str]) -> str:
        source = sources[self.file]
        return source[source.index(self.start) :]


class DependencyChainOptions(Strict):
    override: OverrideSwitch | None = None


class DependencyChain(InteractiveBase):
    kind: Literal["dependency-chain"]
    options: DependencyChainOptions = Field(default_factory=DependencyChainOptions)

    instruments: ClassVar[tuple[str, ...]] = ("resolution",)
    summary: ClassVar[str] = (
        "A stepper through one request's real dependency resolution: arguments, call counts, "
        "cache hits and teardown order, with switches for `use_cache=False` and an override."
    )

    def option_files(self) -> Iterator[tuple[Location, str]]:
        if self.options.override is not None:
            yield ("override", "file"), self.options.override.file

    def check(self, sources: Mapping[str, str]) -> Iterator[tuple[Location, str]]:
        yield from super().check(sources)
        override = self.options.override
        source = sources.get(override.file, "") if override is not None else ""
        if override is not None and source and override.start not in source:
            yield (
                ("options", "override", "start"),
                f"{override.start!r} does not occur in {override.file}",
            )

    def walk(self, sources: Mapping[str, str]) -> list[WalkRun]:
        runs = super().walk(sources)
        override = self.options.override
        if override is not None:
            # As the switch does it: appended after two blank lines.
            code = sources[self.starter].rstrip() + "\n\n\n" + override.snippet(sources).strip()
            code += "\n"
            for preset in self.requests:
                runs.append(
                    WalkRun(
                        description=f"starter with the override · {preset.label}",
                        code=code,
                        requests=[preset.to_request()],
                        instruments=list(self.instruments),
                        file=self.starter,
                    )
                )
        return runs
