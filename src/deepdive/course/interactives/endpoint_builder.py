"""`endpoint-builder`: a form that writes an endpoint echoing its parameters, a URL bar that sends
any URL to it, and (optionally) the same two routes declared in both orders, run side by side."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from deepdive.course.interactives.base import (
    InteractiveBase,
    Location,
    RelativeFile,
    Strict,
    WalkRun,
    require_unique,
)
from deepdive.sandbox.run_request import HttpRequest

_Number = Annotated[str, StringConstraints(pattern=r"^(-?\d+(\.\d+)?)?$", max_length=20)]


class ParamSpec(Strict):
    """One row of the form: a parameter of the generated endpoint."""

    name: Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]{0,39}$")]
    location: Literal["path", "query"] = "query"
    type: Literal["int", "str", "bool", "float", "Genre"] = "str"
    presence: Literal["required", "default", "optional"] = "required"
    default: str = Field(default="", max_length=100)
    ge: _Number = ""
    le: _Number = ""
    max_length: Annotated[str, StringConstraints(pattern=r"^\d{0,6}$")] = ""


class EndpointForm(Strict):
    """What the form shows first (and what Reset brings back)."""

    route: str = Field(default="/books", pattern=r"^/[\w/{}-]*$", max_length=100)
    params: list[ParamSpec] = Field(default_factory=list, max_length=6)


class RouteOrder(Strict):
    """Two versions of one app, the same routes declared in opposite orders."""

    template_first: RelativeFile
    fixed_first: RelativeFile
    requests: list[HttpRequest] = Field(min_length=1, max_length=10)


class EndpointBuilderOptions(Strict):
    form: EndpointForm = Field(default_factory=EndpointForm)
    route_order: RouteOrder | None = None


class EndpointBuilder(InteractiveBase):
    kind: Literal["endpoint-builder"]
    options: EndpointBuilderOptions = Field(default_factory=EndpointBuilderOptions)

    instruments: ClassVar[tuple[str, ...]] = ("routing",)
    summary: ClassVar[str] = (
        "A parameter form that writes an echoing endpoint into the editor, a URL bar, FastAPI's "
        "conversions and 422s with the blamed part of the URL marked, and optionally the same "
        "routes in both orders, run side by side."
    )

    def option_files(self) -> Iterator[tuple[Location, str]]:
        order = self.options.route_order
        if order is not None:
            yield ("route_order", "template_first"), order.template_first
            yield ("route_order", "fixed_first"), order.fixed_first

    def check(self, sources: Mapping[str, str]) -> Iterator[tuple[Location, str]]:
        yield from super().check(sources)
        names = [param.name for param in self.options.form.params]
        try:
            require_unique("parameter names", names)
        except ValueError as problem:
            yield ("options", "form", "params"), str(problem)

    def walk(self, sources: Mapping[str, str]) -> list[WalkRun]:
        runs = super().walk(sources)
        order = self.options.route_order
        if order is not None:
            for relative in (order.template_first, order.fixed_first):
                runs.append(
                    WalkRun(
                        description=f"route order {relative}",
                        code=sources[relative],
                        requests=list(order.requests),
                        instruments=list(self.instruments),
                        file=relative,
                    )
                )
        return runs
