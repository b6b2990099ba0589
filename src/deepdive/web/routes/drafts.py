"""Saved editor contents, per learner and widget."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from deepdive.course.models import Course, Interactive, Lesson
from deepdive.course.progress import save_draft
from deepdive.web.deps import CourseDep, LearnerIdDep, SessionDep

router = APIRouter(prefix="/api/drafts", tags=["drafts"])

MAX_CODE_CHARS = 100_000
# A widget as runs and sessions name it: its course-wide id, then `:part` for a second editor.
WidgetRef = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9-]+/[a-z0-9-]+(:[a-z0-9-]{1,40})?$",
        description="lesson-slug/interactive-id, then `:part` for a widget's second editor",
    ),
]


class DraftIn(BaseModel):
    code: str = Field(max_length=MAX_CODE_CHARS)


class DraftOut(BaseModel):
    widget: str
    saved: bool


def find_widget(course: Course, slug: str, interactive_id: str) -> tuple[Lesson, Interactive]:
    found = course.widget(f"{slug}/{interactive_id}")
    if found is None:
        raise HTTPException(404, f"There is no interactive {slug}/{interactive_id}.")
    return found


@router.put("/{slug}/{interactive_id}", response_model=DraftOut)
def put_draft(
    slug: str,
    interactive_id: str,
    body: DraftIn,
    course: CourseDep,
    session: SessionDep,
    learner_id: LearnerIdDep,
    part: Annotated[
        str | None,
        Query(
            pattern=r"^[a-z0-9-]{1,40}$",
            description="For a widget with several editors: which one (e.g. `body`)",
        ),
    ] = None,
) -> DraftOut:
    find_widget(course, slug, interactive_id)
    widget = f"{slug}/{interactive_id}" + (f":{part}" if part else "")
    save_draft(session, learner_id, widget, body.code)
    return DraftOut(widget=widget, saved=True)
