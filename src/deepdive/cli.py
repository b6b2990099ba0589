"""The `deepdive` command line."""

from __future__ import annotations

import typer

app = typer.Typer(help="FastAPI Deep Dive: the course, its sandbox and its tools.", no_args_is_help=True)


def main() -> None:
    app()
