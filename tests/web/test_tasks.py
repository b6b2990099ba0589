"""Checked tasks: the learner's code is judged in the sandbox, XP is granted once, server-side."""

from __future__ import annotations

import re

TASK = "/api/lessons/basics/tasks/first-endpoint/version-route"


def _code(course, name: str) -> str:
    lesson = course.lesson("basics")
    return lesson.sources[name]


def test_the_starter_fails_with_each_checks_sentence(client, course):
    checked = client.post(TASK, json={"code": _code(course, "examples/first_app.py")}).json()
    assert checked["passed"] is False
    assert checked["xp_awarded"] == 0
    assert checked["message"] == "Not yet: 2 of 3 checks did not pass."
    lines = {line["name"]: line for line in checked["checks"]}
    assert lines["Version answers"]["message"].startswith("GET /version answered 404")
    assert lines["The other routes still answer"]["passed"] is True
    assert checked["attempts"] == 1


def test_a_right_answer_earns_its_xp_once(client, course):
    solution = _code(course, "examples/first_app_with_version.py")
    first = client.post(TASK, json={"code": solution}).json()
    assert first["passed"] is True
    assert first["message"] == "Done: every check passed."
    assert first["xp_awarded"] == 20
    again = client.post(TASK, json={"code": solution}).json()
    assert (again["xp_awarded"], again["total_xp"]) == (0, 20)
    assert again["attempts"] == 2


def test_code_that_does_not_load_is_said_so(client):
    checked = client.post(TASK, json={"code": "def broken(:\n"}).json()
    assert checked["passed"] is False
    assert checked["message"].startswith("Your app could not be checked: Python could not read")


def test_a_tasks_solution_is_given_only_after_a_first_check(client, course):
    assert client.get(f"{TASK}/solution").status_code == 403
    client.post(TASK, json={"code": _code(course, "examples/first_app.py")})
    solution = client.get(f"{TASK}/solution")
    assert solution.status_code == 200
    assert '@app.get("/version")' in solution.json()["code"]


def test_an_unknown_task_is_404(client):
    assert client.post(f"{TASK}-nope", json={"code": ""}).status_code == 404


def test_the_page_shows_the_tasks_and_checks_them_with_htmx(client, course):
    page = client.get("/lessons/basics").text
    assert 'data-task="version-route"' in page
    assert "Show a hint" in page
    answered = client.post(
        "/lessons/basics/tasks/first-endpoint/version-route",
        data={"code": _code(course, "examples/first_app_with_version.py")},
        headers={"HX-Request": "true", "HX-Current-URL": "http://127.0.0.1:8000/lessons/basics"},
    )
    assert answered.status_code == 200
    assert 'data-task-feedback="passed"' in answered.text
    assert "+20 XP" in answered.text
    assert re.search(r'id="xp-badge"[^>]*hx-swap-oob="true"', answered.text)


BUG_TASK = "/api/lessons/testing/tasks/test-runner/catch-missing-delete"


def _testing(course, name: str) -> str:
    return course.lesson("testing").sources[name]


def test_a_fix_without_a_test_that_catches_the_bug_is_refused(client, course):
    checked = client.post(
        BUG_TASK,
        json={
            "code": _testing(course, "examples/bookshelf_fixed.py"),
            "tests": _testing(course, "examples/bookshelf_tests.py"),
        },
    ).json()
    assert checked["passed"] is False
    lines = {line["name"]: line for line in checked["checks"]}
    assert lines["Your tests catch the bug"]["passed"] is False
    assert "still has the bug" in lines["Your tests catch the bug"]["message"]
    assert lines["Your tests pass against the fixed app"]["passed"] is True
    assert lines["Deleting a missing book is 404"]["passed"] is True


def test_a_test_that_catches_the_bug_and_the_fix_earn_the_xp(client, course):
    answer = {
        "code": _testing(course, "examples/bookshelf_fixed.py"),
        "tests": _testing(course, "examples/bookshelf_fixed_tests.py"),
    }
    checked = client.post(BUG_TASK, json=answer).json()
    assert checked["passed"] is True, checked
    assert checked["xp_awarded"] == 30
    solution = client.get(f"{BUG_TASK}/solution").json()
    assert solution["tests"] == answer["tests"]


def test_tests_that_do_not_parse_are_said_so_in_the_verdict(client, course):
    checked = client.post(
        BUG_TASK,
        json={"code": _testing(course, "examples/bookshelf_fixed.py"), "tests": "def test(:\n"},
    ).json()
    lines = {line["name"]: line for line in checked["checks"]}
    assert lines["Your tests catch the bug"]["message"].startswith("Your tests could not run:")
    assert checked["passed"] is False
