"""Who may open the instructor view: every route under /cohorts, walked for every kind of
visitor. A refusal is a 403 whose body shows nothing of the cohort's data."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from tests.hosted.instructor_world import DISPLAY_NAMES, World, http_routes, make_world

MARKER = "ANA-PRIVATE-CODE-7731"
KNOWN_ROUTES = {
    ("GET", "/cohorts"),
    ("GET", "/cohorts/{cohort_id}"),
    ("GET", "/cohorts/{cohort_id}/items"),
    ("GET", "/cohorts/{cohort_id}/learners/{member_id}"),
    ("GET", "/cohorts/{cohort_id}/export.csv"),
}


@pytest.fixture
def world(hosted_app, course) -> Iterator[World]:
    world = make_world(hosted_app, course)
    lesson = course.lessons[0]
    ana = world.client("ana")
    question = lesson.quiz.questions[0]
    answer = {"answer": sorted(question.correct_indexes)}
    assert ana.post(f"/api/lessons/{lesson.slug}/quiz/{question.id}", json=answer).json()["correct"]
    widget = f"{lesson.slug}/{lesson.meta.interactives[0].id}"
    code = f"# {MARKER}\nfrom fastapi import FastAPI\napp = FastAPI()\n"
    assert ana.put(f"/api/drafts/{widget}", json={"code": code}).status_code == 200
    bo = world.client("bob")
    assert bo.put(f"/api/drafts/{widget}", json={"code": "# BO-PRIVATE-CODE\n"}).status_code == 200
    yield world
    world.close()


def cohort_routes(app) -> list[tuple[str, str]]:
    return [(method, path) for method, path in http_routes(app) if path.startswith("/cohorts")]


def _url(path: str, cohort: int, learner: int) -> str:
    """The route's path with its first parameter the cohort and its second the learner."""
    values = iter((cohort, learner))
    return re.sub(r"\{[^}]+\}", lambda _: str(next(values)), path)


def _request(world: World, who: str | None, method: str, url: str):
    client = world.client(who)
    return client.request(method, url) if method == "GET" else client.request(method, url, data={})


def _leaks(world: World, body: str, viewer: str | None) -> list[str]:
    """Whatever of the cohorts' data (names, codes, saved code) is in `body`."""
    secrets = {"Spring cohort", "Autumn cohort", "SPRING-1", "AUTUMN-1", MARKER, "BO-PRIVATE-CODE"}
    secrets |= {name for who, name in DISPLAY_NAMES.items() if who != viewer}
    found = [secret for secret in secrets if secret in body]
    for username in ("ana", "ben", "cyd", "bob"):
        if username != viewer and re.search(rf"[>\"' ]{username}[<\"' ,]", body):
            found.append(username)
    return found


def test_the_matrix_covers_every_instructor_route(hosted_app):
    assert set(cohort_routes(hosted_app)) >= KNOWN_ROUTES


def test_instructor_routes_exist_only_in_hosted_mode(client):
    assert client.get("/cohorts").status_code == 404


# (who, which cohort's URL, which learner in it, which routes): none of these may see anything.
# "all": every route; "cohort": the routes about one cohort; "learner": those about one learner.
REFUSED = [
    ("ana", "a", "ana", "all"),  # a learner of A, even about herself
    ("lea", "a", "ana", "all"),  # a learner of no cohort
    ("ivan", "a", "ana", "cohort"),  # the instructor of B opening A
    ("ines", "b", "bob", "cohort"),  # the instructor of A opening B
    ("ines", "a", "bob", "learner"),  # a learner of B through A's URL
    ("ivan", "b", "ana", "learner"),  # a learner of A through B's URL
    ("ines", "a", "ines", "learner"),  # an instructor is not one of the cohort's learners
    ("ines", "missing", "ana", "cohort"),  # a cohort that does not exist (not told apart)
]


@pytest.mark.parametrize(("who", "cohort", "learner", "routes"), REFUSED)
def test_refused_visitors_get_403_and_see_nothing(world, who, cohort, learner, routes):
    cohort_id = {"a": world.cohort_a, "b": world.cohort_b, "missing": 999_999}[cohort]
    least_parameters = {"all": 0, "cohort": 1, "learner": 2}[routes]
    walked = 0
    for method, path in cohort_routes(world.app):
        if path.count("{") < least_parameters:
            continue
        url = _url(path, cohort_id, world.ids[learner])
        response = _request(world, who, method, url)
        assert response.status_code == 403, (who, method, url, response.status_code)
        assert _leaks(world, response.text, who) == [], (who, method, url)
        walked += 1
    assert walked >= 1


ALLOWED = [("ines", "a", "ana"), ("adm", "a", "ana"), ("adm", "b", "bob"), ("ivan", "b", "bob")]


@pytest.mark.parametrize(("who", "cohort", "learner"), ALLOWED)
def test_instructors_and_admins_open_their_cohorts(world, who, cohort, learner):
    cohort_id = world.cohort_a if cohort == "a" else world.cohort_b
    for method, path in cohort_routes(world.app):
        url = _url(path, cohort_id, world.ids[learner])
        response = _request(world, who, method, url)
        assert response.status_code in (200, 201), (who, method, url, response.status_code)
        if method == "GET":  # the pages of other people's work are never kept by a cache
            assert response.headers.get("cache-control") == "no-store, private", url


def test_each_instructor_lists_only_the_cohorts_they_follow(world):
    ines = world.client("ines").get("/cohorts").text
    assert "Spring cohort" in ines
    assert "Autumn cohort" not in ines
    ivan = world.client("ivan").get("/cohorts").text
    assert "Autumn cohort" in ivan
    assert "Spring cohort" not in ivan
    admin = world.client("adm").get("/cohorts").text
    assert "Spring cohort" in admin
    assert "Autumn cohort" in admin


def test_an_admin_asking_for_a_cohort_that_does_not_exist_gets_404(world):
    assert world.client("adm").get("/cohorts/999999").status_code == 404


def test_a_learner_after_an_instructor_still_gets_403(world):
    """Whatever a cache kept of the instructor's visit is not served to the learner."""
    table = f"/cohorts/{world.cohort_a}"
    assert MARKER in world.client("ines").get(f"{table}/learners/{world.ids['ana']}").text
    for url in (table, f"{table}/learners/{world.ids['ana']}", f"{table}/export.csv"):
        assert world.client("ines").get(url).status_code == 200
        response = world.client("ben").get(url)
        assert response.status_code == 403
        assert _leaks(world, response.text, "ben") == []


def test_not_logged_in_pages_and_the_csv_redirect_to_login(world):
    for method, path in cohort_routes(world.app):
        if method != "GET":
            continue
        url = _url(path, world.cohort_a, world.ids["ana"])
        response = world.client(None).get(url)
        assert response.status_code == 303, (url, response.status_code)
        assert response.headers["location"].startswith("/login?next="), url
        assert _leaks(world, response.text, None) == [], url
    # A script asking for data gets a 401 instead of a login page.
    scripted = world.client(None).get(
        f"/cohorts/{world.cohort_a}/export.csv", headers={"Accept": "application/json"}
    )
    assert scripted.status_code == 401
    assert _leaks(world, scripted.text, None) == []
