"""Lesson 2's endpoint builder reads hand edits of the code back into the form: renamed
parameters, changed types, defaults and rules, a new route. What the form cannot write (another
method, a list type, path parameters in the middle of the path) is named, and only that."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect
from tests.browser.conftest import mounted_editor


def _builder(page: Page, live_server) -> Locator:
    page.goto(f"{live_server.url}/lessons/path-and-query")
    panel = page.locator("#interactive-endpoint-builder")
    expect(panel).to_have_attribute("data-ready", "true")
    expect(panel.locator("[data-form-status]")).to_have_text("The code follows the form.")
    return panel


def _type_code(page: Page, panel: Locator, code: str) -> None:
    mounted_editor(panel.locator(":scope > [data-editor]")).click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(code)


def _rows(panel: Locator) -> list[dict[str, str]]:
    return panel.evaluate(
        """p => [...p.querySelectorAll('[data-param]')].map((row) => Object.fromEntries(
            [...row.querySelectorAll('[data-field]')].map((f) => [f.dataset.field, f.value])))"""
    )


def test_renaming_a_parameter_by_hand_renames_it_in_the_form(page: Page, live_server):
    panel = _builder(page, live_server)
    status = panel.locator("[data-form-status]")
    code = panel.evaluate("p => p.editor.getCode()")
    assert "book_id" in code
    assert "{book_id}" in code
    _type_code(page, panel, code.replace("book_id", "item_id"))
    expect(status).to_have_text("The code follows the form.")
    names = [row["name"] for row in _rows(panel)]
    assert "item_id" in names
    assert "book_id" not in names
    assert panel.get_by_label("URL").input_value().startswith("/books/")
    # The form goes on writing the code from where the learner left it.
    row = panel.locator("[data-param]").nth(names.index("item_id"))
    row.get_by_label("Name").fill("book")
    expect(status).to_have_text("The code follows the form.")
    written = panel.evaluate("p => p.editor.getCode()")
    assert "{book}" in written
    assert "item_id" not in written


def test_a_new_type_default_and_route_written_by_hand_are_read(page: Page, live_server):
    panel = _builder(page, live_server)
    status = panel.locator("[data-form-status]")
    _type_code(
        page,
        panel,
        "from typing import Annotated\n\nfrom fastapi import FastAPI, Query\n\n"
        'app = FastAPI(title="Bookshop")\n\n\n'
        "def _seen(value: object) -> dict[str, object]:\n"
        '    return {"value": value, "type": type(value).__name__}\n\n\n'
        '@app.get("/shelves")\n'
        "def echo_params(\n    limit: Annotated[int, Query(ge=1, le=50)] = 10,\n) -> dict:\n"
        '    return {"limit": _seen(limit)}\n',
    )
    expect(panel.locator("[data-route]")).to_have_value("/shelves")
    expect(status).to_contain_text("The form shows your code's route and parameters.")
    [row] = _rows(panel)
    assert row == {
        "name": "limit",
        "location": "query",
        "type": "int",
        "presence": "default",
        "default": "10",
        "ge": "1",
        "le": "50",
        "max_length": "",
    }


def test_what_the_form_cannot_write_is_named_and_the_rest_is_read(page: Page, live_server):
    panel = _builder(page, live_server)
    status = panel.locator("[data-form-status]")
    code = panel.evaluate("p => p.editor.getCode()")
    _type_code(page, panel, code.replace("@app.get(", "@app.post("))
    expect(status).to_contain_text("cannot follow the method: @app.post(...)")
    expect(status).not_to_contain_text("type")
    with_tags = code.replace("def echo_params(", "def echo_params(\n    tags: list[str],")
    _type_code(page, panel, with_tags)
    expect(status).to_contain_text("tags's type list[str] is not one the form offers")
    names = [row["name"] for row in _rows(panel)]
    assert "tags" not in names
    assert "book_id" in names
    # "Generate code" writes the form's endpoint, and the two agree again.
    page.once("dialog", lambda dialog: dialog.accept())
    panel.get_by_role("button", name="Generate code").click()
    expect(status).to_have_text("The code follows the form.")
    assert "tags" not in panel.evaluate("p => p.editor.getCode()")
