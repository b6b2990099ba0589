"""Test runs: pytest on the learner's tests, in-process, reported test by test.

pytest's own start-up (plugins, configuration, fixtures) costs far more than five small tests,
so a sandbox meant for test runs starts pytest *before* the learner's code exists: `serve` calls
`pytest.main` at once, and a plugin hook at session start (`pytest_sessionstart`, run last)
waits there for the request. The tests directory is only created then, so pytest discovers the
learner's files, conftest.py included, as if they had always been there, and its collection
imports them, the learner's app included, as a plain `python -m pytest` in their folder would.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Callable
from typing import Any

import _pytest.cacheprovider
import _pytest.debugging
import _pytest.faulthandler
import _pytest.junitxml
import _pytest.pastebin
import _pytest.stepwise
import _pytest.terminal
import pytest

from deepdive.sandbox.run_result import CaseResult, ErrorInfo
from deepdive.sandbox.worker.files import LearnerFiles
from deepdive.sandbox.worker.guard import Guard
from deepdive.sandbox.worker.output import CappedStream
from deepdive.sandbox.worker.paths import SandboxPaths
from deepdive.sandbox.worker.tracebacks import error_info

CASE_OUTPUT_CAP = 8 * 1024
DETAILS_CAP = 8 * 1024

# pytest's plugins a test run leaves out (what they do only shows in a terminal or a report
# file); `Recorder` takes their options all the same, as a plain pytest would.
_LEFT_OUT = (
    _pytest.cacheprovider,
    _pytest.debugging,
    _pytest.faulthandler,
    _pytest.junitxml,
    _pytest.pastebin,
    _pytest.stepwise,
    _pytest.terminal,
)

PYTEST_ARGS = (
    "-s",
    *(arg for plugin in _LEFT_OUT for arg in ("-p", "no:" + plugin.__name__.rpartition(".")[2])),
    # The plugins of the packages the sandbox carries, which a plain pytest would load itself.
    "-p",
    "anyio.pytest_plugin",
    "-p",
    "inline_snapshot.pytest_plugin",
    # The runner imported those plugins before pytest could rewrite their asserts; pytest says
    # so, and a learner's `filterwarnings = error` must not turn that into their error.
    *(
        arg
        for plugin in ("anyio", "inline_snapshot")
        for arg in (
            "-W",
            f"ignore:Module already imported so cannot be rewritten; {plugin}"
            ":pytest.PytestAssertRewriteWarning",
        )
    ),
)


def pytest_args(directory: str | None, rootdir: str | None) -> list[str]:
    """pytest's arguments; without them pytest finds its rootdir, and what to collect, where a
    plain `pytest` in the current directory would (`testpaths`, or the directory itself)."""
    where = [directory] if directory else []
    return [*where, *(["--rootdir", rootdir] if rootdir else []), *PYTEST_ARGS]


# Where pytest reads its configuration from, in its own order, and the section it looks for.
_CONFIG_FILES = (
    ("pytest.ini", ""),
    (".pytest.ini", ""),
    ("pyproject.toml", "[tool.pytest"),
    ("tox.ini", "[pytest]"),
    ("setup.cfg", "[tool:pytest]"),
)


def config_file(files: dict[str, str]) -> str | None:
    """The learner's pytest configuration file (`pytest.ini`, `[tool.pytest.ini_options]` in
    pyproject.toml, ...) when their files hold one, else None."""
    for name, section in _CONFIG_FILES:
        if name in files and section in files[name]:
            return name
    return None


class CollectionError(Exception):
    """The learner's tests could not even be collected (syntax or import error in them)."""

    def __init__(self, outcome: str, error: ErrorInfo) -> None:
        super().__init__(error.message)
        self.outcome = outcome
        self.error = error


