"""Cached pages are never stale: any change to the learner's data shows on the next view."""

from __future__ import annotations

import os
import subprocess
import sys


def _xp_in_page(html: str) -> str:
    return html.split("<strong data-xp>")[1].split("<")[0]


def test_repeat_view_is_identical_and_a_quiz_answer_shows_on_the_next_view(client, course):
    lesson = course.lessons[0]
    first = client.get(f"/lessons/{lesson.slug}").text
    assert client.get(f"/lessons/{lesson.slug}").text == first
    question = lesson.quiz.questions[0]
    client.post(
        f"/api/lessons/{lesson.slug}/quiz/{question.id}",
        json={"answer": sorted(question.correct_indexes)},
    )
    assert _xp_in_page(client.get(f"/lessons/{lesson.slug}").text) == str(
        lesson.question_xp(question)
    )


def test_a_change_made_by_another_process_shows_on_the_next_view(client, course, settings):
    lesson = course.lessons[0]
    question = lesson.quiz.questions[0]
    client.post(
        f"/api/lessons/{lesson.slug}/quiz/{question.id}",
        json={"answer": sorted(question.correct_indexes)},
    )
    assert _xp_in_page(client.get("/").text) != "0"
    subprocess.run(
        [sys.executable, "-m", "deepdive", "progress", "reset", "--yes"],
        env={**os.environ, "DEEPDIVE_DATA_DIR": str(settings.data_dir)},
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert _xp_in_page(client.get("/").text) == "0"


def test_cached_pages_keep_the_security_headers(client):
    client.get("/")
    repeat = client.get("/")
    assert "script-src 'self'" in repeat.headers["content-security-policy"]
    assert repeat.headers["x-frame-options"] == "SAMEORIGIN"


def test_hosted_mode_caches_no_page_even_on_sqlite(settings, course):
    from deepdive.web.app import create_app

    hosted = settings.model_copy(update={"mode": "hosted"})
    cache = create_app(hosted, course).state.page_cache
    assert cache.key("/", 1) is None  # every worker renders from the database, every time
