"""On the course page, the CodeMirror bundle is fetched only when an editor comes near the
viewport; lesson pages mount their editors at once."""

from __future__ import annotations

from playwright.sync_api import expect

BUNDLE = "/static/build/editor.js"


def test_editor_bundle_waits_until_an_editor_nears_the_viewport(page, live_server):
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(live_server.url + "/")
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
    expect(fallback).to_have_value(__import__("re").compile(r'@app\.get\("/health"\)'))

    host.scroll_into_view_if_needed()
    expect(host.locator(".cm-content")).to_contain_text('@app.get("/health")')
    assert [url for url in fetched if BUNDLE in url]


def test_typing_in_the_fallback_before_the_bundle_arrives_is_kept(page, live_server):
    page.goto(live_server.url + "/")
    host = page.locator('#interactive-first-endpoint [data-editor="code"]')
    # Reach the fallback with the keyboard focus: that loads the editor at once; what was typed
    # meanwhile becomes CodeMirror's text.
    fallback = host.get_by_role("textbox")
    fallback.evaluate(
        "t => { t.value = '# typed early\\n' + t.value; t.dispatchEvent(new Event('input')); }"
    )
    fallback.focus()
    expect(host.locator(".cm-content")).to_contain_text("# typed early")


def test_a_lesson_page_mounts_its_editor_without_scrolling(page, live_server):
    page.goto(live_server.url + "/lessons/basics")
    host = page.locator('#interactive-first-endpoint [data-editor="code"]')
    assert host.evaluate("h => h.getBoundingClientRect().top") > 900
    expect(host.locator(".cm-content")).to_contain_text('@app.get("/health")')
