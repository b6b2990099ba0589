"""Accounts through the hosted app's pages, on real PostgreSQL and Redis: signing up with a join
code, logging in and out, the session cookie, reset links, roles, and data kept per account."""

from __future__ import annotations

import base64
import html
import json
from urllib.parse import parse_qs, urlsplit

import itsdangerous
import pytest
from sqlalchemy import text
from tests.hosted.conftest import PASSWORD

from deepdive.accounts.sessions import SESSION_COOKIE

HTMX = {"HX-Request": "true"}


def _signup(client, code, username="grace", **extra):
    form = {
        "code": code,
        "username": username,
        "display_name": extra.pop("display_name", "Grace Hopper"),
        "password": extra.pop("password", PASSWORD),
        "password2": extra.pop("password2", PASSWORD),
    }
    return client.post("/signup", data=form, headers=HTMX)


def _login_target(response):
    """Where a page refused for want of a login sends the browser: (path, query)."""
    location = response.headers.get("location") or response.headers["hx-redirect"]
    parts = urlsplit(location)
    return parts.path, {key: values[0] for key, values in parse_qs(parts.query).items()}


def _answer_first_question(client, course):
    lesson = course.lessons[0]
    question = lesson.quiz.questions[0]
    response = client.post(
        f"/api/lessons/{lesson.slug}/quiz/{question.id}",
        json={"answer": sorted(question.correct_indexes)},
    )
    assert response.status_code == 200, response.text
    return lesson.question_xp(question)


def test_signing_up_with_a_join_code_logs_in_and_shows_the_account(hosted_client, make_cohort):
    cohort = make_cohort("Autumn")
    form = hosted_client.get("/signup?code=" + cohort.join_code)
    assert form.status_code == 200
    assert cohort.join_code in form.text
    response = _signup(hosted_client, cohort.join_code.lower())
    assert response.status_code == 200, response.text
    assert response.headers["hx-redirect"] == "/"
    cookie = next(h for h in response.headers.get_list("set-cookie") if SESSION_COOKIE in h)
    attributes = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "secure", "samesite=lax", "path=/"} <= attributes
    page = hosted_client.get("/")
    assert page.status_code == 200
    assert "Grace Hopper" in page.text
    assert "Log out" in page.text
    account = hosted_client.get("/account")
    assert "grace" in account.text
    assert "Autumn" in account.text


def test_an_unknown_join_code_or_a_taken_name_is_said_and_keeps_the_form(
    hosted_client, make_cohort, make_user
):
    make_cohort("Autumn")
    make_user("grace")
    unknown = _signup(hosted_client, "ABCD-EFGH-JKMN", username="ada")
    assert unknown.status_code == 422
    assert "No cohort has this join code" in unknown.text
    assert 'value="ada"' in unknown.text  # what was typed is kept (the passwords are not)
    assert PASSWORD not in unknown.text
    assert SESSION_COOKIE not in hosted_client.cookies
    mismatch = _signup(hosted_client, "ABCD-EFGH-JKMN", username="ada", password2="not the same!")
    assert "not the same" in mismatch.text


def test_a_taken_username_is_refused_in_any_case(hosted_client, make_cohort, make_user):
    cohort = make_cohort("Autumn")
    make_user("grace")
    taken = _signup(hosted_client, cohort.join_code, username="GRACE")
    assert taken.status_code == 422
    assert "'grace' is taken" in html.unescape(taken.text)


def test_wrong_password_is_refused_then_the_right_one_logs_in(hosted_client, make_user, log_in):
    make_user("ada")
    wrong = hosted_client.post(
        "/login", data={"username": "ada", "password": "not it at all"}, headers=HTMX
    )
    assert wrong.status_code == 400
    assert "Wrong username or password." in wrong.text
    assert SESSION_COOKIE not in hosted_client.cookies
    unknown = hosted_client.post(
        "/login", data={"username": "nobody", "password": PASSWORD}, headers=HTMX
    )
    assert unknown.status_code == 400
    assert "Wrong username or password." in unknown.text
    log_in(hosted_client, "ADA")  # usernames are case-insensitive


