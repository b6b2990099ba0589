"""Command line: `deepdive sandbox run|test|check` and `deepdive runner`.

`sandbox run` and `sandbox test` print the run's result as JSON. Their exit code is 0 whatever
the learner's code did; it is non-zero only when the engine itself failed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from deepdive.sandbox.client import RunnerClient, RunnerError, RunnerUnavailableError
from deepdive.sandbox.events import RunnerInfo
from deepdive.sandbox.run_request import HttpRequest, RunRequest, is_test_file, module_name
from deepdive.sandbox.run_result import RunResult
from deepdive.sandbox.secrets_scrub import forget_environment, token_digest
from deepdive.settings import Settings

# The engine (FastAPI, pytest, ...) is imported only by commands that run one in this process,
# so `deepdive --help` and `deepdive sandbox run --runner URL` start quickly.

sandbox_app = typer.Typer(
    help="Run code in the sandbox, the way the course's interactives do.", no_args_is_help=True
)

RunnerOption = Annotated[
    str | None,
    typer.Option("--runner", help="Use a running runner (unix:///path or tcp://host:port)"),
]
InstrumentOption = Annotated[
    list[str] | None,
    typer.Option("--instrument", "-i", help="Attach an instrument (openapi, timeline, ...)"),
]


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)


# What a field of a run must look like, said in the command line's words.
_SHAPES = {
    "path": "a request's path starts with / (GET /books)",
    "method": "a request's method is a word (GET, POST, ...)",
    "app_name": "--app names the app's attribute, a Python name (app, or main:app)",
}


def _invalid(error: ValueError) -> str:
    """A refused request, one line per problem, without the validator's internals."""
    if not isinstance(error, ValidationError):
        return f"Invalid request: {error}"
    lines = []
    for problem in error.errors(include_url=False):
        field = ".".join(str(part) for part in problem["loc"])
        last = str(problem["loc"][-1]) if problem["loc"] else ""
        if problem["type"] == "string_pattern_mismatch" and last in _SHAPES:
            text = f"{_SHAPES[last]}, not {problem['input']!r}"
        elif problem["type"] == "string_too_long" and last in ("code", "tests"):
            limit = problem.get("ctx", {}).get("max_length", 0) // 1024
            text = f"the file is larger than a run takes ({limit} KiB)"
        else:
            text = problem["msg"].removeprefix("Value error, ")
        lines.append(f"{field}: {text}" if problem["loc"] else text)
    return "Invalid request:\n" + "\n".join(f"  {line}" for line in lines)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise _fail(f"Cannot read {path}: {error.strerror}") from error


def _execute(request: RunRequest, runner_url: str | None) -> None:
    # The engine (and with it pytest and the worker) is imported only for a run started here:
    # a run on a runner that is up stays quick to start.
    from deepdive.sandbox.local import find_local_runner

    try:
        if runner_url is None and (runner_url := find_local_runner(Settings())):
            typer.echo(f"Ran on the course's runner at {runner_url}.", err=True)
        if runner_url:
            settings = Settings()
            token = settings.runner_token.get_secret_value() if settings.runner_token else None
            result = asyncio.run(RunnerClient(runner_url, token).run(request))
        else:
            typer.echo(
                "No course is running here, so a sandbox was started for this run "
                "(start the course with `deepdive serve` and runs reuse its runner).",
                err=True,
            )
            result = _run_here_or_fail(request)
    except (RunnerUnavailableError, RunnerError) as error:
        raise _fail(str(error)) from error
    except ValueError as error:
        raise _fail(f"The request was refused: {error}") from error
    typer.echo(result.model_dump_json(indent=2))


def _run_here_or_fail(request: RunRequest) -> RunResult:
    from deepdive.sandbox.engine import EngineError, IsolationUnavailableError

    try:
        return asyncio.run(_run_here(request, _runner_config()))
    except (EngineError, IsolationUnavailableError) as error:
        raise _fail(str(error)) from error


