"""The benchmark from the page: the last result, its chart, and a run streamed as it goes."""

from __future__ import annotations

import json
import shutil

import pytest
from tests.conftest import CourseClient

from deepdive.db.migrate import open_database
from deepdive.web.app import create_app


def test_before_any_run_the_page_says_how_to_run_it(client):
    latest = client.get("/api/bench/latest").json()
    assert latest["result"] is None
    assert "deepdive bench" in latest["message"]
    assert latest["can_run"] is True
    assert client.get("/bench/latest.svg").status_code == 404


def test_the_lesson_places_the_benchmark_and_the_final_challenge(client, course):
    lesson = course.lesson("choosing-a-framework")
    page = client.get(f"/lessons/{lesson.slug}").text
    assert "data-benchmark" in page
    final = next(q for q in lesson.quiz.questions if q.final)
    assert page.count(f'id="question-{final.id}"') == 1
    assert "Final challenge:" in page
    assert page.index('id="benchmark"') < page.index(f'id="question-{final.id}"')


def test_a_second_run_while_one_is_running_is_refused(client, app):
    from deepdive.web.routes.bench import _lock

    class Held:
        app = None

    held = Held()
    held.app = app
    lock = _lock(held)  # type: ignore[arg-type]
    assert lock.acquire(blocking=False)
    try:
        response = client.post("/api/bench", json={"quick": True})
        assert response.status_code == 409
        assert "already running" in response.json()["message"]
    finally:
        lock.release()


def test_a_hosted_course_has_no_benchmark_button(settings, course):
    hosted = settings.model_copy(update={"mode": "hosted"})
    open_database(hosted.database_url or "").dispose()
    with CourseClient(create_app(hosted, course), base_url="https://127.0.0.1:8000") as client:
        assert client.get("/api/bench/latest").json()["can_run"] is False
        client.get("/health")
        headers = {
            "X-CSRF-Token": client.cookies["deepdive_csrf"],
            "Origin": "https://127.0.0.1:8000",
        }
        refused = client.request("POST", "/api/bench", json={"quick": True}, headers=headers)
        assert refused.status_code == 404
        assert "on your own machine" in refused.json()["message"]


@pytest.mark.skipif(shutil.which("wrk") is None, reason="the benchmark needs wrk (apt install wrk)")
def test_a_quick_run_streams_progress_then_saves_its_result_and_chart(client):
    events = []
    with client.stream(
        "POST",
        "/api/bench",
        json={"quick": True},
        headers={**client.csrf_headers(), "Accept": "application/x-ndjson"},
    ) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line:
                events.append(json.loads(line))
    kinds = [event["type"] for event in events]
    assert kinds[0] == "started"
    assert kinds.count("progress") >= 10
    assert kinds[-1] == "result", events[-1]
    result = events[-1]["result"]
    assert result["frameworks"] == ["FastAPI", "Flask", "Django REST Framework"]
    for name in result["frameworks"]:
        for endpoint in ("hello", "path", "post"):
            figures = result["figures"][name][endpoint]
            assert figures["cpu_us_per_request"] > 0
            assert figures["errors"] == 0
    latest = client.get("/api/bench/latest").json()
    assert latest["result"]["started_at"] == result["started_at"]
    chart = client.get("/bench/latest.svg")
    assert chart.headers["content-type"] == "image/svg+xml"
    assert "Django REST Framework" in chart.text
