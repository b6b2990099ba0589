"""Challenge answers are checked by running the app in the sandbox; XP is granted exactly once."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from tests.conftest import BASE_URL, CONTENT_DIR, CourseClient

from deepdive.course.loader import load_course
from deepdive.db.migrate import open_database
from deepdive.web.app import create_app

SLUG = "dependencies"
CHALLENGE = "settings-calls"
API = f"/api/lessons/{SLUG}/challenges/{CHALLENGE}"
PAGE = f"/lessons/{SLUG}/challenges/{CHALLENGE}"


def test_wrong_answer_earns_nothing_and_gives_nothing_away(client):
    response = client.post(API, json={"answer": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["correct"] is False
    assert body["xp_awarded"] == 0
    assert body["total_xp"] == 0
    assert body["measured"] is None
    assert body["trace"] is None


def test_right_answer_earns_50_xp_once_and_shows_the_real_trace(client):
    first = client.post(API, json={"answer": 1}).json()
    second = client.post(API, json={"answer": 1}).json()
    assert (first["correct"], first["xp_awarded"], first["total_xp"]) == (True, 50, 50)
    assert (second["correct"], second["xp_awarded"], second["total_xp"]) == (True, 0, 50)
    assert first["measured"] == 1
    trace = first["trace"]
    assert (trace["method"], trace["path"], trace["status"]) == ("GET", "/books", 200)
    assert trace["calls"]["get_settings"] == 1
    assert trace["cache_hits"] == {"get_settings": 1}
    assert "cache" in first["explanation"]


def test_same_right_answer_sent_concurrently_awards_xp_once(live_server):
    with httpx.Client(base_url=live_server.url) as browser:
        browser.get("/")
        headers = {"X-CSRF-Token": browser.cookies["deepdive_csrf"], "Origin": live_server.url}
        cookies = dict(browser.cookies)

    def submit(_: int) -> httpx.Response:
        with httpx.Client(base_url=live_server.url, cookies=cookies, timeout=60) as c:
            return c.post(API, json={"answer": 1}, headers=headers)

    with ThreadPoolExecutor(max_workers=5) as pool:
        responses = list(pool.map(submit, range(5)))
    # A learner has at most one run going and one waiting; the others are asked to wait.
    checked = [r.json() for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code == 429]
    assert len(checked) >= 2
    assert len(checked) + len(refused) == 5
    assert all(r.headers["retry-after"] for r in refused)
    assert all(result["correct"] for result in checked)
    assert [r["xp_awarded"] for r in checked if r["xp_awarded"]] == [50]
    assert httpx.get(f"{live_server.url}/api/progress").json()["xp"] == 50


@pytest.fixture
def variant_client(tmp_path: Path, settings) -> CourseClient:
    """The course with one change: the challenge runs the lesson's `use_cache=False` variant,
    where `get_settings` really runs twice per request."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content, ignore=shutil.ignore_patterns("__pycache__"))
    lesson_md = content / "lessons" / "05-dependencies" / "lesson.md"
    text = lesson_md.read_text()
    checked = "      app: examples/nested_dependencies.py"
    assert checked in text
    lesson_md.write_text(text.replace(checked, "      app: examples/no_cache_dependency.py"))
    open_database(settings.database_url or "").dispose()
    app = create_app(settings.model_copy(update={"content_dir": content}), load_course(content))
    with CourseClient(app, base_url=BASE_URL) as test_client:
        yield test_client


def test_the_check_counts_the_calls_of_the_app_it_runs(variant_client):
    wrong = variant_client.post(API, json={"answer": 1}).json()
    right = variant_client.post(API, json={"answer": 2}).json()
    assert (wrong["correct"], wrong["xp_awarded"]) == (False, 0)
    assert (right["correct"], right["xp_awarded"], right["measured"]) == (True, 50, 2)
    assert right["trace"]["calls"]["get_settings"] == 2


