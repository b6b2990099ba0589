"""Lesson 8's CRUD explorer, used as a learner would: fill forms, read the SQL, edit, check."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect
from tests.browser.conftest import mounted_editor

RUN_TIMEOUT = 30_000


def _panel(page: Page, live_server) -> Locator:
    page.goto(f"{live_server.url}/lessons/databases")
    panel = page.locator("#interactive-crud-explorer")
    expect(panel).to_have_attribute("data-ready", "true")
    return panel


def _latest(panel: Locator) -> Locator:
    return panel.locator("[data-call].latest")


def _edit(panel: Locator, old: str, new: str) -> None:
    """Replace a piece of the code in the editor (as typing it over would)."""
    panel.evaluate(
        "(panel, [old, next]) => panel.editor.setCode(panel.editor.getCode().replace(old, next))",
        [old, new],
    )


def test_create_then_read_shows_the_insert_its_commit_and_the_new_row(page: Page, live_server):
    panel = _panel(page, live_server)
    panel.locator('form[data-label="Create"]').get_by_role("button", name="Create").click()
    card = _latest(panel)
    expect(card.locator("[data-status]")).to_have_attribute(
        "data-status", "201", timeout=RUN_TIMEOUT
    )
    expect(card.locator('[data-event="sql"]').first).to_contain_text("INSERT INTO books")
    expect(card.locator(".sql-params").first).to_contain_text('"Bloodchild"')
    events = card.locator("[data-sql-events] > li")
    # Reading book.id after the commit reloads the expired row (expire_on_commit), in a new
    # transaction that the close then rolls back.
    expect(events).to_have_count(8)
    kinds = [events.nth(i).get_attribute("data-event") for i in range(8)]
    assert kinds == ["open", "begin", "sql", "commit", "begin", "sql", "rollback", "close"]
    expect(card.locator('[data-table="books"] caption')).to_have_text("books (4 rows)")

    read = panel.locator('form[data-label="Read"]')
    read.get_by_label("book_id").fill("4")
    read.get_by_role("button", name="Read").click()
    expect(panel.locator("[data-journal]")).to_contain_text("2 calls", timeout=RUN_TIMEOUT)
    card = _latest(panel)
    expect(card).to_contain_text("Read: GET /books/4", timeout=RUN_TIMEOUT)
    expect(card.locator("[data-response-body]")).to_contain_text('"title": "Bloodchild"')

    panel.get_by_role("button", name="Start over").click()
    expect(panel.locator("[data-journal]")).to_have_text("No calls yet.")


def test_an_endpoint_that_raises_rolls_back_and_still_closes_the_session(page: Page, live_server):
    panel = _panel(page, live_server)
    panel.get_by_role("button", name="Retire author 1 (raises)").click()
    card = _latest(panel)
    expect(card.locator("[data-status]")).to_have_attribute(
        "data-status", "500", timeout=RUN_TIMEOUT
    )
    expect(card.locator('[data-event="sql"]').last).to_contain_text("DELETE FROM books")
    expect(card.locator('[data-event="rollback"]')).to_have_count(1)
    expect(card.locator("[data-sql-events] > li").last).to_have_attribute("data-event", "close")
    expect(card.locator('[data-table="books"] caption')).to_have_text("books (3 rows)")


def test_selectinload_brings_the_authors_listing_from_four_statements_to_two(
    page: Page, live_server
):
    panel = _panel(page, live_server)
    panel.get_by_role("button", name="GET /authors (with books)").click()
    count = _latest(panel).locator("[data-statement-count]")
    expect(count).to_have_attribute("data-statement-count", "4", timeout=RUN_TIMEOUT)

    _edit(
        panel,
        "select(Author).order_by",
        "select(Author).options(selectinload(Author.books)).order_by",
    )
    _edit(panel, "mapped_column, relationship", "mapped_column, relationship, selectinload")
    mounted_editor(panel).click()
    page.keyboard.press("ControlOrMeta+Enter")
    expect(count).to_have_attribute("data-statement-count", "2", timeout=RUN_TIMEOUT)
    expect(_latest(panel).locator('[data-event="sql"]').last).to_contain_text("IN (")

    task = panel.locator('form.task[data-task="authors-in-two-statements"]')
    task.get_by_role("button", name="Check my code").click()
    task = panel.locator('form.task[data-task="authors-in-two-statements"]')
    expect(task.locator("[data-task-feedback]")).to_have_attribute(
        "data-task-feedback", "passed", timeout=RUN_TIMEOUT
    )


def test_a_session_never_closed_is_named_and_a_sql_error_is_shown(page: Page, live_server):
    panel = _panel(page, live_server)
    _edit(panel, "    finally:\n        session.close()\n", "    finally:\n        pass\n")
    panel.locator('form[data-label="List"]').get_by_role("button", name="List").click()
    card = _latest(panel)
    expect(card).to_contain_text("was opened and never closed", timeout=RUN_TIMEOUT)
    expect(card).to_contain_text("never closed, so it still holds its connection")

    panel.get_by_role("button", name="Reset to the starter code").click()
    _edit(
        panel,
        "    books = session.scalars(select(Book).order_by(Book.id))",
        '    session.execute(text("SELECT * FROM shelves"))\n'
        "    books = session.scalars(select(Book).order_by(Book.id))",
    )
    _edit(panel, "String, create_engine, select", "String, create_engine, select, text")
    mounted_editor(panel).click()
    page.keyboard.press("ControlOrMeta+Enter")
    card = _latest(panel)
    expect(card.locator(".sql-error")).to_contain_text(
        "no such table: shelves", timeout=RUN_TIMEOUT
    )
    expect(card.locator("[data-status]")).to_have_attribute("data-status", "500")


def test_a_field_that_is_not_a_number_is_refused_before_anything_runs(page: Page, live_server):
    panel = _panel(page, live_server)
    read = panel.locator('form[data-label="Read"]')
    read.get_by_label("book_id").fill("one")
    read.get_by_role("button", name="Read").click()
    expect(panel.locator("[data-run-status]")).to_contain_text("book_id must be a whole number")
    expect(panel.locator("[data-journal]")).to_have_text("No calls yet.")


def test_a_database_server_on_the_network_is_explained_and_the_page_keeps_working(
    page: Page, live_server
):
    panel = _panel(page, live_server)
    _edit(
        panel,
        'create_engine(f"sqlite:///{tempfile.mkdtemp()}/bookshop.db")',
        'create_engine("postgresql+psycopg://shop@db.example.com/shop")',
    )
    panel.locator('form[data-label="List"]').get_by_role("button", name="List").click()
    results = panel.locator("[data-results]")
    expect(results).to_contain_text("No call was made.", timeout=RUN_TIMEOUT)
    expect(results).to_contain_text("db.example.com")
    expect(results).to_contain_text("cannot reach the network")

    panel.get_by_role("button", name="Reset to the starter code").click()
    mounted_editor(panel).click()
    page.keyboard.press("ControlOrMeta+Enter")
    expect(_latest(panel).locator("[data-status]")).to_have_attribute(
        "data-status", "200", timeout=RUN_TIMEOUT
    )
