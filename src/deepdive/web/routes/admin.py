"""Hosted mode's administration: cohorts and their join codes, instructor and admin accounts,
password-reset links; and the reset link an instructor issues for a learner of their cohort.

Every admin form answers with the whole admin panel again, a message on top, so the lists are
always current. Anyone but an admin gets a 403 page and sees nothing of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from deepdive.accounts import service
from deepdive.accounts.service import AccountError, IssuedReset, Role
from deepdive.db.models import Cohort, Learner
from deepdive.web.deps import AdminDep, StaffDep
from deepdive.web.errors import wants_json

router = APIRouter(include_in_schema=False)

_TEXT = 200
_PASSWORD = 1000


def reset_link(request: Request, issued: IssuedReset) -> str:
    """The absolute address of a reset link, on the server the request reached."""
    return str(request.base_url).rstrip("/") + issued.path


def _panel_data(session: Session) -> dict[str, Any]:
    return {
        "cohorts": service.cohort_summaries(session),
        "staff": service.staff_accounts(session),
        "roles": [role.value for role in Role],
    }


def _panel(
    request: Request,
    action: Callable[[Session, Learner], dict[str, Any]] | None,
    admin_id: int,
) -> tuple[dict[str, Any], int]:
    """Run `action` (if any) as the admin, then read what the panel shows."""
    context: dict[str, Any] = {"message": None, "error": None, "link": None}
    status_code = 200
    with request.app.state.session_factory() as session:
        if action is not None:
            admin = session.get(Learner, admin_id)
            assert admin is not None  # the request's account was found a moment ago
            try:
                context.update(action(session, admin))
            except AccountError as problem:
                session.rollback()
                context["error"] = str(problem)
                status_code = 422
        context.update(_panel_data(session))
    return context, status_code


async def _answer(
    request: Request,
    admin_id: int,
    action: Callable[[Session, Learner], dict[str, Any]] | None = None,
) -> HTMLResponse:
    context, status_code = await run_in_threadpool(_panel, request, action, admin_id)
    template = "admin/panel.html" if request.headers.get("hx-request") else "admin/admin.html"
    return request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status_code
    )


@router.get("/admin", response_class=HTMLResponse)
async def admin_page(request: Request, admin: AdminDep) -> HTMLResponse:
    return await _answer(request, admin.id)


@router.post("/admin/cohorts", response_class=HTMLResponse)
async def create_cohort(
    request: Request, admin: AdminDep, name: Annotated[str, Form(max_length=_TEXT)] = ""
) -> HTMLResponse:
    def action(session: Session, _admin: Learner) -> dict[str, Any]:
        cohort = service.create_cohort(session, name)
        return {
            "message": f"Cohort {cohort.name!r} created. Its join code is {cohort.join_code}: "
            "give it to its learners, who sign up with it at /signup."
        }

    return await _answer(request, admin.id, action)


@router.post("/admin/users", response_class=HTMLResponse)
async def create_user(
    request: Request,
    admin: AdminDep,
    username: Annotated[str, Form(max_length=_TEXT)] = "",
    display_name: Annotated[str, Form(max_length=_TEXT)] = "",
    role: Annotated[str, Form(max_length=20)] = Role.INSTRUCTOR.value,
    password: Annotated[str, Form(max_length=_PASSWORD)] = "",
) -> HTMLResponse:
    def action(session: Session, _admin: Learner) -> dict[str, Any]:
        user = service.create_user(
            session, username, password, display_name=display_name, role=role
        )
        return {"message": f"Account {user.username!r} created as {user.role}."}

    return await _answer(request, admin.id, action)


def _cohort(session: Session, cohort_id: int) -> Cohort:
    cohort = session.get(Cohort, cohort_id)
    if cohort is None:
        raise AccountError("There is no such cohort; reload the page.")
    return cohort


def _user(session: Session, username: str) -> Learner:
    user = service.find_user(session, username)
    if user is None or user.password_hash is None:
        raise AccountError(f"There is no account called {username.strip()!r}.")
    return user


@router.post("/admin/instructors", response_class=HTMLResponse)
async def add_instructor(
    request: Request,
    admin: AdminDep,
    cohort_id: Annotated[int, Form()],
    username: Annotated[str, Form(max_length=_TEXT)] = "",
) -> HTMLResponse:
    def action(session: Session, _admin: Learner) -> dict[str, Any]:
        cohort, user = _cohort(session, cohort_id), _user(session, username)
        service.add_member(session, cohort, user, Role.INSTRUCTOR)
        return {"message": f"{user.username} is now an instructor of {cohort.name}."}

    return await _answer(request, admin.id, action)


@router.post("/admin/reset-links", response_class=HTMLResponse)
async def admin_reset_link(
    request: Request, admin: AdminDep, username: Annotated[str, Form(max_length=_TEXT)] = ""
) -> HTMLResponse:
    def action(session: Session, issuer: Learner) -> dict[str, Any]:
        user = _user(session, username)
        issued = service.issue_password_reset(session, user, issued_by=issuer)
        return {
            "message": f"A password-reset link for {user.username}, valid until "
            f"{issued.expires_at:%Y-%m-%d %H:%M} UTC and for one use. It is shown only now: "
            "copy it and give it to them.",
            "link": reset_link(request, issued),
        }

    return await _answer(request, admin.id, action)


def _issue_for_learner(
    request: Request, staff_id: int, cohort_id: int, learner_id: int
) -> tuple[str, IssuedReset] | None:
    with request.app.state.session_factory() as session:
        staff = session.get(Learner, staff_id)
        learner = session.get(Learner, learner_id)
        if staff is None or learner is None:
            return None
        if not service.may_reset(session, staff, cohort_id, learner_id):
            return None
        return learner.username or "", service.issue_password_reset(
            session, learner, issued_by=staff
        )


@router.post("/cohorts/{cohort_id}/learners/{learner_id}/reset-link")
async def cohort_reset_link(
    request: Request, cohort_id: int, learner_id: int, staff: StaffDep
) -> Response:
    """A one-time password-reset link for a learner of one of the instructor's cohorts (an
    admin: of any cohort). JSON for API clients, an HTML fragment for the page."""
    issued = await run_in_threadpool(_issue_for_learner, request, staff.id, cohort_id, learner_id)
    if issued is None:
        raise HTTPException(
            403, "You can issue reset links only for learners of the cohorts you teach."
        )
    username, reset = issued
    link = reset_link(request, reset)
    if wants_json(request) or not request.headers.get("hx-request"):
        return JSONResponse(
            {"username": username, "link": link, "expires_at": reset.expires_at.isoformat()}
        )
    return request.app.state.templates.TemplateResponse(
        request,
        "admin/reset_link.html",
        {"username": username, "link": link, "expires_at": reset.expires_at},
    )