class Recorder:
    """A pytest plugin: waits for the request at session start, then records every test."""

    def __init__(
        self,
        files: LearnerFiles,
        streams: tuple[CappedStream, CappedStream],
        on_session_start: Callable[[], None],
        *,
        on_collected: Callable[[], None] | None = None,
        on_case: Callable[[CaseResult], None] | None = None,
    ) -> None:
        self._files = files
        self._streams = streams
        self._on_session_start = on_session_start
        self._on_collected = on_collected
        # Told about each test as soon as it is over (setup, call and teardown reported).
        self._on_case = on_case
        self.cases: list[CaseResult] = []
        self._by_id: dict[str, CaseResult] = {}
        self._marks: dict[str, tuple[int, int]] = {}
        self._errors: dict[str, BaseException] = {}
        self.collection_error: CollectionError | None = None
        # What ended the session before its last test (KeyboardInterrupt, pytest.exit()), as
        # plain pytest would stop there ("Interrupted"): the run is then not "ok".
        self.interruption: ErrorInfo | None = None
        # Set when the learner's app failed to load: pytest then collects and runs nothing.
        self.skip_everything = False
        self.guard: Guard | None = None
        self._session: pytest.Session | None = None

    @property
    def session(self) -> pytest.Session:
        """The pytest session (known once it has started)."""
        assert self._session is not None
        return self._session

    def pytest_addoption(self, parser: pytest.Parser) -> None:
        """The options and ini keys of the plugins left out (`_LEFT_OUT`), taken and then
        ignored: `addopts = "-ra -q --tb=short"` or `junit_family = "xunit2"` in a learner's
        configuration only change what a terminal or a report file would show, and a plain
        pytest takes them."""
        for plugin in _LEFT_OUT:
            plugin.pytest_addoption(parser)

    def pytest_configure(self, config: pytest.Config) -> None:
        # Options of the terminal plugin, which is not loaded: short tracebacks in failure
        # details, and no colours in what other plugins print.
        config.option.tbstyle = "short"
        config.option.color = "no"

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self._session = session
        self._on_session_start()

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> bool | None:
        if not self.skip_everything:
            return None
        session.items = []
        session.testscollected = 0
        return True

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if self._on_collected is not None:
            self._on_collected()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool | None:
        return True if self.skip_everything else None

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """pytest stopped the session early: a KeyboardInterrupt or `pytest.exit()`."""
        exc = excinfo.value
        info = error_info(exc, self._files)
        # A test that began (its output mark is set) and never finished is the one it ended.
        running = [self._by_id[nodeid] for nodeid in self._marks if nodeid in self._by_id]
        by = f"{running[-1].name} raised it" if running else "it was raised"
        if isinstance(exc, pytest.exit.Exception):
            info.type = "pytest.exit"
            info.message = f"pytest.exit() ended the test run: {exc.msg}"
        else:
            info.message = (
                f"{by}, and pytest ends the whole run there, as plain pytest does (the tests "
                "before it are shown)"
            )
        for case in running:
            case.outcome = "error"
            case.message = case.message or f"{info.type}: the test run ended here"
        self.interruption = info

    def pytest_internalerror(self, excrepr: Any, excinfo: Any) -> bool:
        # A limit that struck between two tests surfaces here; the run's result reports it.
        return True

    def pytest_exception_interact(self, node: Any, call: pytest.CallInfo[Any], report: Any) -> None:
        if call.excinfo is None or not isinstance(report, pytest.CollectReport):
            return
        exc = call.excinfo.value
        cause = exc.__cause__ if type(exc).__name__ == "CollectError" else exc
        original = cause if cause is not None else exc
        if self.collection_error is None:
            outcome = "import_error" if isinstance(original, ImportError) else "runtime_error"
            if isinstance(original, SyntaxError):
                outcome = "syntax_error"
            self.collection_error = CollectionError(outcome, error_info(original, self._files))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
        report = yield
        if call.excinfo is not None:
            self._errors[f"{item.nodeid}:{call.when}"] = call.excinfo.value
        return report

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        self._marks[nodeid] = (self._streams[0].position(), self._streams[1].position())

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        case = self._by_id.get(report.nodeid)
        if case is None:
            case = CaseResult(
                name=report.nodeid.split("::", 1)[-1],
                nodeid=report.nodeid.removeprefix("code/"),
                outcome="passed",
            )
            self._by_id[report.nodeid] = case
            self.cases.append(case)
        case.duration_ms = round(case.duration_ms + report.duration * 1000, 3)
        outcome = _outcome(report)
        if outcome is None:
            return
        # A failing setup or teardown makes the test an error, whatever its call did.
        if case.outcome == "passed" or outcome == "error":
            case.outcome = outcome  # type: ignore[assignment]
        # The first failure is described (a failed call, not the teardown error it caused).
        first = not case.message and not case.details
        if first and (report.failed or (report.skipped and report.when != "teardown")):
            self._describe(case, report)

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        case = self._by_id.get(nodeid)
        start = self._marks.pop(nodeid, None)
        if case is None or start is None:
            return
        out = self._streams[0].text()[start[0] :] + self._streams[1].text()[start[1] :]
        case.output = out if len(out) <= CASE_OUTPUT_CAP else out[:CASE_OUTPUT_CAP] + "\n[…]"
        if self._on_case is not None:
            self._on_case(case)
        if self.guard is not None and self.guard.tripped is not None and self._session:
            self._session.shouldstop = "a limit of the run was reached"

    def _describe(self, case: CaseResult, report: pytest.TestReport) -> None:
        if report.skipped and isinstance(report.longrepr, tuple):
            case.message = str(report.longrepr[2]).removeprefix("Skipped: ")
            return
        exc = self._errors.get(f"{report.nodeid}:{report.when}")
        details = report.longreprtext.replace(self._files.directory + "/", "")
        case.details = details if len(details) <= DETAILS_CAP else details[:DETAILS_CAP] + "\n[…]"
        if exc is not None:
            info = error_info(exc, self._files)
            case.message = _first_line(info.message) or info.type
            if info.type != "AssertionError":
                case.message = f"{info.type}: {case.message}"
            case.file, case.line = info.file, info.line
        else:
            case.message = _first_line(details)
        if _NO_ASYNC_PLUGIN in details:
            case.message = (
                f"{_NO_ASYNC_PLUGIN}: mark the test with @pytest.mark.anyio, as FastAPI's "
                "documentation does (AnyIO's pytest plugin is here, pytest-asyncio is not)"
            )
            path, line, _ = report.location  # from pytest's rootdir
            root = str(self._session.config.rootpath) if self._session else self._files.directory
            name = self._files.display_name(os.path.join(root, path))
            if name is not None and line is not None:
                case.file, case.line = name, line + 1  # its first line, a decorator's if any


