"""A cohort's progress, read with one query per table whatever the number of learners.

Lesson states and XP come from `Progress`, built for each learner from the cohort's rows by the
same code that shows a learner their own progress, so the instructor sees exactly what the
learner sees.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from deepdive.course.models import Course, Lesson
from deepdive.course.progress import IMPORTED, LessonState, Progress, progress_from
from deepdive.db.models import Attempt, CohortMember, Draft, Learner, LessonProgress, XpAward
from deepdive.instructor.items import Item, course_items


@dataclass(frozen=True)
class Member:
    id: int
    username: str
    display_name: str

    @property
    def name(self) -> str:
        return self.display_name or self.username


@dataclass(frozen=True)
class LessonCell:
    """One learner in one lesson."""

    state: LessonState
    xp: int
    xp_available: int
    tasks_done: int
    tasks_total: int
    attempts: int


@dataclass(frozen=True)
class LearnerRow:
    member: Member
    progress: Progress
    cells: dict[str, LessonCell]  # by lesson slug, in course order
    tasks_done: int
    incidents_solved: int
    attempts: int
    last_active: datetime | None
    # Awards taken from a progress file rather than earned here, and the XP they carry.
    imported_awards: int = 0
    imported_xp: int = 0

    @property
    def lessons_done(self) -> int:
        return sum(cell.state is LessonState.DONE for cell in self.cells.values())


@dataclass(frozen=True)
class _Award:
    xp: int
    awarded_at: datetime
    imported: bool


@dataclass(frozen=True)
class _Rows:
    """A cohort's learners and everything they did, grouped by learner."""

    members: list[Member]
    last_active: dict[int, datetime | None]
    awards: dict[int, dict[str, _Award]] = field(default_factory=dict)
    started: dict[int, list[str]] = field(default_factory=dict)
    attempts: dict[int, dict[str, Attempt]] = field(default_factory=dict)
    drafts_touched: dict[int, datetime] = field(default_factory=dict)


def cohort_learner_ids(cohort_id: int) -> Select[tuple[int]]:
    """The learners (not the instructors) of a cohort, as a subquery for `IN`."""
    return select(CohortMember.learner_id).where(
        CohortMember.cohort_id == cohort_id, CohortMember.role == "learner"
    )


def _read_rows(session: Session, learners: Select[tuple[int]]) -> _Rows:
    """Everything the `learners` (a subquery of ids) did: one query per table."""
    members = session.execute(
        select(Learner.id, Learner.username, Learner.display_name, Learner.last_active_at)
        .where(Learner.id.in_(learners))
        .order_by(Learner.username)
    ).all()
    rows = _Rows(
        members=[Member(m.id, m.username or "", m.display_name or "") for m in members],
        last_active={m.id: m.last_active_at for m in members},
    )
    awards = session.execute(
        select(
            XpAward.learner_id,
            XpAward.award_key,
            XpAward.xp,
            XpAward.awarded_at,
            XpAward.source,
        ).where(XpAward.learner_id.in_(learners))
    )
    for award in awards:
        rows.awards.setdefault(award.learner_id, {})[award.award_key] = _Award(
            award.xp, award.awarded_at, award.source == IMPORTED
        )
    started = session.execute(
        select(LessonProgress.learner_id, LessonProgress.lesson_slug).where(
            LessonProgress.learner_id.in_(learners)
        )
    )
    for start in started:
        rows.started.setdefault(start.learner_id, []).append(start.lesson_slug)
    for attempt in session.scalars(select(Attempt).where(Attempt.learner_id.in_(learners))):
        rows.attempts.setdefault(attempt.learner_id, {})[attempt.item_key] = attempt
    touched = session.execute(
        select(Draft.learner_id, func.max(Draft.updated_at).label("at"))
        .where(Draft.learner_id.in_(learners))
        .group_by(Draft.learner_id)
    )
    rows.drafts_touched.update({row.learner_id: row.at for row in touched})
    return rows


