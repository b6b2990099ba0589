"""What a runner tells its client while a run goes through the queue and the sandbox."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from deepdive.sandbox.run_result import CaseResult, IsolationReport, Limits, RunResult


class Queued(BaseModel):
    """The run waits; `position` 1 means it is next."""

    type: Literal["queued"] = "queued"
    position: int


class Started(BaseModel):
    """A sandbox has taken the run."""

    type: Literal["started"] = "started"


class SessionEvent(BaseModel):
    """Session runs: something the app did (`event["kind"]`: ready, accepted, message, delivered,
    closed, response, error, idle)."""

    type: Literal["session"] = "session"
    event: dict[str, Any]


class CaseFinished(BaseModel):
    """Test runs: one test is over (reported while the others still run)."""

    type: Literal["case"] = "case"
    case: CaseResult


class Finished(BaseModel):
    """The run is over; `result` says how it went."""

    type: Literal["result"] = "result"
    result: RunResult


RunEvent = Annotated[
    Queued | Started | SessionEvent | CaseFinished | Finished, Field(discriminator="type")
]


class CpuSpent(BaseModel):
    """CPU a runner has used since it started, in milliseconds, by where it went.

    `sandboxes_ms` is what the kernel counted for the sandboxes that have run a run and exited
    (`runs` of them), every process of each included; `until_ready_ms` is the part each spent
    between its fork and saying it was ready (isolation, copying pages ahead or warming up,
    limits), measured by the sandbox before any learner code could run in it. Sandboxes forked
    but never used are in neither."""

    runs: int = 0
    runner_ms: float = 0.0
    zygote_ms: float = 0.0
    until_ready_ms: float = 0.0
    sandboxes_ms: float = 0.0


class RunnerInfo(BaseModel):
    """A runner's answer to `ping`: its capacity, load and isolation."""

    pid: int
    workers: int
    running: int
    queued: int
    ready: dict[str, int]
    isolation: IsolationReport
    limits: Limits
    instruments: list[str]
    cgroup: str = Field(
        default="", description="Where each sandbox's memory and pids cgroup lives, or why none"
    )
    user_ids: tuple[int, int] | None = Field(
        default=None, description="First and last host user ID this runner's sandboxes run as"
    )
    cpu: CpuSpent = Field(default_factory=CpuSpent)
