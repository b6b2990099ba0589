"""Production incidents: a broken service, the workload that shows it failing, and hidden tests.

An incident is a folder `content/incidents/NN-slug/`:

    incident.yaml   what the pager said, the workload, the tests with points and visibility
    app.py          the broken service (what the learner starts from)
    check.py        the hidden tests: a pytest check module, run as a graded run
    fix.py          the reference fix: passes every test
    wrong/*.py      known wrong fixes: each fails at least one test

The evidence on the incident's page is the broken service run in the sandbox with the workload;
the grade is a graded run (the fix served in one sandbox, `check.py` in another, joined by HTTP
only), so neither can be written by hand nor forged by the code being graded.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from deepdive.course.interactives import RelativeFile, RequestPreset, Slug, Strict, require_unique
from deepdive.course.yaml_source import YamlDocument
from deepdive.sandbox import HttpRequest, RunRequest

INCIDENT_XP = 75
CHECK_FILENAME = "test_check.py"
# Every workload is sent in one run; a run carries at most this many requests.
MAX_WORKLOAD = 100


class WorkloadRequest(RequestPreset):
    """A request of the evidence workload, sent `repeat` times in a row."""

    repeat: int = Field(default=1, ge=1, le=50)

    def to_request(self) -> HttpRequest:
        return HttpRequest.model_validate(self.model_dump(exclude={"label", "repeat"}))


class Workload(Strict):
    """What production was doing when it broke: the requests sent to the broken service."""

    concurrent: bool = False
    requests: list[WorkloadRequest] = Field(min_length=1, max_length=MAX_WORKLOAD)

    @model_validator(mode="after")
    def _fits_in_one_run(self) -> Workload:
        total = sum(request.repeat for request in self.requests)
        if total > MAX_WORKLOAD:
            raise ValueError(f"the workload sends {total} requests; at most {MAX_WORKLOAD}")
        require_unique("workload labels", [request.label for request in self.requests])
        return self

    def expanded(self) -> list[tuple[str, HttpRequest]]:
        """Every request the workload sends, in order, with its label."""
        return [
            (request.label, request.to_request())
            for request in self.requests
            for _ in range(request.repeat)
        ]


class IncidentTest(Strict):
    """One test function of `check.py`: its points, and whether the learner sees its message."""

    name: str = Field(pattern=r"^test_[a-z0-9_]+$", max_length=80)
    points: int = Field(ge=1, le=20)
    visibility: Literal["visible", "hidden"]


class WrongFix(Strict):
    """A plausible fix that must fail at least one test, and why it is wrong (for authors)."""

    file: RelativeFile
    why: str = Field(min_length=10, max_length=400)


class IncidentMeta(Strict):
    title: str = Field(min_length=5, max_length=100)
    slug: Slug
    order: int = Field(ge=1, le=999)
    kind: str = Field(min_length=3, max_length=60, description="The kind of bug, in a few words")
    report: str = Field(min_length=20, max_length=800, description="What production saw (Markdown)")
    teaches: str = Field(min_length=20, max_length=600, description="Shown once solved")
    xp: int = Field(default=INCIDENT_XP, ge=0, le=500)
    workload: Workload
    tests: list[IncidentTest] = Field(min_length=2, max_length=12)
    fix: RelativeFile = "fix.py"
    wrong: list[WrongFix] = Field(min_length=2, max_length=6)
    hints: list[str] = Field(default_factory=list, max_length=4)
    # Tests about the SQL the service sends: its `sqlite3` connections reach a database in the
    # tests' sandbox, which counts the statements (the `database` fixture).
    watch_database: bool = False

    @model_validator(mode="after")
    def _unique(self) -> IncidentMeta:
        require_unique("test names", [test.name for test in self.tests])
        require_unique("wrong fixes", [wrong.file for wrong in self.wrong])
        if all(test.visibility == "hidden" for test in self.tests):
            raise ValueError("at least one test must be visible, so a learner can start")
        return self


@dataclass(frozen=True)
class Incident:
    """A loaded incident: its metadata and the text of each of its files."""

    meta: IncidentMeta
    directory: Path
    service: str
    check: str
    fix: str
    wrong: dict[str, str]
    document: YamlDocument | None = None

    @property
    def slug(self) -> str:
        return self.meta.slug

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def award_key(self) -> str:
        return incident_award_key(self.slug)

    @property
    def total_points(self) -> int:
        return sum(test.points for test in self.meta.tests)

    def evidence_run(self) -> RunRequest:
        """The broken service, sent the workload, with each request's timing measured."""
        return RunRequest(
            code=self.service,
            requests=[request for _, request in self.meta.workload.expanded()],
            concurrent=self.meta.workload.concurrent,
            instruments=["timeline"],
        )

    def grade_run(self, code: str) -> RunRequest:
        """The graded run judging `code` (the learner's fix) by the hidden tests."""
        return RunRequest(
            kind="grade",
            code=code,
            tests=self.check,
            tests_filename=CHECK_FILENAME,
            watched_database=self.meta.watch_database,
        )


def incident_award_key(slug: str) -> str:
    return f"incident:{slug}"


def check_test_names(check_source: str) -> list[str]:
    """The test functions a check module defines at its top level, in order."""
    tree = ast.parse(check_source)
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    ]
