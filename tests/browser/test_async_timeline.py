"""Lesson 7's async-timeline widgets, used as a learner would: send a batch, edit, read the bars."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect
from tests.browser.conftest import mounted_editor


def _panel(page: Page, live_server, interactive: str) -> Locator:
    page.goto(f"{live_server.url}/lessons/async")
    panel = page.locator(f"#interactive-{interactive}")
    expect(panel).to_have_attribute("data-ready", "true")
    return panel


def _send(panel: Locator, batch: str) -> None:
    before = int(panel.get_attribute("data-runs") or 0)
    panel.get_by_role("button", name=batch, exact=True).click()
    expect(panel).to_have_attribute("data-runs", str(before + 1), timeout=30_000)
    expect(panel).to_have_attribute("data-state", "idle")


def _measured_ms(panel: Locator) -> int:
    return int(panel.locator("[data-measured-ms]").get_attribute("data-measured-ms") or -1)


def _replace_code(page: Page, panel: Locator, old: str, new: str) -> None:
    code = panel.evaluate("panel => panel.editor.getCode()")
    assert old in code
    mounted_editor(panel).click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Backspace")
    page.keyboard.insert_text(code.replace(old, new))


def test_a_blocking_call_serialises_the_batch_until_the_learner_awaits(live_server, page: Page):
    panel = _panel(page, live_server, "sync-vs-async")
    _send(panel, "async def + time.sleep (blocks the loop)")
    expect(panel.locator("[data-bar]")).to_have_count(5)
    assert _measured_ms(panel) >= 1250  # five sleeps of 200-320 ms, one after the other
    expect(panel.locator(".at-expected")).to_contain_text("1300 ms")
    expect(panel.locator("[data-ideal-ms]")).to_have_attribute("data-ideal-ms", "1300")
    expect(panel.locator("[data-ideal-line]")).to_have_count(1)

    _send(panel, "async def + await asyncio.sleep")
    assert _measured_ms(panel) < 1000

    _replace_code(
        page,
        panel,
        "time.sleep(ms / 1000)  # blocks the event loop itself",
        "await asyncio.sleep(ms / 1000)  # now it awaits",
    )
    _send(panel, "async def + time.sleep (blocks the loop)")
    expect(panel.locator("[data-bar]")).to_have_count(5)
    assert _measured_ms(panel) < 1000


def test_fifty_requests_to_a_def_endpoint_meet_the_forty_thread_limit(live_server, page: Page):
    panel = _panel(page, live_server, "sync-vs-async")
    _send(panel, "50 requests to a def endpoint")
    expect(panel.locator("[data-bar]")).to_have_count(50)
    expect(panel.locator("[data-peak-threads]")).to_have_attribute("data-peak-threads", "40")
    expect(panel.locator("[data-threads], .at-threads")).to_contain_text("the limit is 40")
    assert panel.locator("[data-queue]").count() >= 10


def test_code_that_never_returns_gets_a_clear_message(live_server, page: Page):
    panel = _panel(page, live_server, "sync-vs-async")
    _replace_code(
        page,
        panel,
        "time.sleep(ms / 1000)  # blocks a worker thread, not the event loop",
        "while True:\n        pass",
    )
    _send(panel, "def + time.sleep (thread pool)")
    expect(panel.locator("[data-timeline] .notice-error")).to_contain_text("did not answer")
    _send(panel, "async def + await asyncio.sleep")
    expect(panel.locator("[data-bar]")).to_have_count(5)


def test_the_response_leaves_before_the_task_and_a_raising_task_is_only_logged(
    live_server, page: Page
):
    panel = _panel(page, live_server, "background-timeline")
    _send(panel, "Order with a confirmation email")
    expect(panel.locator("[data-sent]")).to_have_count(1)
    expect(panel.locator('[data-task="send_email"]')).to_have_count(1)
    expect(panel.locator('[data-task-outcome="ok"]')).to_contain_text("after the response was sent")
    bar = panel.locator("[data-bar]")
    answered_after = float(bar.get_attribute("data-response-ms") or 0) - float(
        bar.get_attribute("data-start-ms") or 0
    )
    # The 202 leaves at once; the request only ends after the 500 ms email.
    assert answered_after < 250 < 450 <= _measured_ms(panel)

    _send(panel, "Audit task raises")
    expect(panel.locator('[data-task-outcome="raised"]')).to_contain_text(
        "raised RuntimeError: the audit log is full"
    )
    expect(panel.locator('[data-task-outcome="raised"]')).to_contain_text("its 202 response")
    panel.locator("[data-output-box] summary").click()
    expect(panel.locator("[data-output]")).to_contain_text("RuntimeError")
