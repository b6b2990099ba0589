"""`crud-explorer`: forms for create, list, read, update and delete against the learner's
database-backed app; each call shows the SQL statements SQLAlchemy emitted (with their bound
parameters), the session's events in order, the response and every table's rows afterwards.

The widget keeps a journal of the calls made since the learner last started over and replays
it in one run, so each call meets the rows the earlier ones left (the database lives in memory,
for one run)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from deepdive.course.interactives.base import (
    InteractiveBase,
    Location,
    Strict,
    WalkRun,
    require_unique,
)
from deepdive.sandbox.run_request import HttpRequest

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class FormField(Strict):
    """One input of a form: a path parameter when the form's path names it, else a JSON field."""

    name: str = Field(pattern=r"^[a-z_][a-z0-9_]*$", max_length=40)
    type: Literal["str", "int"] = "str"
    default: str = Field(default="", max_length=200)
    # A blank optional field is left out of the body (a partial update sends only what is set).
    optional: bool = False


class CrudForm(Strict):
    """A form that sends one request: `path` may name fields as `{name}`."""

    label: str = Field(min_length=1, max_length=40)
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str = Field(pattern=r"^/", max_length=200)
    fields: list[FormField] = Field(default_factory=list, max_length=8)

    @model_validator(mode="after")
    def _path_names_fields(self) -> CrudForm:
        names = [field.name for field in self.fields]
        require_unique("field names", names)
        for name in _PLACEHOLDER.findall(self.path):
            if name not in names:
                raise ValueError(f"the path names {{{name}}}, which is not one of the fields")
        return self

    def default_request(self) -> HttpRequest:
        """The request the form sends when nothing is changed (as the widget builds it)."""
        in_path = set(_PLACEHOLDER.findall(self.path))
        path = self.path
        body: dict[str, str | int] = {}
        for field in self.fields:
            if field.name in in_path:
                path = path.replace(f"{{{field.name}}}", field.default)
            elif field.default or not field.optional:
                body[field.name] = int(field.default) if field.type == "int" else field.default
        has_body = self.method in ("POST", "PUT", "PATCH")
        return HttpRequest(method=self.method, path=path, json_body=body if has_body else None)


class CrudExplorerOptions(Strict):
    forms: list[CrudForm] = Field(min_length=1, max_length=8)

    @model_validator(mode="after")
    def _unique_labels(self) -> CrudExplorerOptions:
        require_unique("form labels", [form.label for form in self.forms])
        return self


class CrudExplorer(InteractiveBase):
    kind: Literal["crud-explorer"]
    options: CrudExplorerOptions

    instruments: ClassVar[tuple[str, ...]] = ("sql",)
    summary: ClassVar[str] = (
        "Create, list, read, update and delete through the learner's SQLAlchemy app: for each "
        "call the SQL emitted with its parameters, the session's events, the response and the "
        "tables afterwards."
    )

    def check(self, sources: Mapping[str, str]) -> Iterator[tuple[Location, str]]:
        yield from super().check(sources)
        for index, form in enumerate(self.options.forms):
            for position, field in enumerate(form.fields):
                if (
                    field.type == "int"
                    and field.default
                    and not field.default.lstrip("-").isdigit()
                ):
                    yield (
                        ("options", "forms", index, "fields", position, "default"),
                        f"{field.default!r} is not a whole number",
                    )

    def walk(self, sources: Mapping[str, str]) -> list[WalkRun]:
        runs = super().walk(sources)
        journal = [form.default_request() for form in self.options.forms]
        for name, relative in (("starter", self.starter), ("solution", self.solution)):
            if relative is not None:
                runs.append(
                    WalkRun(
                        description=f"{name} {relative} · every form in turn",
                        code=sources[relative],
                        requests=journal,
                        instruments=list(self.instruments),
                        file=relative,
                    )
                )
        return runs
