"""`jwt-flow`: a stepper through one sandbox run of an OAuth2 password flow with JWTs: log in,
read the token taken apart, call a protected route, then watch each tampered, expired or
missing token be refused; and a field for sending any token of the learner's own."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar, Literal

from pydantic import Field

from deepdive.course.interactives.base import (
    InteractiveBase,
    Location,
    Slug,
    Strict,
    WalkRun,
    require_unique,
)
from deepdive.sandbox import chaining
from deepdive.sandbox.run_request import HttpRequest

MAX_SAMPLE_CHARS = 200_000


class FlowStep(Strict):
    """One step: a preset request, what the starter should answer, and why."""

    id: Slug
    request: str = Field(min_length=1, max_length=60, description="A preset's label")
    title: str = Field(min_length=1, max_length=80)
    expect: int = Field(ge=100, le=599, description="The status a correct app answers")
    explain: str = Field(min_length=10, max_length=600, description="Inline Markdown")


class TokenSample(Strict):
    """A token to try in the "your own token" field: `token` repeated `repeat` times."""

    label: str = Field(min_length=1, max_length=40)
    token: str = Field(default="", max_length=2000)
    repeat: int = Field(default=1, ge=1, le=MAX_SAMPLE_CHARS)

    def text(self) -> str:
        return self.token * self.repeat


class OwnToken(Strict):
    """The request that carries a token the learner types: `Authorization: Bearer <it>`."""

    method: str = Field(default="GET", pattern=r"^[A-Z]{1,16}$")
    path: str = Field(default="/me", pattern=r"^/", max_length=500)
    samples: list[TokenSample] = Field(default_factory=list, max_length=10)

    def request(self, token: str) -> HttpRequest:
        return HttpRequest(
            method=self.method, path=self.path, headers={"Authorization": f"Bearer {token}"}
        )


class JwtFlowOptions(Strict):
    steps: list[FlowStep] = Field(min_length=2, max_length=20)
    own_token: OwnToken = Field(default_factory=OwnToken)


class JwtFlow(InteractiveBase):
    kind: Literal["jwt-flow"]
    options: JwtFlowOptions

    instruments: ClassVar[tuple[str, ...]] = ("tokens",)
    summary: ClassVar[str] = (
        "A stepper through one run of a login flow: each step a preset request, its response, "
        "its tokens taken apart (header, payload, signature, expiry) and what the app's "
        "jwt.decode said; plus a field for sending any token of the learner's own."
    )

    def step_requests(self) -> list[HttpRequest]:
        """Every step's request, in order: the run the widget makes."""
        presets = [self.preset(step.request) for step in self.options.steps]
        return [preset.to_request() for preset in presets if preset is not None]

    def check(self, sources: Mapping[str, str]) -> Iterator[tuple[Location, str]]:
        yield from super().check(sources)
        try:
            require_unique("step ids", [step.id for step in self.options.steps])
        except ValueError as problem:
            yield ("options", "steps"), str(problem)
        for index, step in enumerate(self.options.steps):
            if self.preset(step.request) is None:
                yield (
                    ("options", "steps", index, "request"),
                    f"no request preset is labelled {step.request!r}",
                )
        if all(self.preset(step.request) for step in self.options.steps):
            fields = [request.model_dump() for request in self.step_requests()]
            for problem in chaining.check(fields, concurrent=False):
                yield ("options", "steps"), f"the steps, sent in order: {problem}"

    def walk(self, sources: Mapping[str, str]) -> list[WalkRun]:
        runs = []
        for name, relative in (("starter", self.starter), ("solution", self.solution)):
            if relative is None:
                continue
            runs.append(
                WalkRun(
                    description=f"{name} {relative} · every step in one run",
                    code=sources[relative],
                    requests=self.step_requests(),
                    instruments=list(self.instruments),
                    file=relative,
                )
            )
        samples = self.options.own_token.samples
        if samples:
            runs.append(
                WalkRun(
                    description=f"starter {self.starter} · own tokens: "
                    + ", ".join(sample.label for sample in samples),
                    code=sources[self.starter],
                    requests=[self.options.own_token.request(s.text()) for s in samples],
                    instruments=list(self.instruments),
                    file=self.starter,
                )
            )
        return runs
