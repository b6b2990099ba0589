"""Lesson 5's resolution chain, used as a learner would: run, step, flip switches, answer."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect
from tests.browser.conftest import mounted_editor

RUN_TIMEOUT = 30_000


def _panel(page: Page, live_server) -> Locator:
    page.goto(f"{live_server.url}/lessons/dependencies")
    panel = page.locator("#interactive-resolution-chain")
    expect(panel).to_have_attribute("data-ready", "true")
    # The tests read CodeMirror's own state, which exists once the editor has mounted.
    mounted_editor(panel.locator("[data-editor]").first)
    return panel


def _selected_lines(panel: Locator) -> list[int]:
    return panel.evaluate(
        """panel => {
            const state = panel.editor.view.state;
            const range = state.selection.main;
            return [state.doc.lineAt(range.from).number, state.doc.lineAt(range.to).number];
        }"""
    )


def _line_of(panel: Locator, text: str) -> int:
    code = panel.evaluate("panel => panel.editor.getCode()")
    return next(n for n, line in enumerate(code.splitlines(), start=1) if text in line)


def _calls(panel: Locator, dependency: str) -> Locator:
    return panel.locator(f'[data-dependency="{dependency}"] [data-calls]')


def test_stepping_through_a_request_follows_the_real_resolution(page: Page, live_server):
    panel = _panel(page, live_server)
    panel.get_by_role("button", name="GET /books with the key").click()
    expect(panel).to_have_attribute("data-step", "1", timeout=RUN_TIMEOUT)
    expect(_calls(panel, "get_settings")).to_have_text("1")
    expect(panel.locator('[data-dependency="get_settings"] [data-hits]')).to_have_text("1")
    timeline = panel.locator("[data-timeline] [data-step]")
    expect(timeline).to_have_count(7)

    panel.get_by_role("button", name="Next →").click()
    detail = panel.locator("[data-step-detail]")
    expect(detail).to_contain_text("get_db_session() runs to its yield")
    yield_line = _line_of(panel, "yield session")
    assert _selected_lines(panel) == [_line_of(panel, "def get_db_session"), yield_line]

    # The keyboard moves on from the focused step, like the Next button.
    timeline.nth(1).focus()
    page.keyboard.press("ArrowRight")
    expect(timeline.nth(2)).to_be_focused()
    expect(timeline.nth(2)).to_have_attribute("aria-current", "step")
    expect(detail).to_contain_text("get_settings was not called")
    expect(detail).to_contain_text("stored at step 1")
    settings_line = _line_of(panel, "settings: SettingsDep, x_api_key")
    assert _selected_lines(panel) == [settings_line, settings_line]

    page.keyboard.press("End")
    expect(panel.locator("[data-step-position]")).to_have_text("Step 7 of 7")
    expect(detail).to_contain_text("code after yield runs")
    expect(panel.get_by_role("button", name="Next →")).to_be_disabled()
    expect(panel.locator("[data-timeline] [data-step-type=response]")).to_contain_text("200")


def test_turning_the_cache_off_for_one_declaration_shows_a_second_call(page: Page, live_server):
    panel = _panel(page, live_server)
    switch = panel.get_by_label(re.compile(r"settings of require_api_key"))
    expect(switch).to_be_checked()
    switch.uncheck()
    expect(mounted_editor(panel)).to_contain_text("Depends(get_settings, use_cache=False)")
    expect(_calls(panel, "get_settings")).to_have_text("2", timeout=RUN_TIMEOUT)
    expect(panel.locator('[data-dependency="get_settings"] [data-hits]')).to_have_text("0")
    expect(panel.get_by_label(re.compile(r"settings of require_api_key"))).not_to_be_checked()

    panel.get_by_label(re.compile(r"settings of require_api_key")).check()
    expect(_calls(panel, "get_settings")).to_have_text("1", timeout=RUN_TIMEOUT)
    expect(mounted_editor(panel)).not_to_contain_text("use_cache=False")


def test_overriding_the_session_changes_the_chain(page: Page, live_server):
    panel = _panel(page, live_server)
    panel.get_by_label(re.compile("Override")).check()
    expect(mounted_editor(panel)).to_contain_text(
        "app.dependency_overrides[get_db_session] = get_test_session"
    )
    summary = panel.locator("[data-summary]")
    expect(summary).to_contain_text(
        "get_db_session is replaced by get_test_session", timeout=RUN_TIMEOUT
    )
    expect(panel.locator("[data-timeline] [data-step]").first).to_contain_text("get_test_session")
    expect(_calls(panel, "get_settings")).to_have_text("1")
    expect(panel.locator('[data-dependency="get_db_session"]')).to_have_count(0)

    panel.get_by_label(re.compile("Override")).uncheck()
    expect(mounted_editor(panel)).not_to_contain_text("dependency_overrides")
    session_row = panel.locator('[data-dependency="get_db_session"]')
    expect(session_row).to_have_count(1, timeout=RUN_TIMEOUT)


def test_the_challenge_is_checked_by_a_run_and_pays_50_xp_once(page: Page, live_server):
    panel = _panel(page, live_server)
    answer = panel.get_by_label("Your answer")
    answer.fill("2")
    panel.get_by_role("button", name="Check it by running the app").click()
    feedback = panel.locator(".challenge [data-feedback]")
    expect(feedback).to_have_attribute("data-feedback", "wrong", timeout=RUN_TIMEOUT)
    expect(page.locator("#xp-badge [data-xp]")).to_have_text("0")

    panel.get_by_label("Your answer").fill("1")
    panel.get_by_role("button", name="Check it by running the app").click()
    expect(feedback).to_have_attribute("data-feedback", "correct", timeout=RUN_TIMEOUT)
    expect(feedback).to_contain_text("+50 XP")
    expect(panel.locator("[data-challenge-steps] li")).to_have_count(7)
    expect(panel.locator("[data-challenge-steps] [data-step-type=cache_hit]")).to_contain_text(
        "get_settings: served from the cache, for settings of require_api_key"
    )
    expect(page.locator("#xp-badge [data-xp]")).to_have_text("50")
    expect(page.locator("#toc [data-toc-xp]")).to_have_text("50")
    expect(page.locator('#toc a[data-lesson="dependencies"]')).to_have_attribute(
        "data-state", "in-progress"
    )

    panel.get_by_role("button", name="Check it by running the app").click()
    expect(feedback).not_to_contain_text("+50 XP", timeout=RUN_TIMEOUT)
    expect(page.locator("#xp-badge [data-xp]")).to_have_text("50")


def test_broken_code_points_at_the_line_and_the_widget_recovers(page: Page, live_server):
    panel = _panel(page, live_server)
    mounted_editor(panel).click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.insert_text("\n\napp = 42\n")
    panel.get_by_role("button", name="GET /books with the key").click()
    status = panel.locator("[data-run-status]")
    expect(status).to_contain_text("not an app", timeout=RUN_TIMEOUT)
    expect(panel.locator("[data-result]")).to_be_hidden()

    panel.get_by_role("button", name="Reset to the starter code").click()
    page.keyboard.press("ControlOrMeta+Home")
    page.keyboard.insert_text("raise RuntimeError('broken on purpose')\n")
    page.keyboard.press("ControlOrMeta+Enter")
    expect(panel).to_have_attribute("data-outcome", "runtime_error", timeout=RUN_TIMEOUT)
    expect(panel.locator(".cm-lint-marker-error")).to_have_count(1)

    panel.get_by_role("button", name="Reset to the starter code").click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.insert_text("\n\nwhile True: pass")
    page.keyboard.press("ControlOrMeta+Enter")
    expect(panel).to_have_attribute("data-outcome", "timeout", timeout=RUN_TIMEOUT)
    loop_line = _line_of(panel, "while True: pass")
    expect(status).to_contain_text(f"line {loop_line} of app.py")

    panel.get_by_role("button", name="Reset to the starter code").click()
    page.keyboard.press("ControlOrMeta+Enter")
    expect(panel).to_have_attribute("data-outcome", "ok", timeout=RUN_TIMEOUT)
    expect(panel.locator("[data-timeline] [data-step]")).to_have_count(7)
