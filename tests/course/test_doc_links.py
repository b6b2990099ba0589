"""The `docs:` list of a lesson: official documentation pages, checked when the course loads."""

from __future__ import annotations

import pytest
from tests.course.test_loader import _line_of, _problems, _replace, lesson_copy  # noqa: F401

FIRST_DOC = "    url: https://fastapi.tiangolo.com/tutorial/first-steps/"


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("http://fastapi.tiangolo.com/tutorial/first-steps/", "write the https:// address"),
        ("https://example.com/fastapi/", "is not on a known documentation site"),
        ("https://fastapi.tiangolo.com.evil.test/", "is not on a known documentation site"),
        ("https://user@fastapi.tiangolo.com/", "is not on a known documentation site"),
        ("javascript:alert(1)", "write the https:// address"),
    ],
)
def test_a_doc_link_off_the_official_sites_is_reported_at_its_line(lesson_copy, url, complaint):  # noqa: F811
    lesson_md = lesson_copy / "lesson.md"
    line = _line_of(lesson_md, FIRST_DOC)
    _replace(lesson_md, FIRST_DOC, f"    url: {url}")
    problems = "\n".join(_problems(lesson_copy.parents[1]))
    assert f"{lesson_md}:{line}: docs.0.url: " in problems
    assert complaint in problems


def test_every_lesson_links_official_docs(course):
    for lesson in course.lessons:
        sites = {doc.site for doc in lesson.meta.docs}
        assert len(lesson.meta.docs) >= 3, lesson.slug
        assert "FastAPI" in sites, lesson.slug
        urls = [doc.url for doc in lesson.meta.docs]
        assert len(set(urls)) == len(urls), lesson.slug


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("auth", "https://fastapi.tiangolo.com/tutorial/security/oauth2-jwt/"),
        ("databases", "https://docs.sqlalchemy.org/en/20/orm/session_basics.html"),
        ("testing", "https://docs.pytest.org/en/stable/how-to/fixtures.html"),
        ("deployment", "https://docs.gunicorn.org/en/stable/settings.html"),
    ],
)
def test_later_lessons_link_the_pages_of_their_topics(client, course, slug, expected):
    assert expected in [doc.url for doc in course.lesson(slug).meta.docs]
    reading = client.get(f"/lessons/{slug}").text.split('id="further-reading"')[1]
    assert f'<a href="{expected}" target="_blank"' in reading.split("</section>")[0]
