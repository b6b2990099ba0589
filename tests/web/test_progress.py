"""Progress: summary, export, import (merging, never double-counting) and reset, over HTTP."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from tests.conftest import solve_lesson

from deepdive.db.models import XpAward


def _answer_everything_right(client, lesson):
    solve_lesson(client, lesson)


def test_export_then_import_into_a_fresh_install_restores_xp(client, course, app):
    lesson = course.lessons[0]
    _answer_everything_right(client, lesson)
    exported = client.get("/api/progress/export")
    assert exported.headers["content-disposition"].startswith("attachment;")
    data = exported.json()
    assert data["format"] == "deepdive-progress"
    assert data["xp"] == sum(lesson.award_keys.values())

    client.post("/api/progress/reset", data={"confirm": "reset"})
    assert client.get("/api/progress").json()["xp"] == 0

    files = {"file": ("progress.json", exported.content, "application/json")}
    response = client.post("/api/progress/import", files=files)
    assert response.status_code == 200, response.text
    assert client.get("/api/progress").json()["xp"] == data["xp"]
    # The learner owns a local install: what they import counts as theirs, as it always did.
    assert "imported" not in response.json()["message"]
    with app.state.session_factory() as session:
        assert set(session.scalars(select(XpAward.source))) == {"earned"}

    # Importing the same file again adds nothing.
    client.post("/api/progress/import", files=files)
    assert client.get("/api/progress").json()["xp"] == data["xp"]


def test_lessons_in_progress_survive_export_and_import(client):
    client.put("/api/drafts/basics/first-endpoint", json={"code": "# started\n"})
    exported = client.get("/api/progress/export")
    assert [lesson["slug"] for lesson in exported.json()["lessons"]] == ["basics"]
    client.post("/api/progress/reset", data={"confirm": "reset"})
    files = {"file": ("progress.json", exported.content, "application/json")}
    assert client.post("/api/progress/import", files=files).status_code == 200
    states = {item["slug"]: item["state"] for item in client.get("/api/progress").json()["lessons"]}
    assert states["basics"] == "in-progress"
    assert {state for slug, state in states.items() if slug != "basics"} == {"not-started"}


def test_a_draft_dated_in_the_future_by_a_file_does_not_outrank_later_work(client):
    future = {
        "format": "deepdive-progress",
        "version": 1,
        "exported_at": "2099-01-01T00:00:00Z",
        "xp": 0,
        "lessons": [],
        "awards": [],
        "drafts": [
            {
                "widget": "basics/first-endpoint",
                "code": "# from 2099\n",
                "attempts": 1,
                "updated_at": "2099-01-01T00:00:00Z",
            }
        ],
    }
    files = {"file": ("progress.json", json.dumps(future), "application/json")}
    assert client.post("/api/progress/import", files=files).status_code == 200
    exported = client.get("/api/progress/export").json()
    (draft,) = exported["drafts"]
    assert draft["code"] == "# from 2099\n"
    assert not draft["updated_at"].startswith("2099")

    # Work saved on another machine after this import is newer, and wins when brought in.
    saved_later = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    newer = {**future["drafts"][0], "code": "# newer\n", "updated_at": saved_later}
    later = {**future, "drafts": [newer]}
    files = {"file": ("progress.json", json.dumps(later), "application/json")}
    assert client.post("/api/progress/import", files=files).status_code == 200
    (draft,) = client.get("/api/progress/export").json()["drafts"]
    assert draft["code"] == "# newer\n"


def test_import_takes_xp_values_from_the_course_not_from_the_file(client, course):
    lesson = course.lessons[0]
    question = lesson.quiz.questions[0]
    forged = {
        "format": "deepdive-progress",
        "version": 1,
        "exported_at": "2026-01-01T00:00:00Z",
        "xp": 100000,
        "lessons": [],
        "awards": [
            {
                "key": f"quiz:{lesson.slug}:{question.id}",
                "xp": 99999,
                "awarded_at": "2026-01-01T00:00:00Z",
            },
            {"key": "quiz:invented:question", "xp": 5000, "awarded_at": "2026-01-01T00:00:00Z"},
        ],
        "drafts": [],
    }
    files = {"file": ("p.json", json.dumps(forged), "application/json")}
    response = client.post("/api/progress/import", files=files)
    assert response.status_code == 200
    assert "1 for content that no longer exists" in response.json()["message"]
    assert client.get("/api/progress").json()["xp"] == lesson.question_xp(question)


def test_a_bad_import_file_is_refused_and_changes_nothing(client, course):
    lesson = course.lessons[0]
    _answer_everything_right(client, lesson)
    before = client.get("/api/progress").json()
    deep = b"[" * 100_000 + b"]" * 100_000
    deep_inside = b'{"format": "deepdive-progress", "lessons": ' + deep + b"}"
    bad = [b"not json at all", b"[]", b'{"format": "deepdive-progress", "version": 1}']
    for content in [*bad, deep, deep_inside]:
        files = {"file": ("p.json", content, "application/json")}
        response = client.post("/api/progress/import", files=files)
        assert response.status_code == 422
        assert response.json()["message"].startswith("Nothing was imported")
    assert client.get("/api/progress").json() == before


def test_import_from_the_page_answers_with_an_html_message(client):
    files = {"file": ("p.json", b"{broken", "application/json")}
    response = client.post("/api/progress/import", files=files, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "Nothing was imported: the file is not JSON" in response.text


def test_reset_needs_the_word_reset(client, course):
    _answer_everything_right(client, course.lessons[0])
    refused = client.post("/api/progress/reset", data={"confirm": "yes"})
    assert refused.status_code == 422
    assert client.get("/api/progress").json()["xp"] > 0
    done = client.post("/api/progress/reset", data={"confirm": "reset"})
    assert done.status_code == 200
    assert client.get("/api/progress").json()["xp"] == 0


def test_progress_survives_a_restart_of_the_app(client, course, settings):
    from fastapi.testclient import TestClient

    from deepdive.web.app import create_app

    lesson = course.lessons[0]
    _answer_everything_right(client, lesson)
    with TestClient(create_app(settings, course), base_url="http://127.0.0.1:8000") as restarted:
        assert restarted.get("/api/progress").json()["xp"] == sum(lesson.award_keys.values())


def test_a_reset_from_the_page_refreshes_the_summary_and_the_table_too(client, course):
    lesson = course.lessons[0]
    _answer_everything_right(client, lesson)
    earned = client.get("/api/progress").json()["xp"]
    assert earned > 0
    before = client.get("/progress").text
    assert f"<strong>{earned} XP</strong>" in before
    response = client.post(
        "/api/progress/reset", data={"confirm": "reset"}, headers={"HX-Request": "true"}
    )
    summary = response.text[response.text.index('<div id="progress-summary"') :]
    assert 'hx-swap-oob="true"' in summary.split(">", 1)[0]
    assert "<strong>0 XP</strong>" in summary
    assert f"0 / {sum(lesson.award_keys.values())}" in summary
    assert f"{earned} / " not in summary