def _runner_config(**overrides: object) -> Any:
    """The engine's configuration. The Settings object (which may hold the platform's secret
    key) is dropped right away: sandboxes forked from this process must not find it."""
    from deepdive.sandbox.config import RunnerConfig

    return RunnerConfig.from_settings(Settings(**overrides))  # type: ignore[arg-type]


async def _run_here(request: RunRequest, config: Any) -> RunResult:
    """Run through an engine inside this process (one warm sandbox of the needed flavour)."""
    from deepdive.sandbox.engine import Engine

    flavor = "test" if request.kind == "test" else "app"
    config = dataclasses.replace(config, spares={flavor: 1}, huge_pages=False)  # one run only
    forget_environment()
    async with Engine(config) as engine:
        return await engine.run(request)


AppOption = Annotated[
    str | None,
    typer.Option(
        "--app",
        help="The app in a folder, as uvicorn takes it (app.main:app); by default the first of "
        "main.py, app.py, api.py, app/main.py, app/app.py, app/api.py, attribute `app`",
    ),
]


def _folder_request(folder: Path, kind: str, spec: str | None, **fields: Any) -> RunRequest:
    from deepdive.sandbox.folders import FolderError, folder_request

    try:
        return folder_request(folder, kind=kind, spec=spec, **fields)
    except FolderError as error:
        raise _fail(str(error)) from error


def _module_file(path: Path) -> str:
    """The name of a single app module, refused unless Python can import it as one."""
    if module_name(path.name) is None:
        raise _fail(
            f"{path.name} is not a module Python can import: name it like app.py "
            "(letters, digits and underscores, not starting with a digit), or give the folder."
        )
    return path.name


def _tests_file(path: Path) -> str:
    """The name of a single tests file, refused unless pytest collects it as given."""
    if not is_test_file(path.name) or module_name(path.name) is None:
        raise _fail(
            f"{path.name}: name the tests file like test_app.py or app_test.py, as pytest "
            "would find it."
        )
    return path.name


def _app_name(app_file: Path, spec: str | None) -> str:
    """`--app` given with a single file: only the attribute may be chosen there."""
    if not spec:
        return "app"
    module, _, attribute = spec.rpartition(":")
    if module and module != app_file.stem:
        raise _fail(f"--app {spec} names module {module}, but the file is {app_file.name}.")
    return attribute or "app"


@sandbox_app.command("run")
def run_command(
    app_path: Annotated[
        Path, typer.Argument(help="The app module (app.py), or a folder holding the app")
    ],
    request: Annotated[
        list[str] | None,
        typer.Option(
            "--request", "-r", help='A request: "GET /path" or \'POST /books {"title": "X"}\''
        ),
    ] = None,
    concurrent: Annotated[bool, typer.Option(help="Send all requests at once")] = False,
    app: AppOption = None,
    instrument: InstrumentOption = None,
    runner: RunnerOption = None,
) -> None:
    """Import the app in the sandbox and send it the requests; print the result as JSON.

    APP_PATH is one module, or a whole folder (a package, its templates, ...).
    """
    try:
        fields: dict[str, Any] = {
            "requests": [HttpRequest.parse(spec) for spec in request or []],
            "concurrent": concurrent,
            "instruments": instrument or [],
        }
        if app_path.is_dir():
            run = _folder_request(app_path, "app", app, **fields)
        else:
            code, filename = _read(app_path), _module_file(app_path)
            name = _app_name(app_path, app)
            run = RunRequest(kind="app", code=code, filename=filename, app_name=name, **fields)
    except ValueError as error:
        raise _fail(_invalid(error)) from error
    _execute(run, runner)


