"""axe-core (vendored for bench/browser.py) on the pages whose scroll areas, landmarks and tables
it used to flag: every scroll area can be reached from the keyboard, every landmark has its own
name, every table header says what its column is."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from tests.browser.conftest import mounted_editor

AXE = Path(__file__).resolve().parents[2] / "bench" / "vendor" / "axe-core" / "axe.min.js"
RULES = ["scrollable-region-focusable", "landmark-unique", "empty-table-header"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/lessons/path-and-query",
        "/lessons/async",
        "/lessons/deployment",
        "/lessons/choosing-a-framework",
    ],
)
def test_axe_finds_no_unreachable_scroll_area_twin_landmark_or_empty_header(
    browser: Browser, live_server, path: str
):
    # axe is injected into the page, which the course's CSP (own scripts only) would refuse.
    context = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")
    if path == "/lessons/deployment":
        # The generated files appear once the generator has run: open one of them.
        expect(page.locator(".deploy-file").first).to_be_attached()
    if path.startswith("/lessons/") and path != "/lessons/choosing-a-framework":
        mounted_editor(page.locator("[data-editor]").first)
        expect(page.locator(".cm-scroller").first).to_be_attached()
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "rules => axe.run(document, {runOnly: {type: 'rule', values: rules}})", RULES
    )
    context.close()
    found = {v["id"]: [n["target"] for n in v["nodes"]] for v in result["violations"]}
    assert not found, found