def _latest(*moments: datetime | None) -> datetime | None:
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None


def _cell(lesson: Lesson, progress: Progress, attempts: dict[str, Attempt]) -> LessonCell:
    earned, available = progress.lesson_xp(lesson)
    task_keys = [
        lesson.task_key(interactive, task)
        for interactive in lesson.meta.interactives
        for task in interactive.tasks
    ]
    return LessonCell(
        state=progress.state(lesson),
        xp=earned,
        xp_available=available,
        tasks_done=sum(key in progress.earned for key in task_keys),
        tasks_total=len(task_keys),
        attempts=sum(attempts[key].attempts for key in lesson.award_keys if key in attempts),
    )


def _row(course: Course, rows: _Rows, member: Member) -> LearnerRow:
    awards = rows.awards.get(member.id, {})
    attempts = rows.attempts.get(member.id, {})
    progress = progress_from(
        ((key, award.xp) for key, award in awards.items()),
        rows.started.get(member.id, ()),
        course.levels,
    )
    cells = {lesson.slug: _cell(lesson, progress, attempts) for lesson in course.lessons}
    incident_keys = {incident.award_key for incident in course.incidents}
    imported = [award for award in awards.values() if award.imported]
    return LearnerRow(
        member=member,
        progress=progress,
        cells=cells,
        tasks_done=sum(cell.tasks_done for cell in cells.values()),
        incidents_solved=len(incident_keys & progress.earned),
        attempts=sum(attempt.attempts for attempt in attempts.values()),
        last_active=_latest(
            rows.last_active.get(member.id),
            max((award.awarded_at for award in awards.values()), default=None),
            max((attempt.last_at for attempt in attempts.values()), default=None),
            rows.drafts_touched.get(member.id),
        ),
        imported_awards=len(imported),
        imported_xp=sum(award.xp for award in imported),
    )


def read_cohort_report(session: Session, course: Course, cohort_id: int) -> list[LearnerRow]:
    """One row per learner of the cohort (by username), each with a cell per lesson."""
    rows = _read_rows(session, cohort_learner_ids(cohort_id))
    return [_row(course, rows, member) for member in rows.members]


@dataclass(frozen=True)
class ItemResult:
    """One learner's standing on one item."""

    item: Item
    solved: bool
    score: int
    attempts: int
    first_solved_at: datetime | None
    last_failure: str | None
    # Solved only by a progress file's say-so, not by a check or an answer on this server.
    imported: bool = False


def _result(item: Item, award: _Award | None, attempt: Attempt | None) -> ItemResult:
    solved = award is not None
    if item.scored_in_points:
        best = attempt.best_score if attempt and attempt.best_score is not None else 0
        score = item.max_score if solved else best
    else:
        score = award.xp if award else 0
    return ItemResult(
        item=item,
        solved=solved,
        score=score,
        attempts=attempt.attempts if attempt else 0,
        first_solved_at=award.awarded_at if award else (attempt.solved_at if attempt else None),
        last_failure=None if solved or attempt is None else attempt.last_failure,
        imported=award is not None and award.imported,
    )


def read_item_results(
    session: Session, course: Course, cohort_id: int
) -> list[tuple[Member, list[ItemResult]]]:
    """Every learner of the cohort with their result on every item of the course (the export)."""
    rows = _read_rows(session, cohort_learner_ids(cohort_id))
    items = course_items(course)
    return [
        (
            member,
            [
                _result(
                    item,
                    rows.awards.get(member.id, {}).get(item.key),
                    rows.attempts.get(member.id, {}).get(item.key),
                )
                for item in items
            ],
        )
        for member in rows.members
    ]


@dataclass(frozen=True)
class ItemStats:
    item: Item
    solved: int  # learners who solved it
    tried: int  # learners who tried it at least once
    attempts: int  # tries by all the learners together
    # The failure most learners who have not solved it are stuck on, and how many they are.
    common_failure: str | None
    common_failure_learners: int


