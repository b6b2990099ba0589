"""Lesson 12's chat, used as a learner would: the learner's WebSocket app in a live session,
two clients on the page, a second tab in the same room, the caps, and a checked task."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from tests.browser.conftest import mounted_editor


def _panel(page: Page, live_server):
    page.goto(f"{live_server.url}/lessons/websockets")
    panel = page.locator("#interactive-chat-room")
    expect(panel).to_have_attribute("data-ready", "true")
    return panel


def _start(panel, route: str, room: str = "lobby"):
    panel.get_by_label("Room", exact=True).fill(room)
    panel.locator(f'[data-route][value="{route}"]').check()
    panel.get_by_role("button", name="Start the app").click()
    expect(panel).to_have_attribute("data-session", "ready")


def _client(panel, index: int):
    return panel.locator(f'[data-client="{index}"]')


def _send(client, text: str) -> None:
    client.locator("[data-message]").fill(text)
    client.get_by_role("button", name="Send", exact=True).click()


def test_echo_shows_each_frame_with_its_time_and_the_close_code(page: Page, live_server):
    panel = _panel(page, live_server)
    _start(panel, "echo", "echo-room")
    ada = _client(panel, 0)
    ada.get_by_role("button", name="Connect", exact=True).click()
    expect(ada).to_have_attribute("data-state", "open")
    _send(ada, "hello")
    expect(ada.locator(".frame-in .frame-text").last).to_have_text("echo: hello")
    sent = ada.locator(".frame-out").last
    expect(sent.locator(".frame-time")).to_have_text(re.compile(r"ms$"))
    _send(ada, "bye")
    expect(ada).to_have_attribute("data-close-code", "4000")
    expect(ada.locator(".frame-closed").last).to_contain_text(
        "Closed with 4000 (the app's own code): “you said bye”"
    )
    ada.get_by_role("button", name="Connect", exact=True).click()
    expect(ada).to_have_attribute("data-state", "open")
    ada.get_by_role("button", name="Disconnect").click()
    expect(ada).to_have_attribute("data-close-code", "1000")
    expect(ada.locator(".frame-closed").last).to_contain_text("Closed with 1000 (normal closure)")


def test_two_tabs_in_one_room_chat_through_the_learners_manager(page: Page, live_server):
    panel = _panel(page, live_server)
    _start(panel, "room", "book-club")
    ada = _client(panel, 0)
    ada.get_by_role("button", name="Connect", exact=True).click()
    expect(ada).to_have_attribute("data-state", "open")

    other = page.context.new_page()
    second = _panel(other, live_server)
    _client(second, 0).get_by_label("Client", exact=True).fill("cy")
    _start(second, "room", "book-club")
    expect(second.locator("[data-run-status]")).to_contain_text("Joined room “book-club”")
    cy = _client(second, 0)
    cy.get_by_role("button", name="Connect", exact=True).click()
    expect(cy).to_have_attribute("data-state", "open")
    expect(ada.locator(".frame-in .frame-text").last).to_have_text("cy joined")

    _send(cy, "hello from the other tab")
    expect(ada.locator(".frame-in .frame-text").last).to_have_text("cy: hello from the other tab")
    _send(ada, "hi cy")
    expect(cy.locator(".frame-in .frame-text").last).to_have_text("ada: hi cy")

    # Both clients of one page meet there too.
    bob = _client(panel, 1)
    bob.get_by_role("button", name="Connect", exact=True).click()
    expect(cy.locator(".frame-in .frame-text").last).to_have_text("bob joined")
    other.close()


def test_the_caps_and_a_binary_frame_get_clear_messages_and_the_page_goes_on(
    page: Page, live_server
):
    panel = _panel(page, live_server)
    _start(panel, "room", "caps")
    ada = _client(panel, 0)
    ada.get_by_role("button", name="Connect", exact=True).click()
    expect(ada).to_have_attribute("data-state", "open")
    ada.get_by_role("button", name="Flood").click()
    notes = panel.locator("[data-notes]")
    expect(notes).to_contain_text("faster than 20 messages a second")
    expect(ada.locator(".frame-refused").first).to_be_visible()
    ada.get_by_role("button", name="10 MiB message").click()
    expect(notes).to_contain_text("the limit is 64 KiB")
    _send(ada, "still here")
    expect(ada.locator(".frame-in .frame-text").last).to_have_text("ada: still here")
    ada.get_by_role("button", name="Binary frame").click()
    expect(notes).to_contain_text("receive_text() and the client sent a binary frame")
    expect(ada).to_have_attribute("data-close-code", "1011")


def test_an_app_that_never_accepts_is_explained(page: Page, live_server):
    panel = _panel(page, live_server)
    mounted_editor(panel).click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(
        "import asyncio\nfrom fastapi import FastAPI, WebSocket\n\napp = FastAPI()\n\n\n"
        '@app.websocket("/echo")\nasync def echo(websocket: WebSocket):\n'
        "    await asyncio.sleep(30)\n"
    )
    _start(panel, "echo", "never")
    ada = _client(panel, 0)
    ada.get_by_role("button", name="Connect", exact=True).click()
    expect(panel.locator("[data-notes]")).to_contain_text("has not called await websocket.accept()")
    panel.get_by_role("button", name="Reset to the starter code").click()
    expect(panel.locator("[data-run-status]")).to_contain_text("You changed the code")


def test_the_user_left_task_is_checked_over_real_websockets(page: Page, live_server):
    panel = _panel(page, live_server)
    task = panel.locator('form.task[data-task="user-left"]')
    task.get_by_role("button", name="Check my code").click()
    task = panel.locator('form.task[data-task="user-left"]')
    expect(task.locator("[data-task-feedback]")).to_have_attribute("data-task-feedback", "failed")
    # The names in the check are drawn per check: "after <someone> disconnected, <someone else>".
    expect(task.locator('[data-check="failed"]').first).to_contain_text(
        re.compile(r"after \S+ disconnected, \S+")
    )

    mounted_editor(panel).click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.insert_text('\n        await manager.broadcast(room, f"{name} left")')
    task.get_by_role("button", name="Check my code").click()
    task = panel.locator('form.task[data-task="user-left"]')
    expect(task.locator("[data-task-feedback]")).to_have_attribute("data-task-feedback", "passed")
    expect(task).to_contain_text("+30 XP")


def test_an_app_that_accepts_and_never_reads_is_explained(page: Page, live_server):
    panel = _panel(page, live_server)
    mounted_editor(panel).click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(
        "import asyncio\nfrom fastapi import FastAPI, WebSocket\n\napp = FastAPI()\n\n\n"
        '@app.websocket("/echo")\nasync def echo(websocket: WebSocket):\n'
        "    await websocket.accept()\n    await asyncio.sleep(30)\n"
    )
    _start(panel, "echo", "deaf")
    ada = _client(panel, 0)
    ada.get_by_role("button", name="Connect", exact=True).click()
    expect(ada).to_have_attribute("data-state", "open")
    _send(ada, "anyone?")
    expect(panel.locator("[data-notes]")).to_contain_text("nothing came back 2 s after “anyone?”")
    expect(ada.locator(".frame-out .frame-time").last).to_have_text(re.compile(r"ms$"))
