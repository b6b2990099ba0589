"""`deepdive admin ...`: accounts, cohorts and reset links from the command line.

Each command works on `DEEPDIVE_DATABASE_URL` (PostgreSQL in hosted mode), migrating it first.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

admin_app = typer.Typer(
    help="Hosted mode: create accounts and cohorts, issue password-reset links.",
    no_args_is_help=True,
)
console = Console(soft_wrap=True, emoji=False, highlight=False)
errors = Console(stderr=True, soft_wrap=True, emoji=False, highlight=False)


@contextmanager
def _database() -> Iterator[Session]:
    from deepdive.db.engine import make_session_factory
    from deepdive.db.migrate import open_database
    from deepdive.settings import Settings

    settings = Settings().prepare()
    engine = open_database(settings.database_url or "")
    try:
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _fail(message: str) -> typer.Exit:
    errors.print(f"[bold red]{message}[/]")
    return typer.Exit(1)


@admin_app.command("create-user")
def create_user(
    username: Annotated[str, typer.Argument(help="Letters a-z, digits, . _ - (3 to 32)")],
    role: Annotated[str, typer.Option(help="admin, instructor or learner")] = "learner",
    display_name: Annotated[str | None, typer.Option(help="The name others see")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
) -> None:
    """Create an account (the password is asked for, or read from standard input)."""
    from deepdive.accounts import service

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _database() as session:
        try:
            user = service.create_user(
                session, username, password, display_name=display_name, role=role
            )
        except service.AccountError as problem:
            raise _fail(str(problem)) from problem
        console.print(f"Created {user.role} account {user.username!r}.")


@admin_app.command("create-cohort")
def create_cohort(
    name: Annotated[str, typer.Argument(help="The cohort's name, e.g. 'Autumn 2026'")],
    instructor: Annotated[
        list[str] | None, typer.Option(help="An instructor's username (repeat for several)")
    ] = None,
) -> None:
    """Create a cohort and print its join code (learners sign up with it)."""
    from deepdive.accounts import service

    with _database() as session:
        teachers = []
        for username in instructor or []:
            user = service.find_user(session, username)
            if user is None:
                raise _fail(f"There is no account called {username!r}; nothing was created.")
            teachers.append(user)
        try:
            if any(user.role == service.Role.LEARNER for user in teachers):
                learner = next(u for u in teachers if u.role == service.Role.LEARNER)
                raise service.AccountError(
                    f"{learner.username} is a learner account: only instructor or admin "
                    "accounts can be a cohort's instructors. Nothing was created."
                )
            cohort = service.create_cohort(session, name)
            for user in teachers:
                service.add_member(session, cohort, user, service.Role.INSTRUCTOR)
        except service.AccountError as problem:
            raise _fail(str(problem)) from problem
        console.print(f"Created cohort {cohort.name!r}. Join code: {cohort.join_code}")


@admin_app.command("reset-link")
def reset_link(
    username: Annotated[str, typer.Argument(help="Whose password is to be reset")],
    base_url: Annotated[
        str, typer.Option(help="The course's public address")
    ] = "https://127.0.0.1:8000",
) -> None:
    """Print a one-time password-reset link (valid for 24 hours) for an account."""
    from deepdive.accounts import service

    with _database() as session:
        user = service.find_user(session, username)
        if user is None or user.password_hash is None:
            raise _fail(f"There is no account called {username!r}.")
        issued = service.issue_password_reset(session, user)
    console.print(
        f"Reset link for {user.username} (one use, until {issued.expires_at:%Y-%m-%d %H:%M} UTC):"
    )
    console.print(base_url.rstrip("/") + issued.path)
