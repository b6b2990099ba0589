"""Export a learner's progress to JSON and import it back (merging, never double-counting)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from deepdive.course.models import Course
from deepdive.course.progress import EARNED, IMPORTED, award_xp, mark_started
from deepdive.db.models import Draft, LessonProgress, XpAward, utcnow

FORMAT = "deepdive-progress"
MAX_IMPORT_BYTES = 5 * 1024 * 1024


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExportedAward(_Record):
    key: str = Field(min_length=1, max_length=200)
    xp: int = Field(ge=0)
    awarded_at: AwareDatetime


class ExportedLesson(_Record):
    slug: str = Field(min_length=1, max_length=100)
    started_at: AwareDatetime


class ExportedDraft(_Record):
    widget: str = Field(min_length=1, max_length=200)
    code: str = Field(max_length=200_000)
    attempts: int = Field(default=0, ge=0)
    updated_at: AwareDatetime


class ProgressFile(_Record):
    format: Literal["deepdive-progress"]
    version: Literal[1]
    exported_at: AwareDatetime
    xp: int = Field(ge=0, description="informational: recomputed from the awards on import")
    lessons: list[ExportedLesson]
    awards: list[ExportedAward]
    drafts: list[ExportedDraft]


class ProgressFileError(ValueError):
    """The file is not a valid progress export; nothing was changed."""


@dataclass(frozen=True)
class ImportReport:
    awards_added: int
    awards_already_had: int
    awards_unknown: int
    xp_added: int
    lessons_started: int
    drafts_updated: int


def export_progress(session: Session, learner_id: int) -> ProgressFile:
    awards = session.scalars(
        select(XpAward).where(XpAward.learner_id == learner_id).order_by(XpAward.awarded_at)
    ).all()
    lessons = session.scalars(
        select(LessonProgress).where(LessonProgress.learner_id == learner_id)
    ).all()
    drafts = session.scalars(select(Draft).where(Draft.learner_id == learner_id)).all()
    return ProgressFile(
        format=FORMAT,
        version=1,
        exported_at=utcnow(),
        xp=sum(award.xp for award in awards),
        lessons=[ExportedLesson(slug=p.lesson_slug, started_at=p.started_at) for p in lessons],
        awards=[ExportedAward(key=a.award_key, xp=a.xp, awarded_at=a.awarded_at) for a in awards],
        drafts=[
            ExportedDraft(
                widget=d.widget_id, code=d.code, attempts=d.attempts, updated_at=d.updated_at
            )
            for d in drafts
        ],
    )


def parse_progress_file(raw: bytes) -> ProgressFile:
    """Validate an export; raise ProgressFileError with a readable reason."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise ProgressFileError(f"the file is larger than {MAX_IMPORT_BYTES // 1024 // 1024} MiB")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProgressFileError(f"the file is not JSON ({error})") from error
    except RecursionError as error:
        raise ProgressFileError(
            "this is not a progress export (its JSON is nested far too deeply)"
        ) from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ProgressFileError(f'this is not a progress export (no "format": "{FORMAT}")')
    try:
        return ProgressFile.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        count = error.error_count()
        more = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
        raise ProgressFileError(f"{where}: {first['msg']}{more}") from error


def import_progress(
    session: Session,
    learner_id: int,
    course: Course,
    progress: ProgressFile,
    *,
    mark_imported: bool = False,
) -> ImportReport:
    """Merge `progress` into the learner's own, in one transaction.

    XP values come from the current course, not from the file; awards the learner already has are
    kept as they are, and awards for content that no longer exists are skipped. With
    `mark_imported` (a hosted server, which cannot tell a real export from a hand-written file)
    the new awards are recorded as imported, so instructors see them apart from solves checked
    here, until the learner solves the item here.
    """
    source = IMPORTED if mark_imported else EARNED
    known = course.award_keys
    unknown = [award for award in progress.awards if award.key not in known]
    added = already = xp_added = 0
    try:
        for award in progress.awards:
            if award.key not in known:
                continue
            if award_xp(
                session, learner_id, award.key, known[award.key], commit=False, source=source
            ):
                added += 1
                xp_added += known[award.key]
            else:
                already += 1
        slugs = {lesson.slug for lesson in course.lessons}
        started = 0
        for lesson in progress.lessons:
            if lesson.slug in slugs:
                started += mark_started(session, learner_id, lesson.slug, commit=False)
        drafts = sum(_merge_draft(session, learner_id, draft) for draft in progress.drafts)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return ImportReport(
        awards_added=added,
        awards_already_had=already,
        awards_unknown=len(unknown),
        xp_added=xp_added,
        lessons_started=started,
        drafts_updated=drafts,
    )


def _merge_draft(session: Session, learner_id: int, exported: ExportedDraft) -> bool:
    """Keep whichever version of the draft is newer. True if the file's version was taken.
    A file's date later than now (a clock set wrong, or a hand-written file) counts as now: it
    would otherwise outrank every later save and import, and show as such to instructors."""
    updated_at = min(exported.updated_at, utcnow())
    draft = session.get(Draft, (learner_id, exported.widget))
    if draft is not None and draft.updated_at >= updated_at:
        return False
    if draft is None:
        draft = Draft(learner_id=learner_id, widget_id=exported.widget)
        session.add(draft)
    draft.code = exported.code
    draft.attempts = max(draft.attempts or 0, exported.attempts)
    draft.updated_at = updated_at
    return True
