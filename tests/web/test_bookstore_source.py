"""Lessons link into the Bookstore API's source, which the course serves highlighted."""

from __future__ import annotations

import re
import shutil

import pytest
from tests.conftest import CONTENT_DIR

from deepdive.course.loader import ContentError, load_course


def test_every_bookstore_link_in_the_lessons_opens_the_right_file_and_line(client, course):
    links = set()
    for lesson in course.lessons:
        html = client.get(f"/lessons/{lesson.slug}").text
        links |= set(re.findall(r'href="(/bookstore/[^"#]+)(?:#(L-\d+))?"', html))
    assert links, "no lesson links to the Bookstore API"
    for path, anchor in links:
        page = client.get(path)
        assert page.status_code == 200, path
        if anchor:
            assert f'id="{anchor}"' in page.text


def test_source_view_lists_files_and_refuses_paths_outside_the_package(client):
    index = client.get("/bookstore")
    assert 'href="/bookstore/api/routes/books.py"' in index.text
    assert client.get("/bookstore/../deepdive/settings.py").status_code == 404
    assert client.get("/bookstore/core/missing.py").status_code == 404


def test_a_link_to_a_file_that_does_not_exist_is_a_content_error(tmp_path):
    first = sorted((CONTENT_DIR / "lessons").glob("01-*"))[0]
    target = tmp_path / "content" / "lessons" / first.name
    shutil.copytree(first, target, ignore=shutil.ignore_patterns("__pycache__"))
    lesson_md = target / "lesson.md"
    lesson_md.write_text(lesson_md.read_text() + "\nSee [this](bookstore:api/gone.py).\n")
    with pytest.raises(ContentError, match=r"src/bookstore/api/gone.py does not exist"):
        load_course(tmp_path / "content")


def test_the_readme_is_shown_as_a_document_with_the_xp_badge_in_the_header(client):
    index = client.get("/bookstore").text
    assert 'id="xp-badge"' in index
    document = index[index.index('class="source-document"') :]
    assert "<h2" in document
    assert "\n## " not in document  # headings are rendered, not shown as Markdown
    assert 'class="copy-code"' in document  # its commands are code blocks like the lessons'


def test_code_blocks_can_take_keyboard_focus_to_scroll(client, course):
    lesson = client.get(f"/lessons/{course.lessons[0].slug}").text
    source = client.get("/bookstore/api/routes/books.py").text
    for html in (lesson, source):
        assert "<pre>" not in html
        assert '<pre tabindex="0">' in html
