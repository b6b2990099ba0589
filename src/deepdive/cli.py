"""The `deepdive` command line."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import sys
import threading
import time
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from deepdive.accounts.cli import admin_app
from deepdive.db.cli import db_app
from deepdive.sandbox.cli import runner_command, sandbox_app
from deepdive.settings import Settings

# The course, the database and the web app are imported by the commands that need them, so that
# `deepdive sandbox run` (which only talks to a runner) starts quickly.
if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from deepdive.course.models import Course

app = typer.Typer(
    help="FastAPI Deep Dive: the course, its sandbox and its tools.",
    no_args_is_help=True,
    add_completion=False,
)
progress_app = typer.Typer(help="Export, import or reset your progress.", no_args_is_help=True)
app.add_typer(progress_app, name="progress")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(db_app, name="db")
app.add_typer(admin_app, name="admin")
app.command("runner")(runner_command)
console = Console(soft_wrap=True, emoji=False)
errors = Console(stderr=True, soft_wrap=True, emoji=False)


def _load_course_or_exit(settings: Settings) -> Course:
    from deepdive.course.loader import ContentError, load_course

    try:
        return load_course(settings.content_dir)
    except ContentError as problem:
        errors.print(f"[bold red]The course content has {len(problem.problems)} problem(s):[/]")
        for item in problem.problems:
            errors.print(f"  {item}", highlight=False, markup=False)
        raise typer.Exit(1) from problem


def _port_problem(host: str, port: int) -> str | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return (
                    f"Port {port} on {host} is already in use (is the course already running?). "
                    f"Try another port: deepdive serve --port {port + 1}"
                )
            return f"Cannot listen on {host}:{port}: {error.strerror}"
    return None


def _has_display() -> bool:
    return sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    open_browser: Annotated[
        bool, typer.Option("--open/--no-open", help="Open the course in a browser")
    ] = False,
    hosted: Annotated[
        bool,
        typer.Option("--hosted", help="Hosted mode: accounts, PostgreSQL, Redis, several workers"),
    ] = False,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Web worker processes (hosted mode)")
    ] = 2,
) -> None:
    """Serve the course (migrating the database first, starting the sandbox runner beside it)."""
    from deepdive.db.migrate import open_database
    from deepdive.sandbox import RunnerStartError, local_runner
    from deepdive.web.app import create_app

    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    if hosted or os.environ.get("DEEPDIVE_MODE") == "hosted":
        _serve_hosted(overrides, workers)
        return
    settings = Settings(**overrides).prepare()  # type: ignore[arg-type]
    course = _load_course_or_exit(settings)
    problem = _port_problem(settings.host, settings.port)
    if problem:
        errors.print(f"[bold red]{problem}[/]")
        raise typer.Exit(1)
    open_database(settings.database_url or "").dispose()
    with contextlib.ExitStack() as stack:
        if settings.runner_url is None:
            console.print("Starting the sandbox that runs your code…")
            try:
                runner = stack.enter_context(local_runner(settings, supervise=True))
            except RunnerStartError as failure:
                errors.print(f"[bold red]{failure}[/]", highlight=False)
                raise typer.Exit(1) from failure
            settings = settings.model_copy(update={"runner_url": runner.url})
        _serve(create_app(settings, course), settings, open_browser)


def _serve_hosted(overrides: dict[str, object], workers: int) -> None:
    """Gunicorn with `workers` Uvicorn workers, once the settings and servers are checked and the
    database is migrated (once, here, before the workers fork). No runner is started here."""
    from deepdive.hosted import HostedConfigError, prepare_hosted, run_gunicorn

    try:
        settings = prepare_hosted(**overrides)
    except HostedConfigError as problem:
        errors.print("[bold red]FastAPI Deep Dive cannot start in hosted mode:[/]")
        for line in str(problem).splitlines():
            errors.print(f"  {line}", highlight=False, markup=False)
        raise typer.Exit(1) from problem
    course = _load_course_or_exit(settings)
    problem = _port_problem(settings.host, settings.port)
    if problem:
        errors.print(f"[bold red]{problem}[/]")
        raise typer.Exit(1)
    runs = (
        f"runs go to the runner at {settings.runner_url}"
        if settings.runner_url
        else "no runner is started in hosted mode: runs go through Redis to the runners"
    )
    console.print(
        f"[bold]FastAPI Deep Dive[/] (hosted) on http://{settings.host}:{settings.port}/ with "
        f"{workers} worker(s); {runs}.",
        highlight=False,
    )
    run_gunicorn(settings, course, workers)


def _serve(application: object, settings: Settings, open_browser: bool) -> None:
    import uvicorn

    server = uvicorn.Server(
        uvicorn.Config(application, host=settings.host, port=settings.port, log_level="info")
    )
    shown_host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host  # noqa: S104
    url = f"http://{shown_host}:{settings.port}/"
    console.print(f"[bold]FastAPI Deep Dive[/] is at [link={url}]{url}[/link]  (Ctrl+C stops it)")
    console.print(f"Your progress is kept in {settings.data_dir}", highlight=False)
    if open_browser and _has_display():

        def _open_when_ready() -> None:
            while not server.started and not server.should_exit:
                time.sleep(0.05)
            if server.started:
                webbrowser.open(url)

        threading.Thread(target=_open_when_ready, daemon=True).start()
    server.run()


@app.command("check-content")
def check_content(
    run_tests: Annotated[
        bool, typer.Option("--tests/--no-tests", help="Also run every example's tests")
    ] = True,
) -> None:
    """Validate every lesson and run the tests of every example."""
    settings = Settings()
    course = _load_course_or_exit(settings)
    table = Table(title=f"{len(course.lessons)} lesson(s) load cleanly")
    for column in ("#", "Lesson", "Words", "Examples", "Quiz", "Interactives"):
        table.add_column(column)
    for lesson in course.lessons:
        table.add_row(
            str(lesson.meta.order),
            lesson.title,
            str(lesson.word_count),
            str(len(list((lesson.directory / "examples").glob("*.py")))),
            str(len(lesson.quiz.questions)),
            str(len(lesson.meta.interactives)),
        )
    console.print(table)
    if not run_tests:
        return
    import pytest

    console.print("Running the tests of every example…")
    code = pytest.main(["-q", "-p", "no:cacheprovider", str(settings.content_dir)])
    if code != 0:
        errors.print("[bold red]Some example tests failed (see above).[/]")
        raise typer.Exit(int(code))
    console.print("[green]Every example passes its tests.[/]")


def _local_session(settings: Settings) -> Session:
    from deepdive.db.engine import make_session_factory
    from deepdive.db.migrate import open_database

    return make_session_factory(open_database(settings.database_url or ""))()


@progress_app.command("export")
def export_command(file: Annotated[Path, typer.Argument(help="Where to write the JSON")]) -> None:
    """Write your progress (XP, lesson states, saved code) to FILE."""
    from deepdive.course.progress import local_learner
    from deepdive.course.transfer import export_progress

    settings = Settings().prepare()
    with _local_session(settings) as session:
        exported = export_progress(session, local_learner(session).id)
    file.write_text(exported.model_dump_json(indent=2) + "\n", encoding="utf-8")
    console.print(
        f"Exported {exported.xp} XP, {len(exported.awards)} award(s) and "
        f"{len(exported.drafts)} saved editor(s) to {file}",
        highlight=False,
    )


@progress_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="A file written by `deepdive progress export`")],
) -> None:
    """Merge a progress file into your progress (never counting XP twice)."""
    from deepdive.course.progress import local_learner
    from deepdive.course.transfer import ProgressFileError, import_progress, parse_progress_file

    settings = Settings().prepare()
    course = _load_course_or_exit(settings)
    try:
        progress = parse_progress_file(file.read_bytes())
    except OSError as error:
        errors.print(f"[bold red]Cannot read {file}: {error.strerror}[/]", highlight=False)
        raise typer.Exit(1) from error
    except ProgressFileError as problem:
        errors.print(f"[bold red]Nothing was imported.[/] {file}: {problem}", highlight=False)
        raise typer.Exit(1) from problem
    with _local_session(settings) as session:
        report = import_progress(session, local_learner(session).id, course, progress)
    console.print(
        f"Imported {report.awards_added} new award(s) worth {report.xp_added} XP "
        f"({report.awards_already_had} already yours, {report.awards_unknown} skipped); "
        f"{report.drafts_updated} saved editor(s) restored."
    )


@progress_app.command("reset")
def reset_command(
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Delete all your XP, lesson states and saved code."""
    from deepdive.course.progress import local_learner, reset_progress, total_xp

    settings = Settings().prepare()
    with _local_session(settings) as session:
        learner_id = local_learner(session).id
        xp = total_xp(session, learner_id)
        if not yes and not typer.confirm(
            f"Delete all your progress ({xp} XP, lesson states and saved code)?", default=False
        ):
            console.print("Nothing was changed.")
            raise typer.Exit(1)
        reset_progress(session, learner_id)
    console.print(f"Your progress was reset ({xp} XP removed).")


