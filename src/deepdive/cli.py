"""The `deepdive` command line."""

from __future__ import annotations

import typer

from deepdive.sandbox.cli import runner_command, sandbox_app

app = typer.Typer(
    help="FastAPI Deep Dive: the course, its sandbox and its tools.", no_args_is_help=True
)
app.add_typer(sandbox_app, name="sandbox")
app.command("runner")(runner_command)


def main() -> None:
    app()
