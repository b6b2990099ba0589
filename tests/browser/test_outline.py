"""The outline of the lesson in the sidebar follows the learner's reading."""

from __future__ import annotations

from playwright.sync_api import expect


def test_outline_marks_the_section_scrolled_to_and_follows_further_scrolling(
    page, live_server, course
):
    lesson = course.lesson("dependencies")
    page.goto(f"{live_server.url}/lessons/{lesson.slug}")
    outline = page.get_by_role("navigation", name="On this page")
    expect(outline.get_by_role("link")).to_have_count(len(lesson.sections))
    current = outline.locator("[aria-current=location]")
    expect(current).to_have_count(1)
    expect(current).to_have_text(lesson.sections[0].heading)

    for section in (lesson.sections[3], lesson.sections[-2], lesson.sections[1]):
        page.locator(f"[id='{section.anchor}']").evaluate(
            "h => window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - 120)"
        )
        expect(current).to_have_text(section.heading)
        expect(current).to_have_count(1)


def test_clicking_an_outline_entry_goes_to_its_heading(page, live_server, course):
    lesson = course.lesson("basics")
    section = lesson.sections[-1]
    page.goto(f"{live_server.url}/lessons/{lesson.slug}")
    outline = page.get_by_role("navigation", name="On this page")
    outline.get_by_role("link", name=section.heading, exact=True).click()
    expect(page.locator(f"[id='{section.anchor}']")).to_be_in_viewport()
    expect(outline.locator("[aria-current=location]")).to_have_text(section.heading)
