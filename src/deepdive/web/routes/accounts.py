"""Hosted mode's account pages: sign up with a join code, log in and out, reset a password,
and the account's own page.

The forms are sent by htmx, which adds the CSRF header like every other form of the site; an
answer that moves on says so with `HX-Redirect` (a plain form post gets a 303 instead).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from deepdive.accounts import service
from deepdive.accounts.service import AccountError
from deepdive.accounts.sessions import (
    LoginRequiredError,
    end_session,
    optional_account,
    start_session,
)
from deepdive.db.models import Learner
from deepdive.web.deps import AccountDep, CourseDep, ProgressDep, page_context
from deepdive.web.errors import error_response, wants_json
from deepdive.web.ratelimits import LimitsUnavailableError
from deepdive.web.security import NO_STORE, csrf_cookie_header

router = APIRouter(include_in_schema=False)

_TEXT = 200  # the longest username, display name or join code a form may send
_PASSWORD = 1000  # longer than any valid password, so that "too long" is said in words

WHY = {
    "login": "Log in to follow the course with your account.",
    "ended": "Your session has ended. Log in again.",
    "out": "You are logged out, on every device.",
    "reset": "Your password was changed and every session of your account has ended. "
    "Log in with the new password.",
}


def safe_next(raw: str | None) -> str:
    """Where to go after logging in: a path on this site, never another site."""
    if not raw or not raw.startswith("/") or raw.startswith(("//", "/\\")):
        return "/"
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return "/"
    return raw


def go_to(request: Request, url: str) -> Response:
    """Move the browser to `url`: htmx follows `HX-Redirect`, a plain form post a 303."""
    if request.headers.get("hx-request"):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _rotate_csrf(request: Request, response: Response) -> None:
    """A new CSRF token with every login: a token seen before it is worth nothing after."""
    token = request.app.state.csrf_tokens.new()
    response.headers.append("set-cookie", csrf_cookie_header(token, secure=True))


def _page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """An account page or form: never kept by a cache (it shows who is logged in, and forms
    with what they typed)."""
    return request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status_code, headers={**NO_STORE, **(headers or {})}
    )


def login_redirect(request: Request, problem: LoginRequiredError) -> Response:
    """The answer to a request that needs a login: /api gets 401 JSON, pages go to /login."""
    if request.headers.get("hx-request"):
        current = urlsplit(request.headers.get("hx-current-url", "/"))
        back = current.path + (f"?{current.query}" if current.query else "")
    else:
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    why = "ended" if problem.ended else "login"
    target = "/login?" + urlencode({"next": safe_next(back), "why": why})
    if wants_json(request):
        body = {"error": "Not logged in", "message": str(problem), "login": target}
        return JSONResponse(body, status_code=401)
    if request.headers.get("hx-request"):
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


# ---- logging in ---------------------------------------------------------------------------


def _address(request: Request) -> str:
    """The client's address (behind a proxy, what Uvicorn's --forwarded-allow-ips trusts)."""
    return request.client.host if request.client else "unknown"


def _authenticate(request: Request, username: str, password: str) -> Learner | None:
    with request.app.state.session_factory() as session:
        return service.authenticate(session, username, password)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str | None = None, why: str | None = None) -> Response:
    if await optional_account(request) is not None and why is None:
        return RedirectResponse(safe_next(next), status_code=303)
    context = {"next": safe_next(next), "notice": WHY.get(why or ""), "username": ""}
    return _page(request, "accounts/login.html", context)


@router.post("/login", response_class=HTMLResponse)
async def log_in(
    request: Request,
    username: Annotated[str, Form(max_length=_TEXT)] = "",
    password: Annotated[str, Form(max_length=_PASSWORD)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    context: dict[str, Any] = {"next": safe_next(next), "username": username, "notice": None}
    try:
        limited = await request.app.state.login_limiter.login_refusal(username, _address(request))
    except LimitsUnavailableError as down:
        context["error"] = down.message
        return _page(request, "accounts/login_form.html", context, status_code=503)
    if limited is not None:
        context["error"] = str(limited)
        headers = {"Retry-After": str(limited.retry_seconds)}
        return _page(request, "accounts/login_form.html", context, status_code=429, headers=headers)
    user = await run_in_threadpool(_authenticate, request, username, password)
    if user is None:
        context["error"] = "Wrong username or password."
        return _page(request, "accounts/login_form.html", context, status_code=400)
    start_session(request, user)
    response = go_to(request, safe_next(next))
    _rotate_csrf(request, response)
    return response


@router.post("/logout")
async def log_out(request: Request) -> Response:
    account = await optional_account(request)
    if account is not None:
        await run_in_threadpool(_end_sessions, request, account.id)
    end_session(request)
    return go_to(request, "/login?why=out")


def _end_sessions(request: Request, learner_id: int) -> None:
    with request.app.state.session_factory() as session:
        user = session.get(Learner, learner_id)
        if user is not None:
            service.end_sessions(session, user)


# ---- signing up ---------------------------------------------------------------------------


@router.get("/signup", response_class=HTMLResponse)
async def signup_page(request: Request, code: str = "") -> Response:
    context = {"values": {"code": code[:_TEXT]}, "error": None}
    return _page(request, "accounts/signup.html", context)


def _join(request: Request, values: dict[str, str], password: str, again: str) -> Learner:
    with request.app.state.session_factory() as session:
        return service.join_with_code(
            session,
            values["code"],
            values["username"],
            password,
            display_name=values["display_name"],
            password_again=again,
        )


@router.post("/signup", response_class=HTMLResponse)
async def sign_up(
    request: Request,
    username: Annotated[str, Form(max_length=_TEXT)] = "",
    display_name: Annotated[str, Form(max_length=_TEXT)] = "",
    password: Annotated[str, Form(max_length=_PASSWORD)] = "",
    password2: Annotated[str, Form(max_length=_PASSWORD)] = "",
    code: Annotated[str, Form(max_length=_TEXT)] = "",
) -> Response:
    values = {"username": username, "display_name": display_name, "code": code}
    try:
        limited = await request.app.state.login_limiter.signup_refusal(_address(request))
    except LimitsUnavailableError as down:
        context = {"values": values, "error": down.message, "field": None}
        return _page(request, "accounts/signup_form.html", context, status_code=503)
    if limited is not None:
        context = {"values": values, "error": str(limited), "field": None}
        headers = {"Retry-After": str(limited.retry_seconds)}
        return _page(
            request, "accounts/signup_form.html", context, status_code=429, headers=headers
        )
    try:
        user = await run_in_threadpool(_join, request, values, password, password2)
    except AccountError as problem:
        context = {"values": values, "error": str(problem), "field": problem.field}
        return _page(request, "accounts/signup_form.html", context, status_code=422)
    start_session(request, user)
    response = go_to(request, "/")
    _rotate_csrf(request, response)
    return response


# ---- password reset -----------------------------------------------------------------------


def _reset_target(request: Request, token: str) -> str:
    with request.app.state.session_factory() as session:
        _, user = service.find_password_reset(session, token)
        return user.username or ""


@router.get("/reset/{token}", response_class=HTMLResponse)
async def reset_page(request: Request, token: str) -> Response:
    try:
        username = await run_in_threadpool(_reset_target, request, token[:100])
    except AccountError as problem:
        gone = error_response(request, 410, "This link cannot be used", str(problem))
        gone.headers.update(NO_STORE)
        return gone
    return _page(
        request, "accounts/reset.html", {"token": token, "username": username, "error": None}
    )


def _reset(request: Request, token: str, password: str, again: str) -> None:
    with request.app.state.session_factory() as session:
        service.use_password_reset(session, token, password, again)


@router.post("/reset/{token}", response_class=HTMLResponse)
async def reset_password(
    request: Request,
    token: str,
    password: Annotated[str, Form(max_length=_PASSWORD)] = "",
    password2: Annotated[str, Form(max_length=_PASSWORD)] = "",
) -> Response:
    try:
        await run_in_threadpool(_reset, request, token[:100], password, password2)
    except AccountError as problem:
        status_code = 422 if problem.field else 400
        context = {"token": token, "username": None, "error": str(problem)}
        return _page(request, "accounts/reset_form.html", context, status_code=status_code)
    end_session(request)
    return go_to(request, "/login?why=reset")


# ---- the account's page -------------------------------------------------------------------


def _cohorts(request: Request, learner_id: int) -> list[tuple[str, str]]:
    with request.app.state.session_factory() as session:
        user = session.get(Learner, learner_id)
        if user is None:
            return []
        return [(cohort.name, role) for cohort, role in service.cohorts_of(session, user)]


@router.get("/account", response_class=HTMLResponse)
async def account_page(
    request: Request, account: AccountDep, course: CourseDep, progress: ProgressDep
) -> Response:
    cohorts = await run_in_threadpool(_cohorts, request, account.id)
    context = page_context(course, progress, current=None, account=account, cohorts=cohorts)
    return _page(request, "accounts/account.html", context)
