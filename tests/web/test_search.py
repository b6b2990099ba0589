"""Search across the course, through HTTP: the results page, the htmx popup, odd queries."""

from __future__ import annotations

import re

import pytest

from deepdive.course.models import Course


def _hits(html: str, kind: str = r"\w+") -> list[str]:
    return re.findall(rf'<a class="search-hit" href="([^"]+)" data-search-hit="{kind}">', html)


def test_results_page_ranks_the_lesson_that_is_about_the_words_first(client):
    html = client.get("/search", params={"q": "dependency overrides"}).text
    hits = _hits(html)
    assert hits, html
    assert hits[0].startswith("/lessons/dependencies"), hits[:3]


def test_a_heading_hit_links_to_its_section_anchor_and_the_anchor_exists(client, course: Course):
    lesson = course.lesson("path-and-query")
    section = next(s for s in lesson.sections if "shadowing" in s.heading.casefold())
    hits = _hits(client.get("/search", params={"q": "shadowing bug"}).text)
    url = f"/lessons/path-and-query#{section.anchor}"
    assert url in hits[:3], hits[:5]
    assert f'id="{section.anchor}"' in client.get("/lessons/path-and-query").text


def test_an_example_hit_links_to_its_lesson_and_names_the_file(client):
    html = client.get("/search", params={"q": "route_order_fixed"}).text
    assert "/lessons/path-and-query" in _hits(html, kind="example")
    assert "<code><mark>route_order_fixed</mark>.py</code>" in html


def test_matched_words_are_highlighted_and_the_text_is_escaped(client):
    html = client.get("/search", params={"q": "hashed_password"}).text
    assert "<mark>hashed_password</mark>" in html
    assert "<script" not in html.split('<section aria-label="Search results"')[1]


@pytest.mark.parametrize("query", ['"', "*", "AND", "NEAR(", "x" * 1000, "\x00 () ^ -"])
def test_odd_queries_give_a_clear_empty_result_not_an_error(client, query: str):
    response = client.get("/search", params={"q": query})
    assert response.status_code == 200
    assert _hits(response.text) == []
    assert '<p class="search-empty">' in response.text
    message = response.text.split('<p class="search-empty">')[1].split("</p>")[0]
    assert "Nothing to search for" in message or "No lesson, section or example mentions" in message


def test_an_empty_query_invites_a_search(client):
    html = client.get("/search").text
    assert "Type a word to search" in html


def test_htmx_requests_get_only_the_results_list(client):
    response = client.get("/search", params={"q": "Depends"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert _hits(response.text)
    blank = client.get("/search", params={"q": ""}, headers={"HX-Request": "true"})
    assert blank.text.strip() == ""


def test_every_page_has_the_search_form_in_the_header(client, course: Course):
    for url in ["/", f"/lessons/{course.lessons[0].slug}", "/progress"]:
        html = client.get(url).text
        header = html.split('<header class="site-header">')[1].split("</header>")[0]
        assert 'action="/search"' in header
        assert 'name="q"' in header
