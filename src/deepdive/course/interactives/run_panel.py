"""`run-panel`: edit an app, send it the preset requests (or any request), read the response,
the output and the app's own OpenAPI document in a Docs tab."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from deepdive.course.interactives.base import InteractiveBase, Strict


class RunPanelOptions(Strict):
    """The run panel has no settings of its own today."""


class RunPanel(InteractiveBase):
    kind: Literal["run-panel"]
    options: RunPanelOptions = Field(default_factory=RunPanelOptions)

    instruments: ClassVar[tuple[str, ...]] = ("openapi",)
    summary: ClassVar[str] = (
        "One editor, a bar of preset requests and a request builder; the response, the output "
        "and a Docs tab rendering the app's own OpenAPI document."
    )
