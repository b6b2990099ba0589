"""Accounts in a real browser against a real hosted server (`deepdive serve --hosted`: Gunicorn,
PostgreSQL, Redis): sign up with a cohort's join code, open a lesson, log out, log in again, and
see the message for a wrong password; on a 390 px phone in dark mode, without sideways scrolling.

Hosted cookies are Secure. The browser talks plain HTTP to http://localhost, which Chromium
counts as a secure context, so it keeps and sends them as it would over HTTPS.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.hosted.serving import HostedServer

PHONE = {"width": 390, "height": 844}
DARK_BACKGROUND = "rgb(15, 20, 25)"  # --bg of the dark theme (theme.css)
PASSWORD = "a long enough passphrase"


@pytest.fixture
def served(tmp_path: Path, postgres_url: str, redis_url: str) -> Iterator[tuple[str, str]]:
    """The server's address (as localhost) and the join code of its one cohort."""
    from deepdive.accounts import service
    from deepdive.db.engine import make_session_factory
    from deepdive.db.migrate import open_database

    with HostedServer(tmp_path / "data", postgres_url, redis_url, workers=1) as server:
        engine = open_database(postgres_url)
        with make_session_factory(engine)() as session:
            code = service.create_cohort(session, "Spring cohort").join_code
        engine.dispose()
        yield f"http://localhost:{server.port}", code


def _fits_and_is_dark(page: Page) -> None:
    """No sideways scroll at the phone's width, and the dark theme's colours."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px phone"
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == DARK_BACKGROUND, page.url


def test_sign_up_lesson_log_out_log_in_and_a_wrong_password(
    browser: Browser, served: tuple[str, str]
) -> None:
    base, code = served
    context = browser.new_context(viewport=PHONE, color_scheme="dark")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    # The wrong password's answer is a 400 by design, which Chromium logs as a failed load.
    expected = "the server responded with a status of 400"
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" and expected not in m.text else None,
    )

    page.goto(f"{base}/signup")
    _fits_and_is_dark(page)
    page.fill("#signup-code", code)
    page.fill("#signup-username", "maya")
    page.fill("#signup-display-name", "Maya Lindqvist")
    page.fill("#signup-password", PASSWORD)
    page.fill("#signup-password2", PASSWORD)
    page.click("#signup-form button[type=submit]")
    page.wait_for_url(f"{base}/")
    expect(page.locator("a.account-link")).to_have_text("Maya Lindqvist")
    session = next(c for c in context.cookies() if c["name"] == "deepdive_session")
    assert session["secure"]
    assert session["httpOnly"]
    assert session["sameSite"] == "Lax"

    page.goto(f"{base}/account")
    expect(page.locator("main")).to_contain_text("Spring cohort")
    _fits_and_is_dark(page)

    page.goto(f"{base}/lessons/basics")
    expect(page.locator("h1")).to_be_visible()
    assert page.url == f"{base}/lessons/basics"  # logged in: no detour by /login

    page.click(".logout-form button[type=submit]")
    page.wait_for_url(f"{base}/login?why=out")
    expect(page.locator("header")).to_contain_text("Log in")
    _fits_and_is_dark(page)
    page.goto(f"{base}/lessons/basics")  # logged out: the lesson asks for a login first
    page.wait_for_url(lambda url: "/login?" in url)

    page.fill("#login-username", "maya")
    page.fill("#login-password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/lessons/basics")
    expect(page.locator("a.account-link")).to_have_text("Maya Lindqvist")

    page.click(".logout-form button[type=submit]")
    page.wait_for_url(f"{base}/login?why=out")
    page.fill("#login-username", "maya")
    page.fill("#login-password", "not the passphrase")
    page.click("#login-form button[type=submit]")
    error = page.locator("#login-form [role=alert]")
    expect(error).to_have_text("Wrong username or password.")
    assert "/login" in page.url
    expect(page.locator("#login-username")).to_have_value("maya")  # kept, to try again
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == (
        DARK_BACKGROUND
    )
    _fits_and_is_dark(page)
    assert not [c for c in context.cookies() if c["name"] == "deepdive_session" and c["value"]]
    assert problems == []
    context.close()
