"""The incident debugger: broken services, the evidence they produce, and fixes graded by
hidden tests.

The evidence of an incident is its broken service run in the sandbox with its workload, once
per server process (the service and its workload are fixed content), on the first visit. A fix
is judged by a graded run: the learner's code served in one sandbox, the incident's tests in
another, so neither the tests nor their verdict can be reached by the code being judged. XP is
granted once, on the server, for the first fix that passes every test; the best score is kept.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from deepdive.course.evidence import Evidence, read_evidence
from deepdive.course.incident_grading import IncidentVerdict, judge_incident, refuse
from deepdive.course.incidents import Incident
from deepdive.course.progress import (
    Progress,
    award_xp,
    load_draft,
    read_best_scores,
    read_progress,
    record_attempt,
    save_draft,
)
from deepdive.sandbox import (
    RateLimitError,
    RunnerClient,
    RunnerError,
    RunnerUnavailableError,
    TooManyRunsError,
)
from deepdive.web.deps import NO_RUNNER, CourseDep, LearnerIdDep, page_context, run_owner
from deepdive.web.routes.drafts import MAX_CODE_CHARS
from deepdive.web.routes.tasks import TaskCheckError, run_graded

router = APIRouter()


class FixIn(BaseModel):
    code: str = Field(max_length=MAX_CODE_CHARS, description="The learner's fixed service")


class TestLineOut(BaseModel):
    name: str
    points: int
    visibility: str
    passed: bool
    message: str = Field(description="Why it failed: for visible tests only")


class FixOut(BaseModel):
    score: int
    total: int
    solved: bool
    message: str
    tests: list[TestLineOut]
    xp_awarded: int
    total_xp: int
    best_score: int


@dataclass(frozen=True)
class _Graded:
    verdict: IncidentVerdict
    xp_awarded: int
    best_score: int
    progress: Progress


async def get_incident(slug: str, course: CourseDep) -> Incident:
    incident = course.incident(slug)
    if incident is None:
        raise HTTPException(404, f"There is no incident called {slug!r}.")
    return incident


IncidentDep = Annotated[Incident, Depends(get_incident)]


def draft_key(incident: Incident) -> str:
    return f"incidents/{incident.slug}"


async def evidence_for(request: Request, learner_id: int, incident: Incident) -> Evidence | str:
    """The incident's evidence (run once per process), or why it could not be produced."""
    state = request.app.state
    if getattr(state, "incident_evidence", None) is None:
        state.incident_evidence, state.incident_locks = {}, {}
    cache: dict[str, Evidence] = state.incident_evidence
    locks: dict[str, asyncio.Lock] = state.incident_locks
    if incident.slug in cache:
        return cache[incident.slug]
    client: RunnerClient | None = request.app.state.sandbox
    if client is None:
        return NO_RUNNER
    async with locks.setdefault(incident.slug, asyncio.Lock()):
        if incident.slug not in cache:
            try:
                result = await client.run(incident.evidence_run(), owner=run_owner(learner_id))
            except (RateLimitError, TooManyRunsError) as busy:
                return f"No evidence yet: {busy} Reload the page in a moment."
            except (RunnerUnavailableError, RunnerError, OSError):
                return "The sandbox runner did not answer, so no evidence could be measured yet."
            cache[incident.slug] = read_evidence(incident, result)
    return cache[incident.slug]


def _settle(
    request: Request, learner_id: int, incident: Incident, code: str, verdict: IncidentVerdict
) -> tuple[bool, int, Progress]:
    with request.app.state.session_factory() as session:
        save_draft(session, learner_id, draft_key(incident), code, in_lesson=False)
        granted = (
            award_xp(session, learner_id, incident.award_key, incident.meta.xp, commit=False)
            if verdict.solved
            else False
        )
        record_attempt(
            session,
            learner_id,
            incident.award_key,
            solved=verdict.solved,
            failure=verdict.first_failure,
            score=verdict.score,
        )
        best = read_best_scores(session, learner_id).get(incident.award_key, 0)
        return granted, best, read_progress(session, learner_id, request.app.state.course.levels)


async def _grade(request: Request, learner_id: int, incident: Incident, code: str) -> _Graded:
    verdict = refuse(incident, code)
    if verdict is None:
        result = await run_graded(request, learner_id, incident.grade_run(code))
        verdict = judge_incident(incident, result)
    granted, best, progress = await run_in_threadpool(
        _settle, request, learner_id, incident, code, verdict
    )
    return _Graded(verdict, incident.meta.xp if granted else 0, best, progress)