def test_login_rotates_the_csrf_token(hosted_client, make_user, log_in):
    make_user("ada")
    before = hosted_client.csrf_headers()["X-CSRF-Token"]
    log_in(hosted_client, "ada")
    assert hosted_client.cookies["deepdive_csrf"] != before
    # The new token works for the next state-changing request.
    assert hosted_client.post("/api/progress/reset", data={"confirm": "reset"}).status_code == 200


def test_pages_need_a_login_and_api_routes_answer_401(hosted_client, course):
    slug = course.lessons[1].slug
    page = hosted_client.get(f"/lessons/{slug}?from=toc")
    assert page.status_code == 303
    path, query = _login_target(page)
    assert path == "/login"
    assert query == {"next": f"/lessons/{slug}?from=toc", "why": "login"}
    login = hosted_client.get(f"/login?next={query['next']}&why={query['why']}")
    assert "Log in to follow the course" in login.text
    api = hosted_client.get("/api/progress")
    assert api.status_code == 401
    assert api.json()["error"] == "Not logged in"
    fragment = hosted_client.post(
        "/api/progress/reset",
        data={"confirm": "reset"},
        headers={**HTMX, "HX-Current-URL": "https://127.0.0.1:8000/progress"},
    )
    assert fragment.status_code == 401
    assert _login_target(fragment) == ("/login", {"next": "/progress", "why": "login"})


def test_login_limit_per_account_answers_429_with_retry_after(hosted_clients, make_user):
    make_user("ada")
    client = hosted_clients()
    for _ in range(5):
        wrong = client.post("/login", data={"username": "ada", "password": "guess " * 3})
        assert wrong.status_code == 400
    limited = client.post("/login", data={"username": "Ada", "password": PASSWORD}, headers=HTMX)
    assert limited.status_code == 429
    assert "Too many login attempts for 'ada'" in html.unescape(limited.text)
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert SESSION_COOKIE not in client.cookies
    # The limit is the account's: another account from the same address still logs in.
    make_user("grace")
    other = client.post("/login", data={"username": "grace", "password": PASSWORD}, headers=HTMX)
    assert other.status_code == 200


def test_login_limit_per_address_covers_every_account(hosted_client):
    for number in range(20):
        attempt = hosted_client.post(
            "/login", data={"username": f"user{number}", "password": "guess guess"}
        )
        assert attempt.status_code == 400
    limited = hosted_client.post("/login", data={"username": "fresh", "password": "guess guess"})
    assert limited.status_code == 429
    assert "Too many login attempts from your network" in limited.text
    assert int(limited.headers["retry-after"]) >= 1


def test_login_limits_are_shared_through_redis_by_every_worker(
    hosted_settings, course, make_user, hosted_client
):
    from tests.conftest import CourseClient
    from tests.hosted.conftest import HOSTED_BASE_URL

    from deepdive.web.app import create_app

    make_user("ada")
    for _ in range(5):
        hosted_client.post("/login", data={"username": "ada", "password": "guess guess"})
    # A second app on the same database and Redis: another worker.
    with CourseClient(create_app(hosted_settings, course), base_url=HOSTED_BASE_URL) as other:
        limited = other.post("/login", data={"username": "ada", "password": PASSWORD})
    assert limited.status_code == 429


def test_logging_out_ends_the_session_even_for_a_replayed_cookie(hosted_clients, make_user, log_in):
    make_user("ada")
    browser = hosted_clients()
    log_in(browser, "ada")
    stolen = browser.cookies[SESSION_COOKIE]
    assert browser.get("/api/progress").status_code == 200
    out = browser.post("/logout", headers=HTMX)
    assert out.headers["hx-redirect"] == "/login?why=out"
    assert SESSION_COOKIE not in browser.cookies
    replay = hosted_clients()
    replay.cookies.set(SESSION_COOKIE, stolen, domain="127.0.0.1")
    page = replay.get("/progress")
    assert _login_target(page) == ("/login", {"next": "/progress", "why": "ended"})
    replay.cookies.set(SESSION_COOKIE, stolen, domain="127.0.0.1")
    assert replay.get("/api/progress").status_code == 401
    assert "Your session has ended" in replay.get("/login?why=ended").text


