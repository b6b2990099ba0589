"""A database made by an older version is migrated on start without losing data."""

from __future__ import annotations

from sqlalchemy import inspect, text

from deepdive.db.engine import make_engine
from deepdive.db.migrate import current_revision, open_database, upgrade


def test_fresh_database_is_created_at_the_latest_revision(tmp_path):
    engine = open_database(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    assert current_revision(engine) == "0005"
    assert {"learners", "lesson_progress", "xp_awards", "drafts"} <= set(
        inspect(engine).get_table_names()
    )


def test_database_from_the_first_release_keeps_its_data_when_migrated(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    old = make_engine(url)
    upgrade(old, "0001")
    with old.begin() as connection:
        connection.execute(
            text("INSERT INTO learners (id, created_at) VALUES (1, '2026-01-01 00:00:00')")
        )
        connection.execute(
            text(
                "INSERT INTO xp_awards (learner_id, award_key, xp, awarded_at) "
                "VALUES (1, 'quiz:basics:q', 10, '2026-01-02 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO drafts (learner_id, widget_id, code, updated_at) "
                "VALUES (1, 'basics/first-endpoint', 'print(1)', '2026-01-02 00:00:00')"
            )
        )
    old.dispose()

    engine = open_database(url)
    assert current_revision(engine) == "0005"
    with engine.connect() as connection:
        assert connection.execute(text("SELECT award_key, xp FROM xp_awards")).all() == [
            ("quiz:basics:q", 10)
        ]
        assert connection.execute(text("SELECT code, attempts FROM drafts")).all() == [
            ("print(1)", 0)
        ]


def test_the_same_award_cannot_be_stored_twice(tmp_path):
    from deepdive.course.progress import award_xp, local_learner
    from deepdive.db.engine import make_session_factory

    engine = open_database(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    with make_session_factory(engine)() as session:
        learner = local_learner(session)
        assert award_xp(session, learner.id, "quiz:x:y", 10) is True
        assert award_xp(session, learner.id, "quiz:x:y", 10) is False
        assert session.execute(text("SELECT count(*) FROM xp_awards")).scalar() == 1
