"""Lesson 3's validation sandbox, used as a learner would: pick or type a body, edit the model,
send, and read FastAPI's real answer beside each field and on the JSON text."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, Page, expect
from tests.browser.conftest import mounted_editor

STARTER = (
    Path(__file__).resolve().parents[2] / "content/lessons/03-request-body/examples/book_model.py"
).read_text()


def _panel(page: Page, live_server) -> Locator:
    page.goto(f"{live_server.url}/lessons/request-body")
    panel = page.locator("#interactive-validation-sandbox")
    expect(panel).to_have_attribute("data-ready", "true")
    return panel


def _replace(page: Page, panel: Locator, editor: str, text: str) -> None:
    mounted_editor(panel.locator(f'[data-editor="{editor}"]')).click()
    page.keyboard.press("ControlOrMeta+a")
    # Emptying first keeps Chromium from restyling the replaced selection itself (which the
    # page's CSP would report).
    page.keyboard.press("Backspace")
    page.keyboard.insert_text(text)


def _sent(panel: Locator, status: int) -> None:
    expect(panel).to_have_attribute("data-state", "idle")
    expect(panel).to_have_attribute("data-status", str(status))


def test_year_500_gets_the_real_422_beside_year_and_on_its_line(live_server, page: Page):
    panel = _panel(page, live_server)
    panel.get_by_role("button", name="Year 500").click()
    _sent(panel, 422)
    year = panel.locator('[data-fields] tr[data-field="year"]')
    expect(year).to_contain_text("Input should be greater than or equal to 1000")
    expect(year.locator("[data-error-type]")).to_have_attribute(
        "data-error-type", "greater_than_equal"
    )
    expect(panel.locator('[data-fields] tr[data-field="title"]')).to_contain_text("No error")
    expect(panel.locator("[data-response] [data-response-body]")).to_contain_text('"ge": 1000')
    body_editor = panel.locator('[data-editor="body"]')
    mounted_editor(body_editor)
    expect(body_editor.locator(".cm-lint-marker-error")).to_have_count(1)
    expect(body_editor.locator(".cm-lintRange-error")).to_have_text('"year": 500')
    expect(panel.locator("[data-run-status]")).to_contain_text("1 validation error")


def test_malformed_json_is_sent_as_is_and_the_decode_position_is_marked(live_server, page: Page):
    panel = _panel(page, live_server)
    panel.get_by_role("button", name="Malformed JSON").click()
    _sent(panel, 422)
    row = panel.locator('[data-fields] tr[data-field="JSON text"]')
    expect(row).to_contain_text("Expecting property name enclosed in double quotes")
    expect(row.locator("[data-error-type]")).to_have_attribute("data-error-type", "json_invalid")
    expect(panel.locator('[data-fields] tr[data-field="year"]')).to_contain_text("Not checked")
    # The parser gave up at the closing brace, after the trailing comma.
    expect(
        mounted_editor(panel.locator('[data-editor="body"]')).locator(".cm-lintRange-error")
    ).to_have_text("}")


def test_a_changed_constraint_and_a_forbidding_config_change_the_real_answer(
    live_server, page: Page
):
    panel = _panel(page, live_server)
    _replace(page, panel, "model", STARTER.replace("ge=1000", "ge=0"))
    panel.get_by_role("button", name="Year 500").click()
    _sent(panel, 201)
    expect(panel.locator("[data-run-status]")).to_contain_text("created with id 1")
    expect(panel.locator('[data-fields] tr[data-field="year"]')).to_contain_text("ge=0")

    panel.get_by_role("button", name="An extra field").click()
    _sent(panel, 201)
    expect(panel.locator('[data-fields] tr[data-field="isbn"]')).to_contain_text("dropped")

    forbidding = STARTER.replace(
        "from pydantic import BaseModel, Field", "from pydantic import BaseModel, ConfigDict, Field"
    ).replace(
        '    """What a client may send to create a book."""\n',
        '    """What a client may send to create a book."""\n\n'
        '    model_config = ConfigDict(extra="forbid")\n',
    )
    _replace(page, panel, "model", forbidding)
    page.keyboard.press("ControlOrMeta+Enter")
    _sent(panel, 422)
    isbn = panel.locator('[data-fields] tr[data-field="isbn"]')
    expect(isbn).to_contain_text("Extra inputs are not permitted")
    expect(
        mounted_editor(panel.locator('[data-editor="body"]')).locator(".cm-lintRange-error")
    ).to_contain_text('"isbn"')


def test_a_typed_body_is_sent_and_kept_after_a_reload(live_server, page: Page):
    panel = _panel(page, live_server)
    typed = '{\n  "title": "Emma",\n  "author": "Jane Austen",\n  "year": 1815,\n  "genre": 7\n}'
    _replace(page, panel, "body", typed)
    panel.get_by_role("button", name="Send POST /books").click()
    _sent(panel, 422)
    genre = panel.locator('[data-fields] tr[data-field="genre"]')
    expect(genre).to_contain_text("Input should be a valid string")
    expect(
        mounted_editor(panel.locator('[data-editor="body"]')).locator(".cm-lintRange-error")
    ).to_have_text('"genre": 7')
    expect(panel.locator("[data-save-status]")).to_have_text("Saved")

    panel = _panel(page, live_server)
    expect(mounted_editor(panel.locator('[data-editor="body"]'))).to_contain_text('"genre": 7')
    panel.get_by_role("button", name="Reset the body").click()
    expect(mounted_editor(panel.locator('[data-editor="body"]'))).to_contain_text("Frank Herbert")


def test_broken_model_code_is_reported_on_its_line_and_reset_recovers(live_server, page: Page):
    panel = _panel(page, live_server)
    _replace(
        page, panel, "model", STARTER.replace("_ids = count(start=1)", "_ids = count(start=1) / 0")
    )
    page.keyboard.press("ControlOrMeta+Enter")
    expect(panel).to_have_attribute("data-outcome", "runtime_error")
    expect(panel.locator("[data-run-status]")).to_contain_text("line 23")
    expect(panel.locator('[data-editor="model"] .cm-lint-marker-error')).to_have_count(1)

    _replace(page, panel, "model", "from fastapi import FastAPI\n\nbooks = FastAPI()\n")
    page.keyboard.press("ControlOrMeta+Enter")
    expect(panel.locator("[data-run-status]")).to_contain_text("defines no `app`")

    panel.get_by_role("button", name="Reset the model").click()
    panel.get_by_role("button", name="A valid book").click()
    _sent(panel, 201)
    expect(panel).to_have_attribute("data-outcome", "ok")


def test_reveal_solution_after_a_first_send_loads_the_stricter_model(live_server, page: Page):
    panel = _panel(page, live_server)
    reveal = panel.get_by_role("button", name="Reveal solution")
    expect(reveal).to_be_disabled()
    panel.get_by_role("button", name="An extra field").click()
    _sent(panel, 201)
    expect(reveal).to_be_enabled()
    page.once("dialog", lambda dialog: dialog.accept())
    reveal.click()
    expect(mounted_editor(panel.locator('[data-editor="model"]'))).to_contain_text('extra="forbid"')
    panel.get_by_role("button", name="Send POST /books").click()
    _sent(panel, 422)
    expect(panel.locator('[data-fields] tr[data-field="isbn"]')).to_contain_text(
        "Extra inputs are not permitted"
    )