def test_log_out_everywhere_ends_the_sessions_of_other_devices(hosted_clients, make_user, log_in):
    make_user("ada")
    laptop, phone = hosted_clients(), hosted_clients()
    log_in(laptop, "ada")
    log_in(phone, "ada")
    assert "Log out everywhere" in laptop.get("/account").text
    laptop.post("/logout", headers=HTMX)
    assert phone.get("/api/progress").status_code == 401


def _issue_reset(admin_client, username):
    response = admin_client.post("/admin/reset-links", data={"username": username}, headers=HTMX)
    assert response.status_code == 200, response.text
    link = response.text.split("data-reset-link", 1)[0].rsplit('value="', 1)[1].split('"')[0]
    assert link.startswith("https://127.0.0.1:8000/reset/")
    return link.removeprefix("https://127.0.0.1:8000")


def test_a_reset_link_works_once_and_signs_old_sessions_out(hosted_clients, make_user, log_in):
    make_user("root", role="admin")
    make_user("ada")
    admin, learner, stranger = hosted_clients(), hosted_clients(), hosted_clients()
    log_in(admin, "root")
    log_in(learner, "ada")
    path = _issue_reset(admin, "ada")
    form = stranger.get(path)
    assert form.status_code == 200
    assert "ada" in form.text
    mismatch = stranger.post(
        path, data={"password": "new password 1", "password2": "other"}, headers=HTMX
    )
    assert mismatch.status_code == 422
    assert "not the same" in mismatch.text
    done = stranger.post(
        path, data={"password": "new password 1", "password2": "new password 1"}, headers=HTMX
    )
    assert done.headers["hx-redirect"] == "/login?why=reset"
    assert learner.get("/api/progress").status_code == 401  # the old session ended
    again = stranger.post(
        path, data={"password": "new password 2", "password2": "new password 2"}, headers=HTMX
    )
    assert again.status_code == 400
    assert "already used" in again.text
    assert stranger.get(path).status_code == 410
    old = stranger.post("/login", data={"username": "ada", "password": PASSWORD}, headers=HTMX)
    assert old.status_code == 400
    log_in(stranger, "ada", "new password 1")


def test_an_expired_reset_link_says_so(hosted_clients, hosted_db, make_user, log_in):
    make_user("root", role="admin")
    make_user("ada")
    admin = hosted_clients()
    log_in(admin, "root")
    path = _issue_reset(admin, "ada")
    with hosted_db() as session:
        session.execute(text("UPDATE password_resets SET expires_at = now() - interval '1 minute'"))
        session.commit()
    page = hosted_clients().get(path)
    assert page.status_code == 410
    assert "has expired" in page.text
    assert hosted_clients().get("/reset/not-a-token").status_code == 410


def test_account_pages_and_their_answers_are_never_cached(
    hosted_clients, make_user, make_cohort, log_in
):
    make_user("root", role="admin")
    make_user("ada")
    admin, visitor, learner = hosted_clients(), hosted_clients(), hosted_clients()
    log_in(admin, "root")
    reset = _issue_reset(admin, "ada")
    code = make_cohort().join_code
    answers = {
        "login page": visitor.get("/login"),
        "wrong password": visitor.post(
            "/login", data={"username": "ada", "password": "wrong password"}, headers=HTMX
        ),
        "signup page": visitor.get(f"/signup?code={code}"),
        "signup refused": visitor.post(
            "/signup", data={"code": "NOPE-NOPE", "username": "eve"}, headers=HTMX
        ),
        "reset page": visitor.get(reset),
        "reset refused": visitor.post(
            reset, data={"password": "new password 1", "password2": "other"}, headers=HTMX
        ),
        "unknown reset link": visitor.get("/reset/not-a-token"),
    }
    log_in(learner, "ada")
    answers["account page"] = learner.get("/account")
    for what, answer in answers.items():
        assert answer.status_code < 500, what
        assert "no-store" in answer.headers.get("cache-control", ""), what
    # Course pages are not account pages: they keep the caching they had.
    assert "no-store" not in learner.get("/lessons/basics").headers.get("cache-control", "")


def _cookie_signed_with(secret_key, payload):
    data = base64.b64encode(json.dumps(payload).encode())
    return itsdangerous.TimestampSigner(secret_key).sign(data).decode()


