"""The kinds of interactive a lesson can declare, each a typed model chosen by its `kind`.

Adding a kind is a short list of files (see content/README.md, "Adding a widget kind"):

* a module here with the kind's model (options, instruments, checks, the course walk's runs),
  added to `Interactive` below;
* its template `web/templates/widgets/<kind>.html`;
* its script folder `web/static/js/widgets/<kind>/` with `main.js`, built on the widget kit
  (`web/static/js/kit/`), and its style sheet `web/static/css/widgets/<kind>.css`;
* a browser test in `tests/browser/` that uses it as a learner would.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from deepdive.course.interactives.async_timeline import AsyncTimeline
from deepdive.course.interactives.base import (
    InteractiveBase,
    RelativeFile,
    RequestPreset,
    Slug,
    Strict,
    WalkRun,
    require_unique,
)
from deepdive.course.interactives.chat import Chat
from deepdive.course.interactives.config_generator import ConfigGenerator
from deepdive.course.interactives.crud_explorer import CrudExplorer
from deepdive.course.interactives.dependency_chain import DependencyChain
from deepdive.course.interactives.endpoint_builder import EndpointBuilder
from deepdive.course.interactives.jwt_flow import JwtFlow
from deepdive.course.interactives.lifecycle_trace import LifecycleTrace
from deepdive.course.interactives.response_filter import ResponseFilter
from deepdive.course.interactives.run_panel import RunPanel
from deepdive.course.interactives.test_runner import TestRunner
from deepdive.course.interactives.upload_form import UploadForm
from deepdive.course.interactives.validation_sandbox import ValidationSandbox

KINDS: tuple[type[InteractiveBase], ...] = (
    RunPanel,
    EndpointBuilder,
    ValidationSandbox,
    ResponseFilter,
    DependencyChain,
    Chat,
    ConfigGenerator,
    JwtFlow,
    CrudExplorer,
    TestRunner,
    UploadForm,
    AsyncTimeline,
    LifecycleTrace,
)

Interactive = Annotated[
    RunPanel
    | EndpointBuilder
    | ValidationSandbox
    | ResponseFilter
    | DependencyChain
    | Chat
    | ConfigGenerator
    | JwtFlow
    | CrudExplorer
    | TestRunner
    | UploadForm
    | AsyncTimeline
    | LifecycleTrace,
    Field(discriminator="kind"),
]


def kind_name(model: type[InteractiveBase]) -> str:
    """The `kind` value of a kind's model, e.g. "run-panel"."""
    return model.model_fields["kind"].annotation.__args__[0]  # type: ignore[union-attr]


__all__ = [
    "KINDS",
    "AsyncTimeline",
    "Chat",
    "ConfigGenerator",
    "CrudExplorer",
    "DependencyChain",
    "EndpointBuilder",
    "Interactive",
    "InteractiveBase",
    "JwtFlow",
    "LifecycleTrace",
    "RelativeFile",
    "RequestPreset",
    "ResponseFilter",
    "RunPanel",
    "Slug",
    "Strict",
    "TestRunner",
    "UploadForm",
    "ValidationSandbox",
    "WalkRun",
    "kind_name",
    "require_unique",
]
