"""A learner's progress: XP awards (each granted at most once), lesson states, drafts.

XP is only ever granted here, with a value taken from the course content, never from a client.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from deepdive.course.levels import Ladder, LevelProgress, level_for
from deepdive.course.models import Lesson
from deepdive.db.models import Attempt, Draft, Learner, LessonProgress, XpAward, utcnow


class LessonState(enum.StrEnum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    DONE = "done"

    @property
    def label(self) -> str:
        return self.value.replace("-", " ").capitalize()


@dataclass(frozen=True)
class Progress:
    """Everything the pages need to show about one learner, read in one go."""

    xp: int
    level: LevelProgress
    earned: frozenset[str]
    started: frozenset[str]

    def state(self, lesson: Lesson) -> LessonState:
        keys = lesson.award_keys
        if keys and keys.keys() <= self.earned:
            return LessonState.DONE
        if lesson.slug in self.started or any(key in self.earned for key in keys):
            return LessonState.IN_PROGRESS
        return LessonState.NOT_STARTED

    def lesson_xp(self, lesson: Lesson) -> tuple[int, int]:
        """(earned, available) XP in one lesson."""
        keys = lesson.award_keys
        return sum(xp for key, xp in keys.items() if key in self.earned), sum(keys.values())


@dataclass(frozen=True)
class SavedCode:
    code: str
    attempts: int


@dataclass(frozen=True)
class LearnerView:
    """A learner's progress plus their saved code, keyed by widget id."""

    progress: Progress
    drafts: dict[str, SavedCode]
    # Tries at checked items (tasks, incidents), by award key.
    attempts: dict[str, int] = field(default_factory=dict)


def read_learner_view(session: Session, learner_id: int, levels: Ladder) -> LearnerView:
    drafts = session.execute(
        select(Draft.widget_id, Draft.code, Draft.attempts).where(Draft.learner_id == learner_id)
    ).all()
    return LearnerView(
        progress=read_progress(session, learner_id, levels),
        drafts={row.widget_id: SavedCode(row.code, row.attempts) for row in drafts},
        attempts=read_attempts(session, learner_id),
    )


def local_learner(session: Session) -> Learner:
    """The single anonymous learner of local mode (created on first use)."""
    learner = session.scalars(
        select(Learner).where(Learner.username.is_(None)).order_by(Learner.id).limit(1)
    ).first()
    if learner is None:
        learner = Learner()
        session.add(learner)
        session.commit()
    return learner


def _dialect_module(session: Session) -> Any:
    """The SQLAlchemy dialect module whose `insert` supports ON CONFLICT for this database."""
    return postgresql if session.get_bind().dialect.name == "postgresql" else sqlite


def _insert_ignoring_duplicates(session: Session, model: type[Any], values: dict[str, Any]) -> bool:
    """INSERT that silently does nothing on a unique-key conflict; True if a row was added."""
    module = _dialect_module(session)
    # RETURNING says whether a row went in on every backend; the rowcount does not (through a
    # Session, PostgreSQL's is -1, "unknown", whether ON CONFLICT skipped the row or not).
    key = next(iter(model.__table__.primary_key.columns))
    statement = module.insert(model).values(**values).on_conflict_do_nothing().returning(key)
    return session.execute(statement).first() is not None


EARNED = "earned"
IMPORTED = "imported"


def award_xp(
    session: Session,
    learner_id: int,
    award_key: str,
    xp: int,
    *,
    commit: bool = True,
    source: str = EARNED,
) -> bool:
    """Grant `xp` for `award_key` unless already granted. True if this call granted it.

    The unique (learner, key) constraint makes this safe under any number of concurrent calls.
    An award `source`d from an import that is then earned for real becomes an earned award, dated
    now: its XP stays counted once, and this call returns False (no XP was added).
    """
    now = utcnow()
    added = _insert_ignoring_duplicates(
        session,
        XpAward,
        {
            "learner_id": learner_id,
            "award_key": award_key,
            "xp": xp,
            "awarded_at": now,
            "source": source,
        },
    )
    if not added and source == EARNED:
        session.execute(
            update(XpAward)
            .where(
                XpAward.learner_id == learner_id,
                XpAward.award_key == award_key,
                XpAward.source == IMPORTED,
            )
            .values(source=EARNED, awarded_at=now)
        )
    if commit:
        session.commit()
    return added


def mark_started(
    session: Session, learner_id: int, lesson_slug: str, *, commit: bool = True
) -> bool:
    """Record that the learner has worked in the lesson (ran or saved code, answered a question
    or a challenge); True the first time. Opening its page is not enough."""
    added = _insert_ignoring_duplicates(
        session,
        LessonProgress,
        {"learner_id": learner_id, "lesson_slug": lesson_slug, "started_at": utcnow()},
    )
    if commit:
        session.commit()
    return added


