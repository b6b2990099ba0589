"""An instructor in a real browser: sorts the cohort table, opens a learner, downloads the CSV;
on a phone the table scrolls inside its own box instead of widening the page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from tests.conftest import LiveServer, free_port
from tests.hosted.conftest import (
    hosted_settings as hosted_settings,
)
from tests.hosted.instructor_world import World, make_world


@pytest.fixture
def hosted_server(hosted_settings, course) -> Iterator[tuple[LiveServer, World]]:
    from deepdive.db.migrate import open_database
    from deepdive.web.app import create_app

    port = free_port()
    settings = hosted_settings.model_copy(update={"port": port})
    open_database(settings.database_url or "").dispose()
    app = create_app(settings, course)
    world = make_world(app, course)
    lesson = course.lessons[0]
    for who, questions in (("ana", 3), ("ben", 1)):
        client = world.client(who)
        for question in lesson.quiz.questions[:questions]:
            answer = {"answer": sorted(question.correct_indexes)}
            client.post(f"/api/lessons/{lesson.slug}/quiz/{question.id}", json=answer)
    widget = f"{lesson.slug}/{lesson.meta.interactives[0].id}"
    world.client("ana").put(f"/api/drafts/{widget}", json={"code": "# ANA-IN-BROWSER\n"})
    with LiveServer(app, port) as server:
        yield server, world
    world.close()


def _signed_in_page(browser: Browser, server: LiveServer, world: World, **context):
    page = browser.new_context(**context, accept_downloads=True).new_page()
    page.goto(f"{server.url}/login")
    page.fill("input[name=username]", "ines")
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def test_an_instructor_sorts_opens_a_learner_and_downloads_the_csv(browser, hosted_server):
    server, world = hosted_server
    page = _signed_in_page(browser, server, world, viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server.url}/cohorts")
    page.click("text=Spring cohort")
    rows = page.locator("tbody tr[data-learner]")
    expect(rows).to_have_count(3)
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.learner)") == ["ana", "ben", "cyd"]
    page.click("a[data-sort=xp]")  # most XP first
    expect(page.locator("th[aria-sort=descending] a[data-sort=xp]")).to_be_visible()
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.learner)") == ["ana", "ben", "cyd"]
    page.click("a[data-sort=xp]")  # then the other way round
    expect(page.locator("th[aria-sort=ascending] a[data-sort=xp]")).to_be_visible()
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.learner)") == ["cyd", "ben", "ana"]
    page.click("text=Ana Ruizwell")
    expect(page.locator("h1")).to_contain_text("Ana Ruizwell")
    expect(page.locator(".saved-code .highlight")).to_contain_text("ANA-IN-BROWSER")
    with page.expect_download() as download:
        page.click("a[data-export]")
    assert download.value.suggested_filename.startswith("spring-cohort-results-")
    text = download.value.path().read_text(encoding="utf-8")
    rows_in_file = list(csv.DictReader(io.StringIO(text)))
    assert {row["username"] for row in rows_in_file} == {"ana", "ben", "cyd"}
    assert errors == []


def test_on_a_phone_the_table_scrolls_in_its_own_box(browser, hosted_server):
    server, world = hosted_server
    page = _signed_in_page(browser, server, world, viewport={"width": 390, "height": 800})
    page.goto(f"{server.url}/cohorts/{world.cohort_a}")
    box = page.locator(".table-box").first
    widths = box.evaluate(
        "b => [b.scrollWidth, b.clientWidth, document.documentElement.scrollWidth]"
    )
    table_width, box_width, page_width = widths
    assert table_width > box_width  # 15 lessons do not fit: the box scrolls
    assert page_width <= 390  # the page itself does not
