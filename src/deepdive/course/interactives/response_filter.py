"""`response-filter`: one endpoint under several response models (variants, each a file of the
lesson), comparing what the endpoint returned with what left the server and what the app's
OpenAPI document promises."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar, Literal

from pydantic import Field

from deepdive.course.interactives.base import (
    InteractiveBase,
    Location,
    RelativeFile,
    Slug,
    Strict,
    WalkRun,
)


class SetupRequest(Strict):
    """Send the preset labelled `send`, after sending the presets in `after` in the same run."""

    send: str = Field(min_length=1, max_length=60)
    after: list[str] = Field(default_factory=list, max_length=10)
    label: str | None = Field(default=None, max_length=60)


class Variant(Strict):
    id: Slug
    label: str = Field(min_length=1, max_length=80)
    file: RelativeFile
    note: str = Field(min_length=1, max_length=300)
    # Preset labels (or setup requests) offered as buttons while this variant is shown.
    requests: list[str | SetupRequest] = Field(min_length=1, max_length=10)


class VariantGroup(Strict):
    label: str = Field(min_length=1, max_length=80)
    variants: list[Variant] = Field(min_length=1)


class ResponseFilterOptions(Strict):
    groups: list[VariantGroup] = Field(min_length=1)

    def variants(self) -> Iterator[tuple[Location, Variant]]:
        for g, group in enumerate(self.groups):
            for v, variant in enumerate(group.variants):
                yield ("groups", g, "variants", v), variant


class ResponseFilter(InteractiveBase):
    kind: Literal["response-filter"]
    options: ResponseFilterOptions

    instruments: ClassVar[tuple[str, ...]] = ("returned_values", "openapi")
    summary: ClassVar[str] = (
        "Variants of one app (each a file of the lesson) chosen from a list; for each request, "
        "the value the endpoint returned beside the response that left the server (leaked "
        "secrets in red) and the responses its OpenAPI document promises."
    )

    def option_files(self) -> Iterator[tuple[Location, str]]:
        for location, variant in self.options.variants():
            yield (*location, "file"), variant.file

    def check(self, sources: Mapping[str, str]) -> Iterator[tuple[Location, str]]:
        yield from super().check(sources)
        seen: dict[str, Location] = {}
        for location, variant in self.options.variants():
            if variant.id in seen:
                yield ("options", *location, "id"), f"variant id {variant.id!r} is used twice"
            seen.setdefault(variant.id, location)
            for r, entry in enumerate(variant.requests):
                spec = entry if isinstance(entry, SetupRequest) else SetupRequest(send=entry)
                where: Location = ("options", *location, "requests", r)
                for label in [spec.send, *spec.after]:
                    if self.preset(label) is None:
                        yield where, f"no request preset is labelled {label!r}"

    def walk(self, sources: Mapping[str, str]) -> list[WalkRun]:
        runs = []
        for _, variant in self.options.variants():
            for entry in variant.requests:
                spec = entry if isinstance(entry, SetupRequest) else SetupRequest(send=entry)
                labels = [*spec.after, spec.send]
                presets = [self.preset(label) for label in labels]
                runs.append(
                    WalkRun(
                        description=f"variant {variant.id} · {spec.label or spec.send}",
                        code=sources[variant.file],
                        requests=[preset.to_request() for preset in presets if preset],
                        instruments=list(self.instruments),
                        file=variant.file,
                    )
                )
        return runs
