"""`config-generator`: a form of deployment choices writes a Dockerfile, compose.yaml,
.dockerignore and gunicorn.conf.py (linted by hadolint on the server); the learner's app runs in
the sandbox with the presets (its health check, say), and the download is a zip of both."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from deepdive.course.interactives.base import InteractiveBase, Strict
from deepdive.deployment.generator import DeployChoice


class ConfigGeneratorOptions(Strict):
    # The form's first values (any field of the generator's choice).
    form: DeployChoice = Field(default_factory=DeployChoice)


class ConfigGenerator(InteractiveBase):
    kind: Literal["config-generator"]
    options: ConfigGeneratorOptions = Field(default_factory=ConfigGeneratorOptions)

    instruments: ClassVar[tuple[str, ...]] = ()
    summary: ClassVar[str] = (
        "A form of deployment choices that writes a Dockerfile, compose.yaml, .dockerignore and "
        "gunicorn.conf.py, with hadolint's verdict; the learner's app runs with the presets, and "
        "Download gives the files with the app and the learner's earlier code as a zip."
    )