# What pytest says of an async test no plugin runs.
_NO_ASYNC_PLUGIN = "async def functions are not natively supported"


def _outcome(report: pytest.TestReport) -> str | None:
    wasxfail = hasattr(report, "wasxfail")
    if report.when == "call":
        if wasxfail:
            return "xfailed" if report.skipped else "xpassed"
        return report.outcome
    if report.failed:
        return "error"
    if report.skipped and report.when == "setup":
        return "skipped"
    return None


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


_WARM_APP = """
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Book(BaseModel):
    title: str
    year: int = 2000


@app.post("/books", status_code=201)
def create(book: Book) -> Book:
    return book
"""

_WARM_TESTS = """
import pytest
from fastapi.testclient import TestClient
from warm_app import app

client = TestClient(app)


@pytest.fixture
def book():
    return {"title": "Warm", "year": 2001}


def test_created(book):
    assert client.post("/books", json=book).status_code == 201


def test_rejected():
    assert client.post("/books", json={"year": "x"}).status_code == 201


@pytest.mark.skip(reason="warming up")
def test_skipped():
    pass
"""


def warm_up(
    streams: tuple[CappedStream, CappedStream],
    files: LearnerFiles,
    directory: str,
) -> None:
    """One throwaway pytest session, so the real one finds every code path already warm."""
    os.makedirs(directory, exist_ok=True)
    for name, text in (("warm_app.py", _WARM_APP), ("test_warm.py", _WARM_TESTS)):
        with open(os.path.join(directory, name), "w", encoding="utf-8") as handle:
            handle.write(text)
    recorder = Recorder(files, streams, lambda: None)
    saved_path = list(sys.path)
    args = pytest_args(directory, directory)
    with contextlib.redirect_stdout(streams[0]), contextlib.redirect_stderr(streams[1]):
        pytest.main(args, plugins=[recorder])
    sys.path[:] = saved_path
    for name in ("warm_app", "test_warm"):
        sys.modules.pop(name, None)
    shutil.rmtree(directory, ignore_errors=True)


def run(recorder: Recorder, paths: SandboxPaths, *, configured: bool = False) -> int:
    """Start pytest; it pauses in `recorder` until the request is there, then runs the tests.

    With `configured`, pytest runs once more for a run that brings its own configuration, which
    pytest reads when it starts (so the waiting session could not use it): from the learner's
    folder, as a plain `pytest` there would.
    """
    args = pytest_args(None, None) if configured else pytest_args(paths.code, paths.work)
    return int(pytest.main(args, plugins=[recorder]))
