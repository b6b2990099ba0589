"""'What are you building?' in a real browser: answered with htmx under the form, and answered
without JavaScript by the plain form and the full page; either way a reason's link leads to the
lesson that explains it."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from deepdive.course.models import Course

ANSWERS = {
    "project": "json-api",
    "team": "django",
    "pages": "neither",
    "concurrency": "heavy",
    "consumers": "public",
    "deadline": "months",
}


def _answer(page: Page, course: Course) -> None:
    questionnaire = course.lesson("choosing-a-framework").recommender
    for question in questionnaire.questions:
        label = question.option(ANSWERS[question.id]).label
        page.locator(f'fieldset[data-question="{question.id}"]').get_by_label(label).check()
    page.get_by_role("button", name="Recommend a framework").click()


def _follow_first_reason(page: Page, course: Course) -> None:
    expected = course.lesson("choosing-a-framework").recommender.recommend(ANSWERS)
    link = page.locator("[data-reasons] a[data-reason-link]").first
    expect(link).to_have_attribute("href", expected.reasons[0].url)
    link.click()
    lesson = course.lesson(expected.reasons[0].lesson)
    expect(page).to_have_url(re.compile(re.escape(f"/lessons/{lesson.slug}") + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title)


def test_the_recommendation_appears_under_the_form(page: Page, live_server, course: Course):
    lesson_url = f"{live_server.url}/lessons/choosing-a-framework"
    page.goto(lesson_url)
    _answer(page, course)
    result = page.locator("#recommendation [data-winner]")
    expect(result).to_have_attribute("data-winner", "fastapi")
    expect(result.locator("[data-winner-name]")).to_have_text("FastAPI")
    # What the Django team gives up is said too.
    expect(result.locator("[data-trade-offs]")).to_contain_text("Django REST Framework")
    expect(page).to_have_url(lesson_url)  # swapped in by htmx, no new page
    _follow_first_reason(page, course)


def test_without_javascript_the_form_still_recommends(browser: Browser, live_server, course):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/lessons/choosing-a-framework")
        _answer(page, course)
        expect(page).to_have_url(re.compile(r"/lessons/choosing-a-framework/recommendation\?"))
        assert all(f"{q}={a}" in page.url for q, a in ANSWERS.items())
        expect(page.locator("#recommendation [data-winner]")).to_have_attribute(
            "data-winner", "fastapi"
        )
        for question, option in ANSWERS.items():
            expect(page.locator(f'input[name="{question}"][value="{option}"]')).to_be_checked()
        _follow_first_reason(page, course)
    finally:
        context.close()