def read_item_stats(session: Session, course: Course, cohort_id: int) -> list[ItemStats]:
    """How the cohort did on each item of the course, in course order."""
    learners = cohort_learner_ids(cohort_id)
    solved = dict(
        session.execute(
            select(XpAward.award_key, func.count())
            .where(XpAward.learner_id.in_(learners))
            .group_by(XpAward.award_key)
        ).all()
    )
    tries = {
        row.item_key: (row.learners, row.attempts)
        for row in session.execute(
            select(
                Attempt.item_key,
                func.count().label("learners"),
                func.sum(Attempt.attempts).label("attempts"),
            )
            .where(Attempt.learner_id.in_(learners))
            .group_by(Attempt.item_key)
        )
    }
    failures: dict[str, Counter[str]] = defaultdict(Counter)
    for row in session.execute(
        select(Attempt.item_key, Attempt.last_failure, func.count().label("learners"))
        .where(Attempt.learner_id.in_(learners), Attempt.last_failure.is_not(None))
        .group_by(Attempt.item_key, Attempt.last_failure)
    ):
        failures[row.item_key][row.last_failure] = row.learners
    stats = []
    for item in course_items(course):
        learners_tried, attempts = tries.get(item.key, (0, 0))
        # Ties go to the failure that sorts first, so the page does not change on reload.
        common = min(failures[item.key].items(), key=lambda pair: (-pair[1], pair[0]), default=None)
        stats.append(
            ItemStats(
                item=item,
                solved=int(solved.get(item.key, 0)),
                tried=int(learners_tried),
                attempts=int(attempts or 0),
                common_failure=common[0] if common else None,
                common_failure_learners=common[1] if common else 0,
            )
        )
    return stats


@dataclass(frozen=True)
class SavedWidget:
    widget_id: str
    title: str  # the lesson and interactive it belongs to, as the learner saw them
    code: str
    runs: int
    updated_at: datetime


@dataclass(frozen=True)
class LearnerDetail:
    row: LearnerRow
    drafts: list[SavedWidget]
    results: list[ItemResult]


def _widget_title(course: Course, widget_id: str) -> str:
    if widget_id.startswith("incidents/"):
        incident = course.incident(widget_id.removeprefix("incidents/"))
        return f"Incident: {incident.title}" if incident else widget_id
    base, _, part = widget_id.partition(":")
    found = course.widget(base)
    if found is None:
        return widget_id  # content that no longer exists: the id is all there is
    lesson, interactive = found
    title = f"{lesson.meta.order}. {lesson.title} — {interactive.title}"
    return f"{title} ({part})" if part else title


def _course_position(course: Course) -> dict[str, int]:
    order = {lesson.slug: index for index, lesson in enumerate(course.lessons)}
    order.update({"incidents": len(order)})
    return order


def read_learner_detail(
    session: Session, course: Course, cohort_id: int, learner_id: int
) -> LearnerDetail | None:
    """A learner's row, latest code per widget and result per item; None if they are not a
    learner of the cohort."""
    rows = _read_rows(
        session, cohort_learner_ids(cohort_id).where(CohortMember.learner_id == learner_id)
    )
    if not rows.members:
        return None
    member = rows.members[0]
    awards = rows.awards.get(member.id, {})
    attempts = rows.attempts.get(member.id, {})
    position = _course_position(course)
    drafts = sorted(
        session.scalars(select(Draft).where(Draft.learner_id == member.id)),
        key=lambda draft: (position.get(draft.widget_id.partition("/")[0], 999), draft.widget_id),
    )
    return LearnerDetail(
        row=_row(course, rows, member),
        drafts=[
            SavedWidget(
                d.widget_id, _widget_title(course, d.widget_id), d.code, d.attempts, d.updated_at
            )
            for d in drafts
        ],
        results=[
            _result(item, awards.get(item.key), attempts.get(item.key))
            for item in course_items(course)
        ],
    )
