"""`deepdive db upgrade`: migrate the platform database on its own, before any web worker starts;
`deepdive db wait`: wait until it has been migrated.

Hosted deployments run the upgrade once per release (compose's `migrate` service, the Kubernetes
migration Job) so that several web workers never race to migrate the same database; Kubernetes
web pods wait for it (an init container) the way compose's `depends_on` does.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer

from deepdive.settings import Settings

db_app = typer.Typer(help="The platform database: migrations.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade_command() -> None:
    """Apply every migration not yet applied to DEEPDIVE_DATABASE_URL (data is kept)."""
    from sqlalchemy.exc import SQLAlchemyError

    from deepdive.db.engine import make_engine
    from deepdive.db.migrate import current_revision, upgrade

    settings = Settings().prepare()
    engine = make_engine(settings.database_url or "")
    shown = engine.url.render_as_string(hide_password=True)
    try:
        before = current_revision(engine)
        upgrade(engine)
        after = current_revision(engine)
    except SQLAlchemyError as error:
        typer.echo(
            f"Cannot migrate {shown}: {error.__class__.__name__}: {error.orig or error}", err=True
        )
        raise typer.Exit(1) from error
    finally:
        engine.dispose()
    if before == after:
        typer.echo(f"{shown} is already at revision {after}; nothing to do.")
    else:
        typer.echo(f"Migrated {shown} from revision {before or 'none (empty)'} to {after}.")


@db_app.command("wait")
def wait_command(
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds")] = 600,
) -> None:
    """Wait until DEEPDIVE_DATABASE_URL is reachable and at the newest revision; change nothing."""
    from sqlalchemy.exc import SQLAlchemyError

    from deepdive.db.engine import make_engine
    from deepdive.db.migrate import current_revision, head_revision

    settings = Settings().prepare()
    engine = make_engine(settings.database_url or "")
    shown = engine.url.render_as_string(hide_password=True)
    head = head_revision()
    deadline = time.monotonic() + timeout
    seen: str | None = "not reached yet"
    try:
        while True:
            try:
                seen = current_revision(engine)
            except SQLAlchemyError as error:
                seen = f"unreachable ({error.__class__.__name__})"
            if seen == head:
                typer.echo(f"{shown} is at revision {head}.")
                return
            if time.monotonic() >= deadline:
                typer.echo(
                    f"{shown} is still at {seen or 'no revision (empty)'} after {timeout:g} s, "
                    f"not {head}: has `deepdive db upgrade` run?",
                    err=True,
                )
                raise typer.Exit(1)
            time.sleep(min(2.0, max(0.0, deadline - time.monotonic())))
    finally:
        engine.dispose()
