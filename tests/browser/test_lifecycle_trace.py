"""Lesson 10's request lifecycle, used as a learner would: send, reorder, change CORS, break it."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect
from tests.browser.conftest import mounted_editor

RUN_TIMEOUT = 30_000


def _panel(page: Page, live_server) -> Locator:
    page.goto(f"{live_server.url}/lessons/middleware")
    panel = page.locator("#interactive-request-lifecycle")
    expect(panel).to_have_attribute("data-ready", "true")
    return panel


def _layer(panel: Locator, name: str) -> Locator:
    return panel.locator(f'[data-layers] tr[data-layer="{name}"]')


def _line_of(panel: Locator, text: str) -> int:
    code = panel.evaluate("panel => panel.editor.getCode()")
    return next(n for n, line in enumerate(code.splitlines(), start=1) if text in line)


def _set_code(panel: Locator, code: str) -> None:
    panel.evaluate("(panel, code) => panel.editor.setCode(code)", code)


def test_a_request_crosses_every_layer_and_each_shows_its_headers(page: Page, live_server):
    panel = _panel(page, live_server)
    panel.get_by_role("button", name="GET /books from the shop").click()
    summary = panel.locator("[data-summary]")
    expect(summary).to_contain_text("GET /books → 200", timeout=RUN_TIMEOUT)
    expect(summary).to_contain_text("to your routes and back")
    expect(panel.get_by_role("button", name="Stop")).to_be_hidden()
    expect(_layer(panel, "GZipMiddleware")).to_contain_text("+ content-encoding: gzip")
    expect(_layer(panel, "GZipMiddleware")).to_contain_text("~ content-length")
    # Seconds, as measured: on a busy machine the layer can take a tenth of a second or more.
    expect(_layer(panel, "add_process_time")).to_contain_text(
        re.compile(r"\+ x-process-time: \d+\.\d+")
    )
    expect(_layer(panel, "RequestIdMiddleware")).to_contain_text("+ x-request-id:")
    expect(_layer(panel, "SecurityHeadersMiddleware")).to_contain_text("+ x-content-type-options")
    # Own layers only, outermost first, by default; the framework's on request.
    names = panel.locator("[data-layers] tr").evaluate_all("rows => rows.map(r => r.dataset.layer)")
    assert names[:3] == ["ProxyHeadersMiddleware", "add_process_time", "RequestIdMiddleware"]
    assert names[-1] == "router (your routes)"
    panel.get_by_label("Show the framework's own layers").check()
    expect(panel.locator("[data-layers] tr").first).to_have_attribute(
        "data-layer", "ServerErrorMiddleware"
    )
    first_events = panel.locator("[data-events] li").evaluate_all(
        "items => items.slice(0, 2).map(i => i.textContent)"
    )
    assert "ServerErrorMiddleware: in" in first_events[0]
    # The logs beside the trace: the endpoint's record carries the id the response carries.
    logs = panel.locator("[data-logs] tr")
    expect(logs.filter(has_text="listing the catalogue")).to_contain_text("router (your routes)")
    request_id = _layer(panel, "RequestIdMiddleware").locator(".lt-added").inner_text()
    shown_id = request_id.split(": ", 1)[1]
    expect(logs.filter(has_text="listing the catalogue")).to_contain_text(shown_id)


def test_an_early_answer_skips_the_inner_layers_and_reordering_changes_the_trace(
    page: Page, live_server
):
    panel = _panel(page, live_server)
    panel.get_by_role("button", name="GET /books from a blocked address").click()
    summary = panel.locator("[data-summary]")
    expect(summary).to_contain_text("→ 403", timeout=RUN_TIMEOUT)
    expect(summary).to_contain_text("answered by BlockListMiddleware")
    expect(_layer(panel, "BlockListMiddleware")).to_contain_text("answered here")
    expect(_layer(panel, "CORSMiddleware")).to_contain_text("skipped")
    expect(_layer(panel, "router (your routes)")).to_contain_text("skipped")
    expect(panel.locator("[data-logs]")).to_contain_text("refused 203.0.113.7")

    # The learner moves the block list outside the proxy headers layer: now it sees the proxy.
    page.once("dialog", lambda dialog: dialog.accept())
    panel.get_by_role("button", name="Load: block list outermost").click()
    page.wait_for_function(
        "() => document.querySelector('#interactive-request-lifecycle').editor.getCode()"
        ".includes('now the outermost layer')"
    )
    panel.get_by_role("button", name="GET /books from a blocked address").click()
    expect(summary).to_contain_text("→ 200", timeout=RUN_TIMEOUT)
    names = panel.locator("[data-layers] tr").evaluate_all("rows => rows.map(r => r.dataset.layer)")
    assert names[:2] == ["BlockListMiddleware", "ProxyHeadersMiddleware"]


def test_a_preflight_is_allowed_or_refused_by_the_learners_cors_settings(page: Page, live_server):
    panel = _panel(page, live_server)
    panel.get_by_role("button", name="Preflight from evil.example").click()
    verdict = panel.locator("[data-cors-verdict]")
    expect(verdict).to_have_attribute("data-cors-verdict", "allowed", timeout=RUN_TIMEOUT)
    expect(verdict).to_contain_text("access-control-allow-origin")
    expect(_layer(panel, "CORSMiddleware")).to_contain_text("answered here")

    code = panel.evaluate("panel => panel.editor.getCode()")
    _set_code(
        panel,
        code.replace(
            'allow_origins=["*"]',
            'allow_origins=["https://shop.example.com"], allow_credentials=True',
        ),
    )
    panel.get_by_role("button", name="Preflight from evil.example").click()
    expect(verdict).to_have_attribute("data-cors-verdict", "refused", timeout=RUN_TIMEOUT)
    expect(verdict).to_contain_text("the app answered 400 (Disallowed CORS origin)")

    panel.get_by_role("textbox", name="Origin", exact=True).fill("https://shop.example.com")
    panel.get_by_role("button", name="Send the preflight").click()
    expect(verdict).to_have_attribute("data-cors-verdict", "allowed", timeout=RUN_TIMEOUT)
    expect(verdict).to_contain_text("with credentials")
    expect(verdict.locator("tr", has_text="access-control-allow-origin")).to_contain_text(
        "https://shop.example.com"
    )


def test_a_middleware_that_forgets_await_is_named_and_the_page_keeps_working(
    page: Page, live_server
):
    panel = _panel(page, live_server)
    code = panel.evaluate("panel => panel.editor.getCode()")
    _set_code(
        panel, code.replace("response = await call_next(request)", "response = call_next(request)")
    )
    panel.get_by_role("button", name="GET /books from the shop").click()
    problem = panel.locator("[data-problem]")
    expect(problem).to_contain_text("`add_process_time` did not await", timeout=RUN_TIMEOUT)
    expect(panel.locator("[data-summary]")).to_contain_text("→ 500")
    expect(_layer(panel, "RequestIdMiddleware")).to_contain_text("skipped")
    line = _line_of(panel, "response = call_next(request)") + 1
    expect(problem).to_contain_text(f"Line {line}:")
    # The marker sits on that line of the editor (near the end: move there to render it).
    mounted_editor(panel).click()
    page.keyboard.press("ControlOrMeta+End")
    expect(panel.locator(".cm-lint-marker-error")).to_have_count(1)

    panel.get_by_role("button", name="Reset to the starter code").click()
    panel.get_by_role("button", name="GET /books from the shop").click()
    expect(panel.locator("[data-summary]")).to_contain_text("→ 200", timeout=RUN_TIMEOUT)
    expect(problem).to_be_empty()


def test_the_security_headers_task_fails_until_the_layer_wraps_cors(page: Page, live_server):
    panel = _panel(page, live_server)
    selector = 'form.task[data-task="security-headers-everywhere"]'
    panel.locator(selector).get_by_role("button", name="Check my code").click()
    task = panel.locator(selector)
    expect(task.locator("[data-task-feedback]")).to_have_attribute(
        "data-task-feedback", "failed", timeout=RUN_TIMEOUT
    )
    expect(task.locator('[data-check="failed"]').first).to_contain_text(
        "SecurityHeadersMiddleware, inside it, never runs"
    )

    # Move the security layer below the CORS line, so that it is added later: outside.
    code = panel.evaluate("panel => panel.editor.getCode()")
    line = "app.add_middleware(SecurityHeadersMiddleware)\n"
    cors = 'app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET"])\n'
    _set_code(panel, code.replace(line + cors, cors + line))
    panel.get_by_role("button", name="Preflight from the shop").click()
    expect(_layer(panel, "SecurityHeadersMiddleware")).to_contain_text(
        "+ x-content-type-options", timeout=RUN_TIMEOUT
    )
    expect(_layer(panel, "CORSMiddleware")).to_contain_text("answered here")
    panel.locator(selector).get_by_role("button", name="Check my code").click()
    task = panel.locator(selector)
    expect(task.locator("[data-task-feedback]")).to_have_attribute(
        "data-task-feedback", "passed", timeout=RUN_TIMEOUT
    )
    expect(task).to_contain_text("+25 XP")
