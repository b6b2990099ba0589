"""Lesson 9's upload form, used as a learner would: pick a real file, type a description, send it
as multipart to the endpoint in the sandbox, and read what the endpoint received."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect
from tests.browser.conftest import mounted_editor

LESSON = Path(__file__).resolve().parents[2] / "content" / "lessons" / "09-uploads"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(3000)


def _panel(page: Page, live_server):
    page.goto(f"{live_server.url}/lessons/uploads")
    panel = page.locator("#interactive-cover-upload")
    expect(panel).to_have_attribute("data-ready", "true")
    return panel


def _received(panel, key: str):
    return panel.locator(f'[data-received-item="{key}"]')


def test_a_picked_file_and_its_description_reach_the_endpoint(page: Page, live_server):
    panel = _panel(page, live_server)
    panel.get_by_label("File (field file)").set_input_files(
        {"name": "my cover.png", "mimeType": "image/png", "buffer": PNG}
    )
    panel.get_by_label("Description (field description)").fill("Signed by the author")
    panel.get_by_role("button", name="Send the file").click()
    expect(panel.locator("[data-response] [data-status]")).to_have_attribute("data-status", "200")
    expect(_received(panel, "filename")).to_have_text("my cover.png")
    expect(_received(panel, "content_type")).to_have_text("image/png")
    expect(_received(panel, "sniffed")).to_have_text("image/png")
    expect(_received(panel, "size")).to_have_text("2.9 KiB")
    expect(_received(panel, "rolled")).to_contain_text("no: still in memory")
    expect(_received(panel, "field-description")).to_have_text("Signed by the author")
    expect(panel.locator("[data-peak]")).to_contain_text("Peak Python memory")


def test_a_large_sample_rolls_over_to_disk_and_a_lie_is_sniffed(page: Page, live_server):
    panel = _panel(page, live_server)
    panel.get_by_role("button", name="A 2 MiB PNG").click()
    expect(_received(panel, "rolled")).to_contain_text("yes: the spooled file had rolled over")
    expect(_received(panel, "size")).to_have_text("2.00 MiB")
    panel.get_by_role("button", name="A PNG sent as text").click()
    expect(_received(panel, "content_type")).to_have_text("text/plain")
    expect(_received(panel, "sniffed")).to_have_text("image/png (differs from what was sent)")


def test_bad_names_and_empty_files_are_shown_as_received(page: Page, live_server):
    panel = _panel(page, live_server)
    panel.get_by_role("button", name="A name with slashes").click()
    expect(_received(panel, "filename")).to_have_text("../../etc/cover.png")
    panel.get_by_role("button", name="An empty file").click()
    expect(_received(panel, "sniffed")).to_have_text("empty")
    expect(_received(panel, "size")).to_have_text("0 bytes")
    panel.get_by_role("button", name="A 1,000-character name").click()
    expect(_received(panel, "filename")).to_have_text("a" * 996 + ".png")


def test_a_file_over_five_mib_is_refused_before_any_run(page: Page, live_server):
    panel = _panel(page, live_server)
    panel.get_by_label("File (field file)").set_input_files(
        {"name": "poster.png", "mimeType": "image/png", "buffer": bytes(5 * 1024 * 1024 + 1)}
    )
    panel.get_by_role("button", name="Send the file").click()
    expect(panel).to_have_attribute("data-outcome", "refused")
    expect(panel.locator("[data-response]")).to_contain_text("up to 5 MiB, so nothing was sent")
    expect(panel).to_have_attribute("data-attempts", "0")


def test_the_learners_own_checks_refuse_with_413_and_415(page: Page, live_server):
    panel = _panel(page, live_server)
    mounted_editor(panel).click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.insert_text((LESSON / "examples" / "cover_checks.py").read_text())
    panel.get_by_role("button", name="A 4.5 MiB PNG").click()
    expect(panel.locator("[data-response] [data-status]")).to_have_attribute("data-status", "413")
    panel.get_by_role("button", name="A text file").click()
    expect(panel.locator("[data-response] [data-status]")).to_have_attribute("data-status", "415")
    task = panel.locator('form.task[data-task="size-and-type"]')
    task.get_by_role("button", name="Check my code").click()
    task = panel.locator('form.task[data-task="size-and-type"]')
    expect(task.locator("[data-task-feedback]")).to_have_attribute("data-task-feedback", "passed")


def test_a_dropped_file_is_sent_like_a_picked_one(page: Page, live_server):
    panel = _panel(page, live_server)
    dropped = page.evaluate_handle(
        """() => {
            const transfer = new DataTransfer();
            const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70]);
            transfer.items.add(new File([bytes], "dropped.jpg", { type: "image/jpeg" }));
            return transfer;
        }"""
    )
    panel.locator("[data-drop-zone]").dispatch_event("drop", {"dataTransfer": dropped})
    expect(panel.locator("[data-file-note]")).to_contain_text("dropped.jpg · image/jpeg · 10 bytes")
    panel.get_by_role("button", name="Send the file").click()
    expect(_received(panel, "filename")).to_have_text("dropped.jpg")
    expect(_received(panel, "sniffed")).to_have_text("image/jpeg")
