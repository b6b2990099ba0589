"""A learner never sees another learner's work: every GET route a learner can reach is walked
by two accounts, and neither's saved code nor XP shows up in the other's answers."""

from __future__ import annotations

import re

from tests.hosted.instructor_world import World, http_routes

ANA_CODE = "# ANA-OWN-CODE-5521"
BEN_CODE = "# BEN-OWN-CODE-8842"
# Not a learner's: the API's own documentation, and the instructor view (tested on its own).
SKIPPED = ("/cohorts", "/api/docs", "/api/openapi.json", "/docs/oauth2-redirect")


def _values(course) -> dict[str, str]:
    lesson = course.lessons[0]
    interactive = lesson.meta.interactives[0]
    return {
        "slug": lesson.slug,
        "interactive_id": interactive.id,
        "task_id": interactive.tasks[0].id,
        "relative": "main.py",
    }


def _url(path: str, values: dict[str, str], course) -> str:
    if path == "/incidents/{slug}":
        return f"/incidents/{course.incidents[0].slug}"
    # A parameter no learner data hangs on (a reset token, ...) gets a made-up value.
    return re.sub(
        r"\{(\w+)(:\w+)?\}", lambda match: values.get(match.group(1), "made-up-value"), path
    )


def _work(world: World, course, who: str, code: str, questions: int) -> int:
    """`who` saves `code` in lesson 1's first editor and in the first incident, and answers
    `questions` questions right; returns the XP that earns."""
    lesson = course.lessons[0]
    client = world.client(who)
    widget = f"{lesson.slug}/{lesson.meta.interactives[0].id}"
    app_code = f"{code}\nfrom fastapi import FastAPI\napp = FastAPI()\n"
    assert client.put(f"/api/drafts/{widget}", json={"code": app_code}).status_code == 200
    incident = course.incidents[0]
    fix = client.post(
        f"/api/incidents/{incident.slug}/fix", json={"code": f"{code}\n{incident.service}"}
    )
    assert fix.status_code == 200, fix.text
    xp = 0
    for question in lesson.quiz.questions[:questions]:
        answer = {"answer": sorted(question.correct_indexes)}
        xp += client.post(f"/api/lessons/{lesson.slug}/quiz/{question.id}", json=answer).json()[
            "xp_awarded"
        ]
    return xp


def test_no_learner_route_shows_another_learners_code_or_xp(world, course):
    ana_xp = _work(world, course, "ana", ANA_CODE, questions=5)
    ben_xp = _work(world, course, "ben", BEN_CODE, questions=1)
    assert ana_xp != ben_xp
    values = _values(course)
    routes = [
        path
        for method, path in http_routes(world.app)
        if method == "GET" and not path.startswith(SKIPPED)
    ]
    assert {"/lessons/{slug}", "/incidents/{slug}", "/api/progress/export"} <= set(routes)
    for path in routes:
        url = _url(path, values, course)
        # ana first: anything kept from her visit must not reach ben, and the other way round.
        for me, my_code, my_xp, other_code, other_xp in (
            ("ana", ANA_CODE, ana_xp, BEN_CODE, ben_xp),
            ("ben", BEN_CODE, ben_xp, ANA_CODE, ana_xp),
        ):
            response = world.client(me).get(url)
            assert response.status_code < 500, (me, url, response.status_code)
            assert other_code not in response.text, (me, url)
            assert f"<strong data-xp>{other_xp}</strong>" not in response.text, (me, url)
            if path in ("/lessons/{slug}", "/incidents/{slug}", "/api/progress/export"):
                assert my_code in response.text, (me, url)  # the walk reaches real data
            if path == "/api/progress":
                assert response.json()["xp"] == my_xp