def total_xp(session: Session, learner_id: int) -> int:
    """All the XP the learner has earned."""
    total = session.scalar(select(func.sum(XpAward.xp)).where(XpAward.learner_id == learner_id))
    return int(total or 0)


def read_progress(session: Session, learner_id: int, levels: Ladder) -> Progress:
    awards = session.execute(
        select(XpAward.award_key, XpAward.xp).where(XpAward.learner_id == learner_id)
    ).all()
    started = session.scalars(
        select(LessonProgress.lesson_slug).where(LessonProgress.learner_id == learner_id)
    ).all()
    return progress_from([(row.award_key, row.xp) for row in awards], started, levels)


def progress_from(
    awards: Iterable[tuple[str, int]], started: Iterable[str], levels: Ladder
) -> Progress:
    """A learner's progress from their (award key, XP) rows and the slugs of the lessons they
    started, however those were read (one learner's, or a whole cohort's at once)."""
    awards = list(awards)
    xp = sum(value for _, value in awards)
    return Progress(
        xp=xp,
        level=level_for(xp, levels),
        earned=frozenset(key for key, _ in awards),
        started=frozenset(started),
    )


def save_draft(
    session: Session,
    learner_id: int,
    widget_id: str,
    code: str,
    *,
    attempted: bool = False,
    in_lesson: bool = True,
) -> int:
    """Store the learner's code for a widget (counting a run when `attempted`), which also marks
    its lesson as started; returns the number of runs so far. One upsert, so a save and a run
    arriving together cannot collide."""
    module = _dialect_module(session)
    now = utcnow()
    statement = module.insert(Draft).values(
        learner_id=learner_id,
        widget_id=widget_id,
        code=code,
        attempts=int(attempted),
        updated_at=now,
    )
    statement = statement.on_conflict_do_update(
        index_elements=[Draft.learner_id, Draft.widget_id],
        set_={"code": code, "updated_at": now, "attempts": Draft.attempts + int(attempted)},
    ).returning(Draft.attempts)
    attempts = session.execute(statement).scalar_one()
    if in_lesson:  # an incident's editor belongs to no lesson
        mark_started(session, learner_id, widget_lesson(widget_id), commit=False)
    session.commit()
    return attempts


def widget_lesson(widget_id: str) -> str:
    """The lesson a widget id ("lesson-slug/interactive-id[:part]") belongs to."""
    return widget_id.partition("/")[0]


def load_draft(session: Session, learner_id: int, widget_id: str) -> Draft | None:
    return session.get(Draft, (learner_id, widget_id))


def record_attempt(
    session: Session,
    learner_id: int,
    item_key: str,
    *,
    solved: bool,
    failure: str | None,
    score: int | None = None,
) -> int:
    """Count one try at a checked item (and when it was first solved, and for a scored item the
    best `score` so far); returns the tries so far. One upsert, so concurrent checks cannot lose
    a count."""
    module = _dialect_module(session)
    now = utcnow()
    solved_at = now if solved else None
    statement = module.insert(Attempt).values(
        learner_id=learner_id,
        item_key=item_key,
        attempts=1,
        last_failure=failure and failure[:400],
        last_at=now,
        solved_at=solved_at,
        best_score=score,
    )
    # A CASE rather than max()/GREATEST(), which SQLite and PostgreSQL spell differently.
    best = case(
        (func.coalesce(Attempt.best_score, -1) < (score or 0), score), else_=Attempt.best_score
    )
    statement = statement.on_conflict_do_update(
        index_elements=[Attempt.learner_id, Attempt.item_key],
        set_={
            "attempts": Attempt.attempts + 1,
            "last_failure": failure and failure[:400],
            "last_at": now,
            "solved_at": func.coalesce(Attempt.solved_at, solved_at),
            "best_score": Attempt.best_score if score is None else best,
        },
    ).returning(Attempt.attempts)
    attempts = session.execute(statement).scalar_one()
    session.commit()
    return attempts


def read_attempts(session: Session, learner_id: int) -> dict[str, int]:
    """How many times the learner has tried each checked item."""
    rows = session.execute(
        select(Attempt.item_key, Attempt.attempts).where(Attempt.learner_id == learner_id)
    ).all()
    return {row.item_key: row.attempts for row in rows}


def read_best_scores(session: Session, learner_id: int) -> dict[str, int]:
    """The best score of each scored item (incidents) the learner has tried."""
    rows = session.execute(
        select(Attempt.item_key, Attempt.best_score).where(
            Attempt.learner_id == learner_id, Attempt.best_score.is_not(None)
        )
    ).all()
    return {row.item_key: row.best_score for row in rows}


def reset_progress(session: Session, learner_id: int) -> None:
    """Forget every award, lesson start, draft and attempt of the learner."""
    for model in (XpAward, LessonProgress, Draft, Attempt):
        session.execute(delete(model).where(model.learner_id == learner_id))
    session.commit()
