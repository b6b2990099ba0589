"""Lesson 13's config generator, used as a learner would: run the app against the health check,
change the form and read the files and hadolint's verdict, hit a refusal, download the zip."""

from __future__ import annotations

import io
import zipfile

from playwright.sync_api import Page, expect
from tests.browser.conftest import mounted_editor


def _panel(page: Page, live_server):
    page.goto(f"{live_server.url}/lessons/deployment")
    panel = page.locator("#interactive-deploy-config")
    expect(panel).to_have_attribute("data-ready", "true")
    expect(panel).to_have_attribute("data-generated", "ok")
    return panel


def test_the_form_writes_linted_files_and_refuses_what_cannot_work(page: Page, live_server):
    panel = _panel(page, live_server)
    expect(panel.locator("[data-lint]")).to_have_text(
        "hadolint 2.15.1: no warnings for this Dockerfile."
    )
    dockerfile = panel.locator('[data-file="Dockerfile"] pre')
    expect(dockerfile).to_contain_text(
        'CMD ["gunicorn", "--config", "gunicorn.conf.py", "app.main:app"]'
    )
    expect(dockerfile).to_contain_text("USER 10001:10001")

    panel.get_by_label("CPU cores of the machine").fill("3")
    expect(panel.locator("[data-advice]")).to_contain_text("Suggested: 7 workers")
    panel.get_by_role("button", name="Use the suggestion").click()
    expect(dockerfile).to_contain_text("WEB_CONCURRENCY=7")

    panel.get_by_label("Uvicorn with --workers").check()
    expect(dockerfile).to_contain_text('CMD ["uvicorn", "app.main:app"')
    expect(panel.get_by_role("tab", name="gunicorn.conf.py")).to_have_count(0)
    panel.get_by_label("Non-root user").uncheck()
    expect(dockerfile).not_to_contain_text("USER")
    panel.get_by_label("Database").select_option("postgres")
    panel.get_by_role("tab", name="compose.yaml").click()
    expect(panel.locator('[data-file="compose.yaml"] pre')).to_contain_text("pg_isready")
    expect(panel.locator("[data-lint]")).to_contain_text("no warnings")

    panel.get_by_label("Workers", exact=True).fill("0")
    expect(panel.locator("[data-problem]")).to_contain_text(
        "0 workers cannot answer a single request"
    )
    expect(panel).to_have_attribute("data-generated", "refused")
    panel.get_by_label("Workers", exact=True).fill("2")
    expect(panel).to_have_attribute("data-generated", "ok")
    panel.get_by_label("Python").select_option("3.9")
    expect(panel.locator("[data-problem]")).to_contain_text("Python '3.9' is not offered")
    panel.get_by_label("Python").select_option("3.11")
    expect(panel.locator('[data-file="compose.yaml"] pre')).to_be_visible()
    expect(panel.locator("[data-problem]")).to_be_empty()


def test_the_health_check_runs_the_app_and_the_task_passes_once_it_answers(page: Page, live_server):
    panel = _panel(page, live_server)
    panel.get_by_role("button", name="GET /health").click()
    expect(panel.locator("[data-response] [data-status]")).to_have_attribute("data-status", "404")

    mounted_editor(panel).click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.insert_text(
        '\n\n\n@app.get("/health")\ndef health():\n    return {"status": "ok"}'
    )
    panel.get_by_role("button", name="GET /health").click()
    expect(panel.locator("[data-response] [data-status]")).to_have_attribute("data-status", "200")

    task = panel.locator('form.task[data-task="health-route"]')
    task.get_by_role("button", name="Check my code").click()
    task = panel.locator('form.task[data-task="health-route"]')
    expect(task.locator("[data-task-feedback]")).to_have_attribute("data-task-feedback", "passed")
    expect(task).to_contain_text("+25 XP")


def test_download_gives_the_files_with_the_learners_current_code(page: Page, live_server):
    panel = _panel(page, live_server)
    mounted_editor(panel).click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.insert_text("\n\n# deployed by me\n")
    with page.expect_download() as download_info:
        panel.get_by_role("link", name="Download the zip").click()
    download = download_info.value
    assert download.suggested_filename == "fastapi-app.zip"
    archive = zipfile.ZipFile(io.BytesIO(download.path().read_bytes()))
    names = archive.namelist()
    assert {
        "fastapi-app/Dockerfile",
        "fastapi-app/compose.yaml",
        "fastapi-app/.dockerignore",
    } <= set(names)
    assert b"# deployed by me" in archive.read("fastapi-app/app/main.py")
