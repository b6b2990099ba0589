"""The course on a phone: a 390 px wide touch screen, as a learner's phone would show it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.browser.conftest import mounted_editor

WIDTH = 390


@pytest.fixture
def phone(browser: Browser, live_server) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not errors, errors


def _paths(course) -> list[str]:
    return ["/", "/progress", "/bookstore", *(f"/lessons/{x.slug}" for x in course.lessons)]


def test_no_page_scrolls_sideways_and_the_header_stays_on_screen(phone, live_server, course):
    for path in _paths(course):
        phone.goto(live_server.url + path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= WIDTH, f"{path} is {width} px wide on a {WIDTH} px screen"
        for name in ("Progress", "Bookstore API"):
            site = phone.get_by_role("navigation", name="Site")
            box = site.get_by_role("link", name=name, exact=True).bounding_box()
            assert box is not None, (path, name)
            assert box["x"] >= 0, (path, name, box)
            assert box["x"] + box["width"] <= WIDTH, (path, name, box)
        theme = phone.locator("[data-theme-toggle]").bounding_box()
        assert theme["x"] + theme["width"] <= WIDTH, (path, theme)


def test_nothing_inside_a_card_is_wider_than_the_card(phone, live_server, course):
    for path in _paths(course)[3:]:
        phone.goto(live_server.url + path)
        overflowing = phone.evaluate(
            """() => [...document.querySelectorAll(
                '.quiz-question code, .interactive select, .interactive input, .task code')]
              .filter(e => { const card = e.closest('.quiz-question, .interactive, .task');
                             return e.getBoundingClientRect().right
                                    > card.getBoundingClientRect().right + 1; })
              .map(e => e.outerHTML.slice(0, 80))"""
        )
        assert not overflowing, (path, overflowing)


def test_an_anchor_target_is_not_hidden_under_the_header(phone, live_server, course):
    lesson = course.lessons[0]
    phone.goto(f"{live_server.url}/lessons/{lesson.slug}")
    heading = phone.locator("article h2[id]").nth(2)
    target = heading.get_attribute("id")
    phone.goto(f"{live_server.url}/lessons/{lesson.slug}#{target}")
    expect(heading).to_be_in_viewport()
    header = phone.locator(".site-header").bounding_box()
    top = heading.bounding_box()["y"]
    header_bottom = header["y"] + header["height"]
    assert top >= header_bottom - 1, (
        f"the heading starts at {top}, under a header to {header_bottom}"
    )


def test_a_long_output_scrolls_inside_its_pane(phone, live_server):
    phone.goto(f"{live_server.url}/lessons/basics")
    widget = phone.locator("#interactive-first-endpoint")
    expect(widget).to_have_attribute("data-ready", "true")
    mounted_editor(widget).click()
    phone.keyboard.press("ControlOrMeta+End")
    phone.keyboard.insert_text('\n\nfor n in range(3000):\n    print("line", n)\n')
    widget.get_by_role("button", name="GET /health").click()
    expect(widget).to_have_attribute("data-outcome", "ok")
    before = phone.evaluate("document.documentElement.scrollHeight")
    widget.get_by_role("tab", name="Output").click()
    output = widget.locator(".program-output").first
    expect(output).to_contain_text("line 2999")
    after = phone.evaluate("document.documentElement.scrollHeight")
    assert after - before < 1200, f"the page grew by {after - before} px"
    assert output.evaluate("e => e.scrollHeight > e.clientHeight")
    expect(widget.get_by_role("button", name="Copy output")).to_be_visible()


def test_tapping_a_preset_in_lesson_4_runs_that_request(phone, live_server):
    phone.goto(f"{live_server.url}/lessons/response-models")
    widget = phone.locator(".interactive").first
    expect(widget).to_have_attribute("data-ready", "true")
    for name in ("GET /users/2 · Bob", "GET /users/99 · nobody"):
        preset = widget.get_by_role("button", name=name, exact=True)
        preset.scroll_into_view_if_needed()
        box = preset.bounding_box()
        centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        hit = phone.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).closest('button')?.textContent",
            list(centre),
        )
        assert name in (hit or ""), f"a tap on {name!r} lands on {hit!r}"
        preset.tap()
        expect(preset).to_have_class(re.compile("selected"))


def test_the_course_contents_start_folded_and_stay_as_the_learner_leaves_them(
    phone, live_server, course
):
    lesson = course.lessons[0]
    phone.goto(f"{live_server.url}/lessons/{lesson.slug}")
    contents = phone.locator("#toc > details")
    lessons = phone.locator(f'#toc a[data-lesson="{course.lessons[1].slug}"]')
    expect(contents).not_to_have_attribute("open", "")
    expect(lessons).to_be_hidden()
    expect(phone.get_by_role("heading", level=1)).to_be_in_viewport()

    # A correct answer brings fresh contents (new XP) from the server: folded or unfolded,
    # they stay as they were.
    first, second = lesson.quiz.questions[:2]
    _answer(phone, first)
    expect(phone.locator("#toc [data-toc-xp]")).to_have_text(str(lesson.question_xp(first)))
    expect(lessons).to_be_hidden()
    phone.get_by_text("Course contents and progress").tap()
    expect(lessons).to_be_visible()
    _answer(phone, second)
    xp = lesson.question_xp(first) + lesson.question_xp(second)
    expect(phone.locator("#toc [data-toc-xp]")).to_have_text(str(xp))
    expect(lessons).to_be_visible()

    phone.get_by_text("Course contents and progress").tap()
    expect(lessons).to_be_hidden()
    # Wide enough for a sidebar, the summary is hidden: the contents show whatever was chosen.
    phone.set_viewport_size({"width": 1280, "height": 900})
    expect(lessons).to_be_visible()
    phone.set_viewport_size({"width": WIDTH, "height": 844})
    expect(lessons).to_be_hidden()


def test_a_wide_window_shows_the_course_contents_at_once(browser, live_server, course):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/lessons/{course.lessons[0].slug}")
        expect(page.locator(f'#toc a[data-lesson="{course.lessons[1].slug}"]')).to_be_visible()
        expect(page.get_by_text("Course contents and progress")).to_be_hidden()
    finally:
        context.close()


def _answer(page: Page, question) -> None:
    form = page.locator(f"#question-{question.id}")
    for index in sorted(question.correct_indexes):
        form.locator(f'input[name="answer"][value="{index}"]').check()
    form.get_by_role("button", name="Check answer").click()