@pytest.mark.parametrize("kind", ["forged", "tampered", "other-secret", "not-base64"])
def test_a_bad_session_cookie_reads_as_logged_out(
    kind, hosted_clients, hosted_settings, make_user, log_in
):
    from deepdive.accounts.sessions import session_middleware_options

    user = make_user("ada")
    victim = hosted_clients()
    log_in(victim, "ada")
    genuine = victim.cookies[SESSION_COOKIE]
    payload = {"uid": user.id, "epoch": user.session_epoch, "sid": "x"}
    key = session_middleware_options(hosted_settings)["secret_key"]
    cookie = {
        "forged": base64.b64encode(json.dumps(payload).encode()).decode() + ".abc.def",
        "tampered": genuine[:-3] + ("AAA" if not genuine.endswith("AAA") else "BBB"),
        "other-secret": _cookie_signed_with("another deployment's key", payload),
        "not-base64": itsdangerous.TimestampSigner(key).sign(b"%%%").decode(),
    }[kind]
    attacker = hosted_clients()
    attacker.cookies.set(SESSION_COOKIE, cookie, domain="127.0.0.1")
    assert attacker.get("/api/progress").status_code == 401
    page = attacker.get("/")
    assert page.status_code == 303
    assert _login_target(page)[0] == "/login"
    assert attacker.get("/login").status_code == 200
    assert victim.get("/api/progress").status_code == 200


def test_two_learners_never_see_each_others_xp_or_drafts(hosted_clients, make_user, log_in, course):
    make_user("ada")
    make_user("grace")
    ada, grace = hosted_clients(), hosted_clients()
    log_in(ada, "ada")
    log_in(grace, "grace")
    xp = _answer_first_question(ada, course)
    assert ada.get("/api/progress").json()["xp"] == xp
    assert grace.get("/api/progress").json()["xp"] == 0
    lesson, interactive = next(
        (lesson, item) for lesson in course.lessons for item in lesson.meta.interactives
    )
    secret_code = "# ada's own code, for her eyes only\n"
    saved = ada.put(f"/api/drafts/{lesson.slug}/{interactive.id}", json={"code": secret_code})
    assert saved.status_code == 200
    assert "for her eyes only" in ada.get(f"/lessons/{lesson.slug}").text
    assert "for her eyes only" not in grace.get(f"/lessons/{lesson.slug}").text
    assert "for her eyes only" not in grace.get("/api/progress/export").text
    assert grace.get("/api/progress/export").json()["awards"] == []
    assert "for her eyes only" in ada.get("/api/progress/export").text


def test_admin_pages_are_refused_to_learners_and_instructors(hosted_clients, make_user, log_in):
    make_user("ada")
    make_user("teacher", role="instructor")
    make_user("root", role="admin")
    for username in ("ada", "teacher"):
        client = hosted_clients()
        log_in(client, username)
        page = client.get("/admin")
        assert page.status_code == 403
        assert "for the course's admins" in html.unescape(page.text)
        assert "Join code" not in page.text
        created = client.post("/admin/cohorts", data={"name": "Sneaky"}, headers=HTMX)
        assert created.status_code == 403
    admin = hosted_clients()
    log_in(admin, "root")
    assert admin.get("/admin").status_code == 200
    assert hosted_clients().get("/admin").status_code == 303  # not logged in: to /login


def test_an_admin_creates_cohorts_and_instructors_from_the_admin_page(
    hosted_clients, hosted_db, make_user, log_in
):
    make_user("root", role="admin")
    admin = hosted_clients()
    log_in(admin, "root")
    created = admin.post("/admin/cohorts", data={"name": "Autumn"}, headers=HTMX)
    assert created.status_code == 200
    assert "Its join code is" in created.text
    code = created.text.split("Its join code is ", 1)[1][:14]
    twice = admin.post("/admin/cohorts", data={"name": " Autumn "}, headers=HTMX)
    assert twice.status_code == 422
    assert "There is already a cohort called 'Autumn'" in html.unescape(twice.text)
    teacher = admin.post(
        "/admin/users",
        data={
            "username": "Teacher",
            "display_name": "T",
            "role": "instructor",
            "password": PASSWORD,
        },
        headers=HTMX,
    )
    assert "Account 'teacher' created as instructor" in html.unescape(teacher.text)
    with hosted_db() as session:
        cohort_id = session.execute(text("SELECT id FROM cohorts")).scalar_one()
    added = admin.post(
        "/admin/instructors", data={"cohort_id": cohort_id, "username": "teacher"}, headers=HTMX
    )
    assert "teacher is now an instructor of Autumn" in added.text
    learner = hosted_clients()
    assert _signup(learner, code).status_code == 200
    page = admin.get("/admin")
    row = page.text.split('data-cohort="Autumn"', 1)[1].split("</tr>", 1)[0]
    assert "teacher" in row
    assert "<td>1</td>" in row
    weak = admin.post(
        "/admin/users",
        data={"username": "x2y", "role": "instructor", "password": "short"},
        headers=HTMX,
    )
    assert weak.status_code == 422
    assert "at least 10 characters" in weak.text


