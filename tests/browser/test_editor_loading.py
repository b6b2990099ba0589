"""The CodeMirror bundle is fetched only when an editor comes near the viewport (or the learner
reaches one with the keyboard), on the course page and on lesson pages alike; until then the
editor is a plain textarea that keeps what was typed and asked of it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

BUNDLE = "/static/build/editor.js"


@pytest.mark.parametrize("path", ["/", "/lessons/basics"])
def test_editor_bundle_waits_until_an_editor_nears_the_viewport(page, live_server, path):
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")
    below = page.locator("[data-editor]").evaluate_all(
        "hosts => Math.min(...hosts.filter((h) => h.getClientRects().length)"
        ".map((h) => h.getBoundingClientRect().top - innerHeight))"
    )
    assert below > 700, f"every editor should start well below the fold here ({below} px)"
    host = page.locator('#interactive-first-endpoint [data-editor="code"]')
    page.wait_for_timeout(500)
    assert not [url for url in fetched if BUNDLE in url]
    # Meanwhile the fallback shows the code and can be edited.
    fallback = host.get_by_role("textbox")
    expect(fallback).to_have_value(re.compile(r'@app\.get\("/health"\)'))

    host.scroll_into_view_if_needed()
    expect(host.locator(".cm-content")).to_contain_text('@app.get("/health")')
    assert [url for url in fetched if BUNDLE in url]


def test_typing_in_the_fallback_before_the_bundle_arrives_is_kept(page, live_server):
    # A short window keeps the editor far enough below the fold not to load on its own.
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(live_server.url + "/")
    host = page.locator('#interactive-first-endpoint [data-editor="code"]')
    expect(host).to_have_attribute("data-loading", "lazy")
    # Reach the fallback with the keyboard focus: that loads the editor at once; what was typed
    # meanwhile becomes CodeMirror's text.
    fallback = host.locator("textarea")
    fallback.evaluate(
        "t => { t.value = '# typed early\\n' + t.value; t.dispatchEvent(new Event('input')); }"
    )
    fallback.focus()
    expect(host.locator(".cm-content")).to_contain_text("# typed early")


def test_the_keyboard_reaches_an_editor_that_has_not_loaded_yet(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(live_server.url + "/lessons/basics")
    host = page.locator('#interactive-first-endpoint [data-editor="code"]')
    expect(host).to_have_attribute("data-loading", "lazy")
    # Tab from whatever takes the focus just before the editor: the fallback gets it, and
    # CodeMirror, once mounted, keeps it.
    host.locator("textarea").evaluate(
        """fallback => {
          const tabbable = [...document.querySelectorAll(
            'a[href], button:not([disabled]), input, select, textarea, [tabindex="0"]'
          )].filter((e) => e.getClientRects().length);
          tabbable[tabbable.indexOf(fallback) - 1].focus();
        }"""
    )
    page.keyboard.press("Tab")
    expect(host).to_have_attribute("data-mounted", "true")
    expect(host.locator(".cm-editor")).to_have_class(re.compile("cm-focused"))
    page.keyboard.type("# typed from the keyboard\n")
    expect(host.locator(".cm-content")).to_contain_text("# typed from the keyboard")


def test_what_a_run_asks_of_the_editor_before_codemirror_arrives_is_applied_when_it_mounts(
    page, live_server
):
    # Hold the bundle until the run has finished: its marker, the edit the status control made,
    # a read-only switch and a focus request all reach the fallback first.
    held = []
    page.route("**/static/build/editor.js*", lambda route: held.append(route))
    page.goto(live_server.url + "/lessons/response-models")
    panel = page.locator("#interactive-response-filter")
    expect(panel).to_have_attribute("data-ready", "true")
    host = panel.locator("[data-editor]")
    host.scroll_into_view_if_needed()  # which asks for the bundle
    for _ in range(100):  # the request reaches the route handler on Playwright's next turn
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the editor in view asks for the bundle"
    expect(host).to_have_attribute("data-loading", "lazy")
    panel.get_by_label("Response model").select_option("user-out")
    expect(panel).to_have_attribute("data-runs", "1")
    expect(panel).to_have_attribute("data-state", "idle")
    panel.get_by_label("status_code").select_option("204")
    expect(panel).to_have_attribute("data-runs", "2")
    expect(panel).to_have_attribute("data-outcome", "runtime_error")
    assert host.get_attribute("data-mounted") is None
    panel.evaluate("p => { p.editor.setReadOnly(true); p.editor.focus(); }")

    held[0].continue_()
    expect(host).to_have_attribute("data-mounted", "true")
    expect(host.locator(".cm-content")).to_have_attribute("contenteditable", "false")
    expect(host.locator(".cm-editor")).to_have_class(re.compile("cm-focused"))
    # The changed and marked lines are near the end: CodeMirror draws only the lines in view.
    page.keyboard.press("ControlOrMeta+End")
    expect(host.locator(".cm-content")).to_contain_text("status_code=204")
    expect(host.locator(".cm-lint-marker-error")).to_have_count(1)


HEIGHTS = (
    "() => [...document.querySelectorAll('[data-editor]')]"
    ".filter((h) => h.getClientRects().length).map((h) => h.getBoundingClientRect().height)"
)


@pytest.mark.parametrize("path", ["/", "/lessons/response-models"])
def test_an_editor_is_as_tall_before_codemirror_arrives_as_after(browser, live_server, path):
    # Nothing below an editor may move when CodeMirror replaces the page's text and then the
    # textarea: a tap aimed at a button under it would land on something else.
    plain = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    as_text = plain.new_page()
    as_text.goto(live_server.url + path)
    text_heights = as_text.evaluate(HEIGHTS)
    plain.close()

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")
    # Interactives far down the course page join the layout a few parts per frame (app.js): on
    # a busy machine some are still out of it when the network is idle.
    expect(page.locator("html")).not_to_have_class(re.compile(r"(^|\s)deferring(\s|$)"))
    hosts = page.locator("[data-editor]")
    lazy = page.locator("[data-editor][data-loading]").filter(visible=True)
    assert lazy.count(), "some editor should still be a textarea here"
    textarea_heights = page.evaluate(HEIGHTS)
    for index in range(hosts.count()):
        host = hosts.nth(index)
        if host.is_visible():
            host.scroll_into_view_if_needed()
            expect(host).to_have_attribute("data-mounted", "true")
    mounted_heights = page.evaluate(HEIGHTS)
    context.close()

    assert len(text_heights) == len(textarea_heights) == len(mounted_heights) > 0
    assert max(mounted_heights) > 400, "a long editor should be part of the comparison"
    for index, heights in enumerate(
        zip(text_heights, textarea_heights, mounted_heights, strict=True)
    ):
        assert max(heights) - min(heights) <= 1, f"editor {index}: {heights}"