@app.command()
def lab(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8001,
) -> None:
    """Run the Bookstore API (the reference app) with demo data."""
    from bookstore.lab import LabError, run_lab

    try:
        run_lab(host=host, port=port)
    except LabError as problem:
        errors.print(f"[bold red]{problem}[/]", highlight=False)
        raise typer.Exit(1) from problem


@app.command()
def bench(
    quick: Annotated[bool, typer.Option("--quick", help="A shorter run (under 30 s)")] = False,
    rounds: Annotated[
        int | None, typer.Option(min=1, max=20, help="Rounds of every framework")
    ] = None,
    seconds: Annotated[
        int | None, typer.Option(min=1, max=60, help="Seconds of load per endpoint and round")
    ] = None,
) -> None:
    """Benchmark FastAPI, Flask and Django REST Framework on this machine, under wrk.

    The headline is the server's CPU per request; the result is saved and
    shown in lesson 15.
    """
    import dataclasses

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from deepdive.bench import ENDPOINTS, FRAMEWORKS, BenchSettings, WrkMissingError, run_benchmark
    from deepdive.bench.core import save, wrk_path

    settings = Settings().prepare()
    preset = BenchSettings.preset(quick=quick)
    changes = {k: v for k, v in {"rounds": rounds, "seconds": seconds}.items() if v is not None}
    plan = dataclasses.replace(preset, **changes)
    try:
        wrk_path()
    except WrkMissingError as missing:
        errors.print(f"[bold red]{missing}[/]", highlight=False)
        raise typer.Exit(1) from missing
    console.print(
        f"Benchmarking {', '.join(f.name for f in FRAMEWORKS)}: {plan.rounds} round(s) of "
        f"{plan.seconds} s per endpoint, about {plan.estimated_seconds:.0f} s in all."
    )
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("Starting…", total=1.0)
        result = run_benchmark(
            settings.content_dir,
            plan,
            lambda text, fraction: progress.update(task, description=text, completed=fraction),
        )
    saved = save(result, settings.data_dir)
    table = Table(
        title=f"Server CPU per request (µs, median of {plan.rounds} rounds; lower is better)"
    )
    table.add_column("Endpoint")
    for framework in FRAMEWORKS:
        table.add_column(framework.name, justify="right")
    for endpoint in ENDPOINTS:
        cells = []
        for framework in FRAMEWORKS:
            figures = result.figures[framework.name][endpoint.key]
            cpu, rate = figures["cpu_us_per_request"], figures["requests_per_second"]
            cells.append(f"{cpu:.0f} µs · {rate:.0f} req/s")
        table.add_row(endpoint.label, *cells)
    console.print(table)
    machine = result.machine
    console.print(
        f"{machine['cpu_model']}, {machine['usable_cores']} usable core(s), "
        f"{'servers and wrk on separate cores' if machine['pinned'] else 'not pinned (one core)'}. "
        f"Saved to {saved} and its chart beside it.",
        highlight=False,
    )


def main() -> None:
    app()