def test_instructors_issue_reset_links_only_for_their_cohorts_learners(
    hosted_clients, make_cohort, make_user, log_in
):
    autumn, spring = make_cohort("Autumn"), make_cohort("Spring")
    make_user("teacher", role="instructor", cohort=autumn)
    mine = make_user("mine", cohort=autumn)
    theirs = make_user("theirs", cohort=spring)
    make_user("ada", cohort=autumn)
    teacher, learner = hosted_clients(), hosted_clients()
    log_in(teacher, "teacher")
    log_in(learner, "ada")
    issued = teacher.post(f"/cohorts/{autumn.id}/learners/{mine.id}/reset-link")
    assert issued.status_code == 200
    link = issued.json()["link"]
    assert link.startswith("https://127.0.0.1:8000/reset/")
    assert hosted_clients().get(link.removeprefix("https://127.0.0.1:8000")).status_code == 200
    refused = [
        teacher.post(f"/cohorts/{spring.id}/learners/{theirs.id}/reset-link"),
        teacher.post(f"/cohorts/{autumn.id}/learners/{theirs.id}/reset-link"),
        learner.post(f"/cohorts/{autumn.id}/learners/{mine.id}/reset-link"),
    ]
    for response in refused:
        assert response.status_code == 403
        assert "/reset/" not in response.text
    as_json = teacher.post(
        f"/cohorts/{spring.id}/learners/{theirs.id}/reset-link",
        headers={"Accept": "application/json"},
    )
    assert as_json.status_code == 403
    assert "cohorts you teach" in as_json.json()["message"]
    fragment = teacher.post(f"/cohorts/{autumn.id}/learners/{mine.id}/reset-link", headers=HTMX)
    assert "data-reset-link" in fragment.text


WS_URL = "wss://127.0.0.1:8000/api/sessions"
WS_WIDGET = "basics/first-endpoint"
WS_APP = "from fastapi import FastAPI\n\napp = FastAPI()\n"


def _session_socket(client):
    """A WebSocket to /api/sessions with the browser's cookies (the test client's cookie jar
    keeps Secure cookies for https:// only, so they are sent by hand, as a browser would)."""
    token = client.csrf_headers()["X-CSRF-Token"]
    cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    headers = {"Origin": "https://127.0.0.1:8000", "Cookie": cookies}
    return client.websocket_connect(WS_URL, headers=headers), token


def _start_session(socket, token):
    start = {"op": "start", "widget": WS_WIDGET, "code": WS_APP, "csrf": token}
    socket.send_text(json.dumps(start))
    return json.loads(socket.receive_text())


def test_a_session_websocket_needs_a_login_and_runs_for_the_account(
    hosted_clients, make_user, log_in
):
    stranger = hosted_clients()
    socket, token = _session_socket(stranger)
    with socket:
        refused = _start_session(socket, token)
    assert refused == {
        "event": "error",
        "message": "Log in to follow the course with your account.",
    }

    make_user("ada")
    ada = hosted_clients()
    log_in(ada, "ada")
    socket, token = _session_socket(ada)
    with socket:
        first = _start_session(socket, token)
        assert first["event"] in ("queued", "started"), first
        socket.send_text(json.dumps({"op": "end"}))
    drafts = {draft["widget"]: draft for draft in ada.get("/api/progress/export").json()["drafts"]}
    assert drafts[WS_WIDGET]["code"] == WS_APP
    assert drafts[WS_WIDGET]["attempts"] == 1
