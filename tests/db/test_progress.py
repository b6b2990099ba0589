"""The progress functions behave the same on SQLite and PostgreSQL: XP is granted once even to
two sessions racing for it, and drafts, attempts and the learner's view read back what was
written."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from deepdive.course.levels import ladder
from deepdive.course.progress import (
    award_xp,
    load_draft,
    local_learner,
    mark_started,
    read_best_scores,
    read_learner_view,
    record_attempt,
    reset_progress,
    save_draft,
)
from deepdive.db.engine import make_session_factory
from deepdive.db.migrate import open_database
from deepdive.db.models import XpAward


@pytest.fixture
def sessions(database_url):
    engine = open_database(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def learner_id(sessions) -> int:
    with sessions() as session:
        return local_learner(session).id


def test_the_same_award_cannot_be_stored_twice(sessions, learner_id):
    with sessions() as session:
        assert award_xp(session, learner_id, "quiz:x:y", 10) is True
        assert award_xp(session, learner_id, "quiz:x:y", 10) is False
        assert session.scalar(select(func.count()).select_from(XpAward)) == 1


def test_two_sessions_racing_for_one_award_grant_it_once(sessions, learner_id):
    outcome: dict[str, bool] = {}
    with sessions() as first:
        # The first session has written the award but not committed it yet...
        assert award_xp(first, learner_id, "task:basics:t1", 25, commit=False) is True

        def second_session() -> None:
            with sessions() as second:
                outcome["second"] = award_xp(second, learner_id, "task:basics:t1", 25)

        racer = threading.Thread(target=second_session)
        racer.start()
        racer.join(timeout=0.5)
        # ...so the second one waits for it (a row lock, or SQLite's write lock),
        assert racer.is_alive()
        first.commit()
    racer.join(timeout=30)
    # ...then finds the award there and adds nothing.
    assert outcome == {"second": False}
    with sessions() as session:
        rows = session.execute(select(XpAward.award_key, XpAward.xp)).all()
    assert rows == [("task:basics:t1", 25)]


def test_the_learner_view_reads_back_xp_starts_drafts_and_attempts(sessions, learner_id):
    with sessions() as session:
        award_xp(session, learner_id, "quiz:basics:q1", 10)
        award_xp(session, learner_id, "quiz:basics:q2", 15)
        mark_started(session, learner_id, "routing")
        assert save_draft(session, learner_id, "basics/first", "print(1)") == 0
        assert save_draft(session, learner_id, "basics/first", "print(2)", attempted=True) == 1
        assert save_draft(session, learner_id, "basics/first", "print(3)", attempted=True) == 2
        assert record_attempt(session, learner_id, "task:basics:t", solved=False, failure="no") == 1
        assert record_attempt(session, learner_id, "task:basics:t", solved=True, failure=None) == 2

    with sessions() as session:
        view = read_learner_view(session, learner_id, ladder(1000))
        draft = load_draft(session, learner_id, "basics/first")
    assert view.progress.xp == 25
    assert view.progress.earned == {"quiz:basics:q1", "quiz:basics:q2"}
    assert view.progress.started == {"basics", "routing"}
    assert (view.drafts["basics/first"].code, view.drafts["basics/first"].attempts) == (
        "print(3)",
        2,
    )
    assert view.attempts == {"task:basics:t": 2}
    assert draft is not None
    assert draft.updated_at.tzinfo is not None


def test_an_attempt_keeps_its_first_solved_time_and_best_score(sessions, learner_id):
    from deepdive.db.models import Attempt

    key = "incident:slow-page"
    with sessions() as session:
        record_attempt(session, learner_id, key, solved=True, failure=None, score=60)
        first_solved = session.get(Attempt, (learner_id, key)).solved_at
        record_attempt(session, learner_id, key, solved=False, failure="x" * 1000, score=30)
        record_attempt(session, learner_id, key, solved=True, failure=None, score=90)
    with sessions() as session:
        attempt = session.get(Attempt, (learner_id, key))
        assert read_best_scores(session, learner_id) == {key: 90}
    assert attempt.attempts == 3
    assert attempt.solved_at == first_solved
    assert attempt.last_failure is None


def test_reset_forgets_everything_of_the_learner(sessions, learner_id):
    with sessions() as session:
        award_xp(session, learner_id, "quiz:basics:q1", 10)
        save_draft(session, learner_id, "basics/first", "print(1)", attempted=True)
        record_attempt(session, learner_id, "task:basics:t", solved=True, failure=None)
        reset_progress(session, learner_id)
        view = read_learner_view(session, learner_id, ladder(1000))
    assert (view.progress.xp, view.drafts, view.attempts) == (0, {}, {})
    assert view.progress.started == frozenset()