@sandbox_app.command("test")
def run_tests_command(
    app_path: Annotated[
        Path, typer.Argument(help="The app module (app.py), or a folder holding app and tests")
    ],
    tests_file: Annotated[
        Path | None, typer.Argument(help="The tests (test_app.py), when APP_PATH is a module")
    ] = None,
    app: AppOption = None,
    instrument: InstrumentOption = None,
    runner: RunnerOption = None,
) -> None:
    """Run pytest in the sandbox, as `python -m pytest` would; print the result as JSON.

    Give an app module and its tests file, or one folder: pytest then
    collects every test in it (test_*.py, *_test.py), conftest.py included.
    """
    try:
        if app_path.is_dir():
            if tests_file is not None:
                raise _fail("Give either a folder or an app module and its tests, not both.")
            run = _folder_request(app_path, "test", app, instruments=instrument or [])
        else:
            if tests_file is None:
                raise _fail(f"Give the tests file after {app_path.name}, or a whole folder.")
            run = RunRequest(
                kind="test",
                code=_read(app_path),
                filename=_module_file(app_path),
                app_name=_app_name(app_path, app),
                tests=_read(tests_file),
                tests_filename=_tests_file(tests_file),
                instruments=instrument or [],
            )
    except ValueError as error:
        raise _fail(_invalid(error)) from error
    _execute(run, runner)


@sandbox_app.command("check")
def check_command() -> None:
    """Print the isolation this machine gives sandboxes and the packages they can import.

    Starts a sandbox, then lists each isolation feature (and why one is
    missing) and every package a learner's code can import, with its version.
    """
    from deepdive.sandbox import packages
    from deepdive.sandbox.engine import Engine, EngineError, IsolationUnavailableError

    base = _runner_config()

    async def probe() -> tuple[RunnerInfo, list[dict[str, str | None]]]:
        config = dataclasses.replace(base, spares={"app": 1}, huge_pages=False)
        forget_environment()
        async with Engine(config) as engine:
            info = engine.info()
            result = await engine.run(packages.probe_request())
        return info, packages.probe_report(result)

    try:
        info, found = asyncio.run(probe())
    except (EngineError, IsolationUnavailableError) as error:
        raise _fail(str(error)) from error
    typer.echo(json.dumps({**info.model_dump(mode="json"), "packages": found}, indent=2))
    if info.isolation.full:
        typer.echo(f"Full isolation. Memory and processes per sandbox: {info.cgroup}", err=True)
    else:
        typer.echo("Isolation is INCOMPLETE on this machine; missing:", err=True)
        for name, reason in info.isolation.missing.items():
            typer.echo(f"  {name}: {reason}", err=True)


@sandbox_app.command("runners")
def runners_command(
    redis_url: Annotated[
        str | None,
        typer.Option("--redis", help="The run queue's Redis (default: DEEPDIVE_REDIS_URL)"),
    ] = None,
) -> None:
    """List the runners taking runs from Redis (name, capacity, load, isolation) as JSON."""
    from deepdive.sandbox.streams import StreamsClient

    url = redis_url or Settings().redis_url
    if not url:
        raise _fail("Give --redis URL (or set DEEPDIVE_REDIS_URL).")
    client = StreamsClient(url)
    try:
        statuses = asyncio.run(client.runners())
    except RunnerUnavailableError as error:
        raise _fail(str(error)) from error
    typer.echo(json.dumps([status.model_dump(mode="json") for status in statuses], indent=2))
    if not statuses:
        raise _fail(f"No runner takes runs from {client}: start one with `deepdive runner`.")
    for status in statuses:
        isolation = status.info.isolation
        state = "full isolation" if isolation.full else f"DEGRADED: {isolation.warning}"
        typer.echo(
            f"{status.name} on {status.host}: {status.running}/{status.capacity} busy, "
            f"{status.done} runs done ({state})",
            err=True,
        )


