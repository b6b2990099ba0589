"""The recommender's routes: a fragment for htmx, a full page for a plain form, JSON for the API,
and a 422 that names each missing or unknown answer."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from markupsafe import escape

URL = "/lessons/choosing-a-framework/recommendation"
API = "/api/lessons/choosing-a-framework/recommendation"
FLASK_SITE = {
    "project": "website",
    "team": "flask",
    "pages": "templates",
    "concurrency": "none",
    "consumers": "browsers",
    "deadline": "tight",
}


@pytest.fixture
def expected(course):
    return course.lesson("choosing-a-framework").recommender.recommend(FLASK_SITE)


def test_the_lesson_page_has_a_plain_get_form_with_every_question(client, course):
    page = client.get("/lessons/choosing-a-framework").text
    questionnaire = course.lesson("choosing-a-framework").recommender
    assert f'method="get" action="{URL}#recommendation"' in page
    assert f'hx-get="{URL}"' in page
    for question in questionnaire.questions:
        for option in question.options:
            assert f'name="{question.id}" value="{option.id}" required>' in page


def test_htmx_gets_the_recommendation_alone(client, expected):
    response = client.get(f"{URL}?{urlencode(FLASK_SITE)}", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div class="recommendation')
    assert "<html" not in response.text
    assert 'data-winner="flask"' in response.text
    for reason in expected.reasons:
        assert f'{escape(reason.text)} <a href="{reason.url}"' in response.text


def test_without_javascript_the_form_leads_to_a_full_page_answered(client, expected):
    response = client.get(f"{URL}?{urlencode(FLASK_SITE)}")
    assert response.status_code == 200
    page = response.text
    assert "<html" in page
    assert 'id="toc"' in page  # the course's layout, with its table of contents
    assert 'data-winner="flask"' in page
    for question, option in FLASK_SITE.items():
        assert f'name="{question}" value="{option}" required checked>' in page
    assert page.count(" checked>") == len(FLASK_SITE)
    assert f"Runner-up: {expected.runner_up.name}" in page


def test_the_api_answers_with_json(client, expected):
    response = client.get(API, params=FLASK_SITE)
    assert response.status_code == 200
    body = response.json()
    assert body == expected.model_dump(mode="json")
    assert body["winner"]["name"] == "Flask"
    assert body["reasons"][0]["url"].startswith("/lessons/")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"team": None}, "team", "no answer to 'What does the team already know?'"),
        ({"deadline": "yesterday"}, "deadline", "'yesterday' is not an answer; choose tight"),
        ({"colour": "blue"}, "colour", "there is no question 'colour'"),
    ],
)
def test_a_missing_or_unknown_answer_is_a_readable_422(client, change, field, words):
    answers = {**FLASK_SITE, **change}
    query = urlencode({k: v for k, v in answers.items() if v is not None})

    api = client.get(f"{API}?{query}")
    assert api.status_code == 422
    assert api.json()["detail"] == [{"field": field, "message": api.json()["detail"][0]["message"]}]
    assert words in api.json()["detail"][0]["message"]

    fragment = client.get(f"{URL}?{query}", headers={"HX-Request": "true"})
    assert fragment.status_code == 422
    assert 'role="alert"' in fragment.text
    assert str(escape(words)) in fragment.text
    assert "<html" not in fragment.text

    page = client.get(f"{URL}?{query}")
    assert page.status_code == 422
    assert "<html" in page.text
    assert f"<strong>{field}</strong>" in page.text


def test_a_lesson_without_a_recommender_has_none(client):
    response = client.get(f"/api/lessons/basics/recommendation?{urlencode(FLASK_SITE)}")
    assert response.status_code == 404
    assert "no recommender" in response.json()["message"]
