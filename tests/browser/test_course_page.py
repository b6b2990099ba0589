"""The course page carries every lesson's interactive, and each one runs real code there too."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_every_interactive_on_the_course_page_runs_the_learners_code(
    page: Page, live_server, course
):
    page.goto(live_server.url)
    shown = course.course_page_interactives
    interactives = page.locator("section.interactive")
    expect(interactives).to_have_count(len(shown))
    for _, interactive in shown:
        expect(page.locator(f"#interactive-{interactive.id}")).to_have_attribute(
            "data-ready", "true"
        )

    first = page.locator("#interactive-first-endpoint")
    first.get_by_role("button", name="GET /health").click()
    expect(first.locator('[data-panel="response"] [data-response-body]')).to_contain_text(
        '"status": "ok"'
    )

    builder = page.locator("#interactive-endpoint-builder")
    builder.get_by_role("button", name="Text becomes 42 and True").click()
    expect(builder.locator("[data-result] [data-status]")).to_have_attribute("data-status", "200")

    validation = page.locator("#interactive-validation-sandbox")
    validation.get_by_role("button", name="Year 500").click()
    expect(validation).to_have_attribute("data-status", "422")
    expect(validation.locator('[data-fields] tr[data-field="year"]')).to_contain_text(
        "greater than or equal to 1000"
    )

    chain = page.locator("#interactive-resolution-chain")
    chain.get_by_role("button", name="GET /books with the key").click()
    expect(chain.locator('[data-dependency="get_settings"] [data-calls]')).to_have_text("1")

    response_filter = page.locator("#interactive-response-filter")
    response_filter.get_by_role("button", name="GET /users/2 · Bob").click()
    expect(response_filter.locator("[data-sent] .rf-leak-summary")).to_contain_text(
        "hashed_password"
    )