@dataclass(frozen=True)
class _Standing:
    progress: Progress
    best: dict[str, int]
    code: str | None


def _standing(request: Request, learner_id: int, incident: Incident | None) -> _Standing:
    with request.app.state.session_factory() as session:
        draft = load_draft(session, learner_id, draft_key(incident)) if incident else None
        return _Standing(
            read_progress(session, learner_id, request.app.state.course.levels),
            read_best_scores(session, learner_id),
            draft.code if draft else None,
        )


def incident_state(incident: Incident, standing: _Standing) -> tuple[str, int]:
    """("solved" | "partly solved" | "unsolved", best score) for the list and the page."""
    best = standing.best.get(incident.award_key, 0)
    if incident.award_key in standing.progress.earned:
        return "solved", incident.total_points
    return ("partly solved" if best > 0 else "unsolved"), best


@router.get("/incidents", response_class=HTMLResponse, include_in_schema=False)
async def incident_list(request: Request, course: CourseDep, learner_id: LearnerIdDep) -> Response:
    standing = await run_in_threadpool(_standing, request, learner_id, None)
    states = {incident.slug: incident_state(incident, standing) for incident in course.incidents}
    context = page_context(course, standing.progress, current=None, states=states)
    return request.app.state.templates.TemplateResponse(request, "incidents.html", context)


@router.get("/incidents/{slug}", response_class=HTMLResponse, include_in_schema=False)
async def incident_page(
    request: Request, incident: IncidentDep, course: CourseDep, learner_id: LearnerIdDep
) -> Response:
    standing = await run_in_threadpool(_standing, request, learner_id, incident)
    evidence = await evidence_for(request, learner_id, incident)
    state, best = incident_state(incident, standing)
    context = page_context(
        course,
        standing.progress,
        current=None,
        incident=incident,
        evidence=evidence if isinstance(evidence, Evidence) else None,
        evidence_problem=evidence if isinstance(evidence, str) else None,
        code=standing.code if standing.code is not None else incident.service,
        state=state,
        best=best,
    )
    return request.app.state.templates.TemplateResponse(request, "incident.html", context)


@router.post("/incidents/{slug}/fix", response_class=HTMLResponse, include_in_schema=False)
async def submit_from_page(
    request: Request,
    incident: IncidentDep,
    course: CourseDep,
    learner_id: LearnerIdDep,
    code: Annotated[str, Form(max_length=MAX_CODE_CHARS)] = "",
) -> Response:
    status_code, graded, error, headers = 200, None, None, {}
    try:
        graded = await _grade(request, learner_id, incident, code)
    except TaskCheckError as problem:
        status_code, error, headers = problem.status_code, str(problem), problem.headers
    standing = await run_in_threadpool(_standing, request, learner_id, None)
    state, best = incident_state(incident, standing)
    context = page_context(
        course,
        standing.progress,
        current=None,
        incident=incident,
        graded=graded,
        error=error,
        state=state,
        best=best,
        oob=True,
    )
    return request.app.state.templates.TemplateResponse(
        request, "partials/incident_verdict.html", context, status_code=status_code, headers=headers
    )


@router.post(
    "/api/incidents/{slug}/fix",
    response_model=FixOut,
    tags=["incidents"],
    responses={429: {"description": "Too many runs"}, 503: {"description": "No run possible"}},
)
async def submit_from_api(
    request: Request, incident: IncidentDep, body: FixIn, learner_id: LearnerIdDep
) -> Response:
    """Grade a fix of the incident by its hidden tests; 75 XP once, for the first full pass."""
    try:
        graded = await _grade(request, learner_id, incident, body.code)
    except TaskCheckError as problem:
        return JSONResponse(
            {"error": "Not graded", "message": str(problem)},
            status_code=problem.status_code,
            headers=problem.headers,
        )
    verdict = graded.verdict
    out = FixOut(
        score=verdict.score,
        total=verdict.total,
        solved=verdict.solved,
        message=verdict.message,
        tests=[TestLineOut(**vars(line)) for line in verdict.tests],
        xp_awarded=graded.xp_awarded,
        total_xp=graded.progress.xp,
        best_score=graded.best_score,
    )
    return JSONResponse(out.model_dump())
