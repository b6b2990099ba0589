"""Lesson 6's JWT auth flow, used as a learner would: run the flow, step through it, change the
secret's algorithm and the lifetime, paste bad tokens, fix the app and check the task."""

from __future__ import annotations

import json

from playwright.sync_api import Locator, Page, expect
from tests.browser.conftest import mounted_editor

RUN_TIMEOUT = 30_000
STARTER_STATUSES = ["401", "200", "200", "401", "401", "401", "401", "204", "500", "401"]


def _panel(page: Page, live_server) -> Locator:
    page.goto(f"{live_server.url}/lessons/auth")
    panel = page.locator("#interactive-jwt-auth-flow")
    expect(panel).to_have_attribute("data-ready", "true")
    # The tests read CodeMirror's own state, which exists once the editor has mounted.
    mounted_editor(panel.locator("[data-editor]").first)
    return panel


def _replace(page: Page, panel: Locator, old: str, new: str) -> None:
    """Select `old` in the editor and type `new` over it."""
    found = panel.evaluate(
        """(panel, old) => {
            const view = panel.editor.view;
            const at = view.state.doc.toString().indexOf(old);
            if (at < 0) return false;
            view.dispatch({ selection: { anchor: at, head: at + old.length } });
            view.focus();
            return true;
        }""",
        old,
    )
    assert found, old
    page.keyboard.insert_text(new)


def _run_flow(panel: Locator) -> None:
    runs = int(panel.get_attribute("data-flow-runs") or 0)
    panel.get_by_role("button", name="Run the flow").click()
    expect(panel).to_have_attribute("data-flow-runs", str(runs + 1), timeout=RUN_TIMEOUT)


def _step(panel: Locator, n: int) -> Locator:
    panel.locator(f'[data-step="{n - 1}"]').click()
    expect(panel).to_have_attribute("data-step", str(n))
    return panel.locator("[data-step-detail]")


def test_every_step_is_a_real_request_of_one_run(page: Page, live_server):
    panel = _panel(page, live_server)
    _run_flow(panel)
    badges = panel.locator("[data-steps-list] [data-badge]")
    expect(badges).to_have_text(STARTER_STATUSES)
    detail = panel.locator("[data-step-detail]")
    expect(panel.locator("[data-step-position]")).to_have_text("Step 1 of 10")
    expect(detail.locator("[data-verdict]")).to_have_text("✓ Answered 401, as a correct app does.")
    expect(detail).to_contain_text("Incorrect username or password")

    panel.get_by_role("button", name="Next →").click()
    token = detail.locator("[data-token]")
    expect(token.locator('[data-part="header"]')).to_contain_text('"alg": "HS256"')
    expect(token.locator('[data-part="payload"]')).to_contain_text('"sub": "alice"')
    expect(token.locator("[data-token-times]")).to_contain_text("30 min after it was issued")
    expect(token.locator("[data-token-times]")).to_contain_text("UTC")
    expect(detail.locator("[data-pyjwt]")).to_contain_text(
        "jwt.encode signed the claims with HS256"
    )

    panel.get_by_role("button", name="Next →").click()
    expect(detail).to_contain_text("Alice Liddell")
    expect(detail.locator("[data-pyjwt]")).to_contain_text('accepted the token (sub: "alice")')

    detail = _step(panel, 4)
    expect(detail.locator('[data-part="payload"]')).to_contain_text('"sub": "mallory"')
    expect(detail.locator("[data-pyjwt]")).to_contain_text("InvalidSignatureError")
    expect(detail.locator("[data-challenge]")).to_have_text("WWW-Authenticate: Bearer")

    detail = _step(panel, 5)
    expect(detail.locator("[data-sent]")).to_contain_text("No Authorization header was sent.")
    expect(detail.locator("[data-challenge]")).to_have_text("WWW-Authenticate: Bearer")
    expect(detail).to_contain_text("never called jwt.decode")

    detail = _step(panel, 6)
    expect(detail.locator('[data-part="header"]')).to_contain_text('"alg": "none"')
    expect(detail.locator("[data-pyjwt]")).to_contain_text("InvalidAlgorithmError")

    detail = _step(panel, 7)
    expect(detail.locator("[data-pyjwt]")).to_contain_text("InvalidSignatureError")

    detail = _step(panel, 9)
    expect(detail.locator("[data-verdict]")).to_contain_text(
        "your app crashed instead of answering 401"
    )
    expect(panel.locator("[data-output]")).to_contain_text("TypeError")

    # The arrow keys move between the steps, like Previous and Next.
    page.keyboard.press("ArrowDown")
    expect(panel.locator('[data-step="9"]')).to_be_focused()
    detail = panel.locator("[data-step-detail]")
    expect(panel).to_have_attribute("data-step", "10")
    expect(detail.locator("[data-clock]")).to_contain_text("moved forward by 30 min")
    expect(detail.locator("[data-pyjwt]")).to_contain_text("ExpiredSignatureError")
    expect(panel.get_by_role("button", name="Next →")).to_be_disabled()