def runner_command(
    socket_path: Annotated[
        Path | None, typer.Option("--socket", help="Listen on this Unix socket")
    ] = None,
    tcp: Annotated[
        str | None, typer.Option("--tcp", help="Listen on HOST:PORT (needs DEEPDIVE_RUNNER_TOKEN)")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Runs at a time (default: DEEPDIVE_SANDBOX_WORKERS)")
    ] = None,
    parent_pid: Annotated[
        int | None, typer.Option(help="Stop when this process (the web server) ends")
    ] = None,
    redis_url: Annotated[
        str | None,
        typer.Option(
            "--redis",
            help="Take runs from the run queue in this Redis (hosted mode: redis://host:6379/0)",
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(help="This runner's name in the run queue (default: host name and PID)"),
    ] = None,
) -> None:
    """Serve sandbox runs to web servers: on a Unix socket or TCP port, or from Redis."""
    from deepdive.sandbox.engine import EngineError, IsolationUnavailableError

    if redis_url is not None:
        if socket_path is not None or tcp is not None:
            raise _fail("Give either --redis URL or --socket/--tcp, not both.")
        _serve_from_redis(redis_url, name, workers, parent_pid)
        return
    if socket_path is None and tcp is None:
        raise _fail("Give --socket PATH, --tcp HOST:PORT or --redis URL.")
    address: tuple[str, int] | None = None
    if tcp is not None:
        host, _, port = tcp.rpartition(":")
        if not host or not port.isdigit():
            raise _fail(f"--tcp needs HOST:PORT, got {tcp!r}")
        address = (host.strip("[]"), int(port))
    overrides = {"sandbox_workers": workers} if workers else {}
    secret = Settings().runner_token
    token = secret.get_secret_value() if secret else None
    del secret
    if address is not None and not token:
        raise _fail("A TCP runner needs a shared token: set DEEPDIVE_RUNNER_TOKEN.")
    digest = token_digest(token) if token else None
    del token
    config = _runner_config(**overrides)
    forget_environment()
    if parent_pid is not None:
        _stop_with_parent(parent_pid)
    try:
        asyncio.run(_serve(config, digest, socket_path, address))
    except (IsolationUnavailableError, EngineError, OSError) as error:
        raise _fail(f"The runner could not start: {error}") from error


def _serve_from_redis(
    redis_url: str, name: str | None, workers: int | None, parent_pid: int | None
) -> None:
    from deepdive.sandbox.engine import Engine, EngineError, IsolationUnavailableError
    from deepdive.sandbox.stream_runner import serve_streams
    from deepdive.sandbox.streams import runner_name

    if not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise _fail(f"--redis needs a Redis URL like redis://host:6379/0, got {redis_url!r}")
    if name is not None and not (0 < len(name) <= 100 and name.isprintable() and " " not in name):
        raise _fail("--name needs a short name without spaces.")
    claim_seconds = Settings().run_claim_seconds
    config = _runner_config(**({"sandbox_workers": workers} if workers else {}))
    forget_environment()
    if parent_pid is not None:
        _stop_with_parent(parent_pid)

    async def serve() -> None:
        await serve_streams(
            Engine(config),
            redis_url=redis_url,
            name=name or runner_name(),
            claim_seconds=claim_seconds,
            stop=_stop_on_signals(),
            announce=_announce,
        )

    try:
        asyncio.run(serve())
    except (IsolationUnavailableError, EngineError, OSError) as error:
        raise _fail(f"The runner could not start: {error}") from error


async def _serve(
    config: Any,
    digest: bytes | None,
    socket_path: Path | None,
    address: tuple[str, int] | None,
) -> None:
    from deepdive.sandbox.engine import Engine
    from deepdive.sandbox.server import serve

    await serve(
        Engine(config),
        token_digest=digest,
        socket_path=str(socket_path) if socket_path else None,
        tcp=address,
        stop=_stop_on_signals(),
        announce=_announce,
    )


def _stop_on_signals() -> asyncio.Event:
    """An event set by SIGTERM, SIGINT or SIGHUP: the runner then stops cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(signum, stop.set)
    return stop


def _announce(text: str) -> None:
    print(text, flush=True)


def _stop_with_parent(parent_pid: int) -> None:
    from deepdive.sandbox.isolation import libc

    try:
        libc.prctl(libc.PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        return
    if os.getppid() != parent_pid:
        sys.exit(0)  # the parent is already gone


def main() -> None:
    """`python -m deepdive.sandbox.cli runner ...` (how `deepdive serve` starts its runner)."""
    app = typer.Typer(no_args_is_help=True)
    app.add_typer(sandbox_app, name="sandbox")
    app.command("runner")(runner_command)
    app()


if __name__ == "__main__":
    main()
