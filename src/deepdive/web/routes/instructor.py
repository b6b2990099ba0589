"""The instructor view (hosted mode): a cohort's learners × lessons, one learner's work, how the
cohort did on each item, and the whole cohort as CSV.

Every route checks, in the same database session that reads the data, that the account follows
the cohort (or is an admin), and that the learner asked for belongs to it; anything else is a
403 that shows none of the data. These pages are never put in the page cache and are sent with
`Cache-Control: no-store`: they show other people's work.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, StreamingResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from deepdive.course.progress import LessonState
from deepdive.course.render import highlight_code
from deepdive.db.models import Cohort, CohortMember, Learner
from deepdive.instructor.access import followed_cohort, followed_cohorts, may_view_cohorts
from deepdive.instructor.report import (
    ItemResult,
    Member,
    read_cohort_report,
    read_item_results,
    read_item_stats,
    read_learner_detail,
)
from deepdive.instructor.table import TableQuery, TableQueryError
from deepdive.web.deps import CourseDep, LearnerIdDep
from deepdive.web.security import NO_STORE

router = APIRouter(prefix="/cohorts", include_in_schema=False)

T = TypeVar("T")
_NOT_YOURS = "You do not follow this cohort, so its learners' work is not shown to you."
_NOT_INSTRUCTOR = "The instructor view is for a cohort's instructors and for admins."


def _with_account(request: Request, learner_id: int, read: Callable[[Session, Learner], T]) -> T:
    """Run `read` for the signed-in account in one session (`learner_id_of` has already sent
    anyone not logged in to the login page)."""
    with request.app.state.session_factory() as session:
        account = session.get(Learner, learner_id)
        if account is None or account.username is None:
            raise HTTPException(403, _NOT_INSTRUCTOR, headers=NO_STORE)
        return read(session, account)


async def _read(request: Request, learner_id: int, read: Callable[[Session, Learner], T]) -> T:
    return await run_in_threadpool(_with_account, request, learner_id, read)


def _cohort(session: Session, account: Learner, cohort_id: int) -> Cohort:
    if not may_view_cohorts(session, account):
        raise HTTPException(403, _NOT_INSTRUCTOR, headers=NO_STORE)
    cohort = followed_cohort(session, account, cohort_id)
    if cohort is None:
        if account.role == "admin":
            raise HTTPException(404, f"There is no cohort {cohort_id}.", headers=NO_STORE)
        raise HTTPException(403, _NOT_YOURS, headers=NO_STORE)
    return cohort


def _when(moment: datetime | None, *, date_only: bool = False) -> str:
    """A moment as the pages show it, in UTC like the export."""
    if moment is None:
        return "—"
    return moment.astimezone(UTC).strftime("%Y-%m-%d" if date_only else "%Y-%m-%d %H:%M UTC")


def _page(request: Request, template: str, context: dict[str, object]) -> HTMLResponse:
    course = request.app.state.course
    return request.app.state.templates.TemplateResponse(
        request, template, {"course": course, "when": _when, **context}, headers=NO_STORE
    )


@router.get("", response_class=HTMLResponse)
async def cohort_list(request: Request, learner_id: LearnerIdDep) -> HTMLResponse:
    def read(session: Session, account: Learner) -> list[tuple[Cohort, int]]:
        if not may_view_cohorts(session, account):
            raise HTTPException(403, _NOT_INSTRUCTOR, headers=NO_STORE)
        cohorts = followed_cohorts(session, account)
        counts = dict(
            session.execute(
                select(CohortMember.cohort_id, func.count())
                .where(CohortMember.role == "learner")
                .group_by(CohortMember.cohort_id)
            ).all()
        )
        return [(cohort, int(counts.get(cohort.id, 0))) for cohort in cohorts]

    cohorts = await _read(request, learner_id, read)
    return _page(request, "instructor/cohorts.html", {"cohorts": cohorts})


SortQuery = Annotated[str, Query(max_length=120, description="A column, or lesson:<slug>")]
OrderQuery = Annotated[Literal["asc", "desc"], Query(description="Sort order")]
SearchQuery = Annotated[str, Query(max_length=100, description="Part of a name")]
LessonQuery = Annotated[str, Query(max_length=100, description="Lesson slug for `state`")]
StateQuery = Annotated[
    Literal["", "not-started", "in-progress", "done"], Query(description="State in `lesson`")
]


@router.get("/{cohort_id}", response_class=HTMLResponse)
async def cohort_table(
    request: Request,
    cohort_id: int,
    course: CourseDep,
    learner_id: LearnerIdDep,
    sort: SortQuery = "name",
    order: OrderQuery = "asc",
    q: SearchQuery = "",
    lesson: LessonQuery = "",
    state: StateQuery = "",
) -> HTMLResponse:
    query = TableQuery(
        sort=sort,
        descending=order == "desc",
        search=q,
        lesson=lesson or None,
        state=LessonState(state) if state else None,
    )

    def read(session: Session, account: Learner) -> tuple[Cohort, list]:
        cohort = _cohort(session, account, cohort_id)
        return cohort, read_cohort_report(session, course, cohort.id)

    cohort, rows = await _read(request, learner_id, read)
    try:
        query.check(course)
    except TableQueryError as problem:
        raise HTTPException(422, str(problem), headers=NO_STORE) from problem
    shown = query.apply(rows)
    context = {
        "cohort": cohort,
        "rows": shown,
        "learner_count": len(rows),
        "query": query,
        "states": list(LessonState),
    }
    return _page(request, "instructor/cohort.html", context)


@router.get("/{cohort_id}/items", response_class=HTMLResponse)
async def cohort_items(
    request: Request, cohort_id: int, course: CourseDep, learner_id: LearnerIdDep
) -> HTMLResponse:
    def read(session: Session, account: Learner) -> tuple[Cohort, list, int]:
        cohort = _cohort(session, account, cohort_id)
        stats = read_item_stats(session, course, cohort.id)
        learners = session.scalar(
            select(func.count())
            .select_from(CohortMember)
            .where(CohortMember.cohort_id == cohort.id, CohortMember.role == "learner")
        )
        return cohort, stats, int(learners or 0)

    cohort, stats, learners = await _read(request, learner_id, read)
    lessons = {lesson.slug: lesson for lesson in course.lessons}
    context = {"cohort": cohort, "stats": stats, "learner_count": learners, "lessons": lessons}
    return _page(request, "instructor/items.html", context)


@router.get("/{cohort_id}/learners/{member_id}", response_class=HTMLResponse)
async def cohort_learner(
    request: Request, cohort_id: int, member_id: int, course: CourseDep, learner_id: LearnerIdDep
) -> HTMLResponse:
    def read(session: Session, account: Learner) -> tuple[Cohort, object]:
        cohort = _cohort(session, account, cohort_id)
        detail = read_learner_detail(session, course, cohort.id, member_id)
        if detail is None:
            raise HTTPException(403, _NOT_YOURS, headers=NO_STORE)
        return cohort, detail

    cohort, detail = await _read(request, learner_id, read)
    code = {
        saved.widget_id: highlight_code(saved.code, language="python", filename=saved.widget_id)
        for saved in detail.drafts  # type: ignore[attr-defined]
    }
    lessons = {lesson.slug: lesson for lesson in course.lessons}
    context = {"cohort": cohort, "detail": detail, "code": code, "lessons": lessons}
    return _page(request, "instructor/learner.html", context)


CSV_COLUMNS = (
    "username",
    "display_name",
    "item_id",
    "item_kind",
    "item_title",
    "lesson",
    "score",
    "max_score",
    "xp",
    "max_xp",
    "attempts",
    "first_solved_at",
    "first_solve_imported",
)


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula (= + - @, or a tab or
    carriage return) is prefixed with a quote, as OWASP's CSV injection advice says."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def iso_utc(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def _csv_record(member: Member, result: ItemResult) -> list[str | int]:
    item = result.item
    return [
        spreadsheet_safe(member.username),
        spreadsheet_safe(member.display_name),
        spreadsheet_safe(item.key),
        item.kind,
        spreadsheet_safe(item.title),
        item.lesson_slug or "",
        result.score,
        item.max_score,
        item.xp if result.solved else 0,
        item.xp,
        result.attempts,
        iso_utc(result.first_solved_at),
        ("yes" if result.imported else "no") if result.solved else "",
    ]


def _csv_lines(results: list[tuple[Member, list[ItemResult]]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for member, items in results:
        for result in items:
            writer.writerow(_csv_record(member, result))
        yield flush()  # one chunk per learner


def export_filename(cohort: Cohort, now: datetime) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", cohort.name.lower()).strip("-") or f"cohort-{cohort.id}"
    return f"{slug}-results-{now.strftime('%Y%m%d')}.csv"


@router.get("/{cohort_id}/export.csv")
async def cohort_export(
    request: Request, cohort_id: int, course: CourseDep, learner_id: LearnerIdDep
) -> StreamingResponse:
    """One row per learner per item. Everything is read first, in one session, so no database
    connection is held while a slow client downloads."""

    def read(session: Session, account: Learner) -> tuple[Cohort, list]:
        cohort = _cohort(session, account, cohort_id)
        return cohort, read_item_results(session, course, cohort.id)

    cohort, results = await _read(request, learner_id, read)
    filename = export_filename(cohort, datetime.now(UTC))
    return StreamingResponse(
        _csv_lines(results),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **NO_STORE},
    )