def test_changing_the_lifetime_and_the_algorithm_changes_every_step(page: Page, live_server):
    panel = _panel(page, live_server)
    _replace(page, panel, "ACCESS_TOKEN_MINUTES = 30", "ACCESS_TOKEN_MINUTES = 2")
    _replace(page, panel, 'ALGORITHM = "HS256"', 'ALGORITHM = "HS512"')
    _run_flow(panel)
    expect(panel.locator("[data-steps-list] [data-badge]")).to_have_text(STARTER_STATUSES)
    detail = _step(panel, 2)
    expect(detail.locator('[data-part="header"]')).to_contain_text('"alg": "HS512"')
    expect(detail.locator("[data-token-times]")).to_contain_text("2 min after it was issued")
    detail = _step(panel, 7)
    expect(detail.locator('[data-part="header"]')).to_contain_text('"alg": "HS512"')
    expect(detail.locator("[data-pyjwt]")).to_contain_text("InvalidSignatureError")
    detail = _step(panel, 10)
    expect(detail.locator("[data-clock]")).to_contain_text("moved forward by 2 min")
    expect(panel.locator("[data-output]")).to_contain_text("InsecureKeyLengthWarning")

    _replace(page, panel, "ACCESS_TOKEN_MINUTES = 2", "ACCESS_TOKEN_MINUTES = 3")
    expect(panel.locator("[data-stale]")).to_be_visible()
    expect(panel.locator("[data-stale]")).to_contain_text("The code has changed since this run")


def test_bad_tokens_of_every_shape_get_a_clear_sentence(page: Page, live_server):
    panel = _panel(page, live_server)
    result = panel.locator("[data-own-result]")
    cases = [
        ("Empty", "The token is empty"),
        ("Three dots", "this one has 4 parts"),
        ("Not base64", "characters that base64url does not use"),
        ("Not JSON", "The header part does not decode to JSON"),
        ("Huge", "100,000 characters long"),
    ]
    for label, sentence in cases:
        panel.get_by_role("button", name=label, exact=True).click()
        expect(result).to_contain_text(sentence, timeout=RUN_TIMEOUT)
        expect(result.locator("[data-status]")).to_have_text("401 Unauthorized")
        expect(result.locator("[data-pyjwt]")).to_contain_text("DecodeError")

    text = panel.get_by_label("Your own token")
    text.fill("h€ader.payload.signature")
    panel.get_by_role("button", name="Send this token").click()
    expect(result).to_contain_text("which HTTP headers cannot carry", timeout=RUN_TIMEOUT)

    # The page keeps working: the flow still runs after every bad token.
    _run_flow(panel)
    expect(panel.locator("[data-steps-list] [data-badge]")).to_have_text(STARTER_STATUSES)


def test_a_token_pasted_from_the_flow_and_edited_is_refused(page: Page, live_server):
    panel = _panel(page, live_server)
    _run_flow(panel)
    _step(panel, 2)
    token = panel.evaluate(
        "panel => panel.querySelector('[data-step-detail] [data-response-body]').textContent"
    )
    issued = json.loads(token)["access_token"]
    panel.get_by_label("Your own token").fill(issued)
    panel.get_by_role("button", name="Send this token").click()
    result = panel.locator("[data-own-result]")
    expect(result.locator("[data-status]")).to_have_text("200 OK", timeout=RUN_TIMEOUT)
    middle = len(issued) - 20  # a letter inside the signature
    edited = issued[:middle] + ("A" if issued[middle] != "A" else "B") + issued[middle + 1 :]
    panel.get_by_label("Your own token").fill(edited)
    panel.get_by_role("button", name="Send this token").click()
    expect(result.locator("[data-status]")).to_have_text("401 Unauthorized", timeout=RUN_TIMEOUT)
    expect(result.locator("[data-pyjwt]")).to_contain_text("InvalidSignatureError")


def test_fixing_the_closed_account_bug_passes_its_task(page: Page, live_server):
    panel = _panel(page, live_server)
    _replace(
        page,
        panel,
        '    return USERS.get(claims["sub"])',
        '    user = USERS.get(claims["sub"])\n'
        "    if user is None:\n"
        "        raise CREDENTIALS_ERROR\n"
        "    return user",
    )
    _run_flow(panel)
    detail = _step(panel, 9)
    expect(detail.locator("[data-verdict]")).to_have_text("✓ Answered 401, as a correct app does.")
    task = panel.locator('form.task[data-task="known-users-only"]')
    task.get_by_role("button", name="Check my code").click()
    task = panel.locator('form.task[data-task="known-users-only"]')
    expect(task.locator("[data-task-feedback]")).to_have_attribute(
        "data-task-feedback", "passed", timeout=RUN_TIMEOUT
    )
    expect(task).to_contain_text("+30 XP")
