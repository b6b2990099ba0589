"""The incident debugger: evidence measured on the broken service, fixes graded by hidden tests
in the sandbox, points per test, XP once for the first complete fix, the best score kept."""

from __future__ import annotations

import pytest

FIX = "/api/incidents/route-shadowing/fix"


@pytest.fixture
def incident(course):
    return course.incident("route-shadowing")


def test_the_list_shows_every_incident_unsolved_at_first(client, course):
    page = client.get("/incidents").text
    for item in course.incidents:
        assert f'data-incident="{item.slug}" data-state="unsolved"' in page
    assert "0 / 8" in page


def test_the_page_shows_evidence_measured_on_the_broken_service(client):
    page = client.get("/incidents/route-shadowing").text
    # The broken service really answered /users/me with read_user's 404.
    assert 'data-status="404"' in page
    assert "No user &#39;me&#39;" in page
    assert 'data-status="200"' in page  # /users/alice still works
    assert "<svg" in page
    assert "@app.get(&#34;/users/{username}&#34;)" in page  # the editor holds the broken code


def test_an_unknown_incident_is_404(client):
    assert client.get("/incidents/no-such-thing").status_code == 404


def test_the_broken_service_scores_part_of_the_points_with_visible_messages_only(client, incident):
    graded = client.post(FIX, json={"code": incident.service}).json()
    assert graded["solved"] is False
    assert (graded["xp_awarded"], graded["total"]) == (0, 8)
    lines = {line["name"]: line for line in graded["tests"]}
    me = lines["Me answers for the caller"]
    assert me["passed"] is False
    assert me["message"].startswith("GET /users/me as bob answered 404")
    hidden = [line for line in graded["tests"] if line["visibility"] == "hidden"]
    assert [line["name"] for line in hidden] == ["Hidden test 1", "Hidden test 2", "Hidden test 3"]
    assert all(line["message"] == "" for line in hidden)


def test_a_wrong_fix_is_partly_solved_then_the_reference_fix_earns_75_xp_once(client, incident):
    wrong = client.post(FIX, json={"code": incident.wrong["wrong/delete_the_template_route.py"]})
    partial = wrong.json()
    assert 0 < partial["score"] < partial["total"]
    assert 'data-state="partly solved"' in client.get("/incidents").text
    fixed = client.post(FIX, json={"code": incident.fix}).json()
    assert (fixed["solved"], fixed["score"], fixed["xp_awarded"]) == (True, 8, 75)
    assert fixed["best_score"] == 8
    again = client.post(FIX, json={"code": incident.fix}).json()
    assert (again["xp_awarded"], again["total_xp"]) == (0, 75)
    worse = client.post(FIX, json={"code": incident.service}).json()
    assert worse["best_score"] == 8
    assert 'data-incident="route-shadowing" data-state="solved"' in client.get("/incidents").text


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ("", "Your fix is empty"),
        ("import subprocess\nfrom fastapi import FastAPI\napp = FastAPI()\n", "imports subprocess"),
        ("from _pytest import main\n", "imports _pytest"),
        ("x = 1\n", "could not be tested"),
        ("while True:\n    pass\n", "could not be tested"),
        ("print('x' * 50_000_000)\n", "could not be tested"),
        (
            "from fastapi import FastAPI\nopen('test_check.py').read()\napp = FastAPI()\n",
            "could not be tested",
        ),
    ],
    ids=[
        "empty",
        "forbidden-import",
        "pytest-import",
        "no-app",
        "loop",
        "megabytes",
        "reads-tests",
    ],
)
def test_a_bad_fix_scores_zero_with_a_clear_message(client, code, said):
    graded = client.post(FIX, json={"code": code}).json()
    assert graded["score"] == 0
    assert said in graded["message"]
    assert all(not line["passed"] for line in graded["tests"])
    assert graded["xp_awarded"] == 0


def test_the_page_submits_a_fix_with_htmx_and_keeps_it(client, incident):
    answered = client.post(
        "/incidents/route-shadowing/fix",
        data={"code": incident.fix},
        headers={"HX-Request": "true"},
    )
    assert answered.status_code == 200
    assert 'data-fix-feedback="solved"' in answered.text
    assert "+75 XP" in answered.text
    assert 'id="xp-badge"' in answered.text
    page = client.get("/incidents/route-shadowing").text
    # The editor starts from the learner's last fix, not the broken service.
    editor = page[page.index('data-editor="code"') :]
    assert editor.index("def read_me") < editor.index("def read_user")
