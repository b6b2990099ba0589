"""`deepdive db upgrade`: migrate the platform database on its own, before any web worker starts.

Hosted deployments run it once per release (compose's `migrate` service, the Kubernetes
migration Job) so that several web workers never race to migrate the same database.
"""

from __future__ import annotations

import typer
from sqlalchemy.exc import SQLAlchemyError

from deepdive.settings import Settings

db_app = typer.Typer(help="The platform database: migrations.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade_command() -> None:
    """Apply every migration not yet applied to DEEPDIVE_DATABASE_URL (data is kept)."""
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
