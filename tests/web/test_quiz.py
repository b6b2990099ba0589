"""Quiz answers are checked on the server and XP is granted exactly once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from tests.conftest import solve_lesson

from deepdive.course.models import Course


def _first_question(course: Course):
    lesson = course.lessons[0]
    question = lesson.quiz.questions[0]
    right = sorted(question.correct_indexes)
    wrong = [i for i in range(len(question.options)) if i not in question.correct_indexes][:1]
    return lesson, question, right, wrong


def test_wrong_answer_earns_nothing_and_explains_only_the_chosen_option(client, course):
    lesson, question, _right, wrong = _first_question(course)
    body = client.post(
        f"/api/lessons/{lesson.slug}/quiz/{question.id}", json={"answer": wrong}
    ).json()
    assert body["correct"] is False
    assert body["xp_awarded"] == 0
    assert [e["text"] for e in body["explanations"]] == [question.options[wrong[0]].text]


def test_right_answer_earns_the_question_xp_once(client, course):
    lesson, question, right, _wrong = _first_question(course)
    url = f"/api/lessons/{lesson.slug}/quiz/{question.id}"
    first = client.post(url, json={"answer": right}).json()
    second = client.post(url, json={"answer": right}).json()
    assert first["correct"]
    assert first["xp_awarded"] == lesson.question_xp(question)
    assert second["correct"]
    assert second["xp_awarded"] == 0
    assert second["total_xp"] == lesson.question_xp(question)
    assert len(first["explanations"]) == len(question.options)


def test_same_correct_answer_sent_20_times_concurrently_awards_xp_once(live_server, course):
    lesson, question, right, _wrong = _first_question(course)
    with httpx.Client(base_url=live_server.url) as browser:
        browser.get("/")
        headers = {"X-CSRF-Token": browser.cookies["deepdive_csrf"], "Origin": live_server.url}
        cookies = dict(browser.cookies)

    def submit(_: int) -> dict:
        with httpx.Client(base_url=live_server.url, cookies=cookies) as c:
            url = f"/api/lessons/{lesson.slug}/quiz/{question.id}"
            response = c.post(url, json={"answer": right}, headers=headers)
            assert response.status_code == 200, response.text
            return response.json()

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(submit, range(20)))
    granted = [r["xp_awarded"] for r in results if r["xp_awarded"]]
    assert granted == [lesson.question_xp(question)]
    progress = httpx.get(f"{live_server.url}/api/progress").json()
    assert progress["xp"] == lesson.question_xp(question)


def test_malformed_json_gets_a_readable_422(client, course):
    lesson, question, _right, _wrong = _first_question(course)
    response = client.post(
        f"/api/lessons/{lesson.slug}/quiz/{question.id}",
        content=b'{"answer": [0',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "Some input was missing or invalid"
    # Where the text breaks off, said as such (not as a field called "13").
    assert body["detail"] == [
        {
            "field": "request body",
            "message": "not valid JSON: Expecting ',' delimiter at character 13",
        }
    ]
    assert (
        body["message"] == "request body: not valid JSON: Expecting ',' delimiter at character 13"
    )


def test_answer_outside_the_options_is_refused(client, course):
    lesson, question, _right, _wrong = _first_question(course)
    response = client.post(f"/api/lessons/{lesson.slug}/quiz/{question.id}", json={"answer": [99]})
    assert response.status_code == 422
    assert "not one of the options" in response.json()["message"]


def test_page_form_without_an_answer_gets_an_html_message_not_an_error(client, course):
    lesson, question, _right, _wrong = _first_question(course)
    response = client.post(
        f"/lessons/{lesson.slug}/quiz/{question.id}", data={}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "Pick an answer first." in response.text


def test_page_form_with_garbage_answer_gets_an_html_422(client, course):
    lesson, question, _right, _wrong = _first_question(course)
    response = client.post(
        f"/lessons/{lesson.slug}/quiz/{question.id}",
        data={"answer": "not-a-number"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "answer" in response.text
    assert "valid integer" in response.text


def test_right_answer_from_the_page_updates_contents_and_xp_badge(client, course):
    lesson, question, right, _wrong = _first_question(course)
    response = client.post(
        f"/lessons/{lesson.slug}/quiz/{question.id}",
        data={"answer": [str(i) for i in right]},
        headers={"HX-Request": "true"},
    )
    xp = lesson.question_xp(question)
    assert response.status_code == 200
    assert f"+{xp} XP" in response.text
    assert 'id="toc" class="toc" aria-label="Course contents" hx-swap-oob="true"' in response.text
    assert f"<strong data-xp>{xp}</strong>" in response.text


def test_unknown_question_is_a_404(client, course):
    lesson = course.lessons[0]
    response = client.post(f"/api/lessons/{lesson.slug}/quiz/nope", json={"answer": [0]})
    assert response.status_code == 404


def test_lesson_is_done_when_every_question_and_task_is_solved(client, course):
    lesson = course.lessons[0]
    for question in lesson.quiz.questions:
        client.post(
            f"/api/lessons/{lesson.slug}/quiz/{question.id}",
            json={"answer": sorted(question.correct_indexes)},
        )
    assert client.get("/api/progress").json()["lessons"][0]["state"] == "in-progress"
    solve_lesson(client, lesson)
    summary = client.get("/api/progress").json()
    assert summary["lessons"][0]["state"] == "done"
    assert summary["xp"] == sum(lesson.award_keys.values())


def _multiple_choice(course: Course):
    for lesson in course.lessons:
        for question in lesson.quiz.questions:
            if question.type == "multiple" and len(question.correct_indexes) >= 2:
                return lesson, question
    raise AssertionError("the course has no question with several right options")


def test_a_partly_right_multiple_choice_answer_says_more_options_are_needed(client, course):
    lesson, question = _multiple_choice(course)
    some = sorted(question.correct_indexes)[:1]
    url = f"/api/lessons/{lesson.slug}/quiz/{question.id}"
    body = client.post(url, json={"answer": some}).json()
    assert body["correct"] is False
    assert "Every option you chose is right" in body["advice"]
    page = client.post(
        f"/lessons/{lesson.slug}/quiz/{question.id}",
        data={"answer": [str(i) for i in some]},
        headers={"HX-Request": "true"},
    )
    assert "more options are right too" in page.text or "another option is right too" in page.text
    wrong = next(i for i in range(len(question.options)) if i not in question.correct_indexes)
    mixed = client.post(url, json={"answer": [*some, wrong]}).json()
    assert "Some of your choices are right and some are not" in mixed["advice"]
