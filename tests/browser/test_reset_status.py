"""Reset puts the starter back and says so: no status or result of the code it replaced stays."""

from __future__ import annotations

import re

from playwright.sync_api import expect

RUN_TIMEOUT = 30_000


def test_reset_in_the_dependency_chain_clears_the_override_status_and_the_old_trace(
    page, live_server
):
    page.goto(f"{live_server.url}/lessons/dependencies")
    panel = page.locator("#interactive-resolution-chain")
    expect(panel).to_have_attribute("data-ready", "true")
    panel.get_by_label(re.compile("Override")).check()
    expect(panel.locator("[data-summary]")).to_contain_text(
        "get_db_session is replaced by get_test_session", timeout=RUN_TIMEOUT
    )
    panel.get_by_label(re.compile("Override")).uncheck()  # "Removed the override; running again…"
    status = panel.locator("[data-run-status]")
    panel.get_by_role("button", name="Reset to the starter code").click()
    expect(status).to_contain_text("Back to the starter code")
    expect(status).not_to_contain_text("override")
    expect(panel.locator("[data-result]")).to_be_hidden()
    expect(panel.locator("[data-response]")).to_contain_text("Run a request to see what came back")
    # A run that was still going when Reset was pressed does not bring its result back.
    page.wait_for_timeout(3000)
    expect(status).to_contain_text("Back to the starter code")
    expect(panel.locator("[data-result]")).to_be_hidden()


def test_reset_of_a_route_order_version_clears_its_results_and_the_verdict(page, live_server):
    page.goto(f"{live_server.url}/lessons/path-and-query")
    panel = page.locator("#interactive-endpoint-builder")
    expect(panel).to_have_attribute("data-ready", "true")
    order = panel.locator("[data-route-order]")
    order.get_by_role("button", name="Run both versions").click()
    verdict = order.locator("[data-verdict]")
    expect(verdict).to_contain_text("read_book answered 422", timeout=RUN_TIMEOUT)
    order.get_by_role("button", name="Reset this version").click()
    expect(verdict).to_be_hidden()
    shown = order.locator('[data-outcome-of="template-first"]')
    expect(shown).to_contain_text("Not run yet")
    expect(shown.locator("[data-status]")).to_have_count(0)
    expect(order.locator("[data-order-status]")).to_contain_text("Back to the starter code")
