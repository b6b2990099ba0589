"""A learner's first visit: course page → lesson 1 → quiz → XP and contents update → reload."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from deepdive.course.models import Course


def _choose(page: Page, question_id: str, indexes: list[int]) -> None:
    form = page.locator(f"#question-{question_id}")
    for index in indexes:
        form.locator(f'input[name="answer"][value="{index}"]').check()
    form.get_by_role("button", name="Check answer").click()


def test_learner_answers_quiz_and_progress_survives_reload(page: Page, live_server, course: Course):
    lesson = course.lessons[0]
    page.goto(live_server.url + "/")
    expect(page.locator("#xp-badge [data-xp]")).to_have_text("0")
    page.get_by_role("link", name=f"Read the full article: {lesson.title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title)

    first = lesson.quiz.questions[0]
    wrong = next(i for i in range(len(first.options)) if i not in first.correct_indexes)
    _choose(page, first.id, [wrong])
    feedback = page.locator(f"#question-{first.id} [data-feedback]")
    expect(feedback).to_have_attribute("data-feedback", "wrong")
    expect(feedback).to_contain_text("Not quite")
    expect(page.locator("#xp-badge [data-xp]")).to_have_text("0")

    page.locator(f"#question-{first.id} input[name='answer']").evaluate_all(
        "inputs => inputs.forEach(i => i.checked = false)"
    )
    _choose(page, first.id, sorted(first.correct_indexes))
    xp = lesson.question_xp(first)
    expect(page.locator(f"#question-{first.id} [data-feedback]")).to_have_attribute(
        "data-feedback", "correct"
    )
    expect(page.locator(f"#question-{first.id}")).to_contain_text(f"+{xp} XP")
    expect(page.locator("#xp-badge [data-xp]")).to_have_text(str(xp))
    expect(page.locator("#toc [data-toc-xp]")).to_have_text(str(xp))

    for question in lesson.quiz.questions[1:]:
        _choose(page, question.id, sorted(question.correct_indexes))
        expect(page.locator(f"#question-{question.id} [data-feedback]")).to_have_attribute(
            "data-feedback", "correct"
        )
    total = sum(lesson.question_xp(question) for question in lesson.quiz.questions)
    expect(page.locator("#xp-badge [data-xp]")).to_have_text(str(total))
    # The lesson's tasks are still to do, so the lesson is not done yet.
    assert sum(lesson.award_keys.values()) > total
    toc_entry = page.locator(f'#toc a[data-lesson="{lesson.slug}"]')
    expect(toc_entry).to_have_attribute("data-state", "in-progress")

    page.reload()
    expect(page.locator("#xp-badge [data-xp]")).to_have_text(str(total))
    expect(page.locator(f'#toc a[data-lesson="{lesson.slug}"]')).to_have_attribute(
        "data-state", "in-progress"
    )
    expect(page.locator(f"#question-{first.id}")).to_have_attribute("data-earned", "yes")


def test_theme_toggle_switches_to_dark_and_is_remembered(page: Page, live_server):
    page.emulate_media(color_scheme="light")
    page.goto(live_server.url + "/")
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(255, 255, 255)"
    toggle = page.get_by_role("button", name=re.compile("Theme"))
    toggle.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    dark = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert dark == "rgb(15, 20, 25)"
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")


def test_keyboard_user_can_skip_to_content_and_reach_lessons(page: Page, live_server, course):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
    outline = page.evaluate(
        "() => { const a = document.querySelector('#toc a'); a.focus();"
        " return getComputedStyle(a).outlineStyle; }"
    )
    assert outline == "solid"