def test_right_answer_from_the_page_updates_contents_and_xp_badge(client):
    response = client.post(PAGE, data={"answer": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'data-feedback="correct"' in response.text
    assert "+50 XP" in response.text
    assert "<template data-challenge-trace>" in response.text
    assert 'id="toc" class="toc" aria-label="Course contents" hx-swap-oob="true"' in response.text
    assert "<strong data-xp>50</strong>" in response.text


def test_wrong_answer_from_the_page_keeps_the_number_and_says_so(client):
    response = client.post(PAGE, data={"answer": "4"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'data-feedback="wrong"' in response.text
    assert 'value="4"' in response.text
    assert "data-challenge-trace" not in response.text
    assert "<strong data-xp>0</strong>" in response.text


@pytest.mark.parametrize("answer", ["", "one", "-1", "2.5", "1001"])
def test_an_answer_that_is_not_a_whole_number_gets_an_html_422(client, answer):
    response = client.post(PAGE, data={"answer": answer}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "Answer with a whole number" in response.text


def test_api_refuses_a_negative_answer(client):
    assert client.post(API, json={"answer": -1}).status_code == 422


def test_unknown_challenge_is_a_404(client):
    response = client.post(f"/api/lessons/{SLUG}/challenges/nope", json={"answer": 1})
    assert response.status_code == 404
    assert "no challenge 'nope'" in response.json()["message"]


def test_lesson_is_done_only_once_the_challenge_and_the_tasks_are_solved_too(client, course):
    lesson = course.lesson(SLUG)
    for question in lesson.quiz.questions:
        client.post(
            f"/api/lessons/{SLUG}/quiz/{question.id}",
            json={"answer": sorted(question.correct_indexes)},
        )

    def state() -> str:
        lessons = client.get("/api/progress").json()["lessons"]
        return next(item["state"] for item in lessons if item["slug"] == SLUG)

    assert state() == "in-progress"
    client.post(API, json={"answer": 1})
    assert state() == "in-progress"  # the interactive's tasks are not done yet
    interactive = lesson.interactive("resolution-chain")
    for task in interactive.tasks:
        code = lesson.sources[str(task.solution)]
        checked = client.post(
            f"/api/lessons/{SLUG}/tasks/{interactive.id}/{task.id}", json={"code": code}
        ).json()
        assert checked["passed"], checked
    assert state() == "done"


def test_answers_over_the_rate_limit_get_429_with_retry_after(settings, course):
    limited = settings.model_copy(update={"sandbox_runs_per_minute": 1})
    open_database(limited.database_url or "").dispose()
    with CourseClient(create_app(limited, course), base_url=BASE_URL) as client:
        assert client.post(API, json={"answer": 3}).status_code == 200
        api = client.post(API, json={"answer": 1})
        page = client.post(PAGE, data={"answer": "1"}, headers={"HX-Request": "true"})
    for response in (api, page):
        assert response.status_code == 429
        assert int(response.headers["retry-after"]) >= 1
    assert "times a minute" in api.json()["message"]
    assert "times a minute" in page.text


def test_without_a_runner_the_answer_is_not_judged(settings, course):
    offline = settings.model_copy(update={"runner_url": None})
    open_database(offline.database_url or "").dispose()
    with CourseClient(create_app(offline, course), base_url=BASE_URL) as offline_client:
        api = offline_client.post(API, json={"answer": 1})
        page = offline_client.post(PAGE, data={"answer": "1"}, headers={"HX-Request": "true"})
    assert api.status_code == 503
    assert "sandbox runner is not available" in api.json()["message"]
    assert page.status_code == 503
    assert "sandbox runner is not available" in page.text
    assert 'data-feedback="error"' in page.text


def test_answer_from_the_course_page_marks_no_lesson_as_current(client):
    from_course = client.post(
        PAGE, data={"answer": "2"}, headers={"HX-Request": "true", "HX-Current-URL": BASE_URL}
    )
    from_lesson = client.post(
        PAGE,
        data={"answer": "2"},
        headers={"HX-Request": "true", "HX-Current-URL": f"{BASE_URL}/lessons/{SLUG}"},
    )
    assert 'aria-current="page"' not in from_course.text
    assert 'aria-current="page"' in from_lesson.text
