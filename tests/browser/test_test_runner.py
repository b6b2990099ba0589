"""Lesson 11's test runner, used as a learner would: edit the app and its tests, run real pytest,
watch each test's result arrive, and check a task that judges the tests as well as the app."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from tests.browser.conftest import mounted_editor

LESSON = Path(__file__).resolve().parents[2] / "content" / "lessons" / "11-testing"


def _panel(page: Page, live_server):
    page.goto(f"{live_server.url}/lessons/testing")
    panel = page.locator("#interactive-test-runner")
    expect(panel).to_have_attribute("data-ready", "true")
    return panel


def _replace(page: Page, panel, editor: str, text: str) -> None:
    mounted_editor(panel.locator(f'[data-editor="{editor}"]')).click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.insert_text(text)


def _append(page: Page, panel, editor: str, text: str) -> None:
    mounted_editor(panel.locator(f'[data-editor="{editor}"]')).click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.insert_text(text)


def test_the_starter_suite_runs_test_by_test_with_captured_output(page: Page, live_server):
    panel = _panel(page, live_server)
    panel.get_by_role("button", name="Run the tests").click()
    expect(panel).to_have_attribute("data-outcome", "ok")
    cases = panel.locator("[data-case]")
    expect(cases).to_have_count(7)
    expect(panel.locator("[data-test-summary]")).to_have_text("7 passed")
    listing = panel.locator('[data-case="test_listing_reads_the_shelf_the_test_put_in_place"]')
    expect(listing.locator("[data-output]")).to_contain_text(
        "listed: [{'title': 'Emma', 'year': 1815"
    )
    expect(panel.locator('[data-case^="test_titles_out_of_bounds_are_rejected["]')).to_have_count(2)


def test_results_arrive_while_the_run_is_still_going(page: Page, live_server):
    panel = _panel(page, live_server)
    _append(page, panel, "tests", "\n\ndef test_zz_slow():\n    import time\n\n    time.sleep(3)\n")
    panel.get_by_role("button", name="Run the tests").click()
    expect(panel.locator("[data-case]")).to_have_count(7)
    expect(panel).to_have_attribute("data-state", "running")
    expect(panel.locator("[data-test-summary]")).to_contain_text("so far")
    expect(panel.locator("[data-case]")).to_have_count(8)
    expect(panel).to_have_attribute("data-outcome", "ok")


def test_a_broken_rule_fails_with_pytests_own_assertion_message(page: Page, live_server):
    panel = _panel(page, live_server)
    app = (LESSON / "examples" / "bookshelf.py").read_text().replace("ge=1000", "ge=0")
    _replace(page, panel, "code", app)
    panel.get_by_role("button", name="Run the tests").click()
    failed = panel.locator('[data-case="test_year_500_is_rejected_with_422"]')
    expect(failed).to_have_attribute("data-outcome", "failed")
    expect(failed.locator("[data-message]")).to_have_text("assert 201 == 422")
    expect(panel.locator("[data-test-summary]")).to_have_text("1 failed, 6 passed")


def test_a_test_file_that_is_not_python_is_named_and_marked(page: Page, live_server):
    panel = _panel(page, live_server)
    _append(page, panel, "tests", "\n\ndef test_broken(:\n    pass\n")
    panel.get_by_role("button", name="Run the tests").click()
    expect(panel).to_have_attribute("data-outcome", "syntax_error")
    expect(panel.locator("[data-run-problem]")).to_contain_text("test_app.py")
    expect(panel.locator('[data-editor="tests"] .cm-lint-marker-error')).to_have_count(1)
    panel.get_by_role("button", name="Reset both files").click()
    panel.get_by_role("button", name="Run the tests").click()
    expect(panel).to_have_attribute("data-outcome", "ok")


def test_a_test_that_ends_the_process_keeps_the_tests_before_it(page: Page, live_server):
    panel = _panel(page, live_server)
    _append(page, panel, "tests", "\n\ndef test_zz_exit():\n    import os\n\n    os._exit(0)\n")
    panel.get_by_role("button", name="Run the tests").click()
    expect(panel).to_have_attribute("data-outcome", "crashed")
    expect(panel.locator("[data-run-problem]")).to_contain_text("os._exit")
    expect(panel.locator("[data-case]")).to_have_count(7)


def test_the_bug_task_wants_a_failing_test_then_the_fix(page: Page, live_server):
    panel = _panel(page, live_server)
    task = panel.locator('form.task[data-task="catch-missing-delete"]')
    task.get_by_role("button", name="Check my code").click()
    task = panel.locator('form.task[data-task="catch-missing-delete"]')
    expect(task.locator("[data-task-feedback]")).to_have_attribute("data-task-feedback", "failed")
    expect(task).to_contain_text("passed against the app that still has the bug")

    _append(
        page,
        panel,
        "tests",
        "\n\ndef test_deleting_a_missing_book_is_404(client):\n"
        '    assert client.delete("/books/42").status_code == 404\n',
    )
    _replace(page, panel, "code", (LESSON / "examples" / "bookshelf_fixed.py").read_text())
    task.get_by_role("button", name="Check my code").click()
    task = panel.locator('form.task[data-task="catch-missing-delete"]')
    expect(task.locator("[data-task-feedback]")).to_have_attribute("data-task-feedback", "passed")
    expect(task).to_contain_text("+30 XP")


@pytest.mark.parametrize(
    ("test", "outcome", "said"),
    [
        # Stopped by the processor limit, or by the wall-clock limit on a busy machine; either
        # way the message names the line of the test.
        (
            "def test_zz_forever():\n    while True:\n        pass\n",
            "timeout",
            "near line 56 of test_app.py",
        ),
        (
            "def test_zz_loud():\n    for _ in range(100_000):\n        print('x' * 60)\n",
            "output_limit",
            "printed more than",
        ),
    ],
    ids=["never-ends", "prints-megabytes"],
)
def test_a_runaway_test_is_stopped_with_a_reason_and_the_page_keeps_working(
    page: Page, live_server, test, outcome, said
):
    panel = _panel(page, live_server)
    _append(page, panel, "tests", "\n\n" + test)
    panel.get_by_role("button", name="Run the tests").click()
    expect(panel).to_have_attribute("data-outcome", outcome, timeout=30_000)
    expect(panel.locator("[data-run-problem]")).to_contain_text(said)
    expect(panel.locator("[data-case]").first).to_be_visible()
    panel.get_by_role("button", name="Reset both files").click()
    panel.get_by_role("button", name="Run the tests").click()
    expect(panel).to_have_attribute("data-outcome", "ok")


def test_sys_exit_in_a_test_fails_that_test_only(page: Page, live_server):
    panel = _panel(page, live_server)
    _append(page, panel, "tests", "\n\ndef test_zz_exit():\n    import sys\n\n    sys.exit(3)\n")
    panel.get_by_role("button", name="Run the tests").click()
    expect(panel).to_have_attribute("data-outcome", "ok")
    exited = panel.locator('[data-case="test_zz_exit"]')
    expect(exited).to_have_attribute("data-outcome", "failed")
    expect(exited.locator("[data-message]")).to_have_text("SystemExit: 3")
